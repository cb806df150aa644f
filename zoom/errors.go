package zoom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// FieldError is one entry of the "errors" list Zoom adds to a
// {"code":300,"message":"Validation Failed."} answer.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a non-2xx answer from the API other than 429 (see RateLimitError).
// Zoom puts its own error code in the body ({"code":3001,"message":…}); the
// HTTP status and that code together say what happened.
type Error struct {
	Status     int          // HTTP status, e.g. 404
	Code       int          // Zoom's error code, e.g. 3001 (0 if the body had none)
	Message    string       // Zoom's message, or the HTTP status text
	TrackingID string       // x-zm-trackingid, what Zoom support asks for
	Errors     []FieldError // field-level details of a validation failure
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d", e.Status)
	if e.Code != 0 {
		fmt.Fprintf(&b, " code %d", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, fe := range e.Errors {
		fmt.Fprintf(&b, " [%s: %s]", fe.Field, fe.Message)
	}
	if e.TrackingID != "" {
		fmt.Fprintf(&b, " (tracking id %s)", e.TrackingID)
	}
	return b.String()
}

// Permanent reports whether retrying cannot help: the account lacks a
// scope or a permission (4711, 4700, 200) until an admin changes the app
// or the account. The job engine gives such work up at once, and shows it.
func (e *Error) Permanent() bool {
	switch e.Code {
	case 4711, 4700, 200:
		return true
	}
	return false
}

// Rate limit types, as Zoom names them in the X-RateLimit-Type header.
const (
	RateLimitQPS   = "QPS"         // per-second limit: retry in a moment
	RateLimitDaily = "Daily-limit" // per-host daily cap on meeting create/update
)

// RateLimitError is an HTTP 429 answer. Zoom has two kinds: the per-second
// limit (retry after a second or so) and the per-host daily cap on meeting
// create/update requests (retry after 00:00 UTC, or use another host).
type RateLimitError struct {
	Type       string    // RateLimitQPS, RateLimitDaily, or "" if Zoom did not say
	RetryAfter time.Time // when to try again; zero if Zoom did not say
	Message    string
	Code       int
}

func (e *RateLimitError) Error() string {
	s := "rate limited"
	if e.Type != "" {
		s += " (" + e.Type + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if !e.RetryAfter.IsZero() {
		s += "; retry after " + e.RetryAfter.UTC().Format(time.RFC3339)
	}
	return s
}

// TokenError is a refusal from Zoom's OAuth endpoints: a failure to get an
// access token, e.g. invalid_client (wrong client ID or secret) or
// invalid_grant (wrong account ID, or a refresh token already used), or a
// failed Revoke. It never carries the secret or a token.
type TokenError struct {
	Status int    // HTTP status of the OAuth endpoint's answer
	Code   string // OAuth "error", e.g. "invalid_client"
	Reason string // Zoom's "reason", e.g. "Invalid client_id or client_secret"
	err    error
	op     string // what failed; "" means an access token request
}

func (e *TokenError) Error() string {
	op := e.op
	if op == "" {
		op = "access token request"
	}
	s := fmt.Sprintf("%s failed: HTTP %d", op, e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// Unwrap exposes the underlying *oauth2.RetrieveError.
func (e *TokenError) Unwrap() error { return e.err }

// errorFromResponse reads a non-2xx answer into an *Error or *RateLimitError.
func errorFromResponse(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var eb struct {
		Code    int          `json:"code"`
		Message string       `json:"message"`
		Errors  []FieldError `json:"errors"`
	}
	if err := json.Unmarshal(body, &eb); err != nil || eb.Message == "" {
		// Not Zoom's JSON (a proxy's HTML page, say). Its text is not kept:
		// nobody should have to wonder whether it echoes a header.
		eb.Message = http.StatusText(resp.StatusCode)
	}

	if resp.StatusCode == http.StatusTooManyRequests {
		return &RateLimitError{
			Type:       rateLimitType(resp.Header.Get("X-RateLimit-Type"), eb.Message),
			RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
			Message:    eb.Message,
			Code:       eb.Code,
		}
	}
	return &Error{
		Status:     resp.StatusCode,
		Code:       eb.Code,
		Message:    eb.Message,
		TrackingID: resp.Header.Get("x-zm-trackingid"),
		Errors:     eb.Errors,
	}
}

// rateLimitType names the kind of 429. Zoom sometimes leaves out the headers
// (see its developer forum), so fall back to the message it always sends.
func rateLimitType(header, message string) string {
	if header != "" {
		return header
	}
	m := strings.ToLower(message)
	switch {
	case strings.Contains(m, "daily rate limit"):
		return RateLimitDaily
	case strings.Contains(m, "per-second"):
		return RateLimitQPS
	}
	return ""
}

// parseRetryAfter understands the three forms Zoom uses: delay seconds
// ("1"), an RFC 3339 date ("2020-05-31T00:00:00Z", on the daily cap) and an
// HTTP date. Anything else means unknown: the zero time.
func parseRetryAfter(v string, now time.Time) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return now.Add(time.Duration(secs) * time.Second)
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t
	}
	if t, err := http.ParseTime(v); err == nil {
		return t
	}
	return time.Time{}
}

// tokenError returns a *TokenError if err is (or wraps) a failed token fetch,
// else nil.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return nil
	}
	te := &TokenError{Code: re.ErrorCode, Reason: re.ErrorDescription, err: re}
	if re.Response != nil {
		te.Status = re.Response.StatusCode
	}
	// Zoom explains itself in "reason", which oauth2 does not parse.
	var body struct {
		Error  string `json:"error"`
		Reason string `json:"reason"`
	}
	if json.Unmarshal(re.Body, &body) == nil {
		if te.Code == "" {
			te.Code = body.Error
		}
		if body.Reason != "" {
			te.Reason = body.Reason
		}
	}
	return te
}

// IsNotFound reports whether err is Zoom's 404, e.g. code 3001 (meeting does
// not exist, or was deleted) or 1001 (user does not exist).
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// Retryable reports whether trying the same request again may succeed:
// rate limits (for the daily cap only after RateLimitError.RetryAfter),
// Zoom's 5xx, network failures and timeouts. Validation, authentication and
// not-found errors are final, as is a cancelled context.
//
// Creating a meeting is not idempotent: after a network error the meeting
// may exist, so callers look for it before creating another.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	var rle *RateLimitError
	if errors.As(err, &rle) {
		return true
	}
	var te *TokenError
	if errors.As(err, &te) {
		return te.Status >= 500 || te.Status == http.StatusTooManyRequests
	}
	var ze *Error
	if errors.As(err, &ze) {
		return ze.Status >= 500 || ze.Status == http.StatusRequestTimeout
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	// Refused or reset connections and DNS trouble pass; a malformed base
	// URL (also a *url.Error) does not, or a caller would retry it forever.
	var oe *net.OpError
	var de *net.DNSError
	return errors.As(err, &oe) || errors.As(err, &de)
}

// RetryAt is when Zoom accepts the next request (zero when it did not say).
func (e *RateLimitError) RetryAt() time.Time { return e.RetryAfter }

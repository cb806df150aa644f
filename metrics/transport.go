package metrics

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Targets are the base URLs whose calls Transport counts: SLACK_API_URL,
// ZOOM_API_URL and ZOOM_OAUTH_URL.
type Targets struct {
	SlackAPIURL  string // e.g. https://slack.com/api/
	ZoomAPIURL   string // e.g. https://api.zoom.us/v2
	ZoomOAuthURL string // e.g. https://zoom.us
}

// maxPeek is how much of a Slack answer is read to find its "ok" and
// "error". Failures are small; an answer larger than this is passed on
// untouched and counted as ok.
const maxPeek = 1 << 20

// Transport wraps base (nil: http.DefaultTransport) so that every call to
// Slack or Zoom is counted by method and outcome, timed, and every 429
// counted. Requests to anything else pass through unobserved.
//
// Slack answers HTTP 200 even when a call failed, with {"ok":false,
// "error":"…"} in the body, so the body of a Slack answer is read here to
// find the error and handed on unchanged, as if nobody had looked.
func (m *Metrics) Transport(base http.RoundTripper, t Targets) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{m: m, base: base, slack: parseBase(t.SlackAPIURL), zoomAPI: parseBase(t.ZoomAPIURL), zoomOAuth: parseBase(t.ZoomOAuthURL)}
}

type transport struct {
	m                         *Metrics
	base                      http.RoundTripper
	slack, zoomAPI, zoomOAuth *url.URL
}

func parseBase(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u
}

const (
	serviceSlack = "slack"
	serviceZoom  = "zoom"
)

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	service, name := t.classify(req)
	if service == "" {
		return t.base.RoundTrip(req)
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	elapsed := time.Since(start)
	outcome := "error"
	if err == nil {
		if resp.StatusCode == http.StatusTooManyRequests {
			t.m.rateLimited.WithLabelValues(service, name).Inc()
		}
		if service == serviceSlack {
			outcome = slackOutcome(resp)
		} else {
			outcome = statusOutcome(resp.StatusCode)
		}
	}
	switch service {
	case serviceSlack:
		t.m.slackCalls.WithLabelValues(name, outcome).Inc()
		t.m.slackSeconds.WithLabelValues(name).Observe(elapsed.Seconds())
	case serviceZoom:
		t.m.zoomCalls.WithLabelValues(name, outcome).Inc()
		t.m.zoomSeconds.WithLabelValues(name).Observe(elapsed.Seconds())
	}
	return resp, err
}

// classify names the service and method of a request, or returns "" for
// a request to neither Slack nor Zoom.
func (t *transport) classify(req *http.Request) (service, name string) {
	u := req.URL
	switch {
	case under(u, t.slack):
		return serviceSlack, slackMethod(strings.TrimPrefix(u.Path, t.slack.Path+"/"))
	case under(u, t.zoomAPI):
		return serviceZoom, req.Method + " " + ZoomOperation(strings.TrimPrefix(u.Path, t.zoomAPI.Path))
	case t.zoomOAuth != nil && sameHost(u, t.zoomOAuth) && strings.HasPrefix(u.Path, t.zoomOAuth.Path+"/oauth/"):
		return serviceZoom, req.Method + " " + strings.TrimPrefix(u.Path, t.zoomOAuth.Path)
	case u.Host == "hooks.slack.com", t.slack != nil && sameHost(u, t.slack):
		// A slash command's or interaction's response_url.
		return serviceSlack, "response_url"
	}
	return "", ""
}

func sameHost(u, base *url.URL) bool {
	return strings.EqualFold(u.Scheme, base.Scheme) && strings.EqualFold(u.Host, base.Host)
}

func under(u, base *url.URL) bool {
	return base != nil && sameHost(u, base) && (u.Path == base.Path || strings.HasPrefix(u.Path, base.Path+"/"))
}

// slackMethod keeps method names to what Slack's look like ("chat.update"),
// so that a stray URL cannot mint a series per request.
func slackMethod(s string) string {
	if s == "" || len(s) > 64 {
		return "other"
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '_') {
			return "other"
		}
	}
	return s
}

// ZoomOperation is a Zoom API path with the parts that vary per call
// replaced: numeric meeting IDs and meeting UUIDs by {id}, users (emails,
// user IDs) by {user}; "me" stays. "/users/a@b.c/meetings" becomes
// "/users/{user}/meetings".
func ZoomOperation(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segs {
		prev := ""
		if i > 0 {
			prev = segs[i-1]
		}
		switch {
		case s == "":
		case isDigits(s):
			segs[i] = "{id}"
		case strings.Contains(s, "@"):
			segs[i] = "{user}"
		case prev == "users" && s != "me":
			segs[i] = "{user}"
		case prev == "meetings" || prev == "past_meetings" || prev == "webinars" || prev == "past_webinars":
			segs[i] = "{id}" // a meeting UUID
		}
	}
	return "/" + strings.Join(segs, "/")
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func statusOutcome(status int) string {
	if status >= 200 && status <= 299 {
		return "ok"
	}
	return strconv.Itoa(status)
}

// slackOutcome reads a Slack answer's outcome and puts the body back so
// that the caller reads exactly what Slack sent.
func slackOutcome(resp *http.Response) string {
	if resp.StatusCode != http.StatusOK {
		return strconv.Itoa(resp.StatusCode)
	}
	if resp.Body == nil || resp.Body == http.NoBody || resp.Header.Get("Content-Encoding") != "" ||
		!strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return "ok" // nothing to read (response_url answers "ok" in plain text)
	}
	orig := resp.Body
	buf, err := io.ReadAll(io.LimitReader(orig, maxPeek+1))
	switch {
	case err != nil:
		// The caller gets the bytes that came and then the same error.
		resp.Body = &body{Reader: io.MultiReader(bytes.NewReader(buf), errReader{err}), closer: orig}
		return "error"
	case len(buf) > maxPeek:
		resp.Body = &body{Reader: io.MultiReader(bytes.NewReader(buf), orig), closer: orig}
		return "ok"
	}
	// All of it is here: let the connection go back to the pool now.
	orig.Close()
	resp.Body = &body{Reader: bytes.NewReader(buf), closer: nopCloser{}}
	// Spare decoding every answer twice: Slack writes "ok" with no space,
	// and most answers say true.
	if !bytes.Contains(buf, []byte(`"ok":false`)) {
		return "ok"
	}
	var ans struct {
		OK    *bool  `json:"ok"`
		Error string `json:"error"`
	}
	if json.Unmarshal(buf, &ans) != nil || ans.OK == nil || *ans.OK {
		return "ok"
	}
	return slackError(ans.Error)
}

// slackError keeps an error code to Slack's alphabet ("channel_not_found").
func slackError(code string) string {
	if code == "" || len(code) > 64 {
		return "error"
	}
	for _, r := range code {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return "error"
		}
	}
	return code
}

// body is a response body put back after peeking; closing it closes the
// original.
type body struct {
	io.Reader
	closer io.Closer
}

func (b *body) Close() error { return b.closer.Close() }

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

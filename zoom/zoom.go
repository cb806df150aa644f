// Package zoom is a small client for the parts of Zoom that warroom uses:
// the meetings, past meetings, cloud recordings and users REST API, OAuth
// (Server-to-Server and user-managed, with PKCE and rotating refresh
// tokens), meeting passcode rules, and webhook verification and payloads.
//
// It follows google/go-github: a concrete Client built from an injected
// *http.Client and a base URL, methods that take a context first, and typed
// errors (*Error, *RateLimitError, *TokenError) that Retryable and IsNotFound
// classify. Access tokens come from a TokenSource: NewServerToServerClient
// brings one for Zoom's account_credentials grant; for a user-managed app
// the caller supplies its own to NewClientWithTokens, since only it knows
// where the rotating refresh token is kept. The package imports nothing else
// of warroom, so it is tested against zoomfake and works against the real
// Zoom alike.
package zoom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// userAgent names the client in Zoom's logs, which helps their support find
// our requests by tracking ID.
const userAgent = "warroom-zoom (+https://github.com/warroom-dev/warroom)"

// maxErrorBody bounds how much of an error answer is read: error bodies are
// small, and a misbehaving proxy must not make us buffer megabytes.
const maxErrorBody = 64 << 10

// Client calls Zoom's REST API. It is safe for concurrent use.
type Client struct {
	baseURL string
	http    *http.Client
	tokens  TokenSource // nil: hc authenticates
}

// TokenSource supplies a Client with access tokens. Implementations must be
// safe for concurrent use.
type TokenSource interface {
	// AccessToken returns a token to send as "Authorization: Bearer …",
	// fetching or refreshing one if needed.
	AccessToken(ctx context.Context) (string, error)
	// Invalidate reports that the API rejected accessToken (HTTP 401, code
	// 124: revoked, or expired sooner than announced). The next AccessToken
	// must not return it. The Client then retries the request once with a
	// fresh token.
	Invalidate(accessToken string)
}

// NewClient returns a Client for the API at baseURL (for example
// "https://api.zoom.us/v2"; a trailing slash is tolerated). hc does the
// HTTP work and normally adds the access token (see NewServerToServerClient);
// nil means http.DefaultClient, useful only against a server that needs no
// token.
func NewClient(baseURL string, hc *http.Client) *Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{baseURL: strings.TrimRight(baseURL, "/"), http: hc}
}

// NewClientWithTokens returns a Client for the API at baseURL that sends a
// token from ts with every request; hc (nil: http.DefaultClient) must not
// add one of its own. When the API answers 401 code 124 the Client calls
// ts.Invalidate and retries the request once.
func NewClientWithTokens(baseURL string, hc *http.Client, ts TokenSource) *Client {
	c := NewClient(baseURL, hc)
	c.tokens = ts
	return c
}

// do sends one request to path (relative to the base URL, starting with "/")
// with body encoded as JSON when non-nil, and decodes a 2xx answer into out
// when out is non-nil. Any other status becomes an *Error or *RateLimitError.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
	}
	for attempt := 1; ; attempt++ {
		resp, token, err := c.send(ctx, method, path, payload)
		if err != nil {
			return transportError(err)
		}
		err = readAnswer(resp, out)
		// A token Zoom revoked early (401 code 124) is replaced once. The
		// request was refused outright, so even a create is safe to resend.
		var zerr *Error
		if attempt == 1 && token != "" && errors.As(err, &zerr) && zerr.Status == http.StatusUnauthorized && zerr.Code == 124 {
			c.tokens.Invalidate(token)
			continue
		}
		return err
	}
}

// errEmptyToken stops a request that would go out with "Bearer " and
// nothing after it: a TokenSource bug, not something Zoom should see.
var errEmptyToken = errors.New("the token source returned an empty access token")

// send makes one HTTP request and returns the access token it used ("" if
// hc does the authentication).
func (c *Client) send(ctx context.Context, method, path string, payload []byte) (*http.Response, string, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, rd)
	if err != nil {
		return nil, "", fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	token := ""
	if c.tokens != nil {
		if token, err = c.tokens.AccessToken(ctx); err != nil {
			return nil, "", err
		}
		if token == "" {
			return nil, "", errEmptyToken
		}
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	return resp, token, err
}

// readAnswer reads and closes an answer: a 2xx into out (unless nil),
// anything else into an error.
func readAnswer(resp *http.Response, out any) error {
	defer func() {
		// Drain what is left so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
	}()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return errorFromResponse(resp)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode %d answer: %w", resp.StatusCode, err)
	}
	return nil
}

// transportError turns a failure to get an answer into something readable.
// The interesting case is a failed token fetch, which becomes a *TokenError
// (also when an oauth2 transport in hc hid it inside a *url.Error whose text
// blames the API URL).
func transportError(err error) error {
	if te := tokenError(err); te != nil {
		return te
	}
	return err
}

// Package zoom is a small client for the parts of Zoom's REST API that
// warroom uses: meetings, users and Server-to-Server OAuth.
//
// It follows google/go-github: a concrete Client built from an injected
// *http.Client and a base URL, methods that take a context first, and typed
// errors (*Error, *RateLimitError, *TokenError) that Retryable and IsNotFound
// classify. NewServerToServerClient adds Zoom's account_credentials OAuth
// with one cached token; for user-managed OAuth, pass NewClient an
// *http.Client from golang.org/x/oauth2. The package imports nothing else of
// warroom, so it is tested against zoomfake and works against the real Zoom
// alike.
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
	tokens  *tokenCache // Server-to-Server only; else hc authenticates
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
			c.tokens.invalidate(token)
			continue
		}
		return err
	}
}

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
		if token, err = c.tokens.token(ctx); err != nil {
			return nil, "", err
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

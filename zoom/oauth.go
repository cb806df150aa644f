package zoom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// ServerToServerConfig describes a Zoom Server-to-Server OAuth app: the
// client credentials flow with Zoom's own grant type, account_credentials,
// and the client ID and secret sent as HTTP Basic auth in a form body (Zoom
// rejects parameters in the query string). oauthURL is the OAuth base, e.g.
// "https://zoom.us".
func ServerToServerConfig(oauthURL, accountID, clientID, clientSecret string) *clientcredentials.Config {
	return &clientcredentials.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		TokenURL:     strings.TrimRight(oauthURL, "/") + "/oauth/token",
		AuthStyle:    oauth2.AuthStyleInHeader,
		EndpointParams: url.Values{
			"grant_type": {"account_credentials"},
			"account_id": {accountID},
		},
	}
}

// UserOAuthConfig describes a user-managed Zoom OAuth app (the authorization
// code flow; use it with oauth2.GenerateVerifier, S256ChallengeOption and
// VerifierOption for PKCE). It has no scopes: Zoom takes them from the app's
// configuration, not from the request. oauthURL is the OAuth base, e.g.
// "https://zoom.us"; redirectURL must be on the app's allow list.
//
// Zoom rotates refresh tokens: every refresh answers a new one and the old
// one stops working. Whoever refreshes must store the new token before
// using the access token, and only one refresh may run at a time.
func UserOAuthConfig(oauthURL, clientID, clientSecret, redirectURL string) *oauth2.Config {
	base := strings.TrimRight(oauthURL, "/")
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		RedirectURL:  redirectURL,
		Endpoint: oauth2.Endpoint{
			AuthURL:   base + "/oauth/authorize",
			TokenURL:  base + "/oauth/token",
			AuthStyle: oauth2.AuthStyleInHeader,
		},
	}
}

// Revoke revokes an access or refresh token of a user-managed app, which
// also uninstalls the app for that user (Zoom then sends app_deauthorized).
// A refusal is a *TokenError; revoking a token Zoom no longer knows is one
// too (invalid_grant), which a caller disconnecting anyway may ignore.
// hc nil means http.DefaultClient.
func Revoke(ctx context.Context, hc *http.Client, oauthURL, clientID, clientSecret, token string) error {
	if token == "" {
		return errors.New("zoom: revoke token: the token is empty")
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	form := url.Values{"token": {token}}
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(oauthURL, "/")+"/oauth/revoke", strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("zoom: revoke token: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	// Form-encoded first, as RFC 6749 asks and golang.org/x/oauth2 does.
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(clientSecret))
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("zoom: revoke token: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	te := &TokenError{Status: resp.StatusCode, op: "token revocation"}
	var eb struct {
		Error  string `json:"error"`
		Reason string `json:"reason"`
	}
	if json.Unmarshal(body, &eb) == nil {
		te.Code, te.Reason = eb.Error, eb.Reason
	}
	return fmt.Errorf("zoom: %w", te)
}

// NewServerToServerClient returns a Client for the API at apiURL that
// authenticates as a Server-to-Server OAuth app. One access token is fetched
// on first use and shared by all calls until shortly before it expires.
// Zoom may revoke a token early (it does when too many are issued); when it
// answers 401 code 124 the Client fetches a new token and retries once.
//
// base carries both the token requests and the API calls, so its Transport
// and Timeout apply to both. If base is nil, the oauth2.HTTPClient in ctx is
// used, as golang.org/x/oauth2 does, else http.DefaultClient. ctx is not
// kept: each token fetch runs under the context of the call that needs it.
func NewServerToServerClient(ctx context.Context, apiURL, oauthURL, accountID, clientID, clientSecret string, base *http.Client) *Client {
	if base == nil {
		base, _ = ctx.Value(oauth2.HTTPClient).(*http.Client)
	}
	if base == nil {
		base = http.DefaultClient
	}
	return NewClientWithTokens(apiURL, base, &tokenCache{
		cfg:  ServerToServerConfig(oauthURL, accountID, clientID, clientSecret),
		base: base,
		sem:  make(chan struct{}, 1),
	})
}

// tokenCache is the Server-to-Server TokenSource: it holds the current
// access token. A semaphore, not a mutex, guards it so that callers queued
// behind a slow token fetch still give up when their own context ends.
type tokenCache struct {
	cfg  *clientcredentials.Config
	base *http.Client
	sem  chan struct{}
	tok  *oauth2.Token
}

// AccessToken returns a valid access token, fetching one if needed.
func (tc *tokenCache) AccessToken(ctx context.Context) (string, error) {
	select {
	case tc.sem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-tc.sem }()
	if tc.tok.Valid() { // Valid allows nil and leaves a 10 s margin
		return tc.tok.AccessToken, nil
	}
	t, err := tc.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, tc.base))
	if err != nil {
		return "", err
	}
	tc.tok = t
	return t.AccessToken, nil
}

// Invalidate forgets access if it is still the current token; a caller late
// to report a rejected token must not throw away its fresh replacement.
func (tc *tokenCache) Invalidate(access string) {
	tc.sem <- struct{}{}
	defer func() { <-tc.sem }()
	if tc.tok != nil && tc.tok.AccessToken == access {
		tc.tok = nil
	}
}

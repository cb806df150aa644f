package zoom

import (
	"context"
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
	c := NewClient(apiURL, base)
	c.tokens = &tokenCache{
		cfg:  ServerToServerConfig(oauthURL, accountID, clientID, clientSecret),
		base: base,
		sem:  make(chan struct{}, 1),
	}
	return c
}

// tokenCache holds the current access token. A semaphore, not a mutex,
// guards it so that callers queued behind a slow token fetch still give up
// when their own context ends.
type tokenCache struct {
	cfg  *clientcredentials.Config
	base *http.Client
	sem  chan struct{}
	tok  *oauth2.Token
}

// token returns a valid access token, fetching one if needed.
func (tc *tokenCache) token(ctx context.Context) (string, error) {
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

// invalidate forgets access if it is still the current token; a caller late
// to report a rejected token must not throw away its fresh replacement.
func (tc *tokenCache) invalidate(access string) {
	tc.sem <- struct{}{}
	defer func() { <-tc.sem }()
	if tc.tok != nil && tc.tok.AccessToken == access {
		tc.tok = nil
	}
}

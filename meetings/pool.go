// Package meetings makes every Zoom meeting warroom needs, incident
// bridges and follow-ups alike, on one path: it holds the pool of hosts
// (Server-to-Server users named in ZOOM_HOSTS and accounts admins connected
// through user-managed OAuth), chooses a host with free capacity, moves a
// meeting to another host at once when Zoom refuses the host itself, and
// never makes two meetings for one purpose (the tag rule: record the
// intent, tag the meeting, look for the tag before making another). It
// also keeps each connected account's rotating tokens safe, counts requests
// against Zoom's daily cap, and connects and disconnects accounts.
package meetings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/oauth2"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom"
)

// DailyCap is Zoom's limit of meeting create/update requests per host per
// UTC day.
const DailyCap = warroom.ZoomDailyCap

// FailingFor is how long a host Zoom refused (no such user, may not host)
// is skipped before it is tried again: an admin may have fixed it.
const FailingFor = 10 * time.Minute

// Config holds what the pool needs to reach Zoom.
type Config struct {
	APIURL       string
	OAuthURL     string
	ClientID     string
	ClientSecret string
	AccountID    string   // set: Server-to-Server hosts are available
	S2SHosts     []string // ZOOM_HOSTS
	RedirectURL  string   // ${WARROOM_PUBLIC_URL}/zoom/oauth/callback; empty: connecting is off
	HTTP         *http.Client
	Log          zerolog.Logger
	Now          func() time.Time
	// Owner names this replica in the accounts' refresh leases.
	Owner string
	// OnTokenDead is told when an account's refresh fails for good: the
	// pool stops using it until an admin reconnects it.
	OnTokenDead func(ctx context.Context, host warroom.ZoomHost, reason string)
}

// Pool is the set of Zoom hosts. It is safe for concurrent use.
type Pool struct {
	cfg   Config
	store Store
	s2s   *zoom.Client

	// choosing serialises choosing a host with recording the choice.
	choosing sync.Mutex
	// crowded is whether the last pick found every host at capacity, so
	// the log says it when it starts and stops, not once per meeting.
	crowded bool

	mu      sync.Mutex
	clients map[string]*zoom.Client // OAuth accounts, by key
	tokens  map[string]*accountTokens

	lic licences // who may be an alternative host, per host's account

	view hostView // the hosts as last read (see hostsFresh)
}

// New returns the pool and records the Server-to-Server hosts in the store.
func New(ctx context.Context, cfg Config, st Store) (*Pool, error) {
	if cfg.HTTP == nil {
		cfg.HTTP = http.DefaultClient
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Owner == "" {
		cfg.Owner = fmt.Sprintf("warroom-%d", time.Now().UnixNano())
	}
	p := &Pool{cfg: cfg, store: st, clients: map[string]*zoom.Client{}, tokens: map[string]*accountTokens{}}
	if cfg.AccountID != "" {
		p.s2s = zoom.NewServerToServerClient(ctx, cfg.APIURL, cfg.OAuthURL, cfg.AccountID, cfg.ClientID, cfg.ClientSecret, cfg.HTTP)
		for i, h := range cfg.S2SHosts {
			if err := st.EnsureS2SHost(ctx, h, i); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

// Mode names how warroom reaches Zoom, for people.
func (p *Pool) Mode(ctx context.Context) string {
	hosts, _ := p.store.ZoomHosts(ctx)
	oauth := false
	for _, h := range hosts {
		oauth = oauth || h.Mode == warroom.HostOAuth
	}
	switch {
	case p.s2s != nil && oauth:
		return "Server-to-Server and user OAuth"
	case p.s2s != nil:
		return "Server-to-Server"
	case oauth:
		return "user OAuth"
	}
	return "not connected"
}

// CanConnect reports whether admins can connect accounts (a public URL and
// an encryption key are set).
func (p *Pool) CanConnect() bool { return p.cfg.RedirectURL != "" }

// OAuthConfig is the user-managed OAuth app's configuration.
func (p *Pool) OAuthConfig() *oauth2.Config {
	return zoom.UserOAuthConfig(p.cfg.OAuthURL, p.cfg.ClientID, p.cfg.ClientSecret, p.cfg.RedirectURL)
}

// Client returns the API client for a host and the user ID that names the
// host in API paths.
func (p *Pool) Client(ctx context.Context, key string) (*zoom.Client, string, error) {
	h, err := p.host(ctx, key)
	if err != nil {
		return nil, "", err
	}
	return p.clientFor(*h)
}

// clientFor is Client for a host already read.
func (p *Pool) clientFor(h warroom.ZoomHost) (*zoom.Client, string, error) {
	key := h.Key
	switch h.Mode {
	case warroom.HostS2S:
		if p.s2s == nil {
			return nil, "", warroom.Errorf(warroom.EINVALID, "Zoom host %s needs Server-to-Server OAuth, and ZOOM_ACCOUNT_ID is not set.", key)
		}
		return p.s2s, h.Key, nil
	case warroom.HostOAuth:
		if h.Status == warroom.HostNeedsReconnect {
			return nil, "", &HostError{Host: key, Problem: warroom.CallProblem{Code: warroom.ProblemHostReconnect, Detail: h.Email},
				Err: warroom.Errorf(warroom.EINVALID, "The Zoom account %s must be reconnected by an admin (/incident zoom connect).", h.Email)}
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		c, ok := p.clients[key]
		if !ok {
			ts := &accountTokens{pool: p, key: key}
			c = zoom.NewClientWithTokens(p.cfg.APIURL, p.cfg.HTTP, ts)
			p.clients[key], p.tokens[key] = c, ts
		}
		return c, "me", nil
	}
	return nil, "", fmt.Errorf("meetings: host %s has unknown mode %q", key, h.Mode)
}

func (p *Pool) day() string { return p.cfg.Now().UTC().Format("2006-01-02") }

// Passcode makes a meeting passcode that meets the host's rules.
func (p *Pool) Passcode(ctx context.Context, key string) (string, error) {
	h, err := p.store.ZoomHost(ctx, key)
	if err != nil {
		return "", err
	}
	return passcodeFor(*h)
}

// passcodeFor is Passcode for a host already read.
func passcodeFor(h warroom.ZoomHost) (string, error) {
	key := h.Key
	var rules zoom.PasscodeRules
	if err := json.Unmarshal([]byte(h.PasscodeRules), &rules); err != nil {
		return "", fmt.Errorf("meetings: passcode rules of %s: %w", key, err)
	}
	return zoom.GeneratePasscode(rules)
}

// LoadProfile reads a host's user and settings from Zoom and stores them:
// licence type, concurrent-meeting feature and passcode rules.
func (p *Pool) LoadProfile(ctx context.Context, key string) (warroom.ZoomHost, error) {
	h, err := p.host(ctx, key)
	if err != nil {
		return warroom.ZoomHost{}, err
	}
	return p.loadProfile(ctx, *h)
}

// loadProfile is LoadProfile for a host already read; it returns the host
// with its profile as stored.
func (p *Pool) loadProfile(ctx context.Context, h warroom.ZoomHost) (warroom.ZoomHost, error) {
	c, userID, err := p.clientFor(h)
	if err != nil {
		return warroom.ZoomHost{}, err
	}
	prof, err := profile(ctx, c, userID)
	if err != nil {
		if he, ok := hostFailure(h.Key, err); ok {
			he.Host = h.Key
			p.setAside(ctx, he) // found out at start, not at 3 a.m.
		}
		return warroom.ZoomHost{}, err
	}
	prof.Key = h.Key
	defer p.reread()
	if err := p.store.SetHostProfile(ctx, prof); err != nil {
		return warroom.ZoomHost{}, err
	}
	h.Email, h.ZoomUserID, h.UserType, h.Concurrent = prof.Email, prof.ZoomUserID, prof.UserType, prof.Concurrent
	h.RequirePasscode, h.PasscodeRules = prof.RequirePasscode, prof.PasscodeRules
	return h, nil
}

func profile(ctx context.Context, c *zoom.Client, userID string) (warroom.ZoomHost, error) {
	u, err := c.GetUser(ctx, userID)
	if err != nil {
		return warroom.ZoomHost{}, fmt.Errorf("read zoom user %s: %w", userID, err)
	}
	if u.Status != "" && u.Status != "active" {
		return warroom.ZoomHost{}, &HostError{Host: userID, Problem: warroom.CallProblem{Code: warroom.ProblemHostMissing},
			Err: fmt.Errorf("the Zoom user %s is %s", u.Email, u.Status)}
	}
	s, err := c.GetUserSettings(ctx, userID)
	if err != nil {
		return warroom.ZoomHost{}, fmt.Errorf("read zoom settings of %s: %w", u.Email, err)
	}
	rules, err := json.Marshal(s.Passcode)
	if err != nil {
		return warroom.ZoomHost{}, err
	}
	return warroom.ZoomHost{Email: u.Email, ZoomUserID: u.ID, UserType: u.Type, Concurrent: s.ConcurrentMeeting,
		RequirePasscode: s.RequirePasscode, PasscodeRules: string(rules)}, nil
}

// Connect finishes an OAuth connection: it exchanges the code (with the
// PKCE verifier), reads the user and their settings, and stores the account
// with its tokens sealed.
func (p *Pool) Connect(ctx context.Context, code, verifier, slackUser string) (warroom.ZoomHost, error) {
	octx := context.WithValue(ctx, oauth2.HTTPClient, p.cfg.HTTP)
	tok, err := p.OAuthConfig().Exchange(octx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return warroom.ZoomHost{}, fmt.Errorf("exchange the authorization code: %w", zoomTokenError(err))
	}
	if tok.RefreshToken == "" {
		return warroom.ZoomHost{}, errors.New("zoom answered without a refresh token")
	}
	c := zoom.NewClientWithTokens(p.cfg.APIURL, p.cfg.HTTP, staticToken(tok.AccessToken))
	h, err := profile(ctx, c, "me")
	if err != nil {
		return warroom.ZoomHost{}, err
	}
	h.ConnectedBy = slackUser
	defer p.reread()
	key, err := p.store.SaveOAuthAccount(ctx, h, store.ZoomTokens{Access: tok.AccessToken, Refresh: tok.RefreshToken, Expiry: tok.Expiry})
	if err != nil {
		return warroom.ZoomHost{}, err
	}
	p.forget(key)
	saved, err := p.store.ZoomHost(ctx, key)
	if err != nil {
		return warroom.ZoomHost{}, err
	}
	return *saved, nil
}

// Disconnect revokes an OAuth account's token at Zoom and deletes the
// account with every piece of Zoom data kept for it. It returns the
// incidents whose call it hosted. A failed revoke (Zoom down, token already
// dead) does not keep the data: the admin asked for it to go.
func (p *Pool) Disconnect(ctx context.Context, key string) (removed store.Removal, revokeErr error, err error) {
	h, err := p.store.ZoomHost(ctx, key)
	if err != nil {
		return store.Removal{}, nil, err
	}
	if h.Mode != warroom.HostOAuth {
		return store.Removal{}, nil, warroom.Errorf(warroom.EINVALID, "%s is a Server-to-Server host from ZOOM_HOSTS; remove it there instead.", h.Email)
	}
	// Delete first, then revoke: Zoom answers a revocation with an
	// app_deauthorized webhook, which must find nothing left to delete
	// rather than race this removal for the incidents it hosted.
	tok, _ := p.store.Tokens(ctx, key)
	if removed, err = p.Remove(ctx, key); err != nil {
		return store.Removal{}, nil, err
	}
	if tok.Access != "" {
		revokeErr = zoom.Revoke(ctx, p.cfg.HTTP, p.cfg.OAuthURL, p.cfg.ClientID, p.cfg.ClientSecret, tok.Access)
	}
	return removed, revokeErr, nil
}

// Remove deletes a host and its Zoom data without telling Zoom (after
// Zoom told us: deauthorization).
func (p *Pool) Remove(ctx context.Context, key string) (store.Removal, error) {
	removed, err := p.store.RemoveZoomHost(ctx, key)
	p.forget(key)
	p.reread()
	return removed, err
}

// HostByZoomUser finds the connected account of a Zoom user.
func (p *Pool) HostByZoomUser(ctx context.Context, zoomUserID string) (*warroom.ZoomHost, error) {
	return p.store.ZoomHost(ctx, warroom.OAuthHostKey(zoomUserID))
}

func (p *Pool) forget(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.clients, key)
	delete(p.tokens, key)
}

// Status describes every host, its load counted in full.
func (p *Pool) Status(ctx context.Context) ([]warroom.HostStatus, error) {
	hosts, err := p.store.PoolHosts(ctx, p.day(), 0)
	if err != nil {
		return nil, err
	}
	now := p.cfg.Now()
	out := make([]warroom.HostStatus, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, warroom.HostStatus{ZoomHost: h.ZoomHost, Capacity: h.Capacity(), Active: h.Load,
			RequestsToday: h.Requests, Usable: p.usable(h.ZoomHost, h.Requests, now)})
	}
	return out, nil
}

// staticToken is a TokenSource for one access token (just after an
// exchange, before the account is stored).
type staticToken string

func (t staticToken) AccessToken(context.Context) (string, error) { return string(t), nil }
func (t staticToken) Invalidate(string)                           {}

// zoomTokenError turns an oauth2 failure into words that name Zoom's error
// without echoing anything secret.
func zoomTokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode != "" {
			return fmt.Errorf("zoom refused the token request (%s): %w", re.ErrorCode, errors.New(re.ErrorDescription))
		}
		return fmt.Errorf("zoom refused the token request (HTTP %d)", re.Response.StatusCode)
	}
	return err
}

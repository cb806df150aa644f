// Package zoompool is the pool of Zoom hosts incident meetings go to:
// Server-to-Server hosts named in ZOOM_HOSTS and accounts admins connected
// through user-managed OAuth. It chooses a host with free capacity, keeps
// each account's rotating tokens safe, counts requests against Zoom's daily
// cap, and connects and disconnects accounts.
package zoompool

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
const DailyCap = 100

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
	// OnTokenDead is told when an account's refresh fails for good: the
	// pool stops using it until an admin reconnects it.
	OnTokenDead func(ctx context.Context, host store.ZoomHost, reason string)
}

// Pool is the set of Zoom hosts. It is safe for concurrent use.
type Pool struct {
	cfg   Config
	store *store.Store
	s2s   *zoom.Client

	mu      sync.Mutex
	clients map[string]*zoom.Client // OAuth accounts, by key
	tokens  map[string]*accountTokens
}

// New returns the pool and records the Server-to-Server hosts in the store.
func New(ctx context.Context, cfg Config, st *store.Store) (*Pool, error) {
	if cfg.HTTP == nil {
		cfg.HTTP = http.DefaultClient
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &Pool{cfg: cfg, store: st, clients: map[string]*zoom.Client{}, tokens: map[string]*accountTokens{}}
	if cfg.AccountID != "" {
		p.s2s = zoom.NewServerToServerClient(ctx, cfg.APIURL, cfg.OAuthURL, cfg.AccountID, cfg.ClientID, cfg.ClientSecret, cfg.HTTP)
		for _, h := range cfg.S2SHosts {
			if err := st.EnsureS2SHost(ctx, h); err != nil {
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
		oauth = oauth || h.Mode == store.ModeOAuth
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
	h, err := p.store.ZoomHost(ctx, key)
	if err != nil {
		return nil, "", err
	}
	switch h.Mode {
	case store.ModeS2S:
		if p.s2s == nil {
			return nil, "", warroom.Errorf(warroom.EINVALID, "Zoom host %s needs Server-to-Server OAuth, and ZOOM_ACCOUNT_ID is not set.", key)
		}
		return p.s2s, h.Key, nil
	case store.ModeOAuth:
		if h.Status == store.HostNeedsReconnect {
			return nil, "", warroom.Errorf(warroom.EINVALID, "The Zoom account %s must be reconnected by an admin (/incident zoom connect).", h.Email)
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
	return nil, "", fmt.Errorf("zoompool: host %s has unknown mode %q", key, h.Mode)
}

// Capacity is how many meetings a host may run at once: a Basic user, or a
// Licensed user on Pro, hosts one; Business and above (concurrent meeting
// "Basic" or "Plus") two.
func Capacity(h store.ZoomHost) int {
	if h.UserType == 2 && (h.Concurrent == "Basic" || h.Concurrent == "Plus") {
		return 2
	}
	return 1
}

// Pick chooses the host for a new meeting: one with free capacity, skipping
// hosts at Zoom's daily cap or needing reconnection. If every usable host is
// busy, the least loaded one is returned with crowded=true (incident
// meetings allow join-before-host, so people still get in; the host only
// shows as "in another meeting").
func (p *Pool) Pick(ctx context.Context) (key string, crowded bool, err error) {
	hosts, err := p.store.ZoomHosts(ctx)
	if err != nil {
		return "", false, err
	}
	load, err := p.store.HostLoad(ctx)
	if err != nil {
		return "", false, err
	}
	usage, err := p.store.ZoomRequests(ctx, p.day())
	if err != nil {
		return "", false, err
	}
	now := p.cfg.Now()
	var best *store.ZoomHost
	bestFree := false
	for i := range hosts {
		h := &hosts[i]
		if !p.usable(*h, usage[h.Key], now) {
			continue
		}
		free := load[h.Key] < Capacity(*h)
		switch {
		case best == nil,
			free && !bestFree,
			free == bestFree && load[h.Key] < load[best.Key]:
			best, bestFree = h, free
		}
	}
	if best == nil {
		return "", false, p.noHostError(hosts, usage, now)
	}
	return best.Key, !bestFree, nil
}

func (p *Pool) usable(h store.ZoomHost, used int, now time.Time) bool {
	switch {
	case h.Mode == store.ModeS2S && p.s2s == nil:
		return false
	case h.Status == store.HostNeedsReconnect:
		return false
	case used >= DailyCap, h.CappedUntil.After(now):
		return false
	}
	return true
}

func (p *Pool) noHostError(hosts []store.ZoomHost, usage map[string]int, now time.Time) error {
	if len(hosts) == 0 {
		return warroom.Errorf(warroom.EINVALID, "no Zoom account is connected; an admin can connect one with /incident zoom connect")
	}
	capped := 0
	for _, h := range hosts {
		if usage[h.Key] >= DailyCap || h.CappedUntil.After(now) {
			capped++
		}
	}
	if capped == len(hosts) {
		return warroom.Errorf(warroom.EINVALID, "every Zoom host reached today's limit of meeting requests (100 a day); it resets at midnight UTC")
	}
	return warroom.Errorf(warroom.EINVALID, "no Zoom host can be used: each must be reconnected or is at today's limit (see /incident zoom status)")
}

func (p *Pool) day() string { return p.cfg.Now().UTC().Format("2006-01-02") }

// CountRequest counts a meeting create or update against the host's cap.
func (p *Pool) CountRequest(ctx context.Context, key string) error {
	_, err := p.store.CountZoomRequest(ctx, key, p.day())
	return err
}

// NoteDailyCap records that Zoom refused the host until the cap resets.
func (p *Pool) NoteDailyCap(ctx context.Context, key string, until time.Time) error {
	if until.IsZero() {
		d := p.cfg.Now().UTC()
		until = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, time.UTC)
	}
	return p.store.SetCappedUntil(ctx, key, until)
}

// Passcode makes a meeting passcode that meets the host's rules.
func (p *Pool) Passcode(ctx context.Context, key string) (string, error) {
	h, err := p.store.ZoomHost(ctx, key)
	if err != nil {
		return "", err
	}
	var rules zoom.PasscodeRules
	if err := json.Unmarshal([]byte(h.PasscodeRules), &rules); err != nil {
		return "", fmt.Errorf("zoompool: passcode rules of %s: %w", key, err)
	}
	return zoom.GeneratePasscode(rules)
}

// LoadProfile reads a host's user and settings from Zoom and stores them:
// licence type, concurrent-meeting feature and passcode rules.
func (p *Pool) LoadProfile(ctx context.Context, key string) (store.ZoomHost, error) {
	c, userID, err := p.Client(ctx, key)
	if err != nil {
		return store.ZoomHost{}, err
	}
	h, err := profile(ctx, c, userID)
	if err != nil {
		return store.ZoomHost{}, err
	}
	h.Key = key
	if err := p.store.SetHostProfile(ctx, h); err != nil {
		return store.ZoomHost{}, err
	}
	return h, nil
}

func profile(ctx context.Context, c *zoom.Client, userID string) (store.ZoomHost, error) {
	u, err := c.GetUser(ctx, userID)
	if err != nil {
		return store.ZoomHost{}, fmt.Errorf("read zoom user %s: %w", userID, err)
	}
	s, err := c.GetUserSettings(ctx, userID)
	if err != nil {
		return store.ZoomHost{}, fmt.Errorf("read zoom settings of %s: %w", u.Email, err)
	}
	rules, err := json.Marshal(s.Passcode)
	if err != nil {
		return store.ZoomHost{}, err
	}
	return store.ZoomHost{Email: u.Email, ZoomUserID: u.ID, UserType: u.Type, Concurrent: s.ConcurrentMeeting,
		RequirePasscode: s.RequirePasscode, PasscodeRules: string(rules)}, nil
}

// Connect finishes an OAuth connection: it exchanges the code (with the
// PKCE verifier), reads the user and their settings, and stores the account
// with its tokens sealed.
func (p *Pool) Connect(ctx context.Context, code, verifier, slackUser string) (store.ZoomHost, error) {
	octx := context.WithValue(ctx, oauth2.HTTPClient, p.cfg.HTTP)
	tok, err := p.OAuthConfig().Exchange(octx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return store.ZoomHost{}, fmt.Errorf("exchange the authorization code: %w", zoomTokenError(err))
	}
	if tok.RefreshToken == "" {
		return store.ZoomHost{}, errors.New("zoom answered without a refresh token")
	}
	c := zoom.NewClientWithTokens(p.cfg.APIURL, p.cfg.HTTP, staticToken(tok.AccessToken))
	h, err := profile(ctx, c, "me")
	if err != nil {
		return store.ZoomHost{}, err
	}
	h.ConnectedBy = slackUser
	key, err := p.store.SaveOAuthAccount(ctx, h, store.ZoomTokens{Access: tok.AccessToken, Refresh: tok.RefreshToken, Expiry: tok.Expiry})
	if err != nil {
		return store.ZoomHost{}, err
	}
	p.forget(key)
	saved, err := p.store.ZoomHost(ctx, key)
	if err != nil {
		return store.ZoomHost{}, err
	}
	return *saved, nil
}

// Disconnect revokes an OAuth account's token at Zoom and deletes the
// account with every piece of Zoom data kept for it. It returns the
// incidents whose call it hosted. A failed revoke (Zoom down, token already
// dead) does not keep the data: the admin asked for it to go.
func (p *Pool) Disconnect(ctx context.Context, key string) (ids []int64, revokeErr error, err error) {
	h, err := p.store.ZoomHost(ctx, key)
	if err != nil {
		return nil, nil, err
	}
	if h.Mode != store.ModeOAuth {
		return nil, nil, warroom.Errorf(warroom.EINVALID, "%s is a Server-to-Server host from ZOOM_HOSTS; remove it there instead.", h.Email)
	}
	// Delete first, then revoke: Zoom answers a revocation with an
	// app_deauthorized webhook, which must find nothing left to delete
	// rather than race this removal for the incidents it hosted.
	tok, _ := p.store.Tokens(ctx, key)
	if ids, err = p.Remove(ctx, key); err != nil {
		return nil, nil, err
	}
	if tok.Access != "" {
		revokeErr = zoom.Revoke(ctx, p.cfg.HTTP, p.cfg.OAuthURL, p.cfg.ClientID, p.cfg.ClientSecret, tok.Access)
	}
	return ids, revokeErr, nil
}

// Remove deletes a host and its Zoom data without telling Zoom (after
// Zoom told us: deauthorization).
func (p *Pool) Remove(ctx context.Context, key string) ([]int64, error) {
	ids, err := p.store.RemoveZoomHost(ctx, key)
	p.forget(key)
	return ids, err
}

// HostByZoomUser finds the connected account of a Zoom user.
func (p *Pool) HostByZoomUser(ctx context.Context, zoomUserID string) (*store.ZoomHost, error) {
	return p.store.ZoomHost(ctx, store.OAuthKey(zoomUserID))
}

func (p *Pool) forget(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.clients, key)
	delete(p.tokens, key)
}

// HostStatus is one line of /incident zoom status.
type HostStatus struct {
	store.ZoomHost
	Capacity      int
	Active        int
	RequestsToday int
	Usable        bool
}

// Status describes every host.
func (p *Pool) Status(ctx context.Context) ([]HostStatus, error) {
	hosts, err := p.store.ZoomHosts(ctx)
	if err != nil {
		return nil, err
	}
	load, err := p.store.HostLoad(ctx)
	if err != nil {
		return nil, err
	}
	usage, err := p.store.ZoomRequests(ctx, p.day())
	if err != nil {
		return nil, err
	}
	now := p.cfg.Now()
	out := make([]HostStatus, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, HostStatus{ZoomHost: h, Capacity: Capacity(h), Active: load[h.Key],
			RequestsToday: usage[h.Key], Usable: p.usable(h, usage[h.Key], now)})
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

package meetings

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/store"
)

// refreshMargin is how long before expiry an access token is replaced, so
// a token never expires between being handed out and reaching Zoom.
const refreshMargin = time.Minute

// accountTokens supplies one OAuth account's access tokens. Zoom rotates
// refresh tokens: every refresh returns a new one and the old one stops
// working. So refreshes of one account run one at a time (the mutex), and
// the new pair is committed to the store before the access token is handed
// to anyone: a crash after that commit loses nothing, and a concurrent
// caller waiting on the mutex reads the new pair instead of refreshing
// with a dead token. Replicas on one PostgreSQL database take the
// account's lock in the store as well (store.LockAccount).
type accountTokens struct {
	pool *Pool
	key  string
	mu   sync.Mutex
}

func (t *accountTokens) AccessToken(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.pool
	tok, err := p.store.Tokens(ctx, t.key)
	if err != nil {
		return "", err
	}
	if t.fresh(tok) {
		return tok.Access, nil
	}
	// Another replica may be refreshing this account: wait for it, then
	// read again, since the pair it saved may serve.
	unlock, err := p.store.LockAccount(ctx, t.key)
	if err != nil {
		return "", err
	}
	defer unlock()
	if tok, err = p.store.Tokens(ctx, t.key); err != nil {
		return "", err
	}
	if t.fresh(tok) {
		return tok.Access, nil
	}
	return t.refresh(ctx, tok)
}

// fresh reports whether tok's access token serves for a while yet.
func (t *accountTokens) fresh(tok store.ZoomTokens) bool {
	return tok.Access != "" && t.pool.cfg.Now().Add(refreshMargin).Before(tok.Expiry)
}

// refresh trades the refresh token for a new pair and saves it before
// anyone uses it. The caller holds the account's lock.
func (t *accountTokens) refresh(ctx context.Context, tok store.ZoomTokens) (string, error) {
	p := t.pool
	wasRefreshing, _ := p.store.WasRefreshing(ctx, t.key)
	if err := p.store.MarkRefreshing(ctx, t.key); err != nil {
		return "", err
	}
	octx := context.WithValue(ctx, oauth2.HTTPClient, p.cfg.HTTP)
	fresh, err := p.OAuthConfig().TokenSource(octx, &oauth2.Token{RefreshToken: tok.Refresh, Expiry: time.Unix(1, 0)}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode == "invalid_grant" {
			reason := "Zoom no longer accepts its refresh token"
			if wasRefreshing {
				reason += " (a refresh was interrupted before its answer was saved)"
			}
			t.dead(ctx, reason)
			return "", &HostError{Host: t.key, Problem: warroom.CallProblem{Code: warroom.ProblemHostReconnect},
				Err: fmt.Errorf("refresh zoom token: %s: %w", reason, zoomTokenError(err))}
		}
		return "", fmt.Errorf("refresh zoom token: %w", zoomTokenError(err))
	}
	next := store.ZoomTokens{Access: fresh.AccessToken, Refresh: fresh.RefreshToken, Expiry: fresh.Expiry}
	if next.Refresh == "" {
		next.Refresh = tok.Refresh
	}
	// Durable before use: see the type's comment.
	if err := p.store.SaveTokens(context.WithoutCancel(ctx), t.key, next); err != nil {
		return "", fmt.Errorf("save refreshed zoom token: %w", err)
	}
	return next.Access, nil
}

// Invalidate forgets an access token Zoom rejected, if it is still the
// stored one, so the next call refreshes.
func (t *accountTokens) Invalidate(access string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ctx := context.Background()
	tok, err := t.pool.store.Tokens(ctx, t.key)
	if err == nil && tok.Access == access {
		t.pool.store.ExpireAccessToken(ctx, t.key)
	}
}

func (t *accountTokens) dead(ctx context.Context, reason string) {
	p := t.pool
	if err := p.store.SetHostStatus(ctx, t.key, warroom.HostNeedsReconnect, reason); err != nil {
		p.cfg.Log.Error().Err(err).Str("host", t.key).Msg("zoom: could not record a dead token")
	}
	h, err := p.store.ZoomHost(ctx, t.key)
	if err != nil {
		return
	}
	p.cfg.Log.Error().Str("host", h.Email).Str("reason", reason).Msg("zoom: account must be reconnected")
	if p.cfg.OnTokenDead != nil {
		p.cfg.OnTokenDead(context.WithoutCancel(ctx), *h, reason)
	}
}

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

// unsavedGrace is how long a refresh whose answer another replica has not
// saved yet (it holds the new pair, and cannot reach the database) is
// waited for before the refresh token is taken for dead.
const unsavedGrace = 5 * time.Minute

// saveTimeout bounds one attempt at saving a refreshed pair.
const saveTimeout = 2 * time.Second

// accountTokens supplies one OAuth account's access tokens. Zoom rotates
// refresh tokens: every refresh returns a new one and the old one stops
// working, so the pair Zoom returns is the only key to the account left.
// Refreshes of one account run one at a time (the mutex, and across
// replicas the store's lease, store.LockAccount); a refresh is sent only
// after it was marked in the store, and the new pair is saved before its
// access token is used. When the database does not take it (a blip at
// that very moment), the pair is kept here, served from here, and saved
// again until the database answers: it is never dropped.
type accountTokens struct {
	pool *Pool
	key  string
	mu   sync.Mutex
	// unsaved is a pair Zoom gave that the database has not taken yet:
	// newer than the stored one, whose refresh token Zoom has spent.
	unsaved *store.ZoomTokens
	saver   bool // a goroutine is saving unsaved
}

func (t *accountTokens) AccessToken(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.unsaved != nil {
		if t.fresh(*t.unsaved) {
			return t.unsaved.Access, nil
		}
		// Its access token ran out before the database came back: the
		// refresh token that works is the one held here.
		return t.refresh(ctx, *t.unsaved)
	}
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
	unlock, err := p.store.LockAccount(ctx, t.key, p.cfg.Owner)
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

// refresh trades the refresh token for a new pair and saves it. The
// caller holds the mutex (and the account's lease, unless the pair is an
// unsaved one held here).
func (t *accountTokens) refresh(ctx context.Context, tok store.ZoomTokens) (string, error) {
	p := t.pool
	earlier, _ := p.store.WasRefreshing(ctx, t.key)
	// No refresh of the stored token is sent that the database did not
	// hear of: Zoom would spend it with nothing saying so. (A pair held
	// here is already unknown to the database.)
	if err := p.store.MarkRefreshing(ctx, t.key); err != nil && t.unsaved == nil {
		return "", err
	}
	octx := context.WithValue(ctx, oauth2.HTTPClient, p.cfg.HTTP)
	fresh, err := p.OAuthConfig().TokenSource(octx, &oauth2.Token{RefreshToken: tok.Refresh, Expiry: time.Unix(1, 0)}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode == "invalid_grant" {
			return t.refused(ctx, tok, earlier, err)
		}
		return "", fmt.Errorf("refresh zoom token: %w", zoomTokenError(err))
	}
	next := store.ZoomTokens{Access: fresh.AccessToken, Refresh: fresh.RefreshToken, Expiry: fresh.Expiry}
	if next.Refresh == "" {
		next.Refresh = tok.Refresh
	}
	t.unsaved = &next
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	err = p.store.SaveTokens(sctx, t.key, p.cfg.Owner, next)
	cancel()
	if err == nil {
		t.unsaved = nil
		return next.Access, nil
	}
	p.cfg.Log.Warn().Err(err).Str("host", t.key).
		Msg("zoom: a refreshed token could not be saved yet; it is kept in memory and saved when the database answers")
	if !t.saver {
		t.saver = true
		go t.saveLater()
	}
	return next.Access, nil
}

// saveLater saves the unsaved pair until the database takes it, the
// newest one if refreshes went on meanwhile.
func (t *accountTokens) saveLater() {
	wait := 100 * time.Millisecond
	for {
		time.Sleep(wait)
		wait = min(2*wait, 5*time.Second)
		t.mu.Lock()
		tok := t.unsaved
		if tok == nil {
			t.saver = false
			t.mu.Unlock()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), saveTimeout)
		err := t.pool.store.SaveTokens(ctx, t.key, t.pool.cfg.Owner, *tok)
		cancel()
		if err == nil || warroom.ErrorCode(err) == warroom.ENOTFOUND {
			// Saved, or the account was removed meanwhile: nothing to keep.
			t.unsaved, t.saver = nil, false
			t.mu.Unlock()
			if err == nil {
				t.pool.cfg.Log.Info().Str("host", t.key).Msg("zoom: the refreshed token kept in memory is saved")
			}
			return
		}
		t.mu.Unlock()
	}
}

// refused handles Zoom refusing a refresh token (invalid_grant). It is not
// yet a dead account if a newer pair was saved meanwhile (used instead),
// or if another replica's refresh is still unsaved (it will be: the
// caller tries again later). Otherwise the account must be reconnected.
func (t *accountTokens) refused(ctx context.Context, used store.ZoomTokens, earlier time.Time, err error) (string, error) {
	p := t.pool
	stored, rerr := p.store.Tokens(ctx, t.key)
	if rerr == nil && stored.Refresh != used.Refresh {
		if t.fresh(stored) {
			return stored.Access, nil
		}
		return t.refresh(ctx, stored)
	}
	if !earlier.IsZero() && p.cfg.Now().Sub(earlier) < unsavedGrace && t.unsaved == nil {
		return "", fmt.Errorf("refresh zoom token: another refresh's answer is not saved yet; trying again shortly: %w",
			zoomTokenError(err))
	}
	t.unsaved = nil
	reason := "Zoom no longer accepts its refresh token"
	if !earlier.IsZero() {
		reason += " (a refresh was interrupted before its answer was saved)"
	}
	t.dead(ctx, reason)
	return "", &HostError{Host: t.key, Problem: warroom.CallProblem{Code: warroom.ProblemHostReconnect},
		Err: fmt.Errorf("refresh zoom token: %s: %w", reason, zoomTokenError(err))}
}

// Invalidate forgets an access token Zoom rejected, if it is still the
// current one, so the next call refreshes.
func (t *accountTokens) Invalidate(access string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.unsaved != nil {
		if t.unsaved.Access == access {
			t.unsaved.Expiry = time.Time{}
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), saveTimeout)
	defer cancel()
	tok, err := t.pool.store.Tokens(ctx, t.key)
	if err == nil && tok.Access == access {
		t.pool.store.ExpireAccessToken(ctx, t.key)
	}
}

func (t *accountTokens) dead(ctx context.Context, reason string) {
	p := t.pool
	defer p.reread()
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

package meetings_test

import (
	"bytes"
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/meetings"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/store/pgtest"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// A database blip at the moment Zoom rotates a connected account's tokens
// (1.5 s, starting after Zoom spent the old refresh token and before
// warroom saved the new pair) loses nothing: the call that asked is
// served, the pair is saved once the database is back, the account stays
// healthy, and the next refresh — on either replica — works.
func TestARefreshDuringADatabaseBlipKeepsTheAccount(t *testing.T) {
	f := pgtest.NewFaulty(t)
	fx := newFixtureOn(t, false, f.URL)
	key := fx.connect(t, "business@example.com")
	fx.zf.ExpireAccessTokens()
	if err := fx.st.ExpireAccessToken(fx.ctx, key); err != nil {
		t.Fatal(err)
	}
	var cut atomic.Bool
	fx.zf.InjectFault(zoomfake.Fault{Op: "token", Acted: func() {
		f.Cut() // Zoom has rotated the pair; the answer is on its way
		cut.Store(true)
	}})
	restored := make(chan struct{})
	go func() {
		defer close(restored)
		for !cut.Load() {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(1500 * time.Millisecond)
		f.Restore()
	}()

	client, user, err := fx.pool.Client(fx.ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetUser(fx.ctx, user); err != nil {
		t.Fatalf("the call whose token was refreshed during the blip: %v", err)
	}
	if !cut.Load() {
		t.Fatal("the fault never fired: no refresh reached Zoom")
	}
	<-restored

	// The pair reaches the database once it is back.
	refreshed := fx.zf.TokenRequests("refresh_token")
	deadline := time.Now().Add(20 * time.Second)
	for {
		h, err := fx.st.ZoomHost(fx.ctx, key)
		tok, terr := fx.st.Tokens(fx.ctx, key)
		if err == nil && terr == nil && h.Status == warroom.HostOK && tok.Expiry.After(time.Now()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the refreshed pair was never saved (host %+v, %v, %v)", h, err, terr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The saved refresh token is the live one: a second pool (another
	// replica) refreshes with it.
	fx.zf.ExpireAccessTokens()
	if err := fx.st.ExpireAccessToken(fx.ctx, key); err != nil {
		t.Fatal(err)
	}
	other := newPoolOn(t, fx, f.URL)
	c2, user2, err := other.Client(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.GetUser(fx.ctx, user2); err != nil {
		t.Fatalf("the next refresh, on another replica: %v", err)
	}
	if n := fx.zf.TokenRequests("refresh_token") - refreshed; n != 1 {
		t.Errorf("%d refreshes after the blip, want 1", n)
	}
	if fx.dead.Load() != 0 {
		t.Error("the account was reported dead")
	}
}

// newPoolOn is another replica's pool on the fixture's database dsn.
func newPoolOn(tb testing.TB, fx *fixture, dsn string) *meetings.Pool {
	tb.Helper()
	c, _ := store.NewCipher(bytes.Repeat([]byte{1}, 32))
	st, err := store.Open(fx.ctx, dsn, store.WithCipher(c))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	p, err := meetings.New(fx.ctx, fx.cfg, st)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

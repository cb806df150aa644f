package meetings_test

import (
	"bytes"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/meetings"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/store/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m.Run)) }

// Two replicas on one PostgreSQL database, each with its own pool, call
// Zoom as one connected account whose access token just expired: Zoom
// rotates refresh tokens, so only one of them may refresh, and the other
// must use the pair it saved. One refresh, every call served, the account
// still healthy.
func TestReplicasRefreshAnAccountOnce(t *testing.T) {
	dsn := pgtest.URL(t)
	f := newFixtureOn(t, false, dsn)
	key := f.connect(t, "business@example.com")
	c, _ := store.NewCipher(bytes.Repeat([]byte{1}, 32))
	st2, err := store.Open(f.ctx, dsn, store.WithCipher(c))
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	pool2, err := meetings.New(f.ctx, f.cfg, st2)
	if err != nil {
		t.Fatal(err)
	}
	f.zf.ExpireAccessTokens()
	if err := f.st.ExpireAccessToken(f.ctx, key); err != nil {
		t.Fatal(err)
	}
	refreshes := f.zf.TokenRequests("refresh_token")
	// A slow token endpoint: both replicas find the expired token before
	// either has saved a new one.
	f.zf.SetLatency(150 * time.Millisecond)

	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for _, p := range []*meetings.Pool{f.pool, pool2} {
		client, user, err := p.Client(f.ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		for range 10 {
			wg.Go(func() {
				if _, err := client.GetUser(f.ctx, user); err != nil {
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a call while the token was refreshed: %v", err)
	}
	if n := f.zf.TokenRequests("refresh_token") - refreshes; n != 1 {
		t.Errorf("%d refreshes by two replicas, want 1", n)
	}
	if f.dead.Load() != 0 {
		t.Error("the account was reported dead")
	}
	// The saved refresh token is the live one: the next refresh works on
	// either replica.
	f.zf.ExpireAccessTokens()
	st2.ExpireAccessToken(f.ctx, key)
	client, user, _ := pool2.Client(f.ctx, key)
	if _, err := client.GetUser(f.ctx, user); err != nil {
		t.Errorf("the next refresh: %v", err)
	}
}

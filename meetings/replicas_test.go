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

// A replica killed while it holds an account's refresh lease (before its
// request reached Zoom) does not block the account for long: the lease
// runs out by the database's clock, and the survivor refreshes once.
func TestAKilledRefresherFreesTheAccount(t *testing.T) {
	dsn := pgtest.URL(t)
	f := newFixtureOn(t, false, dsn)
	key := f.connect(t, "business@example.com")
	dying, err := store.Open(f.ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer dying.Close()
	if _, err := dying.LockAccount(f.ctx, key, "dying-replica"); err != nil {
		t.Fatal(err)
	}
	held := time.Now()
	f.zf.ExpireAccessTokens()
	f.st.ExpireAccessToken(f.ctx, key)
	refreshes := f.zf.TokenRequests("refresh_token")

	got := make(chan error, 1)
	go func() {
		client, user, err := f.pool.Client(f.ctx, key)
		if err == nil {
			_, err = client.GetUser(f.ctx, user)
		}
		got <- err
	}()
	// The holder never comes back (its process died): nothing releases
	// the lease.
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("the survivor's call: %v", err)
		}
	case <-time.After(store.RefreshLease + 10*time.Second):
		t.Fatal("the account stayed locked after its holder died")
	}
	if waited := time.Since(held); waited < store.RefreshLease-time.Second {
		t.Errorf("the survivor refreshed %s after the lease was taken, before it ran out", waited.Round(time.Millisecond))
	}
	if n := f.zf.TokenRequests("refresh_token") - refreshes; n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
}

package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/store/pgtest"
)

// postgresOnly skips a test about PostgreSQL behind a network in the
// SQLite pass.
func postgresOnly(tb testing.TB) {
	tb.Helper()
	if testEngine != "postgres" {
		tb.Skip("about PostgreSQL over a network")
	}
}

// Three replicas started at the same instant on an empty database (a
// Deployment's first rollout) all come up, three times over: migrations
// run under a lock, so none of them trips on another's half-made tables.
func TestReplicasMigrateAnEmptyDatabaseTogether(t *testing.T) {
	postgresOnly(t)
	for round := range 3 {
		dsn := pgtest.URL(t)
		start := make(chan struct{})
		errs := make([]error, 3)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() {
				<-start
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				s, err := store.Open(ctx, dsn)
				if err == nil {
					_, err = s.SchemaVersion(ctx)
					s.Close()
				}
				errs[i] = err
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d, replica %d: %v", round, i, err)
			}
		}
	}
}

// A write during a partition (nothing refused, nothing answered) ends by
// its caller's deadline, and what it wrote never lands: not when the
// network returns, not ever. The store answers again once it has.
func TestAWriteDuringAPartitionEndsByItsDeadlineAndNeverLands(t *testing.T) {
	postgresOnly(t)
	f := pgtest.NewFaulty(t)
	ctx := context.Background()
	s, err := store.Open(ctx, f.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Declare(ctx, newIncident("before")); err != nil {
		t.Fatal(err)
	}
	f.Partition()
	began := time.Now()
	dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	_, _, err = s.Declare(dctx, newIncident("during"))
	cancel()
	took := time.Since(began)
	if err == nil {
		t.Fatal("a declare during a partition succeeded")
	}
	if took > 2500*time.Millisecond {
		t.Errorf("a declare with a 2 s deadline returned after %s", took.Round(time.Millisecond))
	}
	if errors.Is(err, store.ErrInDoubt) {
		t.Errorf("a declare whose COMMIT was never sent is reported in doubt: %v", err)
	}
	if !store.Unreachable(err) {
		t.Errorf("the error does not say the database did not answer: %v", err)
	}
	f.Heal()
	// The store finds its way back without a restart.
	waitUntil(t, 20*time.Second, func() bool {
		wctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		_, _, err := s.Declare(wctx, newIncident("after"))
		return err == nil
	})
	direct, err := sql.Open("pgx", f.Direct)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	var keys []string
	rows, err := direct.Query(`SELECT dedupe_key FROM incidents ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keys = append(keys, k)
	}
	rows.Close()
	if got := strings.Join(keys, ","); got != "before,after" {
		t.Errorf("incidents recorded: %s, want before,after (the one given up on must never land)", got)
	}
}

// A cut (every connection closed, new ones refused) is reported at once,
// as the database not answering, and the store recovers when it returns.
func TestACutIsReportedAndRecoveredFrom(t *testing.T) {
	postgresOnly(t)
	f := pgtest.NewFaulty(t)
	ctx := context.Background()
	s, err := store.Open(ctx, f.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f.Cut()
	began := time.Now()
	dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	_, _, err = s.Declare(dctx, newIncident("during"))
	cancel()
	if err == nil || !store.Unreachable(err) {
		t.Fatalf("a declare while the database is cut: %v", err)
	}
	if took := time.Since(began); took > time.Second {
		t.Errorf("a refused connection took %s to be reported", took.Round(time.Millisecond))
	}
	f.Restore()
	waitUntil(t, 20*time.Second, func() bool {
		_, _, err := s.Declare(ctx, newIncident("after"))
		return err == nil
	})
}

// RedactDSN hides a password wherever a PostgreSQL URL carries it.
func TestRedactDSNHidesEveryPassword(t *testing.T) {
	for _, dsn := range []string{
		"postgres://warroom:hunter2@db:5432/warroom",
		"postgres://db:5432/warroom?user=warroom&password=hunter2",
		"postgresql://db/warroom?sslmode=require&sslpassword=hunter2",
		"postgres://warroom@db/warroom?PASSWORD=hunter2",
	} {
		if got := store.RedactDSN(dsn); strings.Contains(got, "hunter2") {
			t.Errorf("RedactDSN(%q) = %q", dsn, got)
		}
	}
	if got := store.RedactDSN("postgres://warroom@db/warroom?sslmode=require"); !strings.Contains(got, "sslmode=require") {
		t.Errorf("RedactDSN dropped a harmless parameter: %q", got)
	}
}

// waitUntil waits for cond, failing the test after d.
func waitUntil(tb testing.TB, d time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatal("condition not met in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

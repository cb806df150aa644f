package jobs_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/store"
)

// crashed is a replica's store once the replica was killed: it cannot
// release what it held, which must then pass to another when its ttl ends.
type crashed struct{ *store.Store }

func (crashed) ReleaseSingleton(context.Context, string, string) error { return context.Canceled }

// One replica at a time runs a singleton; when its holder stops — cleanly
// or killed — another takes it over, within the ttl when killed.
func TestSingletonRunsOnOneReplica(t *testing.T) {
	s := mustStore(t)
	const ttl = 600 * time.Millisecond
	var active, most atomic.Int32
	var holders sync.Map
	run := func(ctx context.Context, st jobs.SingletonStore, owner string) func() {
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			jobs.RunSingleton(ctx, st, "stream", owner, ttl, zerolog.Nop(), func(ctx context.Context) {
				n := active.Add(1)
				defer active.Add(-1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				holders.Store(owner, time.Now())
				<-ctx.Done()
			})
		}()
		return func() { cancel(); <-done }
	}
	ctx := context.Background()
	stopA := run(ctx, crashed{s}, "a")
	waitUntil(t, 2*time.Second, func() bool { _, ok := holders.Load("a"); return ok })
	stopB := run(ctx, s, "b")
	defer stopB()
	stopC := run(ctx, s, "c")
	defer stopC()
	time.Sleep(2 * ttl) // b and c keep trying while a renews
	if _, ok := holders.Load("b"); ok {
		t.Fatal("b ran while a held the singleton")
	}
	killed := time.Now()
	stopA() // a's release is lost: the hold must expire
	waitUntil(t, 3*ttl, func() bool {
		_, b := holders.Load("b")
		_, c := holders.Load("c")
		return b || c
	})
	t.Logf("taken over %s after the holder died (ttl %s)", time.Since(killed).Round(10*time.Millisecond), ttl)
	if most.Load() != 1 {
		t.Fatalf("%d replicas ran the singleton at once", most.Load())
	}
}

// hanging is a singleton store whose renewals never answer (a partition):
// only the caller's deadline ends them.
type hanging struct {
	*store.Store
	hang atomic.Bool
}

func (h *hanging) HoldSingleton(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	if h.hang.Load() {
		<-ctx.Done()
		return false, ctx.Err()
	}
	return h.Store.HoldSingleton(ctx, name, owner, ttl)
}

// A holder whose renewals hang stops its work before its hold could run
// out at the database, so the replica that takes the singleton over never
// runs beside it.
func TestASingletonStopsBeforeItsHoldEnds(t *testing.T) {
	s := mustStore(t)
	h := &hanging{Store: s}
	const ttl = 900 * time.Millisecond
	started, stopped := make(chan time.Time, 1), make(chan time.Time, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go jobs.RunSingleton(ctx, h, "stream", "replica-1", ttl, zerolog.Nop(), func(ctx context.Context) {
		started <- time.Now()
		<-ctx.Done()
		stopped <- time.Now()
	})
	began := <-started
	h.hang.Store(true) // every renewal from now on hangs
	select {
	case end := <-stopped:
		if held := end.Sub(began); held >= ttl {
			t.Errorf("the work ran %s on a hold of %s that was never renewed", held.Round(time.Millisecond), ttl)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the work never stopped while its hold could not be renewed")
	}
}

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

package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/store/pgtest"
)

// testEngine is the database the tests run on: all of them on SQLite,
// then all again on PostgreSQL, where claims take row and advisory locks.
var testEngine = "sqlite"

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(func() int {
		code := m.Run()
		if code != 0 || (!pgtest.Available() && !pgtest.Required()) {
			pgtest.Notice("jobs")
			return code
		}
		testEngine = "postgres"
		fmt.Fprintln(os.Stderr, "jobs: the same tests on PostgreSQL")
		return m.Run()
	}))
}

func mustStore(tb testing.TB) *store.Store {
	tb.Helper()
	dsn := filepath.Join(tb.TempDir(), "w.db")
	if testEngine == "postgres" {
		dsn = pgtest.URL(tb)
	}
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func declare(tb testing.TB, s *store.Store, key string) *store.Record {
	tb.Helper()
	rec, _, err := s.Declare(context.Background(), store.NewIncident{DedupeKey: key, Title: key, FullTitle: key,
		Severity: warroom.SEV2, DeclaredBy: "U1"})
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

// engine starts an engine named owner on s with short leases.
func engine(tb testing.TB, s *store.Store, owner string, lease time.Duration, register func(*jobs.Engine)) (*jobs.Engine, func()) {
	tb.Helper()
	e := jobs.New(jobs.Config{Owner: owner, Lease: lease, Timeout: time.Minute, PollInterval: 50 * time.Millisecond,
		RetryBase: 20 * time.Millisecond, RetryMax: 50 * time.Millisecond, DrainTimeout: time.Second}, s, zerolog.Nop(), nil, nil)
	register(e)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx) }()
	stop := func() { cancel(); <-done }
	tb.Cleanup(stop)
	return e, stop
}

func waitUntil(tb testing.TB, d time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A job that runs far longer than its lease keeps it (heartbeats), so two
// engines on one database never run it twice at once, and it runs once.
func TestHeartbeatsKeepALongJobsLease(t *testing.T) {
	s := mustStore(t)
	declare(t, s, "a")
	var runs, inFlight, maxInFlight atomic.Int32
	work := jobs.WorkFunc[jobtype.IncidentSync](func(ctx context.Context, j *jobs.Job[jobtype.IncidentSync]) error {
		runs.Add(1)
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := maxInFlight.Load(); n > m && !maxInFlight.CompareAndSwap(m, n); m = maxInFlight.Load() {
		}
		select {
		case <-time.After(3 * time.Second): // three leases
		case <-ctx.Done():
			return ctx.Err()
		}
		return nil
	})
	reg := func(e *jobs.Engine) { jobs.Register[jobtype.IncidentSync](e, work) }
	// Leases of a second: renewed every third of one, with room to spare
	// on a machine busy with other tests.
	engine(t, s, "one", time.Second, reg)
	engine(t, s, "two", time.Second, reg)
	waitUntil(t, 15*time.Second, func() bool {
		p, _ := s.PendingJobs(context.Background())
		return len(p) == 0
	})
	if runs.Load() != 1 || maxInFlight.Load() != 1 {
		t.Fatalf("the job ran %d times, %d at once; want once", runs.Load(), maxInFlight.Load())
	}
}

// A job whose lease was taken over stops: its context ends with
// ErrLeaseLost and its writes are refused.
func TestALostLeaseStopsTheJob(t *testing.T) {
	s := mustStore(t)
	rec := declare(t, s, "a")
	var cause atomic.Value
	var writeErr atomic.Value
	started := make(chan jobtype.Fence, 1)
	takenOver := make(chan struct{})
	work := jobs.WorkFunc[jobtype.IncidentSync](func(ctx context.Context, j *jobs.Job[jobtype.IncidentSync]) error {
		started <- j.Fence
		<-ctx.Done()
		// Boxed: an atomic.Value takes no nil, and the write may succeed.
		cause.Store(errBox{context.Cause(ctx)})
		// The heartbeat can see the lease gone before the other replica's
		// claim lands; the write is the paused worker's, made after it.
		<-takenOver
		writeErr.Store(errBox{s.MarkStep(context.Background(), j.Fence, rec.ID, store.StepPinned)})
		return ctx.Err()
	})
	engine(t, s, "one", 600*time.Millisecond, func(e *jobs.Engine) { jobs.Register[jobtype.IncidentSync](e, work) })
	f := <-started
	// Another replica takes the job over (as if this one had paused past
	// its lease): its claim changes the token.
	forceTakeover(t, s, f)
	close(takenOver)
	waitUntil(t, 10*time.Second, func() bool { return writeErr.Load() != nil })
	if c, _ := cause.Load().(errBox); !errors.Is(c.err, warroom.ErrLeaseLost) {
		t.Errorf("the job stopped because of %v, want ErrLeaseLost", c)
	}
	if err, _ := writeErr.Load().(errBox); !errors.Is(err.err, warroom.ErrLeaseLost) {
		t.Errorf("its write after the takeover: %v, want ErrLeaseLost", err)
	}
	if got, _ := s.Incident(context.Background(), rec.ID); got.Pinned {
		t.Error("the fenced write changed the incident")
	}
}

type errBox struct{ err error }

// forceTakeover claims f's job for another owner, as a replica would once
// the lease ran out.
func forceTakeover(tb testing.TB, s *store.Store, f jobtype.Fence) {
	tb.Helper()
	// The owner's heartbeat may renew the lease between the expiry and the
	// claim (or hold the row a moment): expire and claim until it takes.
	deadline := time.Now().Add(2 * time.Second)
	for {
		if _, err := s.DB().Exec(fmt.Sprintf(`UPDATE jobs SET lease_until = 0, available_at = 0 WHERE id = %d`, f.Job)); err != nil {
			tb.Fatal(err)
		}
		jobs, err := s.ClaimJobs(context.Background(), "thief", 1, time.Hour)
		if err == nil && len(jobs) == 1 && jobs[0].Token != f.Token {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("takeover: %+v %v", jobs, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A job that hangs is stopped at its Timeout and retried.
func TestAHangingJobIsStoppedAndRetried(t *testing.T) {
	s := mustStore(t)
	declare(t, s, "a")
	var runs atomic.Int32
	work := jobs.WorkFunc[jobtype.IncidentSync](func(ctx context.Context, j *jobs.Job[jobtype.IncidentSync]) error {
		if runs.Add(1) == 1 {
			<-ctx.Done() // hangs until stopped
			return ctx.Err()
		}
		return nil
	})
	e := jobs.New(jobs.Config{Owner: "one", Lease: 5 * time.Second, Timeout: 200 * time.Millisecond, PollInterval: 50 * time.Millisecond,
		RetryBase: 10 * time.Millisecond, RetryMax: 20 * time.Millisecond}, s, zerolog.Nop(), nil, nil)
	jobs.Register[jobtype.IncidentSync](e, work)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.Run(ctx)
	waitUntil(t, 15*time.Second, func() bool { return runs.Load() == 2 })
}

// Snoozing is not failing: the job comes back at its time.
func TestSnoozeRunsAgainAtItsTime(t *testing.T) {
	s := mustStore(t)
	declare(t, s, "a")
	var times []time.Time
	var mu sync.Mutex
	work := jobs.WorkFunc[jobtype.IncidentSync](func(ctx context.Context, j *jobs.Job[jobtype.IncidentSync]) error {
		mu.Lock()
		defer mu.Unlock()
		times = append(times, time.Now())
		if len(times) == 1 {
			return jobs.SnoozeUntil(time.Now().Add(300*time.Millisecond), nil)
		}
		return nil
	})
	engine(t, s, "one", time.Second, func(e *jobs.Engine) { jobs.Register[jobtype.IncidentSync](e, work) })
	waitUntil(t, 15*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(times) == 2 })
	if gap := times[1].Sub(times[0]); gap < 280*time.Millisecond {
		t.Fatalf("ran again after %s, before its time", gap)
	}
}

// Per-incident order through the engine: a follow-up job of an incident
// waits for that incident's running sync, on any engine.
func TestJobsOfOneIncidentNeverOverlap(t *testing.T) {
	s := mustStore(t)
	var busy sync.Map
	var overlaps atomic.Int32
	var done atomic.Int32
	run := func(ctx context.Context, incident int64) {
		if _, loaded := busy.LoadOrStore(incident, true); loaded {
			overlaps.Add(1)
		}
		time.Sleep(30 * time.Millisecond)
		busy.Delete(incident)
		done.Add(1)
	}
	reg := func(e *jobs.Engine) {
		jobs.Register[jobtype.IncidentSync](e, jobs.WorkFunc[jobtype.IncidentSync](func(ctx context.Context, j *jobs.Job[jobtype.IncidentSync]) error {
			run(ctx, j.Args.IncidentID)
			return nil
		}))
		jobs.Register[jobtype.Followup](e, jobs.WorkFunc[jobtype.Followup](func(ctx context.Context, j *jobs.Job[jobtype.Followup]) error {
			run(ctx, j.Args.IncidentID)
			return nil
		}))
	}
	for i := range 5 {
		rec := declare(t, s, string(rune('a'+i)))
		for k := range 3 {
			s.AddFollowup(context.Background(), store.NewFollowup{IncidentID: rec.ID, DedupeKey: rec.Title + string(rune('0'+k)), Start: time.Now()})
		}
	}
	engine(t, s, "one", time.Second, reg)
	engine(t, s, "two", time.Second, reg)
	waitUntil(t, 10*time.Second, func() bool { return done.Load() == 20 })
	if overlaps.Load() != 0 {
		t.Fatalf("%d times two jobs of one incident ran at once", overlaps.Load())
	}
}

// Shutdown hands a running job back, due at once.
func TestShutdownHandsUnfinishedWorkBack(t *testing.T) {
	s := mustStore(t)
	declare(t, s, "a")
	started := make(chan struct{})
	work := jobs.WorkFunc[jobtype.IncidentSync](func(ctx context.Context, j *jobs.Job[jobtype.IncidentSync]) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	})
	e := jobs.New(jobs.Config{Owner: "one", Lease: time.Hour, DrainTimeout: 100 * time.Millisecond}, s, zerolog.Nop(), nil, nil)
	jobs.Register[jobtype.IncidentSync](e, work)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx) }()
	<-started
	cancel()
	<-done
	claimed, _ := s.ClaimJobs(context.Background(), "next", 10, time.Minute)
	if len(claimed) != 1 {
		t.Fatal("the interrupted job was not handed back for the next worker")
	}
}

func TestBackoffIsBounded(t *testing.T) {
	for attempts := 1; attempts < 40; attempts++ {
		d := jobs.Backoff(time.Second, time.Minute, attempts)
		if d < 900*time.Millisecond || d > 66*time.Second {
			t.Fatalf("Backoff(%d) = %s, outside [0.9s, 66s]", attempts, d)
		}
	}
	if d := jobs.Backoff(time.Second, time.Minute, 1); d > 1100*time.Millisecond {
		t.Errorf("first backoff %s", d)
	}
}

type rateLimited struct{ at time.Time }

func (e rateLimited) Error() string      { return "429" }
func (e rateLimited) RetryAt() time.Time { return e.at }

// A rate limit says when to come back; it does not grow with attempts the
// way a failure's backoff does, or a storm would wait long after Slack
// has room again.
func TestRetryTimeFollowsTheServiceNotTheBackoff(t *testing.T) {
	now := time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC)
	long := jobs.Backoff(2*time.Second, 5*time.Minute, 8) // minutes
	err := fmt.Errorf("pin: %w", rateLimited{at: now.Add(3 * time.Second)})
	for range 20 {
		at := jobs.RetryTime(now, long, err)
		if at.Before(now.Add(3*time.Second)) || at.After(now.Add(3*time.Second+250*time.Millisecond)) {
			t.Fatalf("retry at %s after a 429 saying 3 s", at.Sub(now))
		}
	}
	if at := jobs.RetryTime(now, long, errors.New("zoom: 503")); !at.Equal(now.Add(long)) {
		t.Fatalf("a failure retried after %s, want the backoff %s", at.Sub(now), long)
	}
}

// A job still running when shutdown begins keeps its lease while it
// drains, even when the drain is longer than the lease (replicas use 4 s
// leases, shutdown waits up to 10 s): it finishes, once, as done. Leases
// of two seconds: a loaded machine must still renew them in time.
func TestDrainKeepsALongJobsLease(t *testing.T) {
	s := mustStore(t)
	declare(t, s, "a")
	started := make(chan struct{})
	var runs atomic.Int32
	var cause atomic.Value
	work := jobs.WorkFunc[jobtype.IncidentSync](func(ctx context.Context, j *jobs.Job[jobtype.IncidentSync]) error {
		runs.Add(1)
		close(started)
		select {
		case <-time.After(5 * time.Second): // two and a half leases
			return nil
		case <-ctx.Done():
			cause.Store(errBox{context.Cause(ctx)})
			return ctx.Err()
		}
	})
	e := jobs.New(jobs.Config{Owner: "one", Lease: 2 * time.Second, Timeout: time.Minute, PollInterval: 50 * time.Millisecond,
		DrainTimeout: 10 * time.Second}, s, zerolog.Nop(), nil, nil)
	jobs.Register[jobtype.IncidentSync](e, work)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx) }()
	<-started
	cancel() // SIGTERM while the job runs
	<-done
	if c, ok := cause.Load().(errBox); ok {
		t.Fatalf("the job was stopped while draining: %v", c.err)
	}
	if p, _ := s.PendingJobs(context.Background()); len(p) != 0 || runs.Load() != 1 {
		t.Fatalf("after the drain: %d pending jobs, %d runs; want the job done once", len(p), runs.Load())
	}
}

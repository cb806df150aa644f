package jobs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/store"
)

// permanentErr is an error no retry cures (Slack's is_archived, say).
type permanentErr struct{}

func (permanentErr) Error() string   { return "slack: chat.update: is_archived" }
func (permanentErr) Permanent() bool { return true }

// dead reads the job's dead flag and failure count straight from the
// database.
func deadJob(tb testing.TB, s *store.Store, incident int64) (dead bool, failures, attempts int) {
	tb.Helper()
	var d int
	err := s.DB().QueryRow(`SELECT dead, failures, attempts FROM jobs WHERE incident_id = `+itoa(incident)+` ORDER BY id DESC LIMIT 1`).
		Scan(&d, &failures, &attempts)
	if err != nil {
		tb.Fatal(err)
	}
	return d == 1, failures, attempts
}

func itoa(n int64) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		if n /= 10; n == 0 {
			return string(b)
		}
	}
}

// startEngine runs an engine with cfg (short leases, fast retries) on s.
func startEngine(tb testing.TB, s *store.Store, cfg jobs.Config, register func(*jobs.Engine)) {
	tb.Helper()
	cfg.Owner, cfg.Lease, cfg.Timeout, cfg.PollInterval = "test", 2*time.Second, time.Minute, 50*time.Millisecond
	cfg.RetryBase, cfg.RetryMax, cfg.DrainTimeout = 10*time.Millisecond, 20*time.Millisecond, time.Second
	e := jobs.New(cfg, s, zerolog.Nop(), nil, nil)
	register(e)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx) }()
	tb.Cleanup(func() { cancel(); <-done })
}

// A job that always fails is given up on after MaxAttempts runs in a row,
// not retried forever; it is listed as dead, with its last error.
func TestAJobThatAlwaysFailsEnds(t *testing.T) {
	s := mustStore(t)
	rec := declare(t, s, "always failing")
	var runs atomic.Int32
	startEngine(t, s, jobs.Config{MaxAttempts: 4}, func(e *jobs.Engine) {
		jobs.Register[jobtype.IncidentSync](e, jobs.WorkFunc[jobtype.IncidentSync](func(context.Context, *jobs.Job[jobtype.IncidentSync]) error {
			runs.Add(1)
			return errors.New("slack: conversations.create: fatal_error")
		}))
	})
	waitUntil(t, 10*time.Second, func() bool { d, _, _ := deadJob(t, s, rec.ID); return d })
	time.Sleep(200 * time.Millisecond) // retries would go on meanwhile
	if n := runs.Load(); n != 4 {
		t.Errorf("%d runs, want 4 (MaxAttempts)", n)
	}
	gone, err := s.DeadJobs(context.Background(), rec.ID, time.Time{}, 10)
	if err != nil || len(gone) != 1 || gone[0].LastError != "slack: conversations.create: fatal_error" {
		t.Fatalf("dead jobs %+v (%v)", gone, err)
	}
	if st, _ := s.JobStats(context.Background()); st.Dead[jobtype.KindIncidentSync] != 1 {
		t.Errorf("JobStats.Dead = %v", st.Dead)
	}
	// A later change to the incident tries afresh, and the dead job no
	// longer stands.
	if err := s.RequestSync(context.Background(), rec.ID); err != nil {
		t.Fatal(err)
	}
	if gone, _ := s.DeadJobs(context.Background(), rec.ID, time.Time{}, 10); len(gone) != 0 {
		t.Errorf("a dead job still stands after a new one was queued: %+v", gone)
	}
}

// A permanent error ends the job at its first run.
func TestAPermanentErrorEndsTheJobAtOnce(t *testing.T) {
	s := mustStore(t)
	rec := declare(t, s, "archived")
	var runs atomic.Int32
	startEngine(t, s, jobs.Config{}, func(e *jobs.Engine) {
		jobs.Register[jobtype.IncidentSync](e, jobs.WorkFunc[jobtype.IncidentSync](func(context.Context, *jobs.Job[jobtype.IncidentSync]) error {
			runs.Add(1)
			return errors.Join(errors.New("pin incident message"), permanentErr{})
		}))
	})
	waitUntil(t, 10*time.Second, func() bool { d, _, _ := deadJob(t, s, rec.ID); return d })
	time.Sleep(100 * time.Millisecond)
	if n := runs.Load(); n != 1 {
		t.Errorf("%d runs of a job whose error is permanent, want 1", n)
	}
}

// A worker that panics does not take the engine down: the run counts as
// failed and is retried, and other jobs run on.
func TestAPanickingWorkerIsAFailedRun(t *testing.T) {
	s := mustStore(t)
	bad := declare(t, s, "panics")
	good := declare(t, s, "fine")
	var panics, fine atomic.Int32
	startEngine(t, s, jobs.Config{MaxAttempts: 3}, func(e *jobs.Engine) {
		jobs.Register[jobtype.IncidentSync](e, jobs.WorkFunc[jobtype.IncidentSync](func(_ context.Context, j *jobs.Job[jobtype.IncidentSync]) error {
			if j.Args.IncidentID == bad.ID {
				panics.Add(1)
				var m map[string]int
				m["boom"]++ // a nil-map bug
			}
			fine.Add(1)
			return nil
		}))
	})
	waitUntil(t, 10*time.Second, func() bool { d, _, _ := deadJob(t, s, bad.ID); return d && fine.Load() == 1 })
	if n := panics.Load(); n != 3 {
		t.Errorf("%d runs of the panicking job, want 3", n)
	}
	if d, _, _ := deadJob(t, s, good.ID); d {
		t.Error("the healthy job was given up on")
	}
}

// Package jobs is warroom's one engine for durable work. Work is recorded
// in the database (by the store, in the same transaction as the change
// that needs it); the engine claims due jobs with a lease, runs each with
// the worker registered for its kind, renews the leases of running jobs,
// and records the outcome: done, retry after a backoff, or come back later.
//
// The rules that keep "nothing lost, nothing done twice":
//   - Per-incident order: the store never hands out two jobs of one
//     incident at once, on any replica; a job waiting for its time holds
//     nothing.
//   - Leases are renewed by a heartbeat while a job runs. A job whose
//     renewal fails, or whose lease would run out first, has its context
//     cancelled: its deadline always falls before its lease ends, so it
//     stops before anyone else may take it over.
//   - Fencing: every claim gets a new token, and a worker's writes carry
//     it (jobtype.Fence). Writes under an old token are refused with
//     warroom.ErrLeaseLost, so a worker that was paused past its lease
//     records nothing more.
//   - Shutdown drains: no new claims, running jobs get DrainTimeout, and
//     whatever is still running is handed back, due at once.
//
// Kinds register typed workers, after riverqueue/river's Worker[T]; the
// kinds and their args live in jobtype, which the store shares. The engine
// knows the store only as a Queue.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
)

// Job is one claimed job as its worker sees it: its args, decoded, say
// what it is about.
type Job[T jobtype.Args] struct {
	ID      int64
	Attempt int // 1 on the first claim
	// Fence goes with every write the worker makes.
	Fence jobtype.Fence
	Args  T
}

// Worker runs the jobs of one kind. Work must be idempotent: a job may be
// run again after a crash, and every step checks what is recorded first.
type Worker[T jobtype.Args] interface {
	Work(ctx context.Context, job *Job[T]) error
}

// WorkFunc adapts a function to Worker.
type WorkFunc[T jobtype.Args] func(ctx context.Context, job *Job[T]) error

// Work calls f.
func (f WorkFunc[T]) Work(ctx context.Context, job *Job[T]) error { return f(ctx, job) }

// Snooze is returned by a worker that wants to run again at a time of its
// own choosing rather than after the engine's backoff: a recording not
// ready yet, a meeting whose next attempt is due later. Err, if set, is
// why (it is recorded as the job's last error).
type Snooze struct {
	Until time.Time
	Err   error
}

func (s *Snooze) Error() string {
	if s.Err != nil {
		return s.Err.Error() + "; again at " + s.Until.Format(time.RFC3339)
	}
	return "not yet; again at " + s.Until.Format(time.RFC3339)
}

func (s *Snooze) Unwrap() error { return s.Err }

// SnoozeUntil returns a *Snooze.
func SnoozeUntil(t time.Time, why error) error { return &Snooze{Until: t, Err: why} }

// RetryAfterer is an error that says when the service behind it accepts
// the next attempt (a 429's Retry-After).
type RetryAfterer interface{ RetryAt() time.Time }

// RetryTime is when to try again after err: when the service said (a
// RetryAfterer: a 429's Retry-After), spread by up to a quarter second so
// the callers it turned away do not all return at once; otherwise after
// backoff. A rate limit is the service's pace, not a failure to back off
// from: it does not grow with earlier attempts.
func RetryTime(now time.Time, backoff time.Duration, err error) time.Time {
	var ra RetryAfterer
	if errors.As(err, &ra) {
		return ra.RetryAt().Add(time.Duration(rand.Int64N(int64(250 * time.Millisecond))))
	}
	return now.Add(backoff)
}

// Queue is what the engine needs of the store (store.Store is one). Its
// writes are fenced: each is refused with warroom.ErrLeaseLost once the
// job was claimed again.
type Queue interface {
	ClaimJobs(ctx context.Context, owner string, limit int, lease time.Duration) ([]jobtype.Job, error)
	RenewLeases(ctx context.Context, fences []jobtype.Fence, lease time.Duration) ([]jobtype.Fence, error)
	CompleteJob(ctx context.Context, f jobtype.Fence) error
	SnoozeJob(ctx context.Context, f jobtype.Fence, at time.Time, why string) error
	RetryJob(ctx context.Context, f jobtype.Fence, at time.Time, lastError string) error
	BuryJob(ctx context.Context, f jobtype.Fence, lastError string) error
	ReleaseJob(ctx context.Context, f jobtype.Fence) error
	NextDue(ctx context.Context) (time.Time, bool, error)
}

// Permanent is an error that no retry can cure (Slack's is_archived or
// missing_scope, say): the job is given up on at once. Errors say so by
// having a Permanent method that returns true; the engine needs to know
// nothing of Slack or Zoom.
type Permanent interface{ Permanent() bool }

// IsPermanent reports whether err, or an error it wraps, is permanent.
func IsPermanent(err error) bool {
	var p Permanent
	return errors.As(err, &p) && p.Permanent()
}

// Config tunes the engine. Zero values take the defaults.
type Config struct {
	Owner        string        // names this replica in leases
	Workers      int           // jobs run at once (they mostly wait on Slack and Zoom)
	Lease        time.Duration // how long a claim lasts without renewal
	Heartbeat    time.Duration // how often running jobs' leases are renewed (Lease/3)
	Timeout      time.Duration // the most one run may take
	PollInterval time.Duration // the sweep that catches work nobody kicked
	RetryBase    time.Duration // first backoff after a failure
	RetryMax     time.Duration // longest backoff
	DrainTimeout time.Duration // how long shutdown waits for running jobs
	// A job is given up on (dead) after MaxAttempts failed runs in a row,
	// or when it has been failing for MaxAge; a permanent error buries it
	// at once.
	MaxAttempts int
	MaxAge      time.Duration
	// StoreTimeout bounds each of the engine's own calls to the database
	// (claims, renewals, outcomes), so an unreachable database stalls
	// nothing for long: the watchdogs stop the jobs, shutdown goes on.
	StoreTimeout time.Duration
}

func (c *Config) setDefaults() {
	if c.Owner == "" {
		c.Owner = fmt.Sprintf("warroom-%d", time.Now().UnixNano())
	}
	if c.Workers <= 0 {
		c.Workers = 64
	}
	if c.Lease <= 0 {
		c.Lease = 15 * time.Second
	}
	if c.Heartbeat <= 0 || c.Heartbeat >= c.Lease {
		c.Heartbeat = c.Lease / 3
	}
	if c.Timeout <= 0 {
		c.Timeout = 2 * time.Minute
	}
	if c.PollInterval <= 0 {
		c.PollInterval = warroom.DefaultPollInterval
	}
	if c.RetryBase <= 0 {
		c.RetryBase = 2 * time.Second
	}
	if c.RetryMax <= 0 {
		c.RetryMax = 5 * time.Minute
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = 10 * time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 25
	}
	if c.MaxAge <= 0 {
		c.MaxAge = 24 * time.Hour
	}
	if c.StoreTimeout <= 0 {
		c.StoreTimeout = 5 * time.Second
	}
}

// Observer hears how each run ended (metrics).
type Observer func(kind, outcome string, took time.Duration)

// Engine claims and runs jobs. Register every kind before Run.
type Engine struct {
	cfg     Config
	queue   Queue
	log     zerolog.Logger
	now     func() time.Time
	observe Observer
	workers map[string]func(ctx context.Context, j jobtype.Job) error

	wake    chan struct{}
	mu      sync.Mutex
	running map[int64]*run // by job ID
}

// run is one job in flight.
type run struct {
	fence  jobtype.Fence
	cancel context.CancelCauseFunc
	// extend pushes back the watchdog that stops the job a margin before
	// its lease would run out unrenewed.
	extend func(time.Duration)
}

// New returns an engine over queue. now is the clock the due times it
// writes are read on: the store's (the database's, with replicas).
func New(cfg Config, queue Queue, log zerolog.Logger, now func() time.Time, observe Observer) *Engine {
	cfg.setDefaults()
	if now == nil {
		now = time.Now
	}
	return &Engine{cfg: cfg, queue: queue, log: log, now: now, observe: observe,
		workers: map[string]func(context.Context, jobtype.Job) error{},
		wake:    make(chan struct{}, 1), running: map[int64]*run{}}
}

// Register makes w the worker of T's kind. Args that cannot be read fail
// the job for good: no retry makes them readable.
func Register[T jobtype.Args](e *Engine, w Worker[T]) {
	var zero T
	e.workers[zero.Kind()] = func(ctx context.Context, j jobtype.Job) error {
		args, err := jobtype.Decode[T](j)
		if err != nil {
			return permanent{err}
		}
		return w.Work(ctx, &Job[T]{ID: j.ID, Attempt: j.Attempts, Fence: j.Fence(), Args: args})
	}
}

// permanent marks an error no retry can cure (see Permanent).
type permanent struct{ error }

func (p permanent) Unwrap() error   { return p.error }
func (p permanent) Permanent() bool { return true }

// Kick asks the engine to look for due work now (new work was recorded).
// It never blocks.
func (e *Engine) Kick() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Owner is this engine's name in leases.
func (e *Engine) Owner() string { return e.cfg.Owner }

// errLeaseEnding is the cause of a job's cancellation when its lease
// could not be renewed in time.
var errLeaseEnding = errors.New("jobs: the lease could not be renewed in time")

// backoff doubles from RetryBase up to RetryMax, with ±10% jitter so a
// storm of failures does not retry in lockstep.
func (e *Engine) backoff(attempts int) time.Duration {
	return Backoff(e.cfg.RetryBase, e.cfg.RetryMax, attempts)
}

// Backoff is base doubled for each attempt after the first, up to max, with
// ±10% jitter.
func Backoff(base, max time.Duration, attempts int) time.Duration {
	d := base
	for i := 1; i < attempts && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	jitter := time.Duration(rand.Int64N(int64(d)/5+1)) - d/10
	return d + jitter
}

package jobs

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
)

// Run claims due jobs and runs them until ctx ends, then drains. Three
// things wake it: a Kick (new work was recorded), a timer for the next
// due time (so a backoff of seconds is honoured to the second, and an
// expired lease of a dead replica is taken over when it ends), and a
// robfig/cron sweep every PollInterval that catches anything else.
func (e *Engine) Run(ctx context.Context) {
	// Everything the engine and its jobs write gives way to the front
	// door's writes, whose acks wait on them.
	ctx = jobtype.Background(ctx)
	sweep := cron.New()
	sweep.Schedule(cron.Every(e.cfg.PollInterval), cron.FuncJob(e.Kick))
	sweep.Start()
	defer func() { <-sweep.Stop().Done() }()

	// Jobs get their own context: on shutdown they have DrainTimeout to
	// finish before it is cancelled.
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	var wg sync.WaitGroup
	done := make(chan struct{}, e.cfg.Workers)
	// Leases are renewed until the last job has drained, not only until
	// shutdown begins: a job finishing within DrainTimeout must not lose a
	// lease shorter than that (4 s with replicas) halfway through.
	hbCtx, stopHeartbeat := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHeartbeat()
	hbDone := make(chan struct{})
	go func() { defer close(hbDone); e.heartbeat(hbCtx) }()

	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		if free := e.cfg.Workers - e.inFlight(); free > 0 {
			// A lease counts from when the database took the claim, which
			// is after it was sent: the watchdogs count from the sending.
			sent := time.Now()
			cctx, cancel := context.WithTimeout(ctx, e.cfg.StoreTimeout)
			jobs, err := e.queue.ClaimJobs(cctx, e.cfg.Owner, free, e.cfg.Lease)
			cancel()
			if err != nil && ctx.Err() == nil {
				e.log.Error().Err(err).Msg("jobs: claim failed")
			}
			for _, j := range jobs {
				e.start(jobCtx, &wg, done, j, sent)
			}
		}
		e.resetTimer(ctx, timer)
		select {
		case <-ctx.Done():
			e.drain(&wg, cancelJobs)
			stopHeartbeat()
			<-hbDone
			return
		case <-e.wake:
		case <-timer.C:
		case <-done:
		}
	}
}

func (e *Engine) inFlight() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.running)
}

func (e *Engine) resetTimer(ctx context.Context, timer *time.Timer) {
	if !timer.Stop() {
		select {
		case <-timer.C:
		default:
		}
	}
	wait := e.cfg.PollInterval
	nctx, cancel := context.WithTimeout(ctx, e.cfg.StoreTimeout)
	defer cancel()
	if next, ok, err := e.queue.NextDue(nctx); err == nil && ok {
		if d := next.Sub(e.now()); d < wait {
			wait = max(d, 0)
		}
	}
	timer.Reset(wait)
}

// start runs one claimed job in its own goroutine. Its context ends at
// the earliest of: shutdown's drain deadline, its Timeout, its lease
// running out unrenewed (a margin before it does, counted from when the
// claim was sent), or the lease being lost to another worker.
func (e *Engine) start(parent context.Context, wg *sync.WaitGroup, done chan<- struct{}, j jobtype.Job, claimed time.Time) {
	ctx, cancel := context.WithCancelCause(parent)
	ctx, cancelTimeout := context.WithTimeout(ctx, e.cfg.Timeout)
	watchdog := time.AfterFunc(e.cfg.Lease-e.margin()-time.Since(claimed), func() { cancel(errLeaseEnding) })
	r := &run{fence: j.Fence(), cancel: cancel, extend: func(d time.Duration) { watchdog.Reset(max(d, 0)) }}
	e.mu.Lock()
	e.running[j.ID] = r
	e.mu.Unlock()
	wg.Add(1)
	go func() {
		defer func() {
			watchdog.Stop()
			cancelTimeout()
			cancel(nil)
			e.mu.Lock()
			delete(e.running, j.ID)
			e.mu.Unlock()
			wg.Done()
			done <- struct{}{}
		}()
		e.runJob(ctx, parent, j)
	}()
}

// margin is how long before its lease ends a job is stopped.
func (e *Engine) margin() time.Duration { return e.cfg.Heartbeat / 2 }

// heartbeat renews the leases of running jobs every Heartbeat, in one
// write for all of them. A job whose lease was lost is cancelled at once.
func (e *Engine) heartbeat(ctx context.Context) {
	t := time.NewTicker(e.cfg.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		e.mu.Lock()
		fences := make([]jobtype.Fence, 0, len(e.running))
		for _, r := range e.running {
			fences = append(fences, r.fence)
		}
		e.mu.Unlock()
		if len(fences) == 0 {
			continue
		}
		// Local, monotonic time: the watchdogs it moves are local timers.
		sent := time.Now()
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), min(e.cfg.StoreTimeout, e.cfg.Heartbeat))
		lost, err := e.queue.RenewLeases(rctx, fences, e.cfg.Lease)
		cancel()
		if err != nil {
			// Not renewed: each job's watchdog stops it before its lease
			// ends, unless a later beat gets through.
			e.log.Warn().Err(err).Int("jobs", len(fences)).Msg("jobs: could not renew leases")
			continue
		}
		gone := map[int64]bool{}
		for _, f := range lost {
			gone[f.Job] = true
		}
		// The watchdog is pushed back from when the renewal was sent, not
		// when it returned: the lease counts from the earlier moment.
		stop := sent.Add(e.cfg.Lease - e.margin())
		e.mu.Lock()
		for _, f := range fences {
			r, ok := e.running[f.Job]
			switch {
			case !ok:
			case gone[f.Job]:
				r.cancel(warroom.ErrLeaseLost)
			default:
				r.extend(time.Until(stop))
			}
		}
		e.mu.Unlock()
	}
}

func (e *Engine) drain(wg *sync.WaitGroup, cancel context.CancelFunc) {
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(e.cfg.DrainTimeout):
		e.log.Warn().Dur("timeout", e.cfg.DrainTimeout).Msg("jobs: shutdown deadline reached; handing unfinished work back")
		cancel()
		<-finished
	}
}

func (e *Engine) runJob(ctx, parent context.Context, j jobtype.Job) {
	log := e.log.With().Int64("job", j.ID).Str("kind", j.Kind).Int64("incident", j.IncidentID).Int("attempt", j.Attempts).Logger()
	began := time.Now()
	work, ok := e.workers[j.Kind]
	var err error
	if ok {
		err = e.work(ctx, work, j, log)
	} else {
		log.Error().Msg("jobs: unknown kind; leaving it for a newer warroom")
		err = errors.New("unknown job kind " + j.Kind)
	}
	outcome := e.record(ctx, parent, j, err, log)
	if e.observe != nil {
		e.observe(j.Kind, outcome, time.Since(began))
	}
}

// work runs the worker, turning a panic into the run's failure: a bug in
// one job must not take the replica down, nor every replica that claims
// the job after it.
func (e *Engine) work(ctx context.Context, work func(context.Context, jobtype.Job) error, j jobtype.Job, log zerolog.Logger) (err error) {
	defer func() {
		if p := recover(); p != nil {
			log.Error().Str("panic", fmt.Sprint(p)).Str("stack", string(debug.Stack())).Msg("jobs: the worker panicked; the run counts as failed")
			err = fmt.Errorf("jobs: the worker panicked: %v", p)
		}
	}()
	return work(ctx, j)
}

package jobs

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/store"
)

// Run claims due jobs and runs them until ctx ends, then drains. Three
// things wake it: a Kick (new work was recorded), a timer for the next
// due time (so a backoff of seconds is honoured to the second, and an
// expired lease of a dead replica is taken over when it ends), and a
// robfig/cron sweep every PollInterval that catches anything else.
func (e *Engine) Run(ctx context.Context) {
	// Everything the engine and its jobs write gives way to the front
	// door's writes, whose acks wait on them.
	ctx = store.Background(ctx)
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
			jobs, err := e.queue.ClaimJobs(ctx, e.cfg.Owner, free, e.cfg.Lease)
			if err != nil && ctx.Err() == nil {
				e.log.Error().Err(err).Msg("jobs: claim failed")
			}
			for _, j := range jobs {
				e.start(jobCtx, &wg, done, j)
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
	if next, ok, err := e.queue.NextDue(ctx); err == nil && ok {
		if d := next.Sub(e.now()); d < wait {
			wait = max(d, 0)
		}
	}
	timer.Reset(wait)
}

// start runs one claimed job in its own goroutine. Its context ends at
// the earliest of: shutdown's drain deadline, its Timeout, its lease
// running out unrenewed (a margin before it does), or the lease being
// lost to another worker.
func (e *Engine) start(parent context.Context, wg *sync.WaitGroup, done chan<- struct{}, j store.Job) {
	ctx, cancel := context.WithCancelCause(parent)
	ctx, cancelTimeout := context.WithTimeout(ctx, e.cfg.Timeout)
	watchdog := time.AfterFunc(e.cfg.Lease-e.margin(), func() { cancel(errLeaseEnding) })
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
		fences := make([]store.Fence, 0, len(e.running))
		for _, r := range e.running {
			fences = append(fences, r.fence)
		}
		e.mu.Unlock()
		if len(fences) == 0 {
			continue
		}
		renewedAt := e.now()
		lost, err := e.queue.RenewLeases(context.WithoutCancel(ctx), fences, e.cfg.Lease)
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
		stop := renewedAt.Add(e.cfg.Lease - e.margin())
		e.mu.Lock()
		for _, f := range fences {
			r, ok := e.running[f.Job]
			switch {
			case !ok:
			case gone[f.Job]:
				r.cancel(warroom.ErrLeaseLost)
			default:
				r.extend(stop.Sub(e.now()))
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

func (e *Engine) runJob(ctx, parent context.Context, j store.Job) {
	log := e.log.With().Int64("job", j.ID).Str("kind", j.Kind).Int64("incident", j.IncidentID).Int("attempt", j.Attempts).Logger()
	began := e.now()
	work, ok := e.workers[j.Kind]
	var err error
	if ok {
		err = work(ctx, j)
	} else {
		log.Error().Msg("jobs: unknown kind; leaving it for a newer warroom")
		err = errors.New("unknown job kind " + j.Kind)
	}
	outcome := e.record(ctx, parent, j, err, log)
	if e.observe != nil {
		e.observe(j.Kind, outcome, e.now().Sub(began))
	}
}

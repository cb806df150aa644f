package bot

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/slack-go/slack"

	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom"
)

// runJobs claims due jobs and runs them until ctx ends. Three things wake
// it: a kick (new work was recorded), a timer for the next job's run_at (so
// a backoff of seconds is honoured to the second), and a robfig/cron sweep
// every PollInterval that catches anything the others missed.
func (b *Bot) runJobs(ctx context.Context) {
	sweep := cron.New()
	sweep.Schedule(cron.Every(b.cfg.PollInterval), cron.FuncJob(b.kick))
	sweep.Start()
	defer func() { <-sweep.Stop().Done() }()

	// Jobs get their own context: on shutdown they have DrainTimeout to
	// finish before it is cancelled, and a cancelled job is left leased
	// for the next start to resume.
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	var running sync.WaitGroup
	slots := make(chan struct{}, b.cfg.Workers)
	done := make(chan struct{}, b.cfg.Workers)

	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		free := b.cfg.Workers - len(slots)
		if free > 0 {
			jobs, err := b.store.ClaimDue(ctx, b.cfg.Owner, free, b.cfg.Lease)
			if err != nil && ctx.Err() == nil {
				b.log.Error().Err(err).Msg("jobs: claim failed")
			}
			for _, job := range jobs {
				slots <- struct{}{}
				running.Add(1)
				go func(job store.Job) {
					defer func() { <-slots; running.Done(); done <- struct{}{} }()
					b.runJob(jobCtx, job)
				}(job)
			}
		}
		b.resetTimer(ctx, timer)
		select {
		case <-ctx.Done():
			b.drain(&running, cancelJobs)
			return
		case <-b.wake:
		case <-timer.C:
		case <-done:
		}
	}
}

func (b *Bot) resetTimer(ctx context.Context, timer *time.Timer) {
	if !timer.Stop() {
		select {
		case <-timer.C:
		default:
		}
	}
	wait := b.cfg.PollInterval
	if next, ok, err := b.store.NextDue(ctx); err == nil && ok {
		if d := next.Sub(b.now()); d < wait {
			wait = max(d, 0)
		}
	}
	timer.Reset(wait)
}

func (b *Bot) drain(running *sync.WaitGroup, cancel context.CancelFunc) {
	finished := make(chan struct{})
	go func() { running.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(b.cfg.DrainTimeout):
		b.log.Warn().Dur("timeout", b.cfg.DrainTimeout).Msg("jobs: shutdown deadline reached; unfinished work resumes at next start")
		cancel()
		<-finished
	}
}

func (b *Bot) runJob(ctx context.Context, job store.Job) {
	log := b.log.With().Int64("job", job.ID).Str("kind", job.Kind).Int64("incident", job.IncidentID).Int("attempt", job.Attempts).Logger()
	var err error
	switch job.Kind {
	case store.JobDeclare:
		err = b.runDeclare(ctx, job)
	case store.JobFollowup:
		err = b.runFollowup(ctx, job)
	case store.JobReminder:
		err = b.runReminder(ctx, job)
	case store.JobRecording:
		err = b.runRecording(ctx, job)
	default:
		log.Error().Msg("jobs: unknown kind; leaving it for a newer warroom")
		err = errors.New("unknown job kind " + job.Kind)
	}
	// Record the outcome even when shutdown cancelled the work.
	rctx := context.WithoutCancel(ctx)
	if err == nil {
		if cerr := b.store.CompleteJob(rctx, job.ID, b.cfg.Owner); cerr != nil {
			log.Error().Err(cerr).Msg("jobs: could not record completion")
		}
		return
	}
	if ctx.Err() != nil {
		// Shutdown interrupted it: leave the lease; the next start resumes.
		log.Info().Msg("jobs: interrupted by shutdown")
		return
	}
	var poll *pollLater
	if errors.As(err, &poll) {
		at := b.now().Add(poll.after)
		log.Debug().Time("poll_at", at).Msg("jobs: waiting")
		if rerr := b.store.RetryJob(rctx, job.ID, b.cfg.Owner, at, err.Error()); rerr != nil {
			log.Error().Err(rerr).Msg("jobs: could not record the wait")
		}
		return
	}
	at := b.now().Add(b.backoff(job.Attempts))
	if ra := b.retryAt(err); ra.After(at) {
		at = ra
	}
	log.Warn().Err(err).Time("retry_at", at).Msg("jobs: attempt failed; will retry")
	if rerr := b.store.RetryJob(rctx, job.ID, b.cfg.Owner, at, err.Error()); rerr != nil {
		log.Error().Err(rerr).Msg("jobs: could not record retry")
	}
}

// retryAt is the earliest time a service asked us to come back, if any.
func (b *Bot) retryAt(err error) time.Time {
	var zl *zoom.RateLimitError
	var sl *slack.RateLimitedError
	switch {
	case errors.As(err, &zl) && zl.Type == zoom.RateLimitDaily:
		// The cap is the host's, and the pool now avoids that host: the
		// next attempt can go to another one at once.
		return time.Time{}
	case errors.As(err, &zl):
		return zl.RetryAfter
	case errors.As(err, &sl):
		return b.now().Add(sl.RetryAfter)
	}
	return time.Time{}
}

// backoff doubles from RetryBase up to RetryMax, with ±20% jitter so a
// storm of failures does not retry in lockstep.
func (b *Bot) backoff(attempts int) time.Duration {
	d := b.cfg.RetryBase
	for i := 1; i < attempts && d < b.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, b.cfg.RetryMax)
	jitter := time.Duration(rand.Int64N(int64(d)/5+1)) - d/10
	return d + jitter
}

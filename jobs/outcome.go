package jobs

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
)

// Outcomes of a run, as metrics count them.
const (
	OutcomeDone     = "done"
	OutcomeSnoozed  = "snoozed"
	OutcomeRetry    = "retry"
	OutcomeDead     = "dead"
	OutcomeLost     = "lease_lost"
	OutcomeReleased = "released"
)

// releaseTimeout bounds the hand-back of a job interrupted by shutdown:
// with the database unreachable, shutdown goes on and the lease runs out.
const releaseTimeout = 2 * time.Second

// record writes how a run ended. The write uses a context that outlives
// the job's own (it may have been cancelled), but not the process, and has
// a deadline of its own.
func (e *Engine) record(ctx, parent context.Context, j jobtype.Job, err error, log zerolog.Logger) string {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.cfg.StoreTimeout)
	defer cancel()
	f := j.Fence()
	cause := context.Cause(ctx)
	switch {
	case err == nil:
		if cerr := e.queue.CompleteJob(wctx, f); cerr != nil {
			return e.writeFailed(cerr, "completion", log)
		}
		return OutcomeDone
	case errors.Is(err, warroom.ErrLeaseLost), errors.Is(cause, warroom.ErrLeaseLost):
		log.Warn().Err(err).Msg("jobs: lease lost to another worker; this run stops and records nothing more")
		return OutcomeLost
	case parent.Err() != nil:
		// Shutdown: hand the job back, due at once, for whoever is first.
		rctx, cancel := context.WithTimeout(wctx, releaseTimeout)
		defer cancel()
		if rerr := e.queue.ReleaseJob(rctx, f); rerr != nil {
			return e.writeFailed(rerr, "release", log)
		}
		log.Info().Msg("jobs: interrupted by shutdown; handed back")
		return OutcomeReleased
	}
	if at, ok := pacedUntil(err); ok {
		// Only the service's pace held the run back: it waits its turn,
		// and counts as no failure (a busy hour never ends a job).
		err = SnoozeUntil(at.Add(time.Duration(rand.Int64N(int64(250*time.Millisecond)))), err)
	}
	var snooze *Snooze
	if errors.As(err, &snooze) {
		why := ""
		if snooze.Err != nil {
			why = snooze.Err.Error()
		}
		if rerr := e.queue.SnoozeJob(wctx, f, snooze.Until, why); rerr != nil {
			return e.writeFailed(rerr, "wait", log)
		}
		log.Debug().Time("at", snooze.Until).Msg("jobs: waiting")
		return OutcomeSnoozed
	}
	if errors.Is(cause, errLeaseEnding) {
		err = errors.Join(err, cause)
	}
	return e.failed(wctx, j, err, log)
}

// failed records a failed run: a retry after a backoff, or, for a
// permanent error or a job that has failed too often for too long, the
// end (dead).
func (e *Engine) failed(ctx context.Context, j jobtype.Job, err error, log zerolog.Logger) string {
	f := j.Fence()
	failures := j.Failures + 1
	tooLong := !j.FailingSince.IsZero() && e.now().Sub(j.FailingSince) >= e.cfg.MaxAge
	if permanent := IsPermanent(err); permanent || failures >= e.cfg.MaxAttempts || tooLong {
		if rerr := e.queue.BuryJob(ctx, f, err.Error()); rerr != nil {
			return e.writeFailed(rerr, "end", log)
		}
		log.Error().Err(err).Bool("permanent", permanent).Int("failures", failures).
			Msg("jobs: giving up on this job; /incident status and warroom doctor show it")
		return OutcomeDead
	}
	at := RetryTime(e.now(), e.backoff(failures), err)
	log.Warn().Err(err).Int("failures", failures).Time("retry_at", at).Msg("jobs: attempt failed; will retry")
	if rerr := e.queue.RetryJob(ctx, f, at, err.Error()); rerr != nil {
		return e.writeFailed(rerr, "retry", log)
	}
	return OutcomeRetry
}

func (e *Engine) writeFailed(err error, what string, log zerolog.Logger) string {
	if errors.Is(err, warroom.ErrLeaseLost) {
		log.Warn().Msg("jobs: lease lost before the outcome was recorded; the new holder decides")
		return OutcomeLost
	}
	log.Error().Err(err).Msgf("jobs: could not record the %s; the lease runs out and the job runs again", what)
	return OutcomeRetry
}

// Paced is an error that only says the service asks to be called later
// (a rate limit); when every error of a run is one, the run waits.
type Paced interface {
	Paced() bool
	RetryAt() time.Time
}

// pacedUntil reports whether every error in err is Paced, and the latest
// time they name.
func pacedUntil(err error) (time.Time, bool) {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var latest time.Time
		for _, e := range joined.Unwrap() {
			at, ok := pacedUntil(e)
			if !ok {
				return time.Time{}, false
			}
			if at.After(latest) {
				latest = at
			}
		}
		return latest, !latest.IsZero()
	}
	var p Paced
	if errors.As(err, &p) && p.Paced() {
		return p.RetryAt(), true
	}
	return time.Time{}, false
}

package jobs

import (
	"context"
	"errors"

	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/store"
)

// Outcomes of a run, as metrics count them.
const (
	OutcomeDone     = "done"
	OutcomeSnoozed  = "snoozed"
	OutcomeRetry    = "retry"
	OutcomeLost     = "lease_lost"
	OutcomeReleased = "released"
)

// record writes how a run ended. The write uses a context that outlives
// the job's own (it may have been cancelled), but not the process.
func (e *Engine) record(ctx, parent context.Context, j store.Job, err error, log zerolog.Logger) string {
	wctx := context.WithoutCancel(ctx)
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
		if rerr := e.queue.ReleaseJob(wctx, f); rerr != nil {
			return e.writeFailed(rerr, "release", log)
		}
		log.Info().Msg("jobs: interrupted by shutdown; handed back")
		return OutcomeReleased
	}
	var snooze *Snooze
	if errors.As(err, &snooze) {
		why := ""
		if snooze.Err != nil {
			why = snooze.Err.Error()
		}
		if rerr := e.queue.RetryJob(wctx, f, snooze.Until, why); rerr != nil {
			return e.writeFailed(rerr, "wait", log)
		}
		log.Debug().Time("at", snooze.Until).Msg("jobs: waiting")
		return OutcomeSnoozed
	}
	if errors.Is(cause, errLeaseEnding) {
		err = errors.Join(err, cause)
	}
	at := RetryTime(e.now(), e.backoff(j.Attempts), err)
	log.Warn().Err(err).Time("retry_at", at).Msg("jobs: attempt failed; will retry")
	if rerr := e.queue.RetryJob(wctx, f, at, err.Error()); rerr != nil {
		return e.writeFailed(rerr, "retry", log)
	}
	return OutcomeRetry
}

func (e *Engine) writeFailed(err error, what string, log zerolog.Logger) string {
	if errors.Is(err, warroom.ErrLeaseLost) {
		log.Warn().Msg("jobs: lease lost before the outcome was recorded; the new holder decides")
		return OutcomeLost
	}
	log.Error().Err(err).Msgf("jobs: could not record the %s", what)
	return OutcomeRetry
}

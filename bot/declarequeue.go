package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/warroom-dev/warroom/store"
)

// frontDoorBudget is how long an envelope may wait on the database before
// its ack: Slack shows the person a failure at 3 s, and the answer itself
// must still reach Slack. A write that did not commit by then is given up
// (its COMMIT is never sent, so it can never commit later) and the person
// is told to try again.
const frontDoorBudget = 2 * time.Second

type declareRequest struct {
	n        store.NewIncident
	deadline time.Time
	reply    chan store.Declared
}

// errNotTaken is a declare the committer never took (its deadline came
// first): nothing was sent to the database.
var errNotTaken = errors.New("bot: the declare was not taken in time")

// recordDeclare records a declare through the group committer: declares
// that arrive while a commit is running are written together by the next
// one. A lone declare costs one commit as before; a storm of fifty costs a
// handful instead of fifty fsyncs queued behind each other, which is what
// keeps every ack well inside Slack's 3 seconds.
//
// Once the committer has taken it, only its answer counts — never this
// caller's own deadline — since the answer says whether the incident was
// recorded; the committer's deadline is the earliest of its batch's, so
// the answer comes in time.
func (b *Bot) recordDeclare(ctx context.Context, n store.NewIncident) (*store.Record, bool, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(frontDoorBudget)
	}
	req := declareRequest{n: n, deadline: deadline, reply: make(chan store.Declared, 1)}
	select {
	case b.declares <- req:
	case <-ctx.Done():
		return nil, false, fmt.Errorf("%w: %w", errNotTaken, ctx.Err())
	}
	d := <-req.reply
	return d.Record, d.Created, d.Err
}

// commitDeclares is the group committer; it runs until ctx ends.
func (b *Bot) commitDeclares(ctx context.Context) {
	for {
		var batch []declareRequest
		select {
		case <-ctx.Done():
			return
		case req := <-b.declares:
			batch = append(batch, req)
		}
	collect:
		for len(batch) < b.d.Declares {
			select {
			case req := <-b.declares:
				batch = append(batch, req)
			default:
				break collect
			}
		}
		b.commitBatch(ctx, batch)
	}
}

// commitBatch writes one batch by the earliest of its deadlines and
// answers every request of it.
func (b *Bot) commitBatch(ctx context.Context, batch []declareRequest) {
	deadline := batch[0].deadline
	ns := make([]store.NewIncident, len(batch))
	for i, r := range batch {
		ns[i] = r.n
		if r.deadline.Before(deadline) {
			deadline = r.deadline
		}
	}
	// Not cancelled by shutdown: a batch taken is answered, by its deadline.
	cctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	results, err := b.d.Store.DeclareMany(cctx, ns)
	cancel()
	for i, r := range batch {
		if err != nil {
			r.reply <- store.Declared{Err: err}
			continue
		}
		r.reply <- results[i]
	}
}

// ensureDeclare makes sure a declare whose commit went unanswered
// (store.ErrInDoubt) is recorded: the person was told it is on its way, so
// it is written again, under the same dedupe key, until the database
// answers — which finds the first write if it did commit, and makes the
// incident if it did not. It lives in this process's memory until then.
func (b *Bot) ensureDeclare(ctx context.Context, n store.NewIncident) {
	log := b.logFor(ctx).With().Str("dedupe", n.DedupeKey).Logger()
	log.Warn().Msg("declare in doubt: the database did not answer its commit; recording it again until it does")
	wait := 250 * time.Millisecond
	for {
		select {
		case <-b.stopping:
			log.Error().Str("title", n.Title).Msg("declare in doubt not confirmed before shutdown; it may be lost: check /incident list")
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		rec, created, err := b.d.Store.Declare(cctx, n)
		cancel()
		if err != nil {
			log.Warn().Err(err).Msg("declare in doubt: still cannot reach the database")
			continue
		}
		if created {
			b.d.Kick()
		}
		log.Info().Str("incident", rec.Ref()).Bool("was_recorded", !created).Msg("declare in doubt is recorded")
		return
	}
}

package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/slackapi"
	"github.com/warroom-dev/warroom/store"
)

// RunHome keeps the App Home of everyone who opened it in the last
// HomeWatch current, until ctx ends: it is published when they open it,
// and again when what it shows changes, at most once per HomeEvery per
// person, so a burst of changes is one publish. It runs on one replica at
// a time: two would publish the same views twice over.
func (w *Workflow) RunHome(ctx context.Context) {
	t := time.NewTicker(w.cfg.HomeTick)
	defer t.Stop()
	for {
		if err := w.homeOnce(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn().Err(err).Msg("app home: could not bring the Home tabs up to date")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// homeOnce publishes the Homes that are due.
func (w *Workflow) homeOnce(ctx context.Context) error {
	now := w.now()
	viewers, err := w.homes.HomeViewers(ctx, now.Add(-w.cfg.HomeWatch))
	if err != nil || len(viewers) == 0 {
		return err
	}
	view, err := w.homeView(ctx, now)
	if err != nil {
		return err
	}
	fp := fingerprint(view)
	for _, v := range viewers {
		if !v.PublishNow && (v.PublishedFP == fp || now.Sub(v.PublishedAt) < w.cfg.HomeEvery) {
			continue
		}
		if err := w.publishHome(ctx, v, view, fp); err != nil {
			return err
		}
	}
	return nil
}

// homeView renders the Home from one reading of the incidents: everyone
// sees the same one.
func (w *Workflow) homeView(ctx context.Context, now time.Time) (blocks.Message, error) {
	open, err := w.homes.OpenIncidents(ctx)
	if err != nil {
		return blocks.Message{}, err
	}
	resolved, err := w.homes.RecentlyResolved(ctx, 5)
	if err != nil {
		return blocks.Message{}, err
	}
	return blocks.Msg("", blocks.HomeView(incidentsOf(open), incidentsOf(resolved), now)), nil
}

func incidentsOf(recs []*store.Record) []warroom.Incident {
	out := make([]warroom.Incident, len(recs))
	for i, r := range recs {
		out[i] = r.Incident
	}
	return out
}

// publishHome publishes view to one person. A hash conflict means a view
// was published to them since warroom's last one (a replica that held
// the Home before): this one is rendered from the database now, so it is
// published over it.
func (w *Workflow) publishHome(ctx context.Context, v store.HomeViewer, view blocks.Message, fp string) error {
	if !v.PublishNow {
		ctx = slackapi.WithRefresh(ctx) // a change: it yields to declares
	}
	hash, err := w.slack.PublishHome(ctx, v.UserID, view.Blocks, v.PublishedHash)
	if slackapi.Code(err) == "hash_conflict" {
		hash, err = w.slack.PublishHome(ctx, v.UserID, view.Blocks, "")
	}
	var limited *slackapi.RateLimitError
	if errors.As(err, &limited) {
		return nil // its turn comes at a later tick
	}
	switch slackapi.Code(err) {
	case "":
	case "user_not_found", "invalid_arguments", "not_allowed_token_type":
		// No retry cures these (a deactivated person, a view Slack will
		// not take): recorded as published, tried again at the next
		// change.
		w.log.Warn().Err(err).Str("user", v.UserID).Msg("app home: Slack refused the Home view")
	default:
		return fmt.Errorf("publish %s's home: %w", v.UserID, err)
	}
	return w.homes.HomePublished(ctx, v.UserID, v.OpenedAt, fp, hash)
}

package workflow

import (
	"context"
	"fmt"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/slackapi"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom"
)

// Canvases are the incident canvases: what each shows is read from the
// record (the incident, its timeline, its call's summary), and what was
// last written to it is kept so that only a change is written.
type Canvases interface {
	Canvas(ctx context.Context, incidentID int64) (store.Canvas, error)
	SetCanvas(ctx context.Context, f jobtype.Fence, incidentID int64, c store.Canvas) error
	Timeline(ctx context.Context, incidentID int64) ([]warroom.Event, error)
	LatestSummary(ctx context.Context, incidentID int64) (*store.MeetingSummary, error)
}

// canvasDocument renders the incident's canvas from the record.
func (w *Workflow) canvasDocument(ctx context.Context, rec store.Record) (string, error) {
	events, err := w.canvases.Timeline(ctx, rec.ID)
	if err != nil {
		return "", err
	}
	sum, err := w.canvases.LatestSummary(ctx, rec.ID)
	if err != nil {
		return "", err
	}
	c := blocks.Canvas{Incident: rec.Incident, Timeline: events, Location: w.cfg.Location}
	if sum != nil {
		c.Summary = &blocks.CanvasSummary{Overview: sum.Overview, NextSteps: sum.NextSteps}
	}
	return blocks.CanvasMarkdown(c), nil
}

// ensureCanvas makes the channel's canvas once and rewrites it whenever
// what it shows changed. The sync runs after every change, and joins and
// leaves reach it coalesced, so edits follow the record at the pace of
// its changes, not of Zoom's events. Creating has no idempotency key:
// "creating" is recorded first, and a run that finds it looks for the
// channel's canvas (conversations.info) before making one. A workspace
// that cannot have it loses only the canvas, once.
func (r *syncRun) ensureCanvas(ctx context.Context) error {
	rec := r.snapshot()
	w := r.w
	if rec.ChannelID == "" {
		return nil
	}
	c, err := w.canvases.Canvas(ctx, rec.ID)
	if err != nil || c.State == store.CanvasUnavailable {
		return err
	}
	md, err := w.canvasDocument(ctx, rec)
	if err != nil {
		return err
	}
	shows := textFingerprint(md)
	if c.State == store.CanvasReady && c.Shows == shows {
		return nil
	}
	id := c.CanvasID
	if c.State != store.CanvasReady {
		var fresh bool
		if id, fresh, err = r.createCanvas(ctx, rec, c, md); err != nil || id == "" {
			return err
		}
		if fresh {
			return w.canvases.SetCanvas(ctx, r.fence, rec.ID, store.Canvas{State: store.CanvasReady, CanvasID: id, Shows: shows})
		}
	}
	if err := w.slack.ReplaceCanvas(ctx, id, md); err != nil {
		if slackapi.Code(err) == "canvas_not_found" {
			// Someone deleted it: the next run makes a new one.
			if serr := w.canvases.SetCanvas(ctx, r.fence, rec.ID, store.Canvas{}); serr != nil {
				return serr
			}
		}
		return r.canvasFailed(ctx, rec, fmt.Errorf("edit incident canvas: %w", err))
	}
	return w.canvases.SetCanvas(ctx, r.fence, rec.ID, store.Canvas{State: store.CanvasReady, CanvasID: id, Shows: shows})
}

// createCanvas makes the channel's canvas with md, or finds the one a
// lost answer made (or that the channel had): fresh says it was made
// now, showing md. id "" with no error: the workspace cannot have it.
func (r *syncRun) createCanvas(ctx context.Context, rec store.Record, c store.Canvas, md string) (id string, fresh bool, err error) {
	w := r.w
	if c.State == store.CanvasCreating {
		if id, err = w.slack.ChannelCanvas(ctx, rec.ChannelID); err != nil || id != "" {
			return id, false, err
		}
	}
	if err := w.canvases.SetCanvas(ctx, r.fence, rec.ID, store.Canvas{State: store.CanvasCreating}); err != nil {
		return "", false, err
	}
	id, err = w.slack.CreateChannelCanvas(ctx, rec.ChannelID, md)
	switch {
	case err == nil:
		r.log.Info().Str("canvas", id).Msg("incident canvas created")
		return id, true, nil
	case slackapi.Code(err) == "channel_canvas_already_exists":
		if id, err = w.slack.ChannelCanvas(ctx, rec.ChannelID); err == nil && id == "" {
			err = fmt.Errorf("the channel has a canvas that conversations.info does not show")
		}
		if err != nil {
			return "", false, fmt.Errorf("find incident canvas: %w", err)
		}
		return id, false, nil
	}
	return "", false, r.canvasFailed(ctx, rec, fmt.Errorf("create incident canvas: %w", err))
}

// canvasFailed returns err, unless it says the workspace cannot have the
// canvas: then that is recorded, said once in the log, and the canvas is
// not tried again (the rest of the war room goes on without it).
func (r *syncRun) canvasFailed(ctx context.Context, rec store.Record, err error) error {
	if !slackapi.CanvasUnavailable(err) {
		return err
	}
	r.log.Warn().Err(err).Msg("no incident canvas: the workspace has no channel canvases, or warroom lacks canvases:write")
	return r.w.canvases.SetCanvas(ctx, r.fence, rec.ID, store.Canvas{State: store.CanvasUnavailable, Note: slackapi.Code(err)})
}

// participantName is how the timeline names a participant: the name they
// have in the call, else their email.
func participantName(p *zoom.EventParticipant) string {
	if p.UserName != "" {
		return p.UserName
	}
	return p.Email
}

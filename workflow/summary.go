package workflow

import (
	"context"
	"encoding/json"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom"
)

// summaryCompleted records the summary of an incident's call that
// meeting.summary_completed carries; its job posts it in the incident's
// channel. A meeting that is no incident's call is none of warroom's
// business, and its summary goes nowhere; nor does the summary of a later
// run of a meeting that was an incident's call (store.OwnsInstance).
func (w *Workflow) summaryCompleted(ctx context.Context, ev zoom.WebhookEvent) error {
	var p struct {
		Object struct {
			MeetingID   json.Number `json:"meeting_id"`
			MeetingUUID string      `json:"meeting_uuid"`
			Started     string      `json:"meeting_start_time"`
			Ended       string      `json:"meeting_end_time"`
			Overview    string      `json:"summary_overview"`
			NextSteps   []string    `json:"next_steps"`
		} `json:"object"`
	}
	if err := json.Unmarshal(ev.Payload, &p); err != nil {
		return warroom.Errorf(warroom.EINVALID, "The meeting.summary_completed event cannot be read.")
	}
	id, err := p.Object.MeetingID.Int64()
	if err != nil || p.Object.MeetingUUID == "" {
		return warroom.Errorf(warroom.EINVALID, "The meeting.summary_completed event names no meeting.")
	}
	created, err := w.summaries.SaveSummary(ctx, store.NewSummary{MeetingID: id, MeetingUUID: p.Object.MeetingUUID,
		Overview: p.Object.Overview, NextSteps: p.Object.NextSteps,
		Started: zoomTime(p.Object.Started), Ended: zoomTime(p.Object.Ended)})
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		return nil
	}
	if err == nil && created {
		w.kick()
	}
	return err
}

// runSummary posts the summary once in the incident's own channel.
func (w *Workflow) runSummary(ctx context.Context, job *jobs.Job[jobtype.Summary]) error {
	sum, err := w.summaries.Summary(ctx, job.Args.SummaryID)
	if err != nil || sum.PostTS != "" {
		return err
	}
	rec, err := w.incidents.Incident(ctx, sum.IncidentID)
	if err != nil {
		return err
	}
	if rec.ChannelID == "" {
		return warroom.Errorf(warroom.EINVALID, "%s has no channel to post its call's summary in.", rec.Ref())
	}
	msg := blocks.Msg(blocks.MeetingSummary(rec.Incident, sum.Overview, sum.NextSteps))
	mark := func() error { return w.summaries.MarkSummaryPosting(ctx, job.Fence, sum.ID) }
	_, ts, err := w.slack.PostOnce(ctx, rec.ChannelID, blocks.SummaryBlockID(sum.ID), sum.Posting, mark, msg)
	if err != nil {
		return err
	}
	return w.summaries.SetSummaryPost(ctx, job.Fence, sum.ID, ts)
}

// zoomTime reads one of Zoom's times ("2006-01-02T15:04:05Z"); zero if
// Zoom gave none.
func zoomTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

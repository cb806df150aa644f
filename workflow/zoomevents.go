package workflow

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/zoom"
)

// eventSubject reads which meeting an event is about (0 for none), and
// whether it is an account's event that is applied without an incident.
// An event that cannot be read is EINVALID: nothing would ever apply it.
func eventSubject(ev zoom.WebhookEvent) (meetingID int64, account bool, err error) {
	switch ev.Event {
	case "meeting.started", "meeting.ended", "meeting.participant_joined", "meeting.participant_left", "recording.completed":
		var p struct {
			Object zoom.MeetingEventObject `json:"object"`
		}
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			return 0, false, warroom.Errorf(warroom.EINVALID, "The %s event has no meeting.", ev.Event)
		}
		id, err := p.Object.ID.Int64()
		if err != nil || id == 0 {
			return 0, false, warroom.Errorf(warroom.EINVALID, "The %s event has no meeting ID.", ev.Event)
		}
		return id, false, nil
	case "meeting.summary_completed":
		var p struct {
			Object struct {
				MeetingID json.Number `json:"meeting_id"`
			} `json:"object"`
		}
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			return 0, false, warroom.Errorf(warroom.EINVALID, "The meeting.summary_completed event cannot be read.")
		}
		id, err := p.Object.MeetingID.Int64()
		if err != nil || id == 0 {
			return 0, false, warroom.Errorf(warroom.EINVALID, "The meeting.summary_completed event names no meeting.")
		}
		return id, false, nil
	case "app_deauthorized":
		var p zoom.DeauthorizationPayload
		if err := json.Unmarshal(ev.Payload, &p); err != nil || p.UserID == "" {
			return 0, false, warroom.Errorf(warroom.EINVALID, "The app_deauthorized event names no user.")
		}
		return 0, true, nil
	}
	return 0, false, nil // not an event warroom acts on
}

// runZoomEvents applies an incident's recorded Zoom events in the order
// they came, deleting each once applied. A failure stops the run, and the
// job's retry applies that event and the ones after it: applying is
// idempotent (an event older than what is recorded changes nothing), so an
// event applied before a crash may safely be applied again.
func (w *Workflow) runZoomEvents(ctx context.Context, job *jobs.Job[jobtype.ZoomEvents]) error {
	evs, err := w.zoomEvents.PendingZoomEvents(ctx, job.Args.IncidentID, job.Args.EventID)
	if err != nil {
		return err
	}
	for _, e := range evs {
		ev := zoom.WebhookEvent{Event: e.Event, EventTS: e.EventTS, Payload: json.RawMessage(e.Payload)}
		if err := w.HandleZoomEvent(ctx, ev); err != nil {
			if warroom.ErrorCode(err) != warroom.EINVALID {
				return fmt.Errorf("apply zoom event %s: %w", e.Event, err)
			}
			w.log.Warn().Err(err).Str("event", e.Event).Msg("a recorded zoom event cannot be applied; dropping it")
		}
		if err := w.zoomEvents.DoneZoomEvent(ctx, job.Fence, e.ID); err != nil {
			return err
		}
	}
	return nil
}

package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom"
)

// HandleZoomEvent applies one of Zoom's events, whichever way it came.
// It records what changed and lets the incident's job show it; it calls
// neither Slack nor Zoom itself, except to tell admins about a removed
// account. Events older than what is recorded change nothing (see
// store.SetMeetingStatus), so a retried or late event is harmless.
func (w *Workflow) HandleZoomEvent(ctx context.Context, ev zoom.WebhookEvent) error {
	at := time.UnixMilli(ev.EventTS)
	if ev.EventTS == 0 {
		at = w.now()
	}
	switch ev.Event {
	case "meeting.started", "meeting.ended":
		var p struct {
			Object zoom.MeetingEventObject `json:"object"`
		}
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			return warroom.Errorf(warroom.EINVALID, "The %s event has no meeting.", ev.Event)
		}
		id, err := p.Object.ID.Int64()
		if err != nil {
			return warroom.Errorf(warroom.EINVALID, "The %s event has no meeting ID.", ev.Event)
		}
		return w.meetingChanged(ctx, id, ev.Event == "meeting.ended", at)
	case "meeting.participant_joined", "meeting.participant_left":
		return w.participantChanged(ctx, ev, at)
	case "meeting.summary_completed":
		return w.summaryCompleted(ctx, ev)
	case "recording.completed":
		var p struct {
			Object struct {
				ID int64 `json:"id"`
			} `json:"object"`
		}
		if err := json.Unmarshal(ev.Payload, &p); err != nil || p.Object.ID == 0 {
			return warroom.Errorf(warroom.EINVALID, "The recording.completed event has no meeting.")
		}
		if ok, err := w.recordings.RecordingReady(ctx, p.Object.ID); err != nil || !ok {
			return err
		}
		w.kick()
	case "app_deauthorized":
		var p zoom.DeauthorizationPayload
		if err := json.Unmarshal(ev.Payload, &p); err != nil || p.UserID == "" {
			return warroom.Errorf(warroom.EINVALID, "The app_deauthorized event names no user.")
		}
		return w.deauthorized(ctx, p)
	}
	return nil
}

// participantChanged keeps the call's head count: the pinned message
// shows how many are in the call.
func (w *Workflow) participantChanged(ctx context.Context, ev zoom.WebhookEvent, at time.Time) error {
	var p struct {
		Object zoom.MeetingEventObject `json:"object"`
	}
	if err := json.Unmarshal(ev.Payload, &p); err != nil || p.Object.Participant == nil {
		return warroom.Errorf(warroom.EINVALID, "The %s event names no participant.", ev.Event)
	}
	id, err := p.Object.ID.Int64()
	if err != nil {
		return warroom.Errorf(warroom.EINVALID, "The %s event has no meeting ID.", ev.Event)
	}
	joined := ev.Event == "meeting.participant_joined"
	when := p.Object.Participant.LeaveTime
	if joined {
		when = p.Object.Participant.JoinTime
	}
	if t, err := time.Parse(time.RFC3339, when); err == nil {
		at = t
	}
	who := p.Object.Participant.Who()
	if err := w.slackCalls.NoteParticipant(ctx, id, who, p.Object.Participant.Email, p.Object.Participant.UserName); err != nil {
		return err
	}
	changed, err := w.calls.SetParticipantNamed(ctx, id, who, participantName(p.Object.Participant), joined, at)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		return nil // not an incident's bridge
	}
	if err == nil && changed {
		w.kick()
	}
	return err
}

// meetingChanged keeps the call's state in the pinned message true.
func (w *Workflow) meetingChanged(ctx context.Context, meetingID int64, ended bool, at time.Time) error {
	status := warroom.MeetingStarted
	if ended {
		status = warroom.MeetingEnded
		// A follow-up ended: look for its recording now rather than at
		// the scheduled end.
		if _, err := w.recordings.RecordingReady(ctx, meetingID); err != nil {
			return err
		}
	}
	id, changed, err := w.calls.SetMeetingStatus(ctx, meetingID, status, at)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		if ended {
			// Maybe a replaced call people stayed in: its Slack Call ends now.
			if _, err := w.slackCalls.SlackCallMeetingEnded(ctx, meetingID, at); err != nil {
				return err
			}
		}
		w.kick()
		return nil // not an incident's current bridge
	}
	if err != nil {
		return err
	}
	if changed && ended {
		// The bridge ended: start waiting for its recording and attendance.
		if rec, err := w.incidents.Incident(ctx, id); err == nil && rec.MeetingHost != "" {
			now := w.now()
			if err := w.recordings.WatchRecording(ctx, store.NewRecordingWatch{IncidentID: id, MeetingID: meetingID, MeetingHost: rec.MeetingHost,
				Label: "the incident call", Bridge: true, StartAt: now, PollUntil: now.Add(w.cfg.RecordingPollFor)}); err != nil {
				return err
			}
		}
	}
	w.kick()
	return nil
}

// deauthorized removes a Zoom user's tokens and data after they removed
// the app in Zoom (a Marketplace rule) and tells the admins.
func (w *Workflow) deauthorized(ctx context.Context, p zoom.DeauthorizationPayload) error {
	host, err := w.pool.HostByZoomUser(ctx, p.UserID)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		w.log.Info().Msg("zoom deauthorization for an account warroom does not hold")
		return nil
	}
	if err != nil {
		return err
	}
	removed, err := w.pool.Remove(ctx, host.Key)
	if err != nil {
		return fmt.Errorf("zoom deauthorization: %w", err)
	}
	w.kick()
	w.log.Info().Str("host", host.Email).Int("incidents", len(removed.Incidents)).Int("followups", len(removed.Followups)).
		Msg("zoom account deauthorized; its data is deleted")
	w.TellAdmins(ctx, blocks.Msg(blocks.AccountDeauthorized(host.Email)), host.ConnectedBy)
	return nil
}

// TellAdmins sends every admin (WARROOM_ADMINS, plus extra users) a direct
// message.
func (w *Workflow) TellAdmins(ctx context.Context, m blocks.Message, extra ...string) {
	var sent []string
	for _, u := range append(slices.Clone(w.cfg.Admins), extra...) {
		if u == "" || slices.Contains(sent, u) {
			continue
		}
		sent = append(sent, u)
		if err := w.slack.DM(ctx, u, m); err != nil {
			w.log.Warn().Err(err).Str("user", u).Msg("could not message an admin")
		}
	}
}

// ZoomTokenDead is the pool's OnTokenDead: the account's admins hear that
// it must be reconnected.
func (w *Workflow) ZoomTokenDead(ctx context.Context, h warroom.ZoomHost, reason string) {
	w.TellAdmins(ctx, blocks.Msg(blocks.AccountMustReconnect(h.Email, reason)), h.ConnectedBy)
}

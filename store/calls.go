package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
)

// callOwner is the incident a meeting's events change, with what deciding
// about an event needs.
type callOwner struct {
	id, eventAt, endedAt int64
	status               string
	people               int
	adopted, resolved    bool
	resolvedAt           int64
}

// findCallOwner reads the incident whose call meetingID is (ENOTFOUND if
// none).
func findCallOwner(ctx context.Context, q querier, meetingID int64) (callOwner, error) {
	var o callOwner
	var host, status string
	err := q.QueryRowContext(ctx, `SELECT id, meeting_status, meeting_event_at, meeting_people, meeting_ended_at,
		meeting_host, status, resolved_at FROM incidents WHERE meeting_id = ? AND meeting_id <> 0 ORDER BY id DESC LIMIT 1`,
		meetingID).Scan(&o.id, &o.status, &o.eventAt, &o.people, &o.endedAt, &host, &status, &o.resolvedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return o, warroom.Errorf(warroom.ENOTFOUND, "No incident has Zoom meeting %d.", meetingID)
	}
	if err != nil {
		return o, fmt.Errorf("store: meeting %d: %w", meetingID, err)
	}
	o.adopted, o.resolved = host == "", status == string(warroom.StatusResolved)
	return o, nil
}

// unrelated reports whether an event at at is a later, unrelated use of a
// meeting the incident adopted (someone's personal room, say): once the
// incident is resolved, what happens in that meeting is none of its
// business, and must not reach its channel.
func (o callOwner) unrelated(at time.Time) bool {
	return o.adopted && o.resolved && ms(at) > o.resolvedAt
}

// SetMeetingStatus applies a Zoom event to the live state ("waiting",
// "started", "ended") of the incident whose meeting has this Zoom ID. An
// event older than the newest one applied changes nothing (Zoom retries
// webhooks, so a meeting.started may arrive after the meeting.ended that
// followed it). Who is in the call is forgotten when it ends, so a meeting
// started again counts only who joins it then. It returns the incident
// (ENOTFOUND if none) and whether the state changed.
func (s *Store) SetMeetingStatus(ctx context.Context, meetingID int64, status string, at time.Time) (id int64, changed bool, err error) {
	err = s.inTx(ctx, "meeting status", func(q txn) error {
		changed = false
		o, err := findCallOwner(ctx, q, meetingID)
		if err != nil {
			return err
		}
		id = o.id
		// The end of the run that was going on when the incident was
		// resolved still counts, even in an adopted meeting.
		endOfItsRun := status == warroom.MeetingEnded && o.status == warroom.MeetingStarted
		if ms(at) < o.eventAt || o.status == status || (o.unrelated(at) && !endOfItsRun) {
			return nil
		}
		changed = true
		if status == warroom.MeetingEnded {
			if _, err := q.ExecContext(ctx, `DELETE FROM participants WHERE meeting_id = ?`, meetingID); err != nil {
				return fmt.Errorf("store: meeting status: %w", err)
			}
			return s.applyChange(ctx, q, id, `meeting_status = ?, meeting_event_at = ?, meeting_ended_at = ?, meeting_people = 0`,
				status, ms(at), ms(at))
		}
		// A new instance: whoever was counted before it (its end missed) is not in it.
		if _, err := q.ExecContext(ctx, `DELETE FROM participants WHERE meeting_id = ? AND event_at < ?`, meetingID, ms(at)); err != nil {
			return fmt.Errorf("store: meeting status: %w", err)
		}
		return s.applyChange(ctx, q, id, `meeting_status = ?, meeting_event_at = ?, meeting_started_at = ?, meeting_ended_at = 0`,
			status, ms(at), ms(at))
	})
	return id, changed, err
}

// peopleCoalesce is how long a change of the call's head count waits
// before the pinned message shows it: joins and leaves in a busy call
// arrive in bursts, and Slack limits how often a message may be edited.
const peopleCoalesce = 2 * time.Second

// SetParticipant records that who joined (present) or left the meeting at
// at, and updates the incident's head count. Each person's newest event
// wins, so a late or repeated one changes nothing; so does one from an
// instance that has ended. A join also tells the call has started, should
// its meeting.started have been missed. The pinned message follows within
// peopleCoalesce, once for a whole burst.
func (s *Store) SetParticipant(ctx context.Context, meetingID int64, who string, present bool, at time.Time) (changed bool, err error) {
	return s.SetParticipantNamed(ctx, meetingID, who, "", present, at)
}

// SetParticipantNamed is SetParticipant with the name the person has in
// the call, which the incident's timeline tells ("" leaves them out of
// it).
func (s *Store) SetParticipantNamed(ctx context.Context, meetingID int64, who, name string, present bool, at time.Time) (changed bool, err error) {
	err = s.inTx(ctx, "participant", func(q txn) error {
		changed = false
		o, err := findCallOwner(ctx, q, meetingID)
		if err != nil {
			return err
		}
		if o.unrelated(at) || (o.status == warroom.MeetingEnded && ms(at) <= o.endedAt) {
			return nil
		}
		told, err := tellParticipant(ctx, q, o.id, meetingID, who, name, present, at)
		if err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO participants (meeting_id, who, present, event_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (meeting_id, who) DO UPDATE SET present = excluded.present, event_at = excluded.event_at
			WHERE excluded.event_at >= participants.event_at`, meetingID, who, boolInt(present), ms(at)); err != nil {
			return fmt.Errorf("store: participant: %w", err)
		}
		var now int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM participants WHERE meeting_id = ? AND present = 1`,
			meetingID).Scan(&now); err != nil {
			return fmt.Errorf("store: participant: %w", err)
		}
		set, args := `meeting_people = ?`, []any{now}
		if present && o.status != warroom.MeetingStarted && ms(at) >= o.eventAt {
			set += `, meeting_status = ?, meeting_event_at = ?, meeting_started_at = ?, meeting_ended_at = 0`
			args = append(args, warroom.MeetingStarted, ms(at), ms(at))
		} else if now == o.people || o.status != warroom.MeetingStarted {
			if told {
				// Only the canvas's timeline changes: it follows with the next burst.
				t := ms(q.now)
				return enqueue(ctx, q, jobtype.IncidentSync{IncidentID: o.id}, t+peopleCoalesce.Milliseconds(), t)
			}
			return nil // nothing people see changes
		}
		changed = true
		t := ms(q.now)
		if _, err := q.ExecContext(ctx, `UPDATE incidents SET `+set+`, updated_at = ? WHERE id = ?`, append(args, t, o.id)...); err != nil {
			return fmt.Errorf("store: participant: %w", err)
		}
		return enqueue(ctx, q, jobtype.IncidentSync{IncidentID: o.id}, t+peopleCoalesce.Milliseconds(), t)
	})
	return changed, err
}

// tellParticipant records in the incident's timeline that a person joined
// or left its call, if that changes what was known of them: Zoom sends
// an event again, or late, and the newest one per person wins. It runs
// before the participant's row is written, whose state it compares with.
func tellParticipant(ctx context.Context, q querier, incidentID, meetingID int64, who, name string, present bool, at time.Time) (bool, error) {
	if name == "" {
		return false, nil
	}
	var was int
	var wasAt int64
	err := q.QueryRowContext(ctx, `SELECT present, event_at FROM participants WHERE meeting_id = ? AND who = ?`,
		meetingID, who).Scan(&was, &wasAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if !present {
			return false, nil // a leave of someone never seen joining
		}
	case err != nil:
		return false, fmt.Errorf("store: participant: %w", err)
	case ms(at) < wasAt || (was == 1) == present:
		return false, nil
	}
	kind := warroom.EventLeft
	if present {
		kind = warroom.EventJoined
	}
	var host string
	if err := q.QueryRowContext(ctx, `SELECT meeting_host FROM incidents WHERE id = ?`, incidentID).Scan(&host); err != nil {
		return false, fmt.Errorf("store: participant: %w", err)
	}
	return true, addEvent(ctx, q, incidentID, at, kind, "", name, host)
}

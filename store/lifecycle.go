package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
)

// Commands that change an incident. Each reads and writes in one
// transaction (compare-and-set): two people acting at once get one change
// and one ECONFLICT, never two "done". Each also asks for the incident's
// sync in the same transaction, so the change reaches Slack and Zoom
// through the incident's job and through nothing else. They return the
// incident as it was before, for the reply.

// change runs one command: check may refuse by returning an error; set and
// args are the change.
func (s *Store) change(ctx context.Context, id int64, check func(*Record) error, set string, args ...any) (*Record, error) {
	var before *Record
	err := s.inTx(ctx, "change incident", func(q txn) error {
		var err error
		if before, err = findIncident(ctx, q, `id = ?`, id); err != nil {
			return err
		}
		if err := check(before); err != nil {
			return err
		}
		return s.applyChange(ctx, q, id, set, args...)
	})
	return before, err
}

func (s *Store) applyChange(ctx context.Context, q querier, id int64, set string, args ...any) error {
	now := ms(s.now())
	args = append(args, now, id)
	if _, err := q.ExecContext(ctx, `UPDATE incidents SET `+set+`, updated_at = ? WHERE id = ?`, args...); err != nil {
		return fmt.Errorf("store: change incident %d: %w", id, err)
	}
	return enqueue(ctx, q, jobtype.IncidentSync{IncidentID: id}, now, now)
}

// SetSeverity changes an incident's severity; ECONFLICT if it is that already.
func (s *Store) SetSeverity(ctx context.Context, id int64, sev warroom.Severity) (*Record, error) {
	if !sev.Valid() {
		return nil, warroom.Errorf(warroom.EINVALID, "Severity must be 1, 2, 3 or 4.")
	}
	return s.change(ctx, id, func(r *Record) error {
		if r.Severity == sev {
			return warroom.Errorf(warroom.ECONFLICT, "%s is already %s.", r.Ref(), sev)
		}
		return nil
	}, `severity = ?`, int(sev))
}

// SetCommander changes who leads the incident; ECONFLICT if they do already.
func (s *Store) SetCommander(ctx context.Context, id int64, userID string) (*Record, error) {
	return s.change(ctx, id, func(r *Record) error {
		if r.Commander == userID {
			return warroom.Errorf(warroom.ECONFLICT, "<@%s> already leads %s.", userID, r.Ref())
		}
		return nil
	}, `commander = ?`, userID)
}

// Reopen makes a resolved incident active again; ECONFLICT if it is active.
func (s *Store) Reopen(ctx context.Context, id int64) (*Record, error) {
	return s.change(ctx, id, func(r *Record) error {
		if r.Status != warroom.StatusResolved {
			return warroom.Errorf(warroom.ECONFLICT, "%s is not resolved.", r.Ref())
		}
		return nil
	}, `status = ?, summary = '', resolved_at = 0, meeting_ended = 0`, string(warroom.StatusActive))
}

// RetryCall makes the next attempt at the incident's meeting due now (the
// Retry button). ECONFLICT when the call is there already.
func (s *Store) RetryCall(ctx context.Context, id int64) (*Record, error) {
	return s.change(ctx, id, func(r *Record) error {
		if r.Call == warroom.CallReady {
			return warroom.Errorf(warroom.ECONFLICT, "The Zoom call of %s is already set up.", r.Ref())
		}
		return nil
	}, `meeting_retry_at = 0`)
}

// ReplaceMeeting sets the incident's meeting aside for a new one: the
// current meeting, and one still being created, are retired (deleted at
// Zoom unless started, their bookmark removed), the call is pending again.
func (s *Store) ReplaceMeeting(ctx context.Context, id int64) (*Record, error) {
	return s.swapMeeting(ctx, id, nil)
}

// AdoptMeeting makes a meeting someone already has the incident's call;
// the previous one is retired like ReplaceMeeting's. ECONFLICT if it is the
// call already.
func (s *Store) AdoptMeeting(ctx context.Context, id int64, m warroom.Meeting) (*Record, error) {
	return s.swapMeeting(ctx, id, &m)
}

func (s *Store) swapMeeting(ctx context.Context, id int64, adopt *warroom.Meeting) (*Record, error) {
	var before *Record
	err := s.inTx(ctx, "replace meeting", func(q txn) error {
		var err error
		if before, err = findIncident(ctx, q, `id = ?`, id); err != nil {
			return err
		}
		switch {
		case before.Status == warroom.StatusResolved:
			return warroom.Errorf(warroom.EINVALID, "%s is resolved; `/incident reopen` it first.", before.Ref())
		case adopt != nil && before.Meeting != nil && before.Meeting.ID == adopt.ID:
			return warroom.Errorf(warroom.ECONFLICT, "That is already the call of %s.", before.Ref())
		}
		now := ms(s.now())
		old := RetiredMeeting{Host: before.MeetingHost, Tried: before.MeetingTried}
		switch {
		case before.Meeting != nil:
			// A meeting warroom did not make (adopted) is only unbookmarked.
			old.MeetingID, old.JoinURL = before.Meeting.ID, before.Meeting.JoinURL
			if before.MeetingHost == "" {
				old.MeetingID = 0
			}
		case before.MeetingTag != "":
			old.Tag = before.MeetingTag // still being created: found by its tag
		}
		if err := retire(ctx, q, id, old, now); err != nil {
			return err
		}
		next := warroom.Meeting{}
		call := warroom.CallPending
		if adopt != nil {
			next, call = *adopt, warroom.CallReady
		}
		return s.applyChange(ctx, q, id, `meeting_id = ?, meeting_join_url = ?, call_state = ?,
			meeting_uuid = '', meeting_topic = '', meeting_password = '',
			meeting_tag = '', meeting_host = '', meeting_email = '', meeting_status = '', meeting_ended = 0,
			meeting_tried = '[]', meeting_failures = 0, meeting_retry_at = 0, meeting_event_at = 0,
			meeting_seq = meeting_seq + 1, call_error = '', bookmark_adding = 0, meeting_people = 0, meeting_started_at = 0,
			meeting_ended_at = 0, host_controls_user = '', host_controls_email = '', host_controls_note = '',
			host_controls_holder = ''`,
			next.ID, next.JoinURL, string(call))
	})
	return before, err
}

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
	err = s.inTx(ctx, "participant", func(q txn) error {
		changed = false
		o, err := findCallOwner(ctx, q, meetingID)
		if err != nil {
			return err
		}
		if o.unrelated(at) || (o.status == warroom.MeetingEnded && ms(at) <= o.endedAt) {
			return nil
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
			return nil // nothing people see changes
		}
		changed = true
		t := ms(s.now())
		if _, err := q.ExecContext(ctx, `UPDATE incidents SET `+set+`, updated_at = ? WHERE id = ?`, append(args, t, o.id)...); err != nil {
			return fmt.Errorf("store: participant: %w", err)
		}
		return enqueue(ctx, q, jobtype.IncidentSync{IncidentID: o.id}, t+peopleCoalesce.Milliseconds(), t)
	})
	return changed, err
}

// OpenIncidents lists active incidents, oldest first.
func (s *Store) OpenIncidents(ctx context.Context) ([]*Record, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE status = ? ORDER BY id`, string(warroom.StatusActive))
	if err != nil {
		return nil, fmt.Errorf("store: open incidents: %w", err)
	}
	defer rows.Close()
	var out []*Record
	for rows.Next() {
		rec, err := scanIncident(rows)
		if err != nil {
			return nil, fmt.Errorf("store: open incidents: %w", err)
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

// MeetingDefaults returns the admin-chosen meeting settings, or the
// defaults if none were saved.
func (s *Store) MeetingDefaults(ctx context.Context) (warroom.MeetingDefaults, error) {
	d := warroom.DefaultMeetingDefaults()
	var raw string
	err := s.q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'meeting_defaults'`).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("store: meeting defaults: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return warroom.DefaultMeetingDefaults(), fmt.Errorf("store: meeting defaults: %w", err)
	}
	return d, nil
}

// SetMeetingDefaults saves the meeting settings for the next meetings.
func (s *Store) SetMeetingDefaults(ctx context.Context, d warroom.MeetingDefaults) error {
	raw, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("store: meeting defaults: %w", err)
	}
	_, err = s.q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('meeting_defaults', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, string(raw))
	if err != nil {
		return fmt.Errorf("store: meeting defaults: %w", err)
	}
	return nil
}

// SeenEvent records a Slack event ID and reports whether it was handled
// before (a redelivery).
func (s *Store) SeenEvent(ctx context.Context, eventID string) (bool, error) {
	res, err := s.q.ExecContext(ctx, `INSERT INTO events_seen (event_id, seen_at) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING`,
		eventID, ms(s.now()))
	if err != nil {
		return false, fmt.Errorf("store: event %s: %w", eventID, err)
	}
	n, _ := res.RowsAffected()
	return n == 0, nil
}

// ForgetEvent undoes SeenEvent for an event that could not be handled, so
// its next delivery is handled rather than taken for a duplicate.
func (s *Store) ForgetEvent(ctx context.Context, eventID string) error {
	if _, err := s.q.ExecContext(ctx, `DELETE FROM events_seen WHERE event_id = ?`, eventID); err != nil {
		return fmt.Errorf("store: event %s: %w", eventID, err)
	}
	return nil
}

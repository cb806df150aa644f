package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
)

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
		now := ms(q.now)
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

// MeetingAttempt is where the creation of an incident's current meeting
// stands: its tag, the host it is being made on and the hosts tried before.
type MeetingAttempt struct {
	Seq   int // which of the incident's meetings: a call new makes the next
	Tag   string
	Host  string
	Tried []string
	// Day is the UTC day (YYYY-MM-DD) whose Zoom request count the create
	// adds to; it is counted with the attempt. "" counts nothing.
	Day string
}

// RecordMeetingAttempt records, before Zoom is called, the host and the
// tag the meeting will carry, so recovery can find a meeting made by a
// call whose answer was lost. It is refused (ECONFLICT) when the incident
// asked for another meeting since (its meeting seq moved on).
func (s *Store) RecordMeetingAttempt(ctx context.Context, f jobtype.Fence, id int64, a MeetingAttempt) error {
	tried, _ := json.Marshal(nonNil(a.Tried))
	return s.inTx(ctx, "meeting attempt", func(q txn) error {
		if ok, err := hostExists(ctx, q, a.Host); err != nil || !ok {
			return errors.Join(err, errHostRemoved(a.Host))
		}
		n, err := s.fencedExec(ctx, q, f, "meeting attempt", `UPDATE incidents SET meeting_tag = ?, meeting_host = ?, meeting_tried = ?,
			updated_at = ? WHERE id = ? AND meeting_seq = ? AND meeting_id = 0`,
			a.Tag, a.Host, string(tried), ms(q.now), id, a.Seq)
		if err != nil {
			return err
		}
		if n == 0 {
			return warroom.Errorf(warroom.ECONFLICT, "The incident asked for another meeting meanwhile.")
		}
		return countRequest(ctx, q, a.Host, a.Day)
	})
}

// SetMeeting records the incident's meeting, made on host, if the incident
// still wants meeting number seq; the call is ready. Otherwise (a call new
// came meanwhile) the meeting is retired at once, to be deleted, and
// current is false. A meeting on a host removed meanwhile is not recorded
// at all (ENOTFOUND): that account's data must not come back.
func (s *Store) SetMeeting(ctx context.Context, f jobtype.Fence, id int64, seq int, host string, m warroom.Meeting) (current bool, err error) {
	err = s.inTx(ctx, "set meeting", func(q txn) error {
		if ok, err := hostExists(ctx, q, host); err != nil || !ok {
			return errors.Join(err, errHostRemoved(host))
		}
		now := ms(q.now)
		n, err := s.fencedExec(ctx, q, f, "set meeting", `UPDATE incidents SET meeting_id = ?, meeting_uuid = ?, meeting_host = ?,
			meeting_email = ?, meeting_topic = ?, meeting_join_url = ?, meeting_password = ?, call_state = ?, call_error = '',
			meeting_failures = 0, meeting_retry_at = 0, updated_at = ?
			WHERE id = ? AND meeting_seq = ? AND meeting_id = 0`,
			m.ID, m.UUID, host, m.HostEmail, m.Topic, m.JoinURL, m.Password, string(warroom.CallReady), now, id, seq)
		if err != nil {
			return err
		}
		current = n == 1
		if current {
			return nil
		}
		return retire(ctx, q, id, RetiredMeeting{MeetingID: m.ID, Host: host, JoinURL: m.JoinURL}, now)
	})
	return current, err
}

// errHostRemoved refuses to record a meeting made on a host whose account
// was removed while Zoom made it.
func errHostRemoved(host string) error {
	return warroom.Errorf(warroom.ENOTFOUND, "The Zoom account %s was removed while the meeting was made.", host)
}

// SetCallFailed records why the meeting could not be made yet and when
// the next attempt is due.
func (s *Store) SetCallFailed(ctx context.Context, f jobtype.Fence, id int64, seq int, reason string, failures int, retryAt time.Time) error {
	_, err := s.fencedExec(ctx, s.q, f, "call failed", `UPDATE incidents SET call_state = ?, call_error = ?, meeting_failures = ?,
		meeting_retry_at = ?, updated_at = ? WHERE id = ? AND meeting_seq = ? AND meeting_id = 0`,
		string(warroom.CallFailed), reason, failures, ms(retryAt), ms(s.now()), id, seq)
	return err
}

// RetiredMeeting is a meeting the incident no longer uses, waiting to be
// deleted at Zoom. MeetingID is 0 while only its tag is known (it was
// still being created when it was replaced).
type RetiredMeeting struct {
	ID          int64
	IncidentID  int64
	MeetingID   int64
	Host        string
	Tag         string
	Tried       []string
	JoinURL     string
	NotePosting bool
}

func retire(ctx context.Context, q querier, incidentID int64, r RetiredMeeting, now int64) error {
	if r.MeetingID == 0 && r.Tag == "" && r.JoinURL == "" {
		return nil
	}
	tried, _ := json.Marshal(nonNil(r.Tried))
	if _, err := q.ExecContext(ctx, `INSERT INTO retired_meetings (incident_id, meeting_id, host, tag, tried, join_url, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, incidentID, r.MeetingID, r.Host, r.Tag, string(tried), r.JoinURL, now); err != nil {
		return fmt.Errorf("store: retire meeting: %w", err)
	}
	return nil
}

// RetiredMeetings lists the incident's meetings waiting to be deleted.
func (s *Store) RetiredMeetings(ctx context.Context, incidentID int64) ([]RetiredMeeting, error) {
	out, err := collect(ctx, s.q, func(row scanner) (RetiredMeeting, error) {
		var r RetiredMeeting
		var tried string
		if err := row.Scan(&r.ID, &r.IncidentID, &r.MeetingID, &r.Host, &r.Tag, &tried, &r.JoinURL, intBool{&r.NotePosting}); err != nil {
			return r, err
		}
		return r, json.Unmarshal([]byte(tried), &r.Tried)
	}, `SELECT id, incident_id, meeting_id, host, tag, tried, join_url, note_posting
		FROM retired_meetings WHERE incident_id = ? ORDER BY id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("store: retired meetings: %w", err)
	}
	return out, nil
}

// UpdateRetired records what the sync learned of a retired meeting: its
// Zoom ID and link once found by its tag, or that its note is being posted.
func (s *Store) UpdateRetired(ctx context.Context, f jobtype.Fence, r RetiredMeeting) error {
	_, err := s.fencedExec(ctx, s.q, f, "retired meeting", `UPDATE retired_meetings SET meeting_id = ?, join_url = ?,
		note_posting = ? WHERE id = ?`, r.MeetingID, r.JoinURL, boolInt(r.NotePosting), r.ID)
	return err
}

// DoneRetired forgets a retired meeting once it is deleted (or left
// running, the channel told) and its bookmark is gone.
func (s *Store) DoneRetired(ctx context.Context, f jobtype.Fence, retiredID int64) error {
	_, err := s.fencedExec(ctx, s.q, f, "retired meeting", `DELETE FROM retired_meetings WHERE id = ?`, retiredID)
	return err
}

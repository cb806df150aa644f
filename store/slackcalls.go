package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/warroom-dev/warroom/jobtype"
)

// SlackCall is one Zoom meeting of an incident as Slack's own Call object.
type SlackCall struct {
	ID         int64
	IncidentID int64
	MeetingID  int64
	Host       string // the meeting's Zoom host, "" for an adopted meeting
	// Adding is set before calls.add: a run that finds it without a
	// CallID knows an add may have happened.
	Adding    bool
	CallID    string // Slack's "R…"
	StartedAt time.Time
	// People is who Slack shows in the Call, as last sent.
	People       []CallUser
	BlockPosting bool
	BlockTS      string
	Replaced     bool
	// MeetingEndedAt is when Zoom said a replaced meeting ended.
	MeetingEndedAt time.Time
	Ended          bool
}

// CallUser is a participant of a Slack Call as it was sent to Slack.
type CallUser struct {
	SlackID     string `json:"slack_id,omitempty"`
	ExternalID  string `json:"external_id,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
}

// CallPerson is someone in an incident's Zoom meeting now.
type CallPerson struct {
	Who, Email, Name string
}

const slackCallColumns = `id, incident_id, meeting_id, host, adding, call_id, started_at, people, block_posting,
	block_ts, replaced, meeting_ended_at, ended`

func scanSlackCall(row scanner) (SlackCall, error) {
	var c SlackCall
	var started, endedAt int64
	var people string
	if err := row.Scan(&c.ID, &c.IncidentID, &c.MeetingID, &c.Host, intBool{&c.Adding}, &c.CallID, &started, &people,
		intBool{&c.BlockPosting}, &c.BlockTS, intBool{&c.Replaced}, &endedAt, intBool{&c.Ended}); err != nil {
		return c, err
	}
	c.StartedAt, c.MeetingEndedAt = fromMS(started), fromMS(endedAt)
	return c, json.Unmarshal([]byte(people), &c.People)
}

// SlackCalls lists the incident's Slack Calls not ended yet.
func (s *Store) SlackCalls(ctx context.Context, incidentID int64) ([]SlackCall, error) {
	out, err := collect(ctx, s.q, scanSlackCall, `SELECT `+slackCallColumns+` FROM slack_calls
		WHERE incident_id = ? AND ended = 0 ORDER BY id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("store: slack calls: %w", err)
	}
	return out, nil
}

// SlackCallOf reads the incident's Slack Call of a meeting, ended or not
// (ENOTFOUND-free: ok is false when there is none).
func (s *Store) SlackCallOf(ctx context.Context, incidentID, meetingID int64) (c SlackCall, ok bool, err error) {
	c, err = scanSlackCall(s.q.QueryRowContext(ctx, `SELECT `+slackCallColumns+` FROM slack_calls
		WHERE incident_id = ? AND meeting_id = ?`, incidentID, meetingID))
	if errors.Is(err, sql.ErrNoRows) {
		return SlackCall{}, false, nil
	}
	if err != nil {
		return SlackCall{}, false, fmt.Errorf("store: slack call: %w", err)
	}
	return c, true, nil
}

// StartSlackCall records the intent to register the meeting's Call
// (adding), before calls.add is sent, and returns the row: the one an
// earlier run recorded, if any.
func (s *Store) StartSlackCall(ctx context.Context, f jobtype.Fence, c SlackCall) (SlackCall, error) {
	_, err := s.fencedExec(ctx, s.q, f, "start slack call", `INSERT INTO slack_calls (incident_id, meeting_id, host, adding,
		started_at, created_at) SELECT ?, ?, ?, 1, ?, ? WHERE NOT EXISTS (SELECT 1 FROM slack_calls WHERE incident_id = ? AND meeting_id = ?)`,
		c.IncidentID, c.MeetingID, c.Host, ms(c.StartedAt), ms(s.now()), c.IncidentID, c.MeetingID)
	if err != nil {
		return SlackCall{}, err
	}
	got, ok, err := s.SlackCallOf(ctx, c.IncidentID, c.MeetingID)
	if err == nil && !ok {
		err = fmt.Errorf("store: slack call of meeting %d vanished", c.MeetingID)
	}
	return got, err
}

// UpdateSlackCall records what the sync did to a Slack Call.
func (s *Store) UpdateSlackCall(ctx context.Context, f jobtype.Fence, c SlackCall) error {
	if c.People == nil {
		c.People = []CallUser{}
	}
	people, err := json.Marshal(c.People)
	if err != nil {
		return fmt.Errorf("store: slack call: %w", err)
	}
	_, err = s.fencedExec(ctx, s.q, f, "slack call", `UPDATE slack_calls SET adding = ?, call_id = ?, people = ?,
		block_posting = ?, block_ts = ?, replaced = ?, ended = ? WHERE id = ?`,
		boolInt(c.Adding), c.CallID, string(people), boolInt(c.BlockPosting), c.BlockTS,
		boolInt(c.Replaced), boolInt(c.Ended), c.ID)
	if err == nil && c.Ended {
		// Who was in the call is needed no more.
		_, err = s.q.ExecContext(ctx, `DELETE FROM participant_names WHERE meeting_id = ?
			AND NOT EXISTS (SELECT 1 FROM slack_calls WHERE meeting_id = ? AND ended = 0)`, c.MeetingID, c.MeetingID)
	}
	return err
}

// SlackCallMeetingEnded records that Zoom said a meeting ended, for the
// Slack Calls of it not ended yet — a replaced call's meeting, whose
// events reach no incident otherwise — and queues their incidents' sync.
// found says whether there was any.
func (s *Store) SlackCallMeetingEnded(ctx context.Context, meetingID int64, at time.Time) (found bool, err error) {
	err = s.inTx(ctx, "slack call meeting ended", func(q txn) error {
		ids, err := collect(ctx, q, func(row scanner) (int64, error) {
			var id int64
			return id, row.Scan(&id)
		}, `SELECT incident_id FROM slack_calls WHERE meeting_id = ? AND ended = 0 AND meeting_ended_at = 0`, meetingID)
		if err != nil {
			return fmt.Errorf("store: slack call meeting ended: %w", err)
		}
		found = len(ids) > 0
		if _, err := q.ExecContext(ctx, `UPDATE slack_calls SET meeting_ended_at = ? WHERE meeting_id = ? AND ended = 0
			AND meeting_ended_at = 0`, ms(at), meetingID); err != nil {
			return fmt.Errorf("store: slack call meeting ended: %w", err)
		}
		now := ms(q.now)
		for _, id := range ids {
			if err := enqueue(ctx, q, jobtype.IncidentSync{IncidentID: id}, now, now); err != nil {
				return err
			}
		}
		return nil
	})
	return found, err
}

// NoteParticipant keeps who a participant of an incident's meeting is
// (their email and name), for the meeting's Slack Call. Participants of
// other meetings are not kept.
func (s *Store) NoteParticipant(ctx context.Context, meetingID int64, who, email, name string) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO participant_names (meeting_id, who, email, name)
		SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM incidents WHERE meeting_id = ?)
		ON CONFLICT (meeting_id, who) DO UPDATE SET email = excluded.email, name = excluded.name`,
		meetingID, who, email, name, meetingID)
	if err != nil {
		return fmt.Errorf("store: participant name: %w", err)
	}
	return nil
}

// CallPeople lists who is in the meeting now, with their email and name
// when known.
func (s *Store) CallPeople(ctx context.Context, meetingID int64) ([]CallPerson, error) {
	out, err := collect(ctx, s.q, func(row scanner) (CallPerson, error) {
		var p CallPerson
		return p, row.Scan(&p.Who, &p.Email, &p.Name)
	}, `SELECT p.who, COALESCE(n.email, ''), COALESCE(n.name, '') FROM participants p
		LEFT JOIN participant_names n ON n.meeting_id = p.meeting_id AND n.who = p.who
		WHERE p.meeting_id = ? AND p.present = 1 ORDER BY p.event_at, p.who`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("store: call people: %w", err)
	}
	return out, nil
}

// SlackUserByEmail is the remembered answer of users.lookupByEmail for
// email, if it was looked up since since: userID "" when no Slack user
// has it.
func (s *Store) SlackUserByEmail(ctx context.Context, email string, since time.Time) (userID string, known bool, err error) {
	err = s.q.QueryRowContext(ctx, `SELECT user_id FROM slack_user_emails WHERE email = ? AND looked_at >= ?`,
		email, ms(since)).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: slack user by email: %w", err)
	}
	return userID, true, nil
}

// RememberSlackUser keeps users.lookupByEmail's answer for email.
func (s *Store) RememberSlackUser(ctx context.Context, email, userID string) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO slack_user_emails (email, user_id, looked_at) VALUES (?, ?, ?)
		ON CONFLICT (email) DO UPDATE SET user_id = excluded.user_id, looked_at = excluded.looked_at`,
		email, userID, ms(s.now()))
	if err != nil {
		return fmt.Errorf("store: remember slack user: %w", err)
	}
	return nil
}

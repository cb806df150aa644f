package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/warroom-dev/warroom"
)

// SetSeverity changes an incident's severity.
func (s *Store) SetSeverity(ctx context.Context, id int64, sev warroom.Severity) error {
	if !sev.Valid() {
		return warroom.Errorf(warroom.EINVALID, "Severity must be 1, 2, 3 or 4.")
	}
	return s.update(ctx, id, `severity = ?`, int(sev))
}

// SetCommander changes who leads the incident.
func (s *Store) SetCommander(ctx context.Context, id int64, userID string) error {
	return s.update(ctx, id, `commander = ?`, userID)
}

// Resolve marks the incident resolved with the resolver's summary.
func (s *Store) Resolve(ctx context.Context, id int64, summary string) error {
	return s.update(ctx, id, `status = ?, summary = ?, resolved_at = ?`, string(warroom.StatusResolved), summary, ms(s.now()))
}

// Reopen makes a resolved incident active again.
func (s *Store) Reopen(ctx context.Context, id int64) error {
	return s.update(ctx, id, `status = ?, summary = '', resolved_at = 0, meeting_ended = 0`, string(warroom.StatusActive))
}

// SetMeetingStatus records the meeting's live state ("waiting", "started",
// "ended") for the incident whose meeting has this Zoom ID, and returns
// that incident (ENOTFOUND if none).
func (s *Store) SetMeetingStatus(ctx context.Context, meetingID int64, status string) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `UPDATE incidents SET meeting_status = ?, updated_at = ? WHERE meeting_id = ? AND meeting_id <> 0 RETURNING id`,
		status, ms(s.now()), meetingID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, warroom.Errorf(warroom.ENOTFOUND, "No incident has Zoom meeting %d.", meetingID)
	}
	if err != nil {
		return 0, fmt.Errorf("store: meeting status: %w", err)
	}
	return id, nil
}

// ReplaceMeeting sets the incident's meeting aside for a new one: the old
// one (if warroom made it) waits to be deleted at Zoom, the call is pending
// again, and the bookmark will be redone.
func (s *Store) ReplaceMeeting(ctx context.Context, id int64) error {
	return s.update(ctx, id, `old_meeting_id = CASE WHEN meeting_host <> '' THEN meeting_id ELSE 0 END,
		old_meeting_host = meeting_host, old_join_url = meeting_join_url,
		meeting_id = 0, meeting_uuid = '', meeting_topic = '', meeting_join_url = '', meeting_password = '',
		meeting_tag = '', meeting_host = '', meeting_email = '', meeting_status = '', meeting_ended = 0,
		meeting_seq = meeting_seq + 1, call_state = ?, call_error = '', bookmark_adding = 0`,
		string(warroom.CallPending))
}

// AdoptMeeting makes a meeting someone already has the incident's call;
// the previous one (if warroom made it) waits to be deleted at Zoom.
func (s *Store) AdoptMeeting(ctx context.Context, id int64, m warroom.Meeting) error {
	return s.update(ctx, id, `old_meeting_id = CASE WHEN meeting_host <> '' THEN meeting_id ELSE 0 END,
		old_meeting_host = meeting_host, old_join_url = meeting_join_url,
		meeting_id = ?, meeting_uuid = '', meeting_topic = '', meeting_join_url = ?, meeting_password = '',
		meeting_tag = '', meeting_host = '', meeting_email = '', meeting_status = '', meeting_ended = 0,
		meeting_seq = meeting_seq + 1, call_state = ?, call_error = '', bookmark_adding = 0`,
		m.ID, m.JoinURL, string(warroom.CallReady))
}

// ClearOldMeeting forgets the replaced meeting once it is dealt with.
func (s *Store) ClearOldMeeting(ctx context.Context, id int64) error {
	return s.update(ctx, id, `old_meeting_id = 0, old_meeting_host = '', old_join_url = ''`)
}

// SetAnnouncement records the incident's announcement and what it shows.
func (s *Store) SetAnnouncement(ctx context.Context, id int64, channel, ts, shows string) error {
	return s.update(ctx, id, `announce_channel = ?, announce_ts = ?, announce_shows = ?`, channel, ts, shows)
}

// SetAnnounceShows records what the announcement shows after an update.
func (s *Store) SetAnnounceShows(ctx context.Context, id int64, shows string) error {
	return s.update(ctx, id, `announce_shows = ?`, shows)
}

// OpenIncidents lists active incidents, oldest first.
func (s *Store) OpenIncidents(ctx context.Context) ([]*Record, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE status = ? ORDER BY id`, string(warroom.StatusActive))
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

// RequestSync asks for the incident's workflow to run again soon, so its
// messages catch up with a change. There is at most one unfinished declare
// job per incident: if one waits, it is made due now; if one runs, it runs
// again when it ends (rerun); otherwise a new one is queued. One job per
// incident means two runs never race to post the same message.
func (s *Store) RequestSync(ctx context.Context, incidentID int64) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: sync: %w", err)
	}
	defer tx.Rollback()
	now := ms(s.now())
	res, err := tx.ExecContext(ctx, `UPDATE jobs SET run_at = MIN(run_at, ?), rerun = 1
		WHERE incident_id = ? AND kind = ? AND done_at IS NULL`, now, incidentID, JobDeclare)
	if err != nil {
		return fmt.Errorf("store: sync: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := enqueue(ctx, tx, JobDeclare, incidentID, now); err != nil {
			return fmt.Errorf("store: sync: %w", err)
		}
	}
	return tx.Commit()
}

// MeetingDefaults returns the admin-chosen meeting settings, or the
// defaults if none were saved.
func (s *Store) MeetingDefaults(ctx context.Context) (warroom.MeetingDefaults, error) {
	d := warroom.DefaultMeetingDefaults()
	var raw string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'meeting_defaults'`).Scan(&raw)
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
	_, err = s.db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('meeting_defaults', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, string(raw))
	if err != nil {
		return fmt.Errorf("store: meeting defaults: %w", err)
	}
	return nil
}

// SeenEvent records a Slack event ID and reports whether it was handled
// before (a redelivery).
func (s *Store) SeenEvent(ctx context.Context, eventID string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO events_seen (event_id, seen_at) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING`,
		eventID, ms(s.now()))
	if err != nil {
		return false, fmt.Errorf("store: event %s: %w", eventID, err)
	}
	n, _ := res.RowsAffected()
	return n == 0, nil
}

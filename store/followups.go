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

// FollowupRecord is a follow-up with its workflow progress.
type FollowupRecord struct {
	warroom.Followup
	Auto            bool
	RequestedBy     string
	MeetingHost     string
	MeetingTag      string
	MeetingTried    []string
	CallError       string
	PostPosting     bool
	PostTS          string
	ReminderQueued  bool
	ReminderPosting bool
	ReminderTS      string
	CancelledBy     string
	CancelDone      bool
}

// NewFollowup is a follow-up to schedule. Start zero means the job works
// it out (resolution + WARROOM_FOLLOWUP_AFTER, in working hours).
type NewFollowup struct {
	IncidentID  int64
	DedupeKey   string
	Auto        bool
	Topic       string
	Start       time.Time
	Duration    time.Duration
	Invitees    []string
	RequestedBy string
}

// AddFollowup records a follow-up and the job that schedules it, in one
// transaction; the same dedupe key returns the existing one.
func (s *Store) AddFollowup(ctx context.Context, f NewFollowup) (rec *FollowupRecord, created bool, err error) {
	err = s.inTx(ctx, "add followup", func(q txn) error {
		if existing, err := findFollowup(ctx, q, `dedupe_key = ?`, f.DedupeKey); err == nil {
			rec = existing
			return nil
		}
		id, err := insertFollowup(ctx, q, f, q.now)
		if err != nil {
			return err
		}
		created = true
		rec, err = findFollowup(ctx, q, `id = ?`, id)
		return err
	})
	return rec, created, err
}

func insertFollowup(ctx context.Context, q querier, f NewFollowup, now time.Time) (int64, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(n), 0) + 1 FROM followups WHERE incident_id = ?`, f.IncidentID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: add followup: %w", err)
	}
	invitees, _ := json.Marshal(nonNil(f.Invitees))
	minutes := int(f.Duration / time.Minute)
	if minutes <= 0 {
		minutes = int(warroom.DefaultFollowupDuration / time.Minute)
	}
	start := int64(0)
	if !f.Start.IsZero() {
		start = ms(f.Start)
	}
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO followups (incident_id, n, dedupe_key, auto, topic, start_at, duration_min,
		invitees, requested_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		f.IncidentID, n, f.DedupeKey, boolInt(f.Auto), f.Topic, start, minutes, string(invitees), f.RequestedBy,
		ms(now), ms(now)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: add followup: %w", err)
	}
	if err := enqueue(ctx, q, jobtype.Followup{IncidentID: f.IncidentID, FollowupID: id}, ms(now), ms(now)); err != nil {
		return 0, fmt.Errorf("store: add followup: %w", err)
	}
	if err := addEvent(ctx, q, f.IncidentID, now, warroom.EventFollowupScheduled, f.RequestedBy, fmt.Sprint(n), ""); err != nil {
		return 0, err
	}
	if err := enqueue(ctx, q, jobtype.IncidentSync{IncidentID: f.IncidentID}, ms(now), ms(now)); err != nil {
		return 0, fmt.Errorf("store: add followup: %w", err) // the canvas tells of it
	}
	return id, nil
}

// Followup returns one follow-up.
func (s *Store) Followup(ctx context.Context, id int64) (*FollowupRecord, error) {
	return findFollowup(ctx, s.q, `id = ?`, id)
}

// FollowupByN returns an incident's follow-up by its number.
func (s *Store) FollowupByN(ctx context.Context, incidentID int64, n int) (*FollowupRecord, error) {
	return findFollowup(ctx, s.q, `incident_id = ? AND n = ?`, incidentID, n)
}

// Followups lists an incident's follow-ups in order.
func (s *Store) Followups(ctx context.Context, incidentID int64) ([]FollowupRecord, error) {
	out, err := collect(ctx, s.q, func(row scanner) (FollowupRecord, error) {
		f, err := scanFollowup(row)
		if err != nil {
			return FollowupRecord{}, err
		}
		return *f, nil
	}, `SELECT `+followupColumns+` FROM followups WHERE incident_id = ? ORDER BY n`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("store: followups: %w", err)
	}
	return out, nil
}

// updateFollowup is a job's fenced write to a follow-up (set is a fixed
// SQL fragment, cond more of the WHERE clause). It reports whether the row
// matched.
func (s *Store) updateFollowup(ctx context.Context, f jobtype.Fence, id int64, cond, set string, args ...any) (bool, error) {
	args = append(args, ms(s.now()), id)
	n, err := s.fencedExec(ctx, s.q, f, fmt.Sprintf("followup %d", id), `UPDATE followups SET `+set+`, updated_at = ? WHERE id = ?`+cond, args...)
	return n == 1, err
}

// errCancelled is a follow-up job's answer when the follow-up was
// cancelled (or its account removed) while it worked: cancel wins.
func errCancelled(id int64) error {
	return warroom.Errorf(warroom.ECONFLICT, "Follow-up %d was cancelled meanwhile.", id)
}

const notCancelled = ` AND cancelled = 0 AND removed = 0`

// SetFollowupStart records when the follow-up starts.
func (s *Store) SetFollowupStart(ctx context.Context, f jobtype.Fence, id int64, start time.Time) error {
	_, err := s.updateFollowup(ctx, f, id, "", `start_at = ?`, ms(start))
	return err
}

// RecordFollowupAttempt records the host and tag before Zoom is asked to
// make the meeting; ECONFLICT once the follow-up is cancelled.
func (s *Store) RecordFollowupAttempt(ctx context.Context, f jobtype.Fence, id int64, tag, host string, tried []string, day string) error {
	raw, _ := json.Marshal(nonNil(tried))
	return s.inTx(ctx, "followup attempt", func(q txn) error {
		if ok, err := hostExists(ctx, q, host); err != nil || !ok {
			return errors.Join(err, errHostRemoved(host))
		}
		n, err := s.fencedExec(ctx, q, f, "followup attempt", `UPDATE followups SET meeting_host = ?, meeting_tag = ?,
			meeting_tried = ?, updated_at = ? WHERE id = ?`+notCancelled, host, tag, string(raw), ms(q.now), id)
		if err == nil && n == 0 {
			err = errCancelled(id)
		}
		if err != nil {
			return err
		}
		return countRequest(ctx, q, host, day)
	})
}

// SetFollowupMeeting records the follow-up's Zoom meeting, even when it
// was cancelled meanwhile: the cancellation then knows what to delete. A
// meeting on a host removed meanwhile is not recorded: the follow-up is
// marked removed instead, and ECONFLICT returned.
func (s *Store) SetFollowupMeeting(ctx context.Context, f jobtype.Fence, id int64, host string, m warroom.Meeting) error {
	return s.inTx(ctx, "followup meeting", func(q txn) error {
		ok, err := hostExists(ctx, q, host)
		if err != nil {
			return err
		}
		if !ok {
			if _, err := s.fencedExec(ctx, q, f, "followup meeting", `UPDATE followups SET removed = 1, meeting_host = '',
				meeting_tag = '', meeting_tried = '[]', updated_at = ? WHERE id = ?`, ms(q.now), id); err != nil {
				return err
			}
			return errCancelled(id)
		}
		_, err = s.fencedExec(ctx, q, f, "followup meeting", `UPDATE followups SET meeting_host = ?, meeting_id = ?, meeting_uuid = ?,
			meeting_join_url = ?, meeting_password = ?, call_error = '', updated_at = ? WHERE id = ?`,
			host, m.ID, m.UUID, m.JoinURL, m.Password, ms(q.now), id)
		return err
	})
}

// SetFollowupError records why the meeting is not scheduled yet.
func (s *Store) SetFollowupError(ctx context.Context, f jobtype.Fence, id int64, reason string) error {
	_, err := s.updateFollowup(ctx, f, id, "", `call_error = ?`, reason)
	return err
}

// MarkFollowupPosting records the intent to post the follow-up (its
// reminder, with reminder=true) in the channel. It is refused with
// ECONFLICT once the follow-up is cancelled: a Join button never appears
// after "cancelled".
func (s *Store) MarkFollowupPosting(ctx context.Context, f jobtype.Fence, id int64, reminder bool) error {
	col := "post_posting"
	if reminder {
		col = "reminder_posting"
	}
	ok, err := s.updateFollowup(ctx, f, id, notCancelled, col+` = 1`)
	if err == nil && !ok {
		err = errCancelled(id)
	}
	return err
}

// SetFollowupPost records the follow-up's channel message (reminder=false)
// or its reminder.
func (s *Store) SetFollowupPost(ctx context.Context, f jobtype.Fence, id int64, reminder bool, ts string) error {
	col := "post_ts"
	if reminder {
		col = "reminder_ts"
	}
	_, err := s.updateFollowup(ctx, f, id, "", col+` = ?`, ts)
	return err
}

// MarkCancelDone records that the cancellation (or removal) is shown.
func (s *Store) MarkCancelDone(ctx context.Context, f jobtype.Fence, id int64) error {
	_, err := s.updateFollowup(ctx, f, id, "", `cancel_done = 1`)
	return err
}

// QueueReminder records the reminder job (once) due at runAt, and the
// recording watch of the follow-up's meeting.
func (s *Store) QueueReminder(ctx context.Context, f jobtype.Fence, fr *FollowupRecord, runAt time.Time, watch NewRecordingWatch) error {
	return s.inTx(ctx, "queue reminder", func(q txn) error {
		n, err := s.fencedExec(ctx, q, f, "queue reminder", `UPDATE followups SET reminder_queued = 1, updated_at = ?
			WHERE id = ? AND reminder_queued = 0`+notCancelled, ms(q.now), fr.ID)
		if err != nil || n == 0 {
			return err // queued already, or cancelled
		}
		if err := enqueue(ctx, q, jobtype.Reminder{IncidentID: fr.IncidentID, FollowupID: fr.ID}, ms(runAt), ms(q.now)); err != nil {
			return fmt.Errorf("store: queue reminder: %w", err)
		}
		return addWatch(ctx, q, watch, q.now)
	})
}

// CancelFollowup marks a follow-up cancelled and asks its job to delete its
// meeting and say so; ECONFLICT if it was cancelled already. A job making
// the meeting at this moment loses: it may not post the follow-up, and
// runs again to delete what it made.
func (s *Store) CancelFollowup(ctx context.Context, id int64, by string) (*FollowupRecord, error) {
	var before *FollowupRecord
	err := s.inTx(ctx, "cancel followup", func(q txn) error {
		var err error
		if before, err = findFollowup(ctx, q, `id = ?`, id); err != nil {
			return err
		}
		if before.Cancelled {
			return warroom.Errorf(warroom.ECONFLICT, "Follow-up #%d is already cancelled.", before.N)
		}
		now := ms(q.now)
		if _, err := q.ExecContext(ctx, `UPDATE followups SET cancelled = 1, cancelled_by = ?, updated_at = ? WHERE id = ?`, by, now, id); err != nil {
			return fmt.Errorf("store: cancel followup: %w", err)
		}
		if err := addEvent(ctx, q, before.IncidentID, q.now, warroom.EventFollowupCancelled, by, fmt.Sprint(before.N), ""); err != nil {
			return err
		}
		if err := enqueue(ctx, q, jobtype.IncidentSync{IncidentID: before.IncidentID}, now, now); err != nil {
			return err
		}
		return enqueue(ctx, q, jobtype.Followup{IncidentID: before.IncidentID, FollowupID: id}, now, now)
	})
	return before, err
}

const followupColumns = `id, incident_id, n, auto, topic, start_at, duration_min, invitees, requested_by, meeting_host, meeting_tag,
	meeting_id, meeting_uuid, meeting_join_url, meeting_password, call_error, post_posting, post_ts, reminder_queued,
	reminder_posting, reminder_ts, cancelled, cancelled_by, cancel_done, meeting_tried, removed`

func findFollowup(ctx context.Context, q querier, where string, args ...any) (*FollowupRecord, error) {
	f, err := scanFollowup(q.QueryRowContext(ctx, `SELECT `+followupColumns+` FROM followups WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "No such follow-up.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: followup: %w", err)
	}
	return f, nil
}

func scanFollowup(row scanner) (*FollowupRecord, error) {
	var f FollowupRecord
	var auto, posting, queued, rposting, cancelled, cdone, removed, minutes int
	var start, meetingID int64
	var invitees, uuid, joinURL, password, tried string
	err := row.Scan(&f.ID, &f.IncidentID, &f.N, &auto, &f.Topic, &start, &minutes, &invitees, &f.RequestedBy, &f.MeetingHost,
		&f.MeetingTag, &meetingID, &uuid, &joinURL, &password, &f.CallError, &posting, &f.PostTS, &queued,
		&rposting, &f.ReminderTS, &cancelled, &f.CancelledBy, &cdone, &tried, &removed)
	if err != nil {
		return nil, err
	}
	f.Auto, f.PostPosting, f.ReminderQueued, f.ReminderPosting = auto == 1, posting == 1, queued == 1, rposting == 1
	f.Cancelled, f.CancelDone, f.Removed = cancelled == 1, cdone == 1, removed == 1
	f.Start = fromMS(start)
	f.Duration = time.Duration(minutes) * time.Minute
	if err := json.Unmarshal([]byte(invitees), &f.Invitees); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(tried), &f.MeetingTried); err != nil {
		return nil, err
	}
	if meetingID != 0 {
		f.Meeting = &warroom.Meeting{ID: meetingID, UUID: uuid, JoinURL: joinURL, Password: password}
	}
	return &f, nil
}

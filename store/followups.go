package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/warroom-dev/warroom"
)

// Job kinds of follow-ups and recordings.
const (
	JobFollowup  = "followup"  // schedule (or cancel) a follow-up meeting and post it
	JobReminder  = "reminder"  // post the reminder shortly before a follow-up
	JobRecording = "recording" // wait for a meeting's recording and attendance, post them
)

// FollowupRecord is a follow-up with its workflow progress.
type FollowupRecord struct {
	warroom.Followup
	Auto            bool
	RequestedBy     string
	MeetingHost     string
	MeetingTag      string
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
func (s *Store) AddFollowup(ctx context.Context, f NewFollowup) (*FollowupRecord, bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, fmt.Errorf("store: add followup: %w", err)
	}
	defer tx.Rollback()
	if existing, err := findFollowup(ctx, tx, `dedupe_key = ?`, f.DedupeKey); err == nil {
		return existing, false, nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(n), 0) + 1 FROM followups WHERE incident_id = ?`, f.IncidentID).Scan(&n); err != nil {
		return nil, false, fmt.Errorf("store: add followup: %w", err)
	}
	invitees, _ := json.Marshal(nonNil(f.Invitees))
	minutes := int(f.Duration / time.Minute)
	if minutes <= 0 {
		minutes = 30
	}
	start := int64(0)
	if !f.Start.IsZero() {
		start = ms(f.Start)
	}
	now := ms(s.now())
	res, err := tx.ExecContext(ctx, `INSERT INTO followups (incident_id, n, dedupe_key, auto, topic, start_at, duration_min,
		invitees, requested_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.IncidentID, n, f.DedupeKey, boolInt(f.Auto), f.Topic, start, minutes, string(invitees), f.RequestedBy, now, now)
	if err != nil {
		return nil, false, fmt.Errorf("store: add followup: %w", err)
	}
	id, _ := res.LastInsertId()
	if _, err := enqueueRef(ctx, tx, JobFollowup, f.IncidentID, id, now); err != nil {
		return nil, false, fmt.Errorf("store: add followup: %w", err)
	}
	rec, err := findFollowup(ctx, tx, `id = ?`, id)
	if err != nil {
		return nil, false, err
	}
	return rec, true, tx.Commit()
}

// Followup returns one follow-up.
func (s *Store) Followup(ctx context.Context, id int64) (*FollowupRecord, error) {
	return findFollowup(ctx, s.db, `id = ?`, id)
}

// FollowupByN returns an incident's follow-up by its number.
func (s *Store) FollowupByN(ctx context.Context, incidentID int64, n int) (*FollowupRecord, error) {
	return findFollowup(ctx, s.db, `incident_id = ? AND n = ?`, incidentID, n)
}

// Followups lists an incident's follow-ups in order.
func (s *Store) Followups(ctx context.Context, incidentID int64) ([]FollowupRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+followupColumns+` FROM followups WHERE incident_id = ? ORDER BY n`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("store: followups: %w", err)
	}
	defer rows.Close()
	var out []FollowupRecord
	for rows.Next() {
		f, err := scanFollowup(rows)
		if err != nil {
			return nil, fmt.Errorf("store: followups: %w", err)
		}
		out = append(out, *f)
	}
	return out, rows.Err()
}

// UpdateFollowup sets columns of a follow-up (set is a fixed SQL fragment).
func (s *Store) updateFollowup(ctx context.Context, id int64, set string, args ...any) error {
	args = append(args, ms(s.now()), id)
	res, err := s.db.ExecContext(ctx, `UPDATE followups SET `+set+`, updated_at = ? WHERE id = ?`, args...)
	if err != nil {
		return fmt.Errorf("store: followup %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return warroom.Errorf(warroom.ENOTFOUND, "Follow-up %d does not exist.", id)
	}
	return nil
}

// SetFollowupStart records when the follow-up starts.
func (s *Store) SetFollowupStart(ctx context.Context, id int64, start time.Time) error {
	return s.updateFollowup(ctx, id, `start_at = ?`, ms(start))
}

// RecordFollowupIntent records the host and tag before Zoom is asked.
func (s *Store) RecordFollowupIntent(ctx context.Context, id int64, host, tag string) error {
	return s.updateFollowup(ctx, id, `meeting_host = ?, meeting_tag = ?`, host, tag)
}

// SetFollowupMeeting records the follow-up's Zoom meeting.
func (s *Store) SetFollowupMeeting(ctx context.Context, id int64, m warroom.Meeting) error {
	return s.updateFollowup(ctx, id, `meeting_id = ?, meeting_uuid = ?, meeting_join_url = ?, meeting_password = ?, call_error = ''`,
		m.ID, m.UUID, m.JoinURL, m.Password)
}

// SetFollowupError records why the meeting is not scheduled yet.
func (s *Store) SetFollowupError(ctx context.Context, id int64, reason string) error {
	return s.updateFollowup(ctx, id, `call_error = ?`, reason)
}

// Follow-up steps with a one-way flag.
const (
	FollowupPostPosting = iota + 1
	FollowupReminderPosting
	FollowupCancelDone
)

// MarkFollowup sets a follow-up step flag.
func (s *Store) MarkFollowup(ctx context.Context, id int64, step int) error {
	col := map[int]string{FollowupPostPosting: "post_posting", FollowupReminderPosting: "reminder_posting", FollowupCancelDone: "cancel_done"}[step]
	if col == "" {
		return fmt.Errorf("store: unknown followup step %d", step)
	}
	return s.updateFollowup(ctx, id, col+` = 1`)
}

// SetFollowupPost records the follow-up's channel message.
func (s *Store) SetFollowupPost(ctx context.Context, id int64, ts string) error {
	return s.updateFollowup(ctx, id, `post_ts = ?`, ts)
}

// SetReminderPost records the reminder message.
func (s *Store) SetReminderPost(ctx context.Context, id int64, ts string) error {
	return s.updateFollowup(ctx, id, `reminder_ts = ?`, ts)
}

// QueueReminder records the reminder job (once) due at runAt, and the
// recording watch of the follow-up's meeting.
func (s *Store) QueueReminder(ctx context.Context, f *FollowupRecord, runAt time.Time, watch NewRecordingWatch) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: queue reminder: %w", err)
	}
	defer tx.Rollback()
	var queued int
	if err := tx.QueryRowContext(ctx, `SELECT reminder_queued FROM followups WHERE id = ?`, f.ID).Scan(&queued); err != nil {
		return fmt.Errorf("store: queue reminder: %w", err)
	}
	if queued == 1 {
		return nil
	}
	if _, err := enqueueRef(ctx, tx, JobReminder, f.IncidentID, f.ID, ms(runAt)); err != nil {
		return fmt.Errorf("store: queue reminder: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE followups SET reminder_queued = 1, updated_at = ? WHERE id = ?`, ms(s.now()), f.ID); err != nil {
		return fmt.Errorf("store: queue reminder: %w", err)
	}
	if err := addWatch(ctx, tx, watch, s.now()); err != nil {
		return err
	}
	return tx.Commit()
}

// CancelFollowup marks a follow-up cancelled and queues the job that
// deletes its meeting and says so.
func (s *Store) CancelFollowup(ctx context.Context, id int64, by string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: cancel followup: %w", err)
	}
	defer tx.Rollback()
	f, err := findFollowup(ctx, tx, `id = ?`, id)
	if err != nil {
		return err
	}
	if f.Cancelled {
		return warroom.Errorf(warroom.ECONFLICT, "Follow-up %d is already cancelled.", f.N)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE followups SET cancelled = 1, cancelled_by = ?, updated_at = ? WHERE id = ?`, by, ms(s.now()), id); err != nil {
		return fmt.Errorf("store: cancel followup: %w", err)
	}
	if _, err := enqueueRef(ctx, tx, JobFollowup, f.IncidentID, id, ms(s.now())); err != nil {
		return fmt.Errorf("store: cancel followup: %w", err)
	}
	return tx.Commit()
}

const followupColumns = `id, incident_id, n, auto, topic, start_at, duration_min, invitees, requested_by, meeting_host, meeting_tag,
	meeting_id, meeting_uuid, meeting_join_url, meeting_password, call_error, post_posting, post_ts, reminder_queued,
	reminder_posting, reminder_ts, cancelled, cancelled_by, cancel_done`

func findFollowup(ctx context.Context, q queryer, where string, args ...any) (*FollowupRecord, error) {
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
	var auto, posting, queued, rposting, cancelled, cdone, minutes int
	var start, meetingID int64
	var invitees, uuid, joinURL, password string
	err := row.Scan(&f.ID, &f.IncidentID, &f.N, &auto, &f.Topic, &start, &minutes, &invitees, &f.RequestedBy, &f.MeetingHost,
		&f.MeetingTag, &meetingID, &uuid, &joinURL, &password, &f.CallError, &posting, &f.PostTS, &queued,
		&rposting, &f.ReminderTS, &cancelled, &f.CancelledBy, &cdone)
	if err != nil {
		return nil, err
	}
	f.Auto, f.PostPosting, f.ReminderQueued, f.ReminderPosting = auto == 1, posting == 1, queued == 1, rposting == 1
	f.Cancelled, f.CancelDone = cancelled == 1, cdone == 1
	f.Start = fromMS(start)
	f.Duration = time.Duration(minutes) * time.Minute
	if err := json.Unmarshal([]byte(invitees), &f.Invitees); err != nil {
		return nil, err
	}
	if meetingID != 0 {
		f.Meeting = &warroom.Meeting{ID: meetingID, UUID: uuid, JoinURL: joinURL, Password: password}
	}
	return &f, nil
}

// RecordingWatch is a meeting whose recording and attendance are awaited.
type RecordingWatch struct {
	ID                int64
	IncidentID        int64
	MeetingID         int64
	MeetingHost       string
	Label             string
	Bridge            bool
	PollUntil         time.Time
	RecPosting        bool
	RecTS             string
	AttendancePosting bool
	AttendanceTS      string
	AttendanceDone    bool
	GaveUp            bool
}

// NewRecordingWatch asks for a meeting's recording to be awaited from
// StartAt until PollUntil.
type NewRecordingWatch struct {
	IncidentID  int64
	MeetingID   int64
	MeetingHost string
	Label       string
	Bridge      bool
	StartAt     time.Time
	PollUntil   time.Time
}

// WatchRecording adds a recording watch (once per incident and meeting)
// and its polling job.
func (s *Store) WatchRecording(ctx context.Context, w NewRecordingWatch) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: watch recording: %w", err)
	}
	defer tx.Rollback()
	if err := addWatch(ctx, tx, w, s.now()); err != nil {
		return err
	}
	return tx.Commit()
}

func addWatch(ctx context.Context, tx *sql.Tx, w NewRecordingWatch, now time.Time) error {
	if w.MeetingID == 0 || w.MeetingHost == "" {
		return nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO recordings (incident_id, meeting_id, meeting_host, label, bridge, poll_until, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (incident_id, meeting_id) DO NOTHING`,
		w.IncidentID, w.MeetingID, w.MeetingHost, w.Label, boolInt(w.Bridge), ms(w.PollUntil), ms(now))
	if err != nil {
		return fmt.Errorf("store: watch recording: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // watched already
	}
	id, _ := res.LastInsertId()
	start := w.StartAt
	if start.IsZero() {
		start = now
	}
	if _, err := enqueueRef(ctx, tx, JobRecording, w.IncidentID, id, ms(start)); err != nil {
		return fmt.Errorf("store: watch recording: %w", err)
	}
	return nil
}

// RecordingWatchByMeeting finds the watch of a Zoom meeting.
func (s *Store) RecordingWatchByMeeting(ctx context.Context, meetingID int64) (*RecordingWatch, error) {
	return findWatch(ctx, s.db, `meeting_id = ?`, meetingID)
}

// RecordingWatch returns one watch.
func (s *Store) RecordingWatch(ctx context.Context, id int64) (*RecordingWatch, error) {
	return findWatch(ctx, s.db, `id = ?`, id)
}

// Recording watch steps.
const (
	WatchRecPosting = iota + 1
	WatchAttendancePosting
	WatchAttendanceDone
	WatchGaveUp
)

// MarkWatch sets a recording watch's step flag.
func (s *Store) MarkWatch(ctx context.Context, id int64, step int) error {
	col := map[int]string{WatchRecPosting: "rec_posting", WatchAttendancePosting: "attendance_posting",
		WatchAttendanceDone: "attendance_done", WatchGaveUp: "gave_up"}[step]
	if col == "" {
		return fmt.Errorf("store: unknown watch step %d", step)
	}
	_, err := s.db.ExecContext(ctx, `UPDATE recordings SET `+col+` = 1 WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("store: recording watch %d: %w", id, err)
	}
	return nil
}

// SetWatchPost records a posted message of a watch: the recording
// (attendance=false) or the attendance.
func (s *Store) SetWatchPost(ctx context.Context, id int64, attendance bool, ts string) error {
	col := "rec_ts"
	if attendance {
		col = "attendance_ts"
	}
	_, err := s.db.ExecContext(ctx, `UPDATE recordings SET `+col+` = ? WHERE id = ?`, ts, id)
	if err != nil {
		return fmt.Errorf("store: recording watch %d: %w", id, err)
	}
	return nil
}

func findWatch(ctx context.Context, q queryer, where string, args ...any) (*RecordingWatch, error) {
	var w RecordingWatch
	var bridge, recPosting, attPosting, attDone, gaveUp int
	var until int64
	err := q.QueryRowContext(ctx, `SELECT id, incident_id, meeting_id, meeting_host, label, bridge, poll_until, rec_posting, rec_ts,
		attendance_posting, attendance_ts, attendance_done, gave_up FROM recordings WHERE `+where+` ORDER BY id DESC LIMIT 1`, args...).
		Scan(&w.ID, &w.IncidentID, &w.MeetingID, &w.MeetingHost, &w.Label, &bridge, &until, &recPosting, &w.RecTS,
			&attPosting, &w.AttendanceTS, &attDone, &gaveUp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "No recording is awaited for that meeting.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: recording watch: %w", err)
	}
	w.Bridge, w.RecPosting, w.AttendancePosting, w.AttendanceDone, w.GaveUp = bridge == 1, recPosting == 1, attPosting == 1, attDone == 1, gaveUp == 1
	w.PollUntil = fromMS(until)
	return &w, nil
}

// ResolveOptions say what a resolve schedules besides the status change.
type ResolveOptions struct {
	Followup     bool          // schedule the post-incident review (its time is worked out by its job)
	FollowupFor  time.Duration // its length
	RecordingFor time.Duration // how long to wait for the bridge's recording
}

// ResolveWithFollowup resolves an incident and, in the same transaction,
// schedules its follow-up and starts waiting for the bridge's recording:
// a crash can lose neither.
func (s *Store) ResolveWithFollowup(ctx context.Context, id int64, summary string, o ResolveOptions) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: resolve: %w", err)
	}
	defer tx.Rollback()
	rec, err := findIncident(ctx, tx, `id = ?`, id)
	if err != nil {
		return err
	}
	now := s.now()
	if _, err := tx.ExecContext(ctx, `UPDATE incidents SET status = ?, summary = ?, resolved_at = ?, updated_at = ? WHERE id = ?`,
		string(warroom.StatusResolved), summary, ms(now), ms(now), id); err != nil {
		return fmt.Errorf("store: resolve: %w", err)
	}
	if o.Followup {
		// Resolving again after a reopen keeps the review already planned.
		var planned int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM followups WHERE incident_id = ? AND auto = 1 AND cancelled = 0`, id).Scan(&planned); err != nil {
			return fmt.Errorf("store: resolve: %w", err)
		}
		o.Followup = planned == 0
	}
	if o.Followup {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(n), 0) + 1 FROM followups WHERE incident_id = ?`, id).Scan(&n); err != nil {
			return fmt.Errorf("store: resolve: %w", err)
		}
		minutes := int(o.FollowupFor / time.Minute)
		if minutes <= 0 {
			minutes = 30
		}
		invitees, _ := json.Marshal(nonNil(uniq(append([]string{rec.DeclaredBy, rec.Commander}, rec.Responders...))))
		res, err := tx.ExecContext(ctx, `INSERT INTO followups (incident_id, n, dedupe_key, auto, duration_min, invitees, created_at, updated_at)
			VALUES (?, ?, ?, 1, ?, ?, ?, ?)`, id, n, fmt.Sprintf("resolve:%d:%d", id, ms(now)), minutes, string(invitees), ms(now), ms(now))
		if err != nil {
			return fmt.Errorf("store: resolve: %w", err)
		}
		fid, _ := res.LastInsertId()
		if _, err := enqueueRef(ctx, tx, JobFollowup, id, fid, ms(now)); err != nil {
			return fmt.Errorf("store: resolve: %w", err)
		}
	}
	if rec.Meeting != nil && rec.MeetingHost != "" {
		if err := addWatch(ctx, tx, NewRecordingWatch{IncidentID: id, MeetingID: rec.Meeting.ID, MeetingHost: rec.MeetingHost,
			Label: "the incident call", Bridge: true, StartAt: now, PollUntil: now.Add(o.RecordingFor)}, now); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func uniq(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

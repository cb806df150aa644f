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
	Removed           bool // the hosting Zoom account was disconnected
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
	return s.inTx(ctx, "watch recording", func(q txn) error { return addWatch(ctx, q, w, q.now) })
}

func addWatch(ctx context.Context, q querier, w NewRecordingWatch, now time.Time) error {
	if w.MeetingID == 0 || w.MeetingHost == "" {
		return nil
	}
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO recordings (incident_id, meeting_id, meeting_host, label, bridge, poll_until, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (incident_id, meeting_id) DO NOTHING RETURNING id`,
		w.IncidentID, w.MeetingID, w.MeetingHost, w.Label, boolInt(w.Bridge), ms(w.PollUntil), ms(now)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // watched already
	}
	if err != nil {
		return fmt.Errorf("store: watch recording: %w", err)
	}
	start := w.StartAt
	if start.IsZero() {
		start = now
	}
	if err := enqueue(ctx, q, jobtype.Recording{IncidentID: w.IncidentID, WatchID: id}, ms(start), ms(now)); err != nil {
		return fmt.Errorf("store: watch recording: %w", err)
	}
	return nil
}

// RecordingWatchByMeeting finds the watch of a Zoom meeting.
func (s *Store) RecordingWatchByMeeting(ctx context.Context, meetingID int64) (*RecordingWatch, error) {
	return findWatch(ctx, s.q, `meeting_id = ? AND meeting_id <> 0`, meetingID)
}

// RecordingWatch returns one watch.
func (s *Store) RecordingWatch(ctx context.Context, id int64) (*RecordingWatch, error) {
	return findWatch(ctx, s.q, `id = ?`, id)
}

// RecordingReady makes the watch of a meeting look at once (an event said
// the recording is ready, or the meeting ended). It reports whether there
// was a watch.
func (s *Store) RecordingReady(ctx context.Context, meetingID int64) (bool, error) {
	w, err := s.RecordingWatchByMeeting(ctx, meetingID)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	now := ms(s.now())
	if err := enqueue(ctx, s.q, jobtype.Recording{IncidentID: w.IncidentID, WatchID: w.ID}, now, now); err != nil {
		return true, fmt.Errorf("store: recording ready: %w", err)
	}
	return true, nil
}

// LookForRecordingsNow makes every recording being waited for due at
// once: after the event stream reconnects, a recording.completed may have
// been missed.
func (s *Store) LookForRecordingsNow(ctx context.Context) error {
	now := ms(s.now())
	if _, err := s.q.ExecContext(ctx, `UPDATE jobs SET available_at = ? WHERE kind = ? AND done_at IS NULL
		AND available_at > ? AND lease_owner = ''`, now, jobtype.KindRecording, now); err != nil {
		return fmt.Errorf("store: recordings: %w", err)
	}
	return nil
}

// Recording watch steps.
const (
	WatchRecPosting = iota + 1
	WatchAttendancePosting
	WatchAttendanceDone
	WatchGaveUp
)

// MarkWatch sets a recording watch's step flag.
func (s *Store) MarkWatch(ctx context.Context, f jobtype.Fence, id int64, step int) error {
	col := map[int]string{WatchRecPosting: "rec_posting", WatchAttendancePosting: "attendance_posting",
		WatchAttendanceDone: "attendance_done", WatchGaveUp: "gave_up"}[step]
	if col == "" {
		return fmt.Errorf("store: unknown watch step %d", step)
	}
	_, err := s.fencedExec(ctx, s.q, f, fmt.Sprintf("recording watch %d", id), `UPDATE recordings SET `+col+` = 1 WHERE id = ?`, id)
	return err
}

// SetWatchPost records a posted message of a watch: the recording
// (attendance=false) or the attendance.
func (s *Store) SetWatchPost(ctx context.Context, f jobtype.Fence, id int64, attendance bool, ts string) error {
	col := "rec_ts"
	if attendance {
		col = "attendance_ts"
	}
	return s.inTx(ctx, "recording post", func(q txn) error {
		what := fmt.Sprintf("recording watch %d", id)
		if _, err := s.fencedExec(ctx, q, f, what, `UPDATE recordings SET `+col+` = ? WHERE id = ?`, ts, id); err != nil {
			return err
		}
		if attendance {
			return nil
		}
		// The timeline tells of the recording once it is in the channel.
		var incident int64
		var label, host string
		if err := q.QueryRowContext(ctx, `SELECT incident_id, label, meeting_host FROM recordings WHERE id = ?`, id).
			Scan(&incident, &label, &host); err != nil {
			return fmt.Errorf("store: %s: %w", what, err)
		}
		if err := addEvent(ctx, q, incident, q.now, warroom.EventRecording, "", label, host); err != nil {
			return err
		}
		return enqueue(ctx, q, jobtype.IncidentSync{IncidentID: incident}, ms(q.now), ms(q.now))
	})
}

func findWatch(ctx context.Context, q querier, where string, args ...any) (*RecordingWatch, error) {
	var w RecordingWatch
	var bridge, recPosting, attPosting, attDone, gaveUp, removed int
	var until int64
	err := q.QueryRowContext(ctx, `SELECT id, incident_id, meeting_id, meeting_host, label, bridge, poll_until, rec_posting, rec_ts,
		attendance_posting, attendance_ts, attendance_done, gave_up, removed FROM recordings WHERE `+where+` ORDER BY id DESC LIMIT 1`, args...).
		Scan(&w.ID, &w.IncidentID, &w.MeetingID, &w.MeetingHost, &w.Label, &bridge, &until, &recPosting, &w.RecTS,
			&attPosting, &w.AttendanceTS, &attDone, &gaveUp, &removed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "No recording is awaited for that meeting.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: recording watch: %w", err)
	}
	w.Bridge, w.RecPosting, w.AttendancePosting, w.AttendanceDone = bridge == 1, recPosting == 1, attPosting == 1, attDone == 1
	w.GaveUp, w.Removed = gaveUp == 1, removed == 1
	w.PollUntil = fromMS(until)
	return &w, nil
}

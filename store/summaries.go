package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/warroom-dev/warroom"
)

// MeetingSummary is a call's AI Companion summary and its post.
type MeetingSummary struct {
	ID          int64
	IncidentID  int64
	MeetingUUID string
	Overview    string
	NextSteps   []string
	Posting     bool   // the post was sent; look for it before sending again
	PostTS      string // set once posted
}

// SaveSummary records the summary of meetingID's instance meetingUUID,
// if the meeting is an incident's call, and the job that posts it, in one
// transaction. The same instance's summary again (Zoom's retry, or the
// event by two routes) changes nothing. ENOTFOUND: no incident's call.
func (s *Store) SaveSummary(ctx context.Context, meetingID int64, meetingUUID, overview string, nextSteps []string) (created bool, err error) {
	steps, _ := json.Marshal(nonNil(nextSteps))
	err = s.inTx(ctx, "summary", func(q txn) error {
		var incident int64
		var host string
		err := q.QueryRowContext(ctx, `SELECT id, meeting_host FROM incidents WHERE meeting_id = ? AND meeting_id <> 0
			ORDER BY id DESC LIMIT 1`, meetingID).Scan(&incident, &host)
		if errors.Is(err, sql.ErrNoRows) {
			return warroom.Errorf(warroom.ENOTFOUND, "No incident has Zoom meeting %d.", meetingID)
		}
		if err != nil {
			return fmt.Errorf("store: summary: %w", err)
		}
		now := ms(s.now())
		var id int64
		err = q.QueryRowContext(ctx, `INSERT INTO summaries (incident_id, meeting_uuid, meeting_host, overview, next_steps, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (meeting_uuid) DO NOTHING RETURNING id`,
			incident, meetingUUID, host, overview, string(steps), now).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // had it already
		}
		if err != nil {
			return fmt.Errorf("store: summary: %w", err)
		}
		created = true
		return enqueue(ctx, q, JobSummary, incident, id, now, now)
	})
	return created, err
}

// Summary returns one summary.
func (s *Store) Summary(ctx context.Context, id int64) (*MeetingSummary, error) {
	var m MeetingSummary
	var steps string
	var posting int
	err := s.q.QueryRowContext(ctx, `SELECT id, incident_id, meeting_uuid, overview, next_steps, posting, post_ts
		FROM summaries WHERE id = ?`, id).Scan(&m.ID, &m.IncidentID, &m.MeetingUUID, &m.Overview, &steps, &posting, &m.PostTS)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "No such summary.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: summary: %w", err)
	}
	m.Posting = posting == 1
	if err := json.Unmarshal([]byte(steps), &m.NextSteps); err != nil {
		return nil, fmt.Errorf("store: summary next steps: %w", err)
	}
	return &m, nil
}

// MarkSummaryPosting records that the summary's post is being sent.
func (s *Store) MarkSummaryPosting(ctx context.Context, f Fence, id int64) error {
	_, err := s.fencedExec(ctx, s.q, f, fmt.Sprintf("summary %d", id), `UPDATE summaries SET posting = 1 WHERE id = ?`, id)
	return err
}

// SetSummaryPost records the summary's post.
func (s *Store) SetSummaryPost(ctx context.Context, f Fence, id int64, ts string) error {
	_, err := s.fencedExec(ctx, s.q, f, fmt.Sprintf("summary %d", id), `UPDATE summaries SET post_ts = ? WHERE id = ?`, ts, id)
	return err
}

// HasSummary reports whether the summary of meeting instance uuid is
// recorded already.
func (s *Store) HasSummary(ctx context.Context, uuid string) (bool, error) {
	var n int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM summaries WHERE meeting_uuid = ?`, uuid).Scan(&n); err != nil {
		return false, fmt.Errorf("store: summary: %w", err)
	}
	return n > 0, nil
}

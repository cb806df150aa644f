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

// NewSummary is a call's AI Companion summary as Zoom gives it.
type NewSummary struct {
	MeetingID   int64
	MeetingUUID string // the instance summarised
	Overview    string
	NextSteps   []string
	// Started and Ended are when the instance ran, as Zoom says (zero:
	// Zoom did not say).
	Started, Ended time.Time
}

// SaveSummary records the summary of a meeting instance, if it was an
// incident's call (see OwnsInstance), and the job that posts it, in one
// transaction. The same instance's summary again (Zoom's retry, or the
// event by two routes) changes nothing. ENOTFOUND: no incident's call.
func (s *Store) SaveSummary(ctx context.Context, n NewSummary) (created bool, err error) {
	steps, _ := json.Marshal(nonNil(n.NextSteps))
	err = s.inTx(ctx, "summary", func(q txn) error {
		rec, err := findIncident(ctx, q, `meeting_id = ? AND meeting_id <> 0 ORDER BY id DESC LIMIT 1`, n.MeetingID)
		if warroom.ErrorCode(err) == warroom.ENOTFOUND {
			return warroom.Errorf(warroom.ENOTFOUND, "No incident has Zoom meeting %d.", n.MeetingID)
		}
		if err != nil {
			return fmt.Errorf("store: summary: %w", err)
		}
		if !rec.OwnsInstance(n.Started, n.Ended) {
			return warroom.Errorf(warroom.ENOTFOUND, "That run of the Zoom meeting was not the call of %s.", rec.Ref())
		}
		now := ms(q.now)
		var id int64
		err = q.QueryRowContext(ctx, `INSERT INTO summaries (incident_id, meeting_uuid, meeting_host, overview, next_steps, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (meeting_uuid) DO NOTHING RETURNING id`,
			rec.ID, n.MeetingUUID, rec.MeetingHost, n.Overview, string(steps), now).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // had it already
		}
		if err != nil {
			return fmt.Errorf("store: summary: %w", err)
		}
		created = true
		if err := addEvent(ctx, q, rec.ID, q.now, warroom.EventSummary, "", "", rec.MeetingHost); err != nil {
			return err
		}
		if err := enqueue(ctx, q, jobtype.IncidentSync{IncidentID: rec.ID}, now, now); err != nil {
			return err // the canvas shows the summary
		}
		return enqueue(ctx, q, jobtype.Summary{IncidentID: rec.ID, SummaryID: id}, now, now)
	})
	return created, err
}

// OwnsInstance reports whether a run of the incident's meeting that
// started at started and ended at ended (zero: unknown) was the
// incident's call, whose summary and the like belong in its channel. A
// meeting lives on after its incident: warroom's own bridge may be joined
// again later, and a meeting someone adopted (often their personal room)
// goes back to its owner. So a run belongs to the incident only if it
// started while the incident was open, and a resolved incident with an
// adopted meeting owns no run any more: what its owner does there next is
// not the incident's business, nor that channel's.
//
// Zoom's times are whole seconds: a run that ended in the second of the
// declare, or started in the second of the resolve, counts as the
// incident's. One whose start Zoom did not say cannot be told from a
// later one, and does not count once the incident is resolved.
func (r *Record) OwnsInstance(started, ended time.Time) bool {
	adopted := r.MeetingHost == ""
	switch {
	case adopted && !ended.IsZero() && ended.Before(r.CreatedAt.Truncate(time.Second)):
		return false // an earlier use of the meeting, by its owner
	case r.Status != warroom.StatusResolved:
		return true
	case adopted:
		return false
	}
	return !started.IsZero() && started.Before(r.ResolvedAt)
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
func (s *Store) MarkSummaryPosting(ctx context.Context, f jobtype.Fence, id int64) error {
	_, err := s.fencedExec(ctx, s.q, f, fmt.Sprintf("summary %d", id), `UPDATE summaries SET posting = 1 WHERE id = ?`, id)
	return err
}

// SetSummaryPost records the summary's post.
func (s *Store) SetSummaryPost(ctx context.Context, f jobtype.Fence, id int64, ts string) error {
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

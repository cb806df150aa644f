package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/warroom-dev/warroom/jobtype"
)

// The states of an incident's canvas.
const (
	CanvasCreating    = "creating"    // the create was sent; its answer may have been lost
	CanvasReady       = "ready"       // the canvas is there
	CanvasUnavailable = "unavailable" // the workspace will not have it: not tried again
)

// Canvas is what warroom knows of an incident channel's canvas (State ""
// when nothing was tried yet).
type Canvas struct {
	State    string
	CanvasID string
	Shows    string // fingerprint of the document last written
	Note     string // why it is unavailable
}

// Canvas returns the incident's canvas record.
func (s *Store) Canvas(ctx context.Context, incidentID int64) (Canvas, error) {
	var c Canvas
	err := s.q.QueryRowContext(ctx, `SELECT state, canvas_id, shows, note FROM canvases WHERE incident_id = ?`, incidentID).
		Scan(&c.State, &c.CanvasID, &c.Shows, &c.Note)
	if errors.Is(err, sql.ErrNoRows) {
		return Canvas{}, nil
	}
	if err != nil {
		return Canvas{}, fmt.Errorf("store: canvas of incident %d: %w", incidentID, err)
	}
	return c, nil
}

// SetCanvas records the incident's canvas (fenced by the sync's lease):
// "creating" before the create is sent, then "ready" with its ID and
// what it shows, or "unavailable" with why.
func (s *Store) SetCanvas(ctx context.Context, f jobtype.Fence, incidentID int64, c Canvas) error {
	return s.inTx(ctx, "canvas", func(q txn) error {
		// The row first (the fence check ends an UPDATE's WHERE clause);
		// a lost lease rolls it back with the rest.
		if _, err := q.ExecContext(ctx, `INSERT INTO canvases (incident_id, state, updated_at) VALUES (?, '', ?)
			ON CONFLICT (incident_id) DO NOTHING`, incidentID, ms(q.now)); err != nil {
			return fmt.Errorf("store: canvas of incident %d: %w", incidentID, err)
		}
		_, err := s.fencedExec(ctx, q, f, fmt.Sprintf("canvas of incident %d", incidentID),
			`UPDATE canvases SET state = ?, canvas_id = ?, shows = ?, note = ?, updated_at = ? WHERE incident_id = ?`,
			c.State, c.CanvasID, c.Shows, c.Note, ms(q.now), incidentID)
		return err
	})
}

// LatestSummary returns the newest AI summary of the incident's call (nil
// if Zoom wrote none).
func (s *Store) LatestSummary(ctx context.Context, incidentID int64) (*MeetingSummary, error) {
	var id int64
	err := s.q.QueryRowContext(ctx, `SELECT id FROM summaries WHERE incident_id = ? ORDER BY id DESC LIMIT 1`, incidentID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: summary of incident %d: %w", incidentID, err)
	}
	return s.Summary(ctx, id)
}

package store

import (
	"context"
	"fmt"
	"time"

	"github.com/warroom-dev/warroom"
)

const (
	maxEventsPerIncident = 500 // a longer timeline is cut from its start
	maxEventDetail       = 300 // characters
)

// addEvent records an event of the incident in q, the transaction that
// makes the change it tells of. zoomHost is the Zoom account the event's
// data came from ("" if none).
func addEvent(ctx context.Context, q querier, incidentID int64, at time.Time, kind warroom.EventKind, actor, detail, zoomHost string) error {
	if r := []rune(detail); len(r) > maxEventDetail {
		detail = string(r[:maxEventDetail]) + "…"
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO incident_events (incident_id, at, kind, actor, detail, zoom_host)
		VALUES (?, ?, ?, ?, ?, ?)`, incidentID, ms(at), string(kind), actor, detail, zoomHost); err != nil {
		return fmt.Errorf("store: record %s event of incident %d: %w", kind, incidentID, err)
	}
	return nil
}

// Timeline returns the incident's events, oldest first (the newest
// maxEventsPerIncident when there are more).
func (s *Store) Timeline(ctx context.Context, incidentID int64) ([]warroom.Event, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT at, kind, actor, detail FROM (SELECT id, at, kind, actor, detail
		FROM incident_events WHERE incident_id = ? ORDER BY at DESC, id DESC LIMIT ?) AS newest ORDER BY at, id`,
		incidentID, maxEventsPerIncident)
	if err != nil {
		return nil, fmt.Errorf("store: timeline of incident %d: %w", incidentID, err)
	}
	defer rows.Close()
	var out []warroom.Event
	for rows.Next() {
		var e warroom.Event
		var at int64
		var kind string
		if err := rows.Scan(&at, &kind, &e.Actor, &e.Detail); err != nil {
			return nil, fmt.Errorf("store: timeline of incident %d: %w", incidentID, err)
		}
		e.At, e.Kind = fromMS(at), warroom.EventKind(kind)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: timeline of incident %d: %w", incidentID, err)
	}
	return out, nil
}

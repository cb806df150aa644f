package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/warroom-dev/warroom/jobtype"
)

// ZoomEvent is one of Zoom's events, recorded and waiting to be applied.
type ZoomEvent struct {
	ID         int64
	IncidentID int64 // 0: an account's event (app_deauthorized)
	Event      string
	EventTS    int64
	Payload    string
}

// ReceiveZoomEvent records a Zoom event in one transaction with the mark
// that it was seen (key) and the job that applies it, so that an event is
// acknowledged — to Zoom's webhook, or read off the stream — only once it
// cannot be lost, and applying it can fail and be tried again. The event
// goes to the incident whose call, follow-up or awaited recording the
// meeting is, or to no incident when account is set (an account removed
// the app); an event of no incident's meeting is marked seen and dropped.
// recorded is false when the event was seen before, or is no business of
// warroom's.
func (s *Store) ReceiveZoomEvent(ctx context.Context, key string, ev ZoomEvent, meetingID int64, account bool) (recorded bool, err error) {
	err = s.inTx(ctx, "receive zoom event", func(q txn) error {
		recorded = false
		now := ms(q.now)
		res, err := q.ExecContext(ctx, `INSERT INTO events_seen (event_id, seen_at) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING`,
			key, now)
		if err != nil {
			return fmt.Errorf("store: zoom event: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // seen before
		}
		incident, err := meetingIncident(ctx, q, meetingID)
		if err != nil {
			return err
		}
		if incident == 0 && !account {
			return nil // not an incident's meeting
		}
		var inc any = incident
		if incident == 0 {
			inc = nil
		}
		var id int64
		if err := q.QueryRowContext(ctx, `INSERT INTO zoom_events (incident_id, event, event_ts, payload, received_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, inc, ev.Event, ev.EventTS, ev.Payload, now).Scan(&id); err != nil {
			return fmt.Errorf("store: zoom event: %w", err)
		}
		// An incident's events are applied in order, by one job; an
		// account's event by a job of its own.
		args := jobtype.ZoomEvents{IncidentID: incident}
		if incident == 0 {
			args.EventID = id
		}
		recorded = true
		return enqueue(ctx, q, args, now, now)
	})
	return recorded, err
}

// meetingIncident is the incident a Zoom meeting belongs to: the incident
// whose call it is, whose follow-up it is, or whose recording is awaited
// from it (a call since replaced); 0 if none.
func meetingIncident(ctx context.Context, q querier, meetingID int64) (int64, error) {
	if meetingID == 0 {
		return 0, nil
	}
	// A meeting adopted by two incidents belongs to the newer. A replaced
	// meeting whose Slack Call runs on still belongs to its incident.
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM (
			SELECT id, 1 AS rank FROM incidents WHERE meeting_id = ? AND meeting_id <> 0
			UNION ALL SELECT incident_id, 2 FROM followups WHERE meeting_id = ? AND meeting_id <> 0
			UNION ALL SELECT incident_id, 3 FROM recordings WHERE meeting_id = ?
			UNION ALL SELECT incident_id, 4 FROM slack_calls WHERE meeting_id = ? AND ended = 0
		) owners ORDER BY rank, id DESC LIMIT 1`, meetingID, meetingID, meetingID, meetingID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: zoom event's meeting: %w", err)
	}
	return id, nil
}

// PendingZoomEvents lists the events a jobtype.ZoomEvents job applies, in
// the order they came: an incident's (incidentID > 0), or the one event of
// no incident's, eventID.
func (s *Store) PendingZoomEvents(ctx context.Context, incidentID, eventID int64) ([]ZoomEvent, error) {
	where, arg := `incident_id = ?`, incidentID
	if incidentID == 0 {
		where, arg = `id = ?`, eventID
	}
	out, err := collect(ctx, s.q, func(row scanner) (ZoomEvent, error) {
		var e ZoomEvent
		err := row.Scan(&e.ID, &e.IncidentID, &e.Event, &e.EventTS, &e.Payload)
		return e, err
	}, `SELECT id, COALESCE(incident_id, 0), event, event_ts, payload FROM zoom_events WHERE `+where+` ORDER BY id`, arg)
	if err != nil {
		return nil, fmt.Errorf("store: zoom events: %w", err)
	}
	return out, nil
}

// DoneZoomEvent deletes an applied event: what it said now lives in the
// incident's state, and nothing of Zoom's is kept longer than needed.
func (s *Store) DoneZoomEvent(ctx context.Context, f jobtype.Fence, id int64) error {
	if err := s.checkFence(ctx, s.q, f); err != nil {
		return fmt.Errorf("store: zoom event %d: %w", id, err)
	}
	if _, err := s.q.ExecContext(ctx, `DELETE FROM zoom_events WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: zoom event %d: %w", id, err)
	}
	return nil
}

package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
)

// Alert is one alert of an Alertmanager notification, as the incident
// channel is told of it.
type Alert struct {
	Fingerprint string         `json:"fingerprint"`
	Firing      bool           `json:"firing"`
	Name        string         `json:"name"` // alertname and the labels that tell it from the group's others
	Links       []warroom.Link `json:"links,omitempty"`
}

// AlertNotification is one notification of an alert group.
type AlertNotification struct {
	GroupKey string
	// Declare is the incident to declare when the group has no open one
	// and an alert fires. Its DedupeKey is the store's to set: it is
	// derived from the group and its generation.
	Declare NewIncident
	Alerts  []Alert
}

// AlertOutcome is what a notification did.
type AlertOutcome struct {
	// IncidentID is the group's open incident; 0 when the notification
	// had nothing firing and the group no open incident.
	IncidentID int64
	Created    bool // the notification declared it
	Noted      bool // a change was recorded for its channel
}

// AlertNote is a change of an alert group to tell its incident's channel.
type AlertNote struct {
	ID         int64         `json:"-"`
	IncidentID int64         `json:"-"`
	Posting    bool          `json:"-"`
	Body       AlertNoteBody `json:"-"`
}

// AlertNoteBody is what a note says.
type AlertNoteBody struct {
	// First is the note of the notification that declared the incident:
	// it lists the alerts and the incident's links.
	First       bool           `json:"first,omitempty"`
	Firing      []Alert        `json:"firing,omitempty"`
	Resolved    []Alert        `json:"resolved,omitempty"`
	AllResolved bool           `json:"all_resolved,omitempty"`
	Links       []warroom.Link `json:"links,omitempty"`
}

// AlertDedupeKey is the declare's dedupe key of a group's generation:
// the group key hashed (Alertmanager's keys are long and hold any label
// text) and the generation.
func AlertDedupeKey(groupKey string, generation int) string {
	sum := sha256.Sum256([]byte(groupKey))
	return "alert:" + hex.EncodeToString(sum[:]) + ":" + strconv.Itoa(generation)
}

// ReceiveAlerts records a notification of an alert group in one
// transaction: the group's incident (declared when it has no open one and
// an alert fires), each alert's state, and a note of what changed with
// the job that posts it. Repeated and concurrent notifications, to this
// replica or another, find the same incident and record a change once.
func (s *Store) ReceiveAlerts(ctx context.Context, n AlertNotification) (AlertOutcome, error) {
	var out AlertOutcome
	err := s.inTx(ctx, "receive alerts", func(q txn) error {
		var err error
		out, err = s.receiveAlerts(ctx, q, n)
		return err
	})
	if err != nil {
		return AlertOutcome{}, err
	}
	return out, nil
}

func (s *Store) receiveAlerts(ctx context.Context, q txn, n AlertNotification) (AlertOutcome, error) {
	var out AlertOutcome
	now := ms(q.now)
	var (
		incidentID          int64
		generation, allDone int
		status              string
	)
	err := q.QueryRowContext(ctx, `SELECT g.incident_id, g.generation, g.all_resolved, i.status
		FROM alert_groups g JOIN incidents i ON i.id = g.incident_id WHERE g.group_key = ?`, n.GroupKey).
		Scan(&incidentID, &generation, &allDone, &status)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("store: alert group: %w", err)
	}
	open := err == nil && status == string(warroom.StatusActive)
	if !open {
		if !anyFiring(n.Alerts) {
			return out, nil // nothing fires and nothing is open: nothing to tell anyone
		}
		d := n.Declare
		d.DedupeKey = AlertDedupeKey(n.GroupKey, generation+1)
		rec, created, err := s.declare(ctx, q, d)
		if err != nil {
			return out, err
		}
		incidentID, generation, allDone, out.Created = rec.ID, generation+1, 0, created
		if _, err := q.ExecContext(ctx, `INSERT INTO alert_groups (group_key, incident_id, generation, all_resolved, updated_at)
			VALUES (?, ?, ?, 0, ?) ON CONFLICT (group_key) DO UPDATE SET
			incident_id = excluded.incident_id, generation = excluded.generation, all_resolved = 0, updated_at = excluded.updated_at`,
			n.GroupKey, incidentID, generation, now); err != nil {
			return out, fmt.Errorf("store: alert group: %w", err)
		}
	}
	out.IncidentID = incidentID
	body, err := s.alertChanges(ctx, q, incidentID, n.Alerts)
	if err != nil {
		return out, err
	}
	body.First = out.Created
	if out.Created {
		body.Links = n.Declare.Origin.Links
	}
	if err := s.noteAllResolved(ctx, q, n.GroupKey, incidentID, allDone == 1, &body); err != nil {
		return out, err
	}
	if !body.First && len(body.Firing) == 0 && len(body.Resolved) == 0 && !body.AllResolved {
		return out, nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return out, fmt.Errorf("store: alert note: %w", err)
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO alert_notes (incident_id, body, created_at) VALUES (?, ?, ?)`,
		incidentID, string(b), now); err != nil {
		return out, fmt.Errorf("store: alert note: %w", err)
	}
	if err := enqueue(ctx, q, jobtype.AlertNotes{IncidentID: incidentID}, now, now); err != nil {
		return out, fmt.Errorf("store: alert note: %w", err)
	}
	out.Noted = true
	return out, nil
}

func anyFiring(alerts []Alert) bool {
	for _, a := range alerts {
		if a.Firing {
			return true
		}
	}
	return false
}

// alertChanges records each alert's state and returns those that changed:
// newly firing (or firing again), and resolved after firing. An alert first
// seen resolved is recorded but not told: nobody saw it fire.
func (s *Store) alertChanges(ctx context.Context, q txn, incidentID int64, alerts []Alert) (AlertNoteBody, error) {
	var body AlertNoteBody
	seen := map[string]bool{}
	for _, a := range alerts {
		if a.Fingerprint == "" || seen[a.Fingerprint] {
			continue
		}
		seen[a.Fingerprint] = true
		var firing int
		err := q.QueryRowContext(ctx, `SELECT firing FROM alert_states WHERE incident_id = ? AND fingerprint = ?`,
			incidentID, a.Fingerprint).Scan(&firing)
		known := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return body, fmt.Errorf("store: alert state: %w", err)
		}
		if known && (firing == 1) == a.Firing {
			continue
		}
		switch {
		case a.Firing:
			body.Firing = append(body.Firing, a)
		case known:
			body.Resolved = append(body.Resolved, a)
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO alert_states (incident_id, fingerprint, firing, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (incident_id, fingerprint) DO UPDATE SET firing = excluded.firing, updated_at = excluded.updated_at`,
			incidentID, a.Fingerprint, boolInt(a.Firing), ms(q.now)); err != nil {
			return body, fmt.Errorf("store: alert state: %w", err)
		}
	}
	return body, nil
}

// noteAllResolved sets body.AllResolved when the group's last firing alert
// just resolved, once until an alert fires again.
func (s *Store) noteAllResolved(ctx context.Context, q txn, groupKey string, incidentID int64, told bool, body *AlertNoteBody) error {
	var firing, known int
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(firing), 0), COUNT(*) FROM alert_states WHERE incident_id = ?`,
		incidentID).Scan(&firing, &known); err != nil {
		return fmt.Errorf("store: alert states: %w", err)
	}
	all := known > 0 && firing == 0
	if all == told {
		return nil
	}
	body.AllResolved = all && len(body.Resolved) > 0
	if _, err := q.ExecContext(ctx, `UPDATE alert_groups SET all_resolved = ?, updated_at = ? WHERE group_key = ?`,
		boolInt(all), ms(q.now), groupKey); err != nil {
		return fmt.Errorf("store: alert group: %w", err)
	}
	return nil
}

// PendingAlertNotes lists the incident's notes not yet posted, oldest first.
func (s *Store) PendingAlertNotes(ctx context.Context, incidentID int64) ([]AlertNote, error) {
	notes, err := collect(ctx, s.q, scanAlertNote, `SELECT id, incident_id, posting, body FROM alert_notes
		WHERE incident_id = ? AND done = 0 ORDER BY id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("store: alert notes: %w", err)
	}
	return notes, nil
}

func scanAlertNote(row scanner) (AlertNote, error) {
	var n AlertNote
	var body string
	if err := row.Scan(&n.ID, &n.IncidentID, intBool{&n.Posting}, &body); err != nil {
		return n, err
	}
	if err := json.Unmarshal([]byte(body), &n.Body); err != nil {
		return n, fmt.Errorf("alert note %d: %w", n.ID, err)
	}
	return n, nil
}

// MarkAlertNotePosting records the intent to post the note.
func (s *Store) MarkAlertNotePosting(ctx context.Context, f jobtype.Fence, id int64) error {
	_, err := s.fencedExec(ctx, s.q, f, fmt.Sprintf("alert note %d", id), `UPDATE alert_notes SET posting = 1 WHERE id = ?`, id)
	return err
}

// DoneAlertNote records the note's post.
func (s *Store) DoneAlertNote(ctx context.Context, f jobtype.Fence, id int64, ts string) error {
	_, err := s.fencedExec(ctx, s.q, f, fmt.Sprintf("alert note %d", id),
		`UPDATE alert_notes SET done = 1, post_ts = ? WHERE id = ?`, ts, id)
	return err
}

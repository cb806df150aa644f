package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/store"
)

func alertNotification(group string, alerts ...store.Alert) store.AlertNotification {
	return store.AlertNotification{GroupKey: group, Alerts: alerts,
		Declare: store.NewIncident{Title: "HighLatency", FullTitle: "HighLatency", Severity: warroom.SEV2,
			Origin: warroom.Origin{Door: warroom.DoorAlert, By: "Alertmanager",
				Links: []warroom.Link{{Title: "Source", URL: "http://prometheus/graph"}}}}}
}

func firing(fp string) store.Alert {
	return store.Alert{Fingerprint: fp, Firing: true, Name: "HighLatency " + fp}
}
func resolved(fp string) store.Alert { return store.Alert{Fingerprint: fp, Name: "HighLatency " + fp} }

func mustReceive(tb testing.TB, s *store.Store, n store.AlertNotification) store.AlertOutcome {
	tb.Helper()
	out, err := s.ReceiveAlerts(context.Background(), n)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// Notifications of one group, however many arrive at once, make one
// incident and one note of its first alerts.
func TestConcurrentAlertNotificationsMakeOneIncident(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	const n = 8
	outs := make([]store.AlertOutcome, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i] = mustReceive(t, s, alertNotification(`{}:{alertname="HighLatency"}`, firing("a")))
		}()
	}
	wg.Wait()
	created, noted := 0, 0
	for _, o := range outs {
		if o.IncidentID != outs[0].IncidentID {
			t.Errorf("incidents %d and %d for one group", o.IncidentID, outs[0].IncidentID)
		}
		created += map[bool]int{true: 1}[o.Created]
		noted += map[bool]int{true: 1}[o.Noted]
	}
	if created != 1 || noted != 1 {
		t.Errorf("created %d, noted %d; want 1 and 1", created, noted)
	}
	recs, _ := s.Incidents(context.Background())
	if len(recs) != 1 {
		t.Fatalf("%d incidents, want 1", len(recs))
	}
	if got := recs[0].Origin; got.Door != warroom.DoorAlert || len(got.Links) != 1 {
		t.Errorf("origin %+v", got)
	}
	notes, err := s.PendingAlertNotes(context.Background(), outs[0].IncidentID)
	if err != nil || len(notes) != 1 || !notes[0].Body.First || len(notes[0].Body.Firing) != 1 || len(notes[0].Body.Links) != 1 {
		t.Fatalf("notes %+v, %v; want the first note with its alert and links", notes, err)
	}
}

// Later notifications note only what changed, once; all resolved is noted
// once; once people resolve the incident, the group's next firing declares
// a new one, and a resolved group with nothing open declares nothing.
func TestAlertNotificationsNoteChangesOnce(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	const group = `{}:{alertname="HighLatency"}`
	first := mustReceive(t, s, alertNotification(group, firing("a")))
	id := first.IncidentID
	if o := mustReceive(t, s, alertNotification(group, firing("a"))); o.Noted || o.Created || o.IncidentID != id {
		t.Errorf("a repeat: %+v", o)
	}
	if o := mustReceive(t, s, alertNotification(group, firing("a"), firing("b"))); !o.Noted || o.Created {
		t.Errorf("a new alert: %+v", o)
	}
	mustReceive(t, s, alertNotification(group, firing("a"), firing("b")))
	if o := mustReceive(t, s, alertNotification(group, resolved("a"), firing("b"))); !o.Noted {
		t.Errorf("an alert resolved: %+v", o)
	}
	if o := mustReceive(t, s, alertNotification(group, resolved("a"), resolved("b"))); !o.Noted {
		t.Errorf("all resolved: %+v", o)
	}
	if o := mustReceive(t, s, alertNotification(group, resolved("a"), resolved("b"))); o.Noted {
		t.Errorf("all resolved again: %+v", o)
	}
	notes, err := s.PendingAlertNotes(ctx, id)
	if err != nil || len(notes) != 4 {
		t.Fatalf("%d notes, %v; want 4", len(notes), err)
	}
	if b := notes[1].Body; b.First || len(b.Firing) != 1 || b.Firing[0].Fingerprint != "b" {
		t.Errorf("second note %+v, want b firing", b)
	}
	if b := notes[2].Body; len(b.Resolved) != 1 || b.Resolved[0].Fingerprint != "a" || b.AllResolved {
		t.Errorf("third note %+v, want a resolved", b)
	}
	if b := notes[3].Body; len(b.Resolved) != 1 || !b.AllResolved {
		t.Errorf("fourth note %+v, want b resolved and all resolved", b)
	}
	// The job posts them; its marks are fenced by its lease.
	if err := s.MarkAlertNotePosting(ctx, jobtype.Fence{}, notes[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DoneAlertNote(ctx, jobtype.Fence{}, notes[0].ID, "1.1"); err != nil {
		t.Fatal(err)
	}
	if left, _ := s.PendingAlertNotes(ctx, id); len(left) != 3 {
		t.Errorf("%d notes left after one was posted, want 3", len(left))
	}

	if _, _, err := s.Resolve(ctx, id, "", store.ResolveOptions{}); err != nil {
		t.Fatal(err)
	}
	if o := mustReceive(t, s, alertNotification(group, resolved("a"))); o.IncidentID != 0 || o.Noted {
		t.Errorf("resolved alerts of a group with nothing open: %+v", o)
	}
	again := mustReceive(t, s, alertNotification(group, firing("a")))
	if !again.Created || again.IncidentID == id {
		t.Errorf("the group firing after its incident was resolved: %+v, want a new incident", again)
	}
	rec, err := s.Incident(ctx, again.IncidentID)
	if err != nil || rec.DedupeKey != store.AlertDedupeKey(group, 2) {
		t.Errorf("the new incident's dedupe key: %v, %v", rec, err)
	}
}

package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/store"
)

// A Zoom event is recorded once, with the job that applies it, for the
// incident whose call it is; one of a meeting that is no incident's is
// marked seen and kept nowhere; an account's event (app_deauthorized) is
// recorded without an incident.
func TestZoomEventsAreRecordedOnceForTheirIncident(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Now()}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	rec, _, _ := s.Declare(ctx, newIncident("evented"))
	mustHost(t, s, "host@example.com")
	s.SetMeeting(ctx, jobtype.Fence{}, rec.ID, 0, "host@example.com", warroom.Meeting{ID: 811, JoinURL: "https://z/j/811"})

	ev := store.ZoomEvent{Event: "meeting.started", EventTS: 1, Payload: `{"object":{"id":811}}`}
	for i, want := range []bool{true, false} { // the second is a redelivery
		got, err := s.ReceiveZoomEvent(ctx, "zoom:k1", ev, 811, false)
		if err != nil || got != want {
			t.Fatalf("delivery %d: recorded %v (%v), want %v", i+1, got, err, want)
		}
	}
	if got, err := s.ReceiveZoomEvent(ctx, "zoom:k2", store.ZoomEvent{Event: "meeting.started", EventTS: 2, Payload: `{}`}, 999, false); err != nil || got {
		t.Fatalf("an event of no incident's meeting: recorded %v (%v)", got, err)
	}
	if got, err := s.ReceiveZoomEvent(ctx, "zoom:k3", store.ZoomEvent{Event: "app_deauthorized", EventTS: 3, Payload: `{"user_id":"u"}`}, 0, true); err != nil || !got {
		t.Fatalf("an account's event: recorded %v (%v)", got, err)
	}
	evs, err := s.PendingZoomEvents(ctx, rec.ID, 0)
	if err != nil || len(evs) != 1 || evs[0].Event != "meeting.started" {
		t.Fatalf("the incident's pending events: %+v (%v)", evs, err)
	}
	jobs, _ := s.PendingJobs(ctx)
	kinds := []string{}
	for _, j := range jobs {
		kinds = append(kinds, j.Kind)
	}
	if got := strings.Count(strings.Join(kinds, ","), jobtype.KindZoomEvents); got != 2 {
		t.Errorf("%d zoom_events jobs (%v), want 2: the incident's and the account's", got, kinds)
	}
	if err := s.DoneZoomEvent(ctx, jobtype.Fence{}, evs[0].ID); err != nil {
		t.Fatal(err)
	}
	if evs, _ := s.PendingZoomEvents(ctx, rec.ID, 0); len(evs) != 0 {
		t.Errorf("an applied event is kept: %+v", evs)
	}
}

// Every Zoom event looks its meeting up: the lookup reads an index, not
// the incidents table (inside a serializable transaction on PostgreSQL,
// a scan would conflict with every other write).
func TestMeetingLookupsUseAnIndex(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), &clock{t: time.Now()})
	explain := `EXPLAIN QUERY PLAN `
	if testEngine == "postgres" {
		explain = `EXPLAIN `
	}
	for _, q := range []string{
		`SELECT id FROM incidents WHERE meeting_id = 811 AND meeting_id <> 0`,
		`SELECT incident_id FROM followups WHERE meeting_id = 811 AND meeting_id <> 0`,
		`SELECT incident_id FROM recordings WHERE meeting_id = 811`,
	} {
		conn, err := s.DB().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if testEngine == "postgres" {
			// A tiny table is scanned whatever its indexes: plan as if it were big.
			if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := conn.QueryContext(ctx, explain+q)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					plan = append(plan, string(b))
				} else if s, ok := v.(string); ok {
					plan = append(plan, s)
				}
			}
		}
		rows.Close()
		conn.Close()
		if p := strings.Join(plan, " "); !strings.Contains(strings.ToLower(p), "index") {
			t.Errorf("%s reads no index: %s", q, p)
		}
	}
}

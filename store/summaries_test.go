package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/store"
)

// A summary is kept only for the run of the meeting that was the
// incident's call: warroom's bridge, for a run that started before the
// resolve (its summary may come after); a meeting someone adopted, only
// while the incident is open — resolved, the meeting is its owner's again.
func TestSummaryKeptOnlyForTheIncidentsOwnRun(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	mustHost(t, s, "h")
	save := func(meeting int64, uuid string, started, ended time.Time) error {
		_, err := s.SaveSummary(ctx, store.NewSummary{MeetingID: meeting, MeetingUUID: uuid, Overview: "o", Started: started, Ended: ended})
		return err
	}
	declared := c.Now()

	bridge, _, _ := s.Declare(ctx, newIncident("bridge"))
	s.SetMeeting(ctx, jobtype.Fence{}, bridge.ID, 0, "h", warroom.Meeting{ID: 7, JoinURL: "https://z/j/7"})
	adopted, _, _ := s.Declare(ctx, newIncident("adopted"))
	if _, err := s.AdoptMeeting(ctx, adopted.ID, warroom.Meeting{ID: 9, JoinURL: "https://z/j/9"}); err != nil {
		t.Fatal(err)
	}
	// The owner's run of their room that ended before the incident began.
	if err := save(9, "before==", declared.Add(-time.Hour), declared.Add(-time.Minute)); warroom.ErrorCode(err) != warroom.ENOTFOUND {
		t.Errorf("a run of the adopted meeting that ended before the incident: %v, want ENOTFOUND", err)
	}
	c.Add(10 * time.Minute)
	if err := save(9, "during==", declared.Add(time.Minute), time.Time{}); err != nil {
		t.Errorf("the adopted meeting's run while the incident is open: %v", err)
	}
	for _, rec := range []*store.Record{bridge, adopted} {
		if _, _, err := s.Resolve(ctx, rec.ID, "", store.ResolveOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	resolved := c.Now()
	c.Add(5 * time.Minute)

	if err := save(7, "call==", declared.Add(time.Minute), resolved.Add(2*time.Minute)); err != nil {
		t.Errorf("the bridge's run of the incident, summarised after the resolve: %v", err)
	}
	if err := save(7, "reused==", resolved.Add(time.Minute), resolved.Add(3*time.Minute)); warroom.ErrorCode(err) != warroom.ENOTFOUND {
		t.Errorf("a run of the bridge started after the resolve: %v, want ENOTFOUND", err)
	}
	if err := save(7, "unknown==", time.Time{}, time.Time{}); warroom.ErrorCode(err) != warroom.ENOTFOUND {
		t.Errorf("a run of the bridge Zoom gave no start for, after the resolve: %v, want ENOTFOUND", err)
	}
	for _, started := range []time.Time{declared.Add(2 * time.Minute), resolved.Add(time.Hour)} {
		if err := save(9, "later-"+started.Format("150405")+"==", started, time.Time{}); warroom.ErrorCode(err) != warroom.ENOTFOUND {
			t.Errorf("the adopted meeting's run (started %s) after the resolve: %v, want ENOTFOUND", started, err)
		}
	}
	var n int
	s.DB().QueryRow(`SELECT COUNT(*) FROM summaries`).Scan(&n)
	if n != 2 {
		t.Errorf("%d summaries kept, want the bridge's and the adopted meeting's run during the incident", n)
	}
}

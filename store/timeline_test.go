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

// Each change writes its line of the timeline in its own transaction: a
// refused change (ECONFLICT) writes none, a repeated Zoom event none.
func TestTimelineTellsEachChangeOnce(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	n := newIncident("k")
	n.Origin = warroom.Origin{Door: warroom.DoorAPI}
	rec, _, err := s.Declare(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	mustHost(t, s, "h")
	s.SetMeeting(ctx, jobtype.Fence{}, rec.ID, 0, "h", warroom.Meeting{ID: 7, JoinURL: "https://z/j/7"})
	s.SetSeverity(ctx, rec.ID, warroom.SEV1)
	s.SetSeverity(ctx, rec.ID, warroom.SEV1) // refused: it is SEV1 already
	s.SetCommander(ctx, rec.ID, "U2")
	t0 := c.Now()
	for _, p := range []struct {
		name    string
		present bool
		at      time.Time
	}{
		{"Alice", true, t0},
		{"Alice", true, t0},                       // Zoom's retry
		{"Bob", false, t0.Add(time.Minute)},       // never seen joining
		{"Alice", false, t0.Add(3 * time.Minute)}, // leaves
		{"Alice", true, t0.Add(2 * time.Minute)},  // her join, late
	} {
		if _, err := s.SetParticipantNamed(ctx, 7, "name:"+p.name, p.name, p.present, p.at); err != nil {
			t.Fatal(err)
		}
	}
	c.Add(time.Hour)
	if _, _, err := s.Resolve(ctx, rec.ID, "fixed", store.ResolveOptions{Followup: true, FollowupFor: 30 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	events, err := s.Timeline(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, string(e.Kind)+":"+e.Actor+":"+e.Detail)
	}
	want := []string{"declared:U1:api", "severity::SEV1", "commander::U2", "joined::Alice", "left::Alice",
		"resolved::", "followup_scheduled::1"}
	if len(got) != len(want) {
		t.Fatalf("timeline = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("timeline[%d] = %q, want %q", i, got[i], want[i])
		}
	}

	// The participants' names came from the Zoom account: they go with it.
	if _, err := s.RemoveZoomHost(ctx, "h"); err != nil {
		t.Fatal(err)
	}
	events, _ = s.Timeline(ctx, rec.ID)
	for _, e := range events {
		if e.Kind == warroom.EventJoined || e.Kind == warroom.EventLeft {
			t.Errorf("after the account's removal the timeline still has %+v", e)
		}
	}
}

func TestCanvasRecord(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), &clock{t: time.Now()})
	rec, _, _ := s.Declare(ctx, newIncident("k"))
	if c, err := s.Canvas(ctx, rec.ID); err != nil || c.State != "" {
		t.Fatalf("before anything: %+v, %v", c, err)
	}
	for _, want := range []store.Canvas{{State: store.CanvasCreating}, {State: store.CanvasReady, CanvasID: "F1", Shows: "fp"}} {
		if err := s.SetCanvas(ctx, jobtype.Fence{}, rec.ID, want); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Canvas(ctx, rec.ID); err != nil || got != want {
			t.Errorf("canvas = %+v, %v; want %+v", got, err, want)
		}
	}
}

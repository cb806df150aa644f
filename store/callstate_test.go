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

// A meeting someone adopted (their personal room) is theirs again once
// the incident is resolved: its later use changes nothing the incident
// shows, and nobody of that later meeting is counted. The end of the run
// that was going on at the resolve still counts.
func TestAnAdoptedMeetingIsItsOwnersAgainOnceResolved(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	rec, _, _ := s.Declare(ctx, newIncident("adopted"))
	if _, err := s.AdoptMeeting(ctx, rec.ID, warroom.Meeting{ID: 55, JoinURL: "https://z/j/55"}); err != nil {
		t.Fatal(err)
	}
	if _, changed, err := s.SetMeetingStatus(ctx, 55, warroom.MeetingStarted, c.Now()); err != nil || !changed {
		t.Fatalf("the incident's own run: changed %v, %v", changed, err)
	}
	c.Add(time.Minute)
	if _, _, err := s.Resolve(ctx, rec.ID, "fixed", store.ResolveOptions{}); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Minute)
	if _, changed, err := s.SetMeetingStatus(ctx, 55, warroom.MeetingEnded, c.Now()); err != nil || !changed {
		t.Fatalf("the end of the run going on at the resolve: changed %v, %v", changed, err)
	}
	// Days later the owner uses their room again.
	c.Add(72 * time.Hour)
	if _, changed, err := s.SetMeetingStatus(ctx, 55, warroom.MeetingStarted, c.Now()); err != nil || changed {
		t.Errorf("a later use of the adopted room changed the incident: changed %v, %v", changed, err)
	}
	if changed, err := s.SetParticipant(ctx, 55, "salary-review-guest", true, c.Now()); err != nil || changed {
		t.Errorf("a later meeting's participant changed the incident: changed %v, %v", changed, err)
	}
	got, _ := s.Incident(ctx, rec.ID)
	if got.Meeting.Status != warroom.MeetingEnded || got.Meeting.People != 0 {
		t.Errorf("the resolved incident shows %q with %d people", got.Meeting.Status, got.Meeting.People)
	}
	var kept int
	s.DB().QueryRow(`SELECT COUNT(*) FROM participants WHERE meeting_id = 55`).Scan(&kept)
	if kept != 0 {
		t.Errorf("%d people of a later, unrelated meeting are kept", kept)
	}
}

// Who was in a call is forgotten when it ends: the same meeting started
// again counts only who joins it then, and a late leave of the ended run
// changes nothing.
func TestARestartedMeetingCountsOnlyItsOwnPeople(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	rec, _, _ := s.Declare(ctx, newIncident("restarted"))
	mustHost(t, s, "host@example.com")
	s.SetMeeting(ctx, jobtype.Fence{}, rec.ID, 0, "host@example.com", warroom.Meeting{ID: 77, JoinURL: "https://z/j/77"})
	t0 := c.Now()
	s.SetMeetingStatus(ctx, 77, warroom.MeetingStarted, t0)
	for _, who := range []string{"alice", "bob", "carol"} {
		s.SetParticipant(ctx, 77, who, true, t0.Add(time.Minute))
	}
	// The meeting ends with three people still counted (their leaves
	// were never sent).
	s.SetMeetingStatus(ctx, 77, warroom.MeetingEnded, t0.Add(30*time.Minute))
	s.SetParticipant(ctx, 77, "alice", false, t0.Add(29*time.Minute)) // late
	s.SetMeetingStatus(ctx, 77, warroom.MeetingStarted, t0.Add(2*time.Hour))
	s.SetParticipant(ctx, 77, "dave", true, t0.Add(2*time.Hour+time.Minute))
	got, _ := s.Incident(ctx, rec.ID)
	if got.Meeting.People != 1 {
		t.Errorf("the restarted call counts %d people, want 1 (only dave joined it)", got.Meeting.People)
	}
}

// Seen event IDs are kept long enough to recognise redeliveries, then
// pruned, like finished jobs: neither table grows forever.
func TestPruneForgetsWhatIsKeptOnlyForAWhile(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	for _, id := range []string{"Ev1", "Ev2"} {
		if seen, err := s.SeenEvent(ctx, id); err != nil || seen {
			t.Fatal(err)
		}
	}
	c.Add(store.SeenFor + time.Hour)
	if seen, _ := s.SeenEvent(ctx, "Ev3"); seen {
		t.Fatal("a new event seen before")
	}
	n, err := s.Prune(ctx)
	if err != nil || n != 2 {
		t.Fatalf("pruned %d rows (%v), want the 2 old event IDs", n, err)
	}
	if seen, _ := s.SeenEvent(ctx, "Ev3"); !seen {
		t.Error("a recent event ID was pruned")
	}
}

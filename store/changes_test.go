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

func TestLifecycleChanges(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Now()}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	n := newIncident("k")
	n.Responders = []string{"U2", "U3"}
	rec, _, _ := s.Declare(ctx, n)
	if rec.Commander != "U1" || len(rec.Responders) != 2 {
		t.Fatalf("new incident: commander %q responders %v", rec.Commander, rec.Responders)
	}
	mustHost(t, s, "host@example.com")
	s.SetMeeting(ctx, jobtype.Fence{}, rec.ID, 0, "host@example.com", warroom.Meeting{ID: 811, JoinURL: "https://z/j/811"})
	if before, err := s.SetSeverity(ctx, rec.ID, warroom.SEV1); err != nil || before.Severity != warroom.SEV2 {
		t.Fatalf("severity: before %v, %v", before, err)
	}
	if _, err := s.SetSeverity(ctx, rec.ID, warroom.SEV1); warroom.ErrorCode(err) != warroom.ECONFLICT {
		t.Fatalf("the same severity again: %v, want ECONFLICT", err)
	}
	s.SetCommander(ctx, rec.ID, "U3")
	if _, err := s.SetCommander(ctx, rec.ID, "U3"); warroom.ErrorCode(err) != warroom.ECONFLICT {
		t.Fatalf("the same commander again: %v, want ECONFLICT", err)
	}
	if id, changed, err := s.SetMeetingStatus(ctx, 811, warroom.MeetingStarted, c.Now()); err != nil || id != rec.ID || !changed {
		t.Fatalf("meeting status: %d %v %v", id, changed, err)
	}
	if _, _, err := s.Resolve(ctx, rec.ID, "rolled back", store.ResolveOptions{}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Incident(ctx, rec.ID)
	if got.Severity != warroom.SEV1 || got.Commander != "U3" || got.Status != warroom.StatusResolved ||
		got.Summary != "rolled back" || got.ResolvedAt.IsZero() || got.Meeting.Status != warroom.MeetingStarted {
		t.Fatalf("after changes: %+v", got.Incident)
	}
	if _, err := s.ReplaceMeeting(ctx, rec.ID); warroom.ErrorCode(err) != warroom.EINVALID {
		t.Fatalf("call new on a resolved incident: %v", err)
	}
	s.Reopen(ctx, rec.ID)
	if _, err := s.Reopen(ctx, rec.ID); warroom.ErrorCode(err) != warroom.ECONFLICT {
		t.Fatalf("reopening an active incident: %v", err)
	}
	if _, err := s.ReplaceMeeting(ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Incident(ctx, rec.ID)
	retired, _ := s.RetiredMeetings(ctx, rec.ID)
	if got.Status != warroom.StatusActive || got.Meeting != nil || got.MeetingSeq != 1 || got.Call != warroom.CallPending ||
		len(retired) != 1 || retired[0].MeetingID != 811 {
		t.Fatalf("after replace: %+v %+v retired %+v", got.Incident, got.Progress, retired)
	}
	d := warroom.DefaultMeetingDefaults()
	d.WaitingRoom, d.JoinBeforeHost, d.AutoRecording = true, false, "cloud"
	s.SetMeetingDefaults(ctx, d)
	if back, _ := s.MeetingDefaults(ctx); back != d {
		t.Errorf("meeting defaults = %+v, want %+v", back, d)
	}
	if seen, _ := s.SeenEvent(ctx, "Ev1"); seen {
		t.Error("new event reported as seen")
	}
	if seen, _ := s.SeenEvent(ctx, "Ev1"); !seen {
		t.Error("redelivered event not recognised")
	}
}

// Two people resolving at the same moment: one resolves, the other hears
// it is resolved already, and the winner's summary is the one kept.
func TestConcurrentResolvesResolveOnce(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), &clock{t: time.Now()})
	rec, _, _ := s.Declare(ctx, newIncident("k"))
	var wg sync.WaitGroup
	results := make([]error, 8)
	summaries := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	for i := range results {
		wg.Go(func() {
			_, _, results[i] = s.Resolve(ctx, rec.ID, summaries[i], store.ResolveOptions{Followup: true, FollowupFor: 30 * time.Minute})
		})
	}
	wg.Wait()
	won := ""
	for i, err := range results {
		switch warroom.ErrorCode(err) {
		case "":
			if won != "" {
				t.Fatalf("two resolves won: %q and %q", won, summaries[i])
			}
			won = summaries[i]
		case warroom.ECONFLICT:
		default:
			t.Fatalf("resolve %d: %v", i, err)
		}
	}
	got, _ := s.Incident(ctx, rec.ID)
	if won == "" || got.Summary != won {
		t.Fatalf("summary %q, want the winner's %q", got.Summary, won)
	}
	if fs, _ := s.Followups(ctx, rec.ID); len(fs) != 1 {
		t.Fatalf("%d follow-ups scheduled, want 1", len(fs))
	}
}

// A meeting made for a call that was replaced meanwhile is retired, not
// made current, and an attempt for an old call is refused before Zoom is
// asked.
func TestMeetingOfAReplacedCallIsRetired(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), &clock{t: time.Now()})
	rec, _, _ := s.Declare(ctx, newIncident("k"))
	mustHost(t, s, "h1")
	if err := s.RecordMeetingAttempt(ctx, jobtype.Fence{}, rec.ID, store.MeetingAttempt{Seq: 0, Tag: "[t0]", Host: "h1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReplaceMeeting(ctx, rec.ID); err != nil { // while meeting 0 is being made
		t.Fatal(err)
	}
	current, err := s.SetMeeting(ctx, jobtype.Fence{}, rec.ID, 0, "h1", warroom.Meeting{ID: 100, JoinURL: "https://z/j/100"})
	if err != nil || current {
		t.Fatalf("meeting 0 made after the replace: current=%v %v", current, err)
	}
	if err := s.RecordMeetingAttempt(ctx, jobtype.Fence{}, rec.ID, store.MeetingAttempt{Seq: 0, Tag: "[t0]", Host: "h1"}); warroom.ErrorCode(err) != warroom.ECONFLICT {
		t.Fatalf("an attempt for the replaced call: %v, want ECONFLICT", err)
	}
	retired, _ := s.RetiredMeetings(ctx, rec.ID)
	if len(retired) != 2 || retired[0].Tag != "[t0]" || retired[1].MeetingID != 100 {
		t.Fatalf("retired %+v, want the in-flight tag and then meeting 100", retired)
	}
	got, _ := s.Incident(ctx, rec.ID)
	if got.Meeting != nil || got.MeetingSeq != 1 {
		t.Fatalf("incident took the replaced call's meeting: %+v", got.Meeting)
	}
}

// Zoom retries webhooks: a meeting.started arriving after the
// meeting.ended that followed it changes nothing.
func TestOlderMeetingEventsDoNotWin(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), &clock{t: time.Now()})
	rec, _, _ := s.Declare(ctx, newIncident("k"))
	mustHost(t, s, "h")
	s.SetMeeting(ctx, jobtype.Fence{}, rec.ID, 0, "h", warroom.Meeting{ID: 7, JoinURL: "https://z/j/7"})
	t0 := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	s.SetMeetingStatus(ctx, 7, warroom.MeetingStarted, t0)
	s.SetMeetingStatus(ctx, 7, warroom.MeetingEnded, t0.Add(time.Hour))
	if _, changed, err := s.SetMeetingStatus(ctx, 7, warroom.MeetingStarted, t0); err != nil || changed {
		t.Fatalf("a late meeting.started: changed=%v %v", changed, err)
	}
	if got, _ := s.Incident(ctx, rec.ID); got.Meeting.Status != warroom.MeetingEnded {
		t.Fatalf("status %q after a late meeting.started, want ended", got.Meeting.Status)
	}
}

func TestCancelWinsOverTheSchedulingJob(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), &clock{t: time.Now()})
	rec, _, _ := s.Declare(ctx, newIncident("k"))
	f, _, _ := s.AddFollowup(ctx, store.NewFollowup{IncidentID: rec.ID, DedupeKey: "f", Start: time.Now().Add(time.Hour)})
	mustHost(t, s, "h")
	if err := s.RecordFollowupAttempt(ctx, jobtype.Fence{}, f.ID, "[f]", "h", []string{"h"}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CancelFollowup(ctx, f.ID, "U2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CancelFollowup(ctx, f.ID, "U3"); warroom.ErrorCode(err) != warroom.ECONFLICT {
		t.Fatalf("second cancel: %v, want ECONFLICT", err)
	}
	// The job's meeting arrives after the cancel: recorded (to be deleted),
	// but the Join post is refused.
	if err := s.SetFollowupMeeting(ctx, jobtype.Fence{}, f.ID, "h", warroom.Meeting{ID: 5, JoinURL: "https://z/j/5"}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFollowupPosting(ctx, jobtype.Fence{}, f.ID, false); warroom.ErrorCode(err) != warroom.ECONFLICT {
		t.Fatalf("posting a cancelled follow-up: %v, want ECONFLICT", err)
	}
	got, _ := s.Followup(ctx, f.ID)
	if !got.Cancelled || got.PostPosting || got.Meeting == nil || got.Meeting.ID != 5 {
		t.Fatalf("after cancel: %+v", got)
	}
}

func TestRemovingAHostDeletesItsZoomData(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), &clock{t: time.Now()})
	rec, _, _ := s.Declare(ctx, newIncident("k"))
	key := warroom.OAuthHostKey("zu1")
	mustHost(t, s, key)
	s.SetMeeting(ctx, jobtype.Fence{}, rec.ID, 0, key, warroom.Meeting{ID: 9, JoinURL: "https://z/j/9?pwd=secret1", Password: "secret1"})
	f, _, _ := s.AddFollowup(ctx, store.NewFollowup{IncidentID: rec.ID, DedupeKey: "f", Start: time.Now().Add(time.Hour)})
	s.SetFollowupMeeting(ctx, jobtype.Fence{}, f.ID, key, warroom.Meeting{ID: 10, JoinURL: "https://z/j/10?pwd=secret2", Password: "secret2"})
	s.WatchRecording(ctx, store.NewRecordingWatch{IncidentID: rec.ID, MeetingID: 9, MeetingHost: key, PollUntil: time.Now().Add(time.Hour)})
	removed, err := s.RemoveZoomHost(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed.Incidents) != 1 || len(removed.Followups) != 1 || removed.Watches != 1 {
		t.Fatalf("removal touched %+v", removed)
	}
	got, _ := s.Incident(ctx, rec.ID)
	fr, _ := s.Followup(ctx, f.ID)
	if got.Meeting != nil || got.Call != warroom.CallRemoved || fr.Meeting != nil || !fr.Removed {
		t.Fatalf("after removal: incident meeting %+v call %s, follow-up %+v", got.Meeting, got.Call, fr)
	}
}

// The head count follows each person's newest event: repeated and late
// joins and leaves do not skew it; a join reveals a start whose event was
// missed; the end empties the call and keeps when it started and ended.
func TestParticipantsCountEachPersonOnce(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), &clock{t: time.Now()})
	rec, _, _ := s.Declare(ctx, newIncident("k"))
	mustHost(t, s, "h")
	s.SetMeeting(ctx, jobtype.Fence{}, rec.ID, 0, "h", warroom.Meeting{ID: 7, JoinURL: "https://z/j/7"})
	t0 := time.Date(2026, 12, 1, 14, 2, 0, 0, time.UTC)
	step := func(who string, present bool, at time.Time) {
		t.Helper()
		if _, err := s.SetParticipant(ctx, 7, who, present, at); err != nil {
			t.Fatal(err)
		}
	}
	people := func() *warroom.Meeting {
		got, _ := s.Incident(ctx, rec.ID)
		return got.Meeting
	}
	step("alice", true, t0) // meeting.started was missed
	if m := people(); m.Status != warroom.MeetingStarted || m.People != 1 || !m.StartedAt.Equal(t0) {
		t.Fatalf("after the first join: %+v", m)
	}
	step("bob", true, t0.Add(time.Minute))
	step("alice", true, t0) // the same join again
	step("carol", false, t0.Add(3*time.Minute))
	step("carol", true, t0.Add(2*time.Minute)) // her join arrives after her leave
	if m := people(); m.People != 2 {
		t.Fatalf("%d people, want 2 (alice, bob)", m.People)
	}
	step("bob", false, t0.Add(4*time.Minute))
	if m := people(); m.People != 1 {
		t.Fatalf("%d people after bob left, want 1", m.People)
	}
	s.SetMeetingStatus(ctx, 7, warroom.MeetingEnded, t0.Add(52*time.Minute))
	if m := people(); m.People != 0 || m.EndedAt.Sub(m.StartedAt) != 52*time.Minute {
		t.Fatalf("after the end: %+v", m)
	}
}

// A call's summary is kept once per meeting instance, only for an
// incident's call, and goes with its host's Zoom account.
func TestSummaryKeptOnceAndRemovedWithTheAccount(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), &clock{t: time.Now()})
	rec, _, _ := s.Declare(ctx, newIncident("k"))
	mustHost(t, s, "h")
	s.SetMeeting(ctx, jobtype.Fence{}, rec.ID, 0, "h", warroom.Meeting{ID: 7, JoinURL: "https://z/j/7"})
	for i, want := range []bool{true, false} {
		created, err := s.SaveSummary(ctx, store.NewSummary{MeetingID: 7, MeetingUUID: "u1==", Overview: "overview",
			NextSteps: []string{"step"}})
		if err != nil || created != want {
			t.Fatalf("save %d: created=%v %v", i, created, err)
		}
	}
	if _, err := s.SaveSummary(ctx, store.NewSummary{MeetingID: 8, MeetingUUID: "u2==", Overview: "x"}); warroom.ErrorCode(err) != warroom.ENOTFOUND {
		t.Fatalf("a summary of no incident's call: %v", err)
	}
	if _, err := s.RemoveZoomHost(ctx, "h"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveSummary(ctx, store.NewSummary{MeetingID: 7, MeetingUUID: "u1==", Overview: "again"}); warroom.ErrorCode(err) != warroom.ENOTFOUND {
		t.Fatalf("after the account's removal: %v", err)
	}
	var n int
	s.DB().QueryRow(`SELECT COUNT(*) FROM summaries`).Scan(&n)
	if n != 0 {
		t.Errorf("%d summaries left after the account's removal", n)
	}
}

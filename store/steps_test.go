package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/store"
)

// A run's results wait for its next intent or its outcome; intents are on
// disk before the call they guard.
func TestLedgerWritesResultsWithTheNextIntentOrTheOutcome(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	s.Declare(ctx, newIncident("k"))
	jobs, err := s.ClaimJobs(ctx, "w1", 1, time.Minute)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim: %+v %v", jobs, err)
	}
	id := jobs[0].IncidentID
	l := s.Ledger(jobs[0].Fence(), id)

	l.Done(store.StepInvited)
	if rec, _ := s.Incident(ctx, id); rec.Invited {
		t.Fatal("a result was written before anything asked for a write")
	}
	if err := l.Mark(ctx, store.StepMessagePosting); err != nil {
		t.Fatal(err)
	}
	if rec, _ := s.Incident(ctx, id); !rec.Invited || !rec.MessagePosting {
		t.Fatalf("intent write did not carry the waiting result: invited=%v posting=%v", rec.Invited, rec.MessagePosting)
	}

	l.Message("1700000000.000100", "abc")
	l.Done(store.StepPinned)
	if err := l.HandOver(ctx); err != nil {
		t.Fatal(err)
	}
	if rec, _ := s.Incident(ctx, id); rec.Pinned || rec.MessageTS != "" {
		t.Fatal("handed-over results were written before the outcome")
	}
	if err := s.CompleteJob(ctx, jobs[0].Fence()); err != nil {
		t.Fatal(err)
	}
	rec, _ := s.Incident(ctx, id)
	if !rec.Pinned || rec.MessageTS != "1700000000.000100" || rec.MessageShows != "abc" {
		t.Fatalf("outcome did not carry the handed-over results: %+v", rec.Progress)
	}
}

// A run whose lease was taken over writes nothing, neither with an intent
// nor with its (refused) outcome.
func TestLedgerOfALostLeaseWritesNothing(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	s.Declare(ctx, newIncident("k"))
	jobs, _ := s.ClaimJobs(ctx, "w1", 1, time.Minute)
	if len(jobs) != 1 {
		t.Fatalf("claim: %+v", jobs)
	}
	old := jobs[0].Fence()
	c.Add(2 * time.Minute)
	if again, _ := s.ClaimJobs(ctx, "w2", 1, time.Minute); len(again) != 1 {
		t.Fatal("expired lease not taken over")
	}
	l := s.Ledger(old, jobs[0].IncidentID)
	l.Done(store.StepPinned)
	if err := l.Mark(ctx, store.StepBookmarkAdding); !errors.Is(err, warroom.ErrLeaseLost) {
		t.Fatalf("intent under a lost lease: %v, want ErrLeaseLost", err)
	}
	l.Done(store.StepInvited)
	if err := l.HandOver(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteJob(ctx, old); !errors.Is(err, warroom.ErrLeaseLost) {
		t.Fatalf("outcome under a lost lease: %v, want ErrLeaseLost", err)
	}
	if rec, _ := s.Incident(ctx, jobs[0].IncidentID); rec.Pinned || rec.Invited || rec.BookmarkAdding {
		t.Fatalf("a run that lost its lease changed the incident: %+v", rec.Progress)
	}
}

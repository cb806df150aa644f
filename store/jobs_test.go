package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/store"
)

func TestJobLeaseRetryComplete(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	s.Declare(ctx, newIncident("k"))

	jobs, err := s.ClaimJobs(ctx, "w1", 10, time.Minute)
	if err != nil || len(jobs) != 1 || jobs[0].Attempts != 1 || jobs[0].Token == 0 {
		t.Fatalf("claim: %+v %v", jobs, err)
	}
	// Leased: nobody else gets it.
	if again, _ := s.ClaimJobs(ctx, "w2", 10, time.Minute); len(again) != 0 {
		t.Fatalf("leased job claimed twice: %+v", again)
	}
	stale := jobtype.Fence{Job: jobs[0].ID, Token: jobs[0].Token - 1}
	if err := s.RetryJob(ctx, stale, c.Now(), "x"); !errors.Is(err, warroom.ErrLeaseLost) {
		t.Fatalf("a stale token finished a job: %v", err)
	}
	if err := s.RetryJob(ctx, jobs[0].Fence(), c.Now().Add(30*time.Second), "zoom: 503"); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.ClaimJobs(ctx, "w1", 10, time.Minute); len(due) != 0 {
		t.Fatal("job ran before its backoff")
	}
	next, ok, _ := s.NextDue(ctx)
	if !ok || !next.Equal(c.Now().Add(30*time.Second)) {
		t.Fatalf("next due = %v %v", next, ok)
	}
	c.Add(30 * time.Second)
	jobs, _ = s.ClaimJobs(ctx, "w1", 10, time.Minute)
	if len(jobs) != 1 || jobs[0].Attempts != 2 || jobs[0].LastError != "zoom: 503" {
		t.Fatalf("retry claim = %+v", jobs)
	}
	// An expired lease (its holder died) frees the job, under a new token:
	// the dead holder's writes are refused from then on.
	old := jobs[0].Fence()
	c.Add(2 * time.Minute)
	jobs, _ = s.ClaimJobs(ctx, "w3", 10, time.Minute)
	if len(jobs) != 1 || jobs[0].Token == old.Token {
		t.Fatalf("expired lease not reclaimable under a new token: %+v", jobs)
	}
	if err := s.MarkStep(ctx, old, jobs[0].IncidentID, store.StepPinned); !errors.Is(err, warroom.ErrLeaseLost) {
		t.Fatalf("a write under the dead holder's token: %v, want ErrLeaseLost", err)
	}
	if rec, _ := s.Incident(ctx, jobs[0].IncidentID); rec.Pinned {
		t.Fatal("the fenced write changed the incident")
	}
	if err := s.CompleteJob(ctx, jobs[0].Fence()); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.PendingJobs(ctx); len(p) != 0 {
		t.Fatalf("completed job still pending: %+v", p)
	}
}

func TestRenewingKeepsTheLeaseAndReportsLostOnes(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Now()}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	s.Declare(ctx, newIncident("a"))
	s.Declare(ctx, newIncident("b"))
	jobs, _ := s.ClaimJobs(ctx, "w1", 10, 10*time.Second)
	if len(jobs) != 2 {
		t.Fatalf("claimed %d, want 2", len(jobs))
	}
	// a is renewed in time; b's lease runs out and w2 takes it over.
	c.Add(8 * time.Second)
	if lost, err := s.RenewLeases(ctx, []jobtype.Fence{jobs[0].Fence()}, 10*time.Second); err != nil || len(lost) != 0 {
		t.Fatalf("renew: lost %v, %v", lost, err)
	}
	c.Add(5 * time.Second)
	taken, _ := s.ClaimJobs(ctx, "w2", 10, 10*time.Second)
	if len(taken) != 1 || taken[0].ID != jobs[1].ID {
		t.Fatalf("w2 took %+v, want only b's job (a's lease was renewed)", taken)
	}
	lost, err := s.RenewLeases(ctx, []jobtype.Fence{jobs[0].Fence(), jobs[1].Fence()}, 10*time.Second)
	if err != nil || len(lost) != 1 || lost[0].Job != jobs[1].ID {
		t.Fatalf("renew after takeover: lost %v, %v; want b's job", lost, err)
	}
}

func TestOneJobOfAnIncidentRunsAtATime(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Now()}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	rec, _, _ := s.Declare(ctx, newIncident("k"))
	other, _, _ := s.Declare(ctx, newIncident("other"))
	f, _, err := s.AddFollowup(ctx, store.NewFollowup{IncidentID: rec.ID, DedupeKey: "f1", Start: c.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	jobs, _ := s.ClaimJobs(ctx, "w1", 10, time.Minute)
	if len(jobs) != 2 {
		t.Fatalf("claimed %+v, want the sync of each incident and not the follow-up", jobs)
	}
	for _, j := range jobs {
		if j.Kind != jobtype.KindIncidentSync {
			t.Fatalf("claimed %s beside its incident's sync", j.Kind)
		}
	}
	if next, ok, _ := s.NextDue(ctx); ok && !next.After(c.Now()) {
		t.Fatal("NextDue names the follow-up, which must wait for its incident's sync: the runner would spin")
	}
	if again, _ := s.ClaimJobs(ctx, "w2", 10, time.Minute); len(again) != 0 {
		t.Fatalf("another worker got %+v while its incident's sync runs", again)
	}
	for _, j := range jobs {
		if j.IncidentID == other.ID {
			s.CompleteJob(ctx, j.Fence())
		}
	}
	if again, _ := s.ClaimJobs(ctx, "w2", 10, time.Minute); len(again) != 0 {
		t.Fatal("an unrelated incident's end released the follow-up")
	}
	for _, j := range jobs {
		if j.IncidentID == rec.ID {
			s.CompleteJob(ctx, j.Fence())
		}
	}
	next, _ := s.ClaimJobs(ctx, "w2", 10, time.Minute)
	if len(next) != 1 || next[0].Kind != jobtype.KindFollowup || next[0].Subject != f.ID {
		t.Fatalf("after the sync ended: %+v, want the follow-up", next)
	}
	// The job carries its args, written by the transaction that made the
	// follow-up.
	if args, err := jobtype.Decode[jobtype.Followup](next[0]); err != nil || args != (jobtype.Followup{IncidentID: rec.ID, FollowupID: f.ID}) {
		t.Fatalf("the follow-up's job has args %+v (%v) from payload %s", args, err, next[0].Payload)
	}
}

func TestWorkAskedForDuringARunIsNotLost(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Now()}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	rec, _, _ := s.Declare(ctx, newIncident("k"))
	jobs, _ := s.ClaimJobs(ctx, "w", 10, time.Minute)
	// A change while the job runs: it must run again after, not beside it.
	if err := s.RequestSync(ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.PendingJobs(ctx); len(p) != 1 {
		t.Fatalf("%d unfinished jobs, want the one running", len(p))
	}
	// …and the run then fails with an hour's backoff: the change wins.
	if err := s.RetryJob(ctx, jobs[0].Fence(), c.Now().Add(time.Hour), "zoom down"); err != nil {
		t.Fatal(err)
	}
	again, _ := s.ClaimJobs(ctx, "w", 10, time.Minute)
	if len(again) != 1 {
		t.Fatal("the change asked for during the run was lost to the backoff")
	}
	if err := s.CompleteJob(ctx, again[0].Fence()); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.PendingJobs(ctx); len(p) != 0 {
		t.Fatalf("jobs left: %+v", p)
	}
	// With nothing pending, a sync queues a fresh job.
	if err := s.RequestSync(ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.PendingJobs(ctx); len(p) != 1 {
		t.Fatalf("%d jobs after a sync on a quiet incident, want 1", len(p))
	}
}

func TestReleaseLeasesAfterCrash(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Now()}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	s.Declare(ctx, newIncident("k"))
	if jobs, _ := s.ClaimJobs(ctx, "dead", 10, time.Hour); len(jobs) != 1 {
		t.Fatal("claim failed")
	}
	if n, err := s.ReleaseLeases(ctx); err != nil || n != 1 {
		t.Fatalf("released %d, %v", n, err)
	}
	if jobs, _ := s.ClaimJobs(ctx, "alive", 10, time.Hour); len(jobs) != 1 {
		t.Fatal("job not claimable after release")
	}
}

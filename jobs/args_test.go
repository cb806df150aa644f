package jobs_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/store"
)

// Each job's worker gets the args it was recorded with: a follow-up's job
// names its follow-up, not a number that means whatever its kind says.
func TestWorkersGetTheirJobsArgs(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	rec := declare(t, s, "a")
	want := map[jobtype.Followup]bool{}
	for _, key := range []string{"f1", "f2"} {
		f, _, err := s.AddFollowup(ctx, store.NewFollowup{IncidentID: rec.ID, DedupeKey: key, Start: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		want[jobtype.Followup{IncidentID: rec.ID, FollowupID: f.ID}] = true
	}
	var mu sync.Mutex
	got := map[jobtype.Followup]bool{}
	var synced []jobtype.IncidentSync
	startEngine(t, s, jobs.Config{}, func(e *jobs.Engine) {
		jobs.Register(e, jobs.WorkFunc[jobtype.Followup](func(_ context.Context, j *jobs.Job[jobtype.Followup]) error {
			mu.Lock()
			defer mu.Unlock()
			got[j.Args] = true
			return nil
		}))
		jobs.Register(e, jobs.WorkFunc[jobtype.IncidentSync](func(_ context.Context, j *jobs.Job[jobtype.IncidentSync]) error {
			mu.Lock()
			defer mu.Unlock()
			synced = append(synced, j.Args)
			return nil
		}))
	})
	waitUntil(t, 10*time.Second, func() bool {
		p, _ := s.PendingJobs(ctx)
		return len(p) == 0
	})
	mu.Lock()
	defer mu.Unlock()
	if len(got) != len(want) {
		t.Errorf("follow-up workers got %v, want %v", got, want)
	}
	for a := range want {
		if !got[a] {
			t.Errorf("no run with %+v", a)
		}
	}
	if len(synced) != 1 || synced[0].IncidentID != rec.ID {
		t.Errorf("sync runs %+v, want one of incident %d", synced, rec.ID)
	}
}

// A job recorded before jobs had args (its payload the column's default)
// still runs, its args rebuilt from its incident and subject.
func TestAJobRecordedBeforeArgsRuns(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	rec := declare(t, s, "a")
	f, _, err := s.AddFollowup(ctx, store.NewFollowup{IncidentID: rec.ID, DedupeKey: "f", Start: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`UPDATE jobs SET payload = '{}'`); err != nil {
		t.Fatal(err)
	}
	ran := make(chan jobtype.Followup, 1)
	startEngine(t, s, jobs.Config{}, func(e *jobs.Engine) {
		jobs.Register(e, jobs.WorkFunc[jobtype.Followup](func(_ context.Context, j *jobs.Job[jobtype.Followup]) error {
			ran <- j.Args
			return nil
		}))
		jobs.Register(e, jobs.WorkFunc[jobtype.IncidentSync](func(context.Context, *jobs.Job[jobtype.IncidentSync]) error {
			return nil
		}))
	})
	select {
	case a := <-ran:
		if a != (jobtype.Followup{IncidentID: rec.ID, FollowupID: f.ID}) {
			t.Errorf("old follow-up job ran with %+v, want follow-up %d", a, f.ID)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the old job did not run")
	}
}

// Args that cannot be read are given up on at once: no retry mends them.
func TestUnreadableArgsEndTheJob(t *testing.T) {
	s := mustStore(t)
	rec := declare(t, s, "a")
	if _, err := s.DB().Exec(`UPDATE jobs SET payload = '{"incident_id":'`); err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	startEngine(t, s, jobs.Config{}, func(e *jobs.Engine) {
		jobs.Register(e, jobs.WorkFunc[jobtype.IncidentSync](func(context.Context, *jobs.Job[jobtype.IncidentSync]) error {
			runs.Add(1)
			return nil
		}))
	})
	waitUntil(t, 10*time.Second, func() bool { d, _, _ := deadJob(t, s, rec.ID); return d })
	if _, failures, attempts := deadJob(t, s, rec.ID); failures != 1 || attempts != 1 || runs.Load() != 0 {
		t.Errorf("%d failures in %d attempts, %d runs; want it given up on at the first claim", failures, attempts, runs.Load())
	}
}

package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/store"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func MustOpen(tb testing.TB, path string, c *clock) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), path, store.WithClock(c.Now))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func newIncident(key string) store.NewIncident {
	return store.NewIncident{DedupeKey: key, Title: "Checkout is down", FullTitle: "Checkout is down",
		Severity: warroom.SEV2, DeclaredBy: "U1", SourceChannel: "C1"}
}

func TestDeclareIsIdempotentAndQueuesWork(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)

	a, created, err := s.Declare(ctx, newIncident("trigger-1"))
	if err != nil || !created {
		t.Fatalf("first declare: created=%v err=%v", created, err)
	}
	b, created, err := s.Declare(ctx, newIncident("trigger-1"))
	if err != nil || created {
		t.Fatalf("second declare: created=%v err=%v", created, err)
	}
	if a.ID != b.ID {
		t.Fatalf("same trigger made incidents %d and %d", a.ID, b.ID)
	}
	if a.Status != warroom.StatusActive || a.Call != warroom.CallPending || a.Severity != warroom.SEV2 {
		t.Fatalf("new incident = %+v", a.Incident)
	}
	jobs, err := s.PendingJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].Kind != store.JobDeclare || jobs[0].IncidentID != a.ID {
		t.Fatalf("pending jobs = %+v, want one declare job for incident %d", jobs, a.ID)
	}
}

func TestDeclareRejectsBadSeverity(t *testing.T) {
	c := &clock{t: time.Now()}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	n := newIncident("k")
	n.Severity = 7
	if _, _, err := s.Declare(context.Background(), n); warroom.ErrorCode(err) != warroom.EINVALID {
		t.Fatalf("err = %v, want EINVALID", err)
	}
	if incs, _ := s.Incidents(context.Background()); len(incs) != 0 {
		t.Fatalf("a refused declare stored %d incidents", len(incs))
	}
}

func TestStateSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Now()}
	path := filepath.Join(t.TempDir(), "w.db")
	s := MustOpen(t, path, c)
	rec, _, err := s.Declare(ctx, newIncident("k"))
	if err != nil {
		t.Fatal(err)
	}
	m := warroom.Meeting{ID: 98765432109876, UUID: "u==", HostEmail: "bot@example.com", JoinURL: "https://zoom.example/j/98765432109876?pwd=x"}
	if err := s.SetMeetingOn(ctx, rec.ID, "bot@example.com", m); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkStep(ctx, rec.ID, store.StepPinned); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s2 := MustOpen(t, path, c)
	got, err := s2.Incident(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Meeting == nil || got.Meeting.ID != m.ID || got.Meeting.JoinURL != m.JoinURL || got.Call != warroom.CallReady {
		t.Fatalf("after reopen meeting = %+v call = %s", got.Meeting, got.Call)
	}
	if !got.Pinned {
		t.Fatal("pinned step lost on reopen")
	}
	if v, err := s2.SchemaVersion(ctx); err != nil || v < 1 {
		t.Fatalf("schema version = %d, %v", v, err)
	}
}

func TestPragmasOnEveryConnection(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), &clock{t: time.Now()})
	db := s.DB()
	db.SetMaxOpenConns(4)
	// Hold several connections at once so the pool must open new ones.
	var conns []interface{ Close() error }
	for i := 0; i < 4; i++ {
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
		var mode string
		var fk, busy int
		if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || fk != 1 || busy != 5000 {
			t.Fatalf("connection %d: journal_mode=%s foreign_keys=%d busy_timeout=%d", i, mode, fk, busy)
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

func TestChannelBelongsToOneIncident(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), &clock{t: time.Now()})
	a, _, _ := s.Declare(ctx, newIncident("a"))
	b, _, _ := s.Declare(ctx, newIncident("b"))
	if err := s.SetChannel(ctx, a.ID, "C100", "inc-x"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetChannel(ctx, b.ID, "C100", "inc-x"); warroom.ErrorCode(err) != warroom.ECONFLICT {
		t.Fatalf("second incident took the same channel: err = %v", err)
	}
	if err := s.ClaimChannelName(ctx, b.ID, "inc-x", 1); err != nil {
		t.Fatal(err)
	}
	if other, _ := s.ChannelNameClaimedByOther(ctx, b.ID, "inc-x"); !other {
		t.Fatal("inc-x is a's channel, but b sees no other claim")
	}
	got, err := s.IncidentByChannel(ctx, "C100")
	if err != nil || got.ID != a.ID {
		t.Fatalf("IncidentByChannel = %v, %v", got, err)
	}
}

func TestJobLeaseRetryComplete(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	rec, _, _ := s.Declare(ctx, newIncident("k"))

	jobs, err := s.ClaimDue(ctx, "w1", 10, time.Minute)
	if err != nil || len(jobs) != 1 || jobs[0].Attempts != 1 {
		t.Fatalf("claim: %+v %v", jobs, err)
	}
	// Leased: nobody else gets it.
	if again, _ := s.ClaimDue(ctx, "w2", 10, time.Minute); len(again) != 0 {
		t.Fatalf("leased job claimed twice: %+v", again)
	}
	if err := s.RetryJob(ctx, jobs[0].ID, "w2", c.Now(), "x"); warroom.ErrorCode(err) != warroom.ECONFLICT {
		t.Fatalf("non-holder finished a job: %v", err)
	}
	if err := s.RetryJob(ctx, jobs[0].ID, "w1", c.Now().Add(30*time.Second), "zoom: 503"); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.ClaimDue(ctx, "w1", 10, time.Minute); len(due) != 0 {
		t.Fatal("job ran before its backoff")
	}
	next, ok, _ := s.NextDue(ctx)
	if !ok || !next.Equal(c.Now().Add(30*time.Second)) {
		t.Fatalf("next due = %v %v", next, ok)
	}
	c.Add(30 * time.Second)
	jobs, _ = s.ClaimDue(ctx, "w1", 10, time.Minute)
	if len(jobs) != 1 || jobs[0].Attempts != 2 || jobs[0].LastError != "zoom: 503" {
		t.Fatalf("retry claim = %+v", jobs)
	}
	// An expired lease (its holder died) frees the job.
	c.Add(2 * time.Minute)
	jobs, _ = s.ClaimDue(ctx, "w3", 10, time.Minute)
	if len(jobs) != 1 {
		t.Fatal("expired lease not reclaimable")
	}
	if err := s.CompleteJob(ctx, jobs[0].ID, "w3"); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.PendingJobs(ctx); len(p) != 0 {
		t.Fatalf("completed job still pending: %+v", p)
	}
	if ok, _ := s.RunJobsNow(ctx, rec.ID, store.JobDeclare); ok {
		t.Fatal("RunJobsNow revived a completed job")
	}
}

func TestRetryRequestedDuringRunIsNotPostponed(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Now()}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	rec, _, _ := s.Declare(ctx, newIncident("k"))
	jobs, _ := s.ClaimDue(ctx, "w", 10, time.Minute)
	// Someone presses Retry while the attempt is still running…
	if ok, err := s.RunJobsNow(ctx, rec.ID, store.JobDeclare); err != nil || !ok {
		t.Fatalf("RunJobsNow = %v, %v", ok, err)
	}
	// …and the attempt then fails with an hour's backoff.
	if err := s.RetryJob(ctx, jobs[0].ID, "w", c.Now().Add(time.Hour), "zoom down"); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.ClaimDue(ctx, "w", 10, time.Minute); len(again) != 1 {
		t.Fatal("the Retry press was lost to the backoff")
	}
}

func TestReleaseLeasesAfterCrash(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Now()}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	s.Declare(ctx, newIncident("k"))
	if jobs, _ := s.ClaimDue(ctx, "dead", 10, time.Hour); len(jobs) != 1 {
		t.Fatal("claim failed")
	}
	if n, err := s.ReleaseLeases(ctx); err != nil || n != 1 {
		t.Fatalf("released %d, %v", n, err)
	}
	if jobs, _ := s.ClaimDue(ctx, "alive", 10, time.Hour); len(jobs) != 1 {
		t.Fatal("job not claimable after release")
	}
}

func TestLockFileIsExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	l, err := store.LockFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.LockFile(path); err == nil {
		t.Fatal("second lock on the same database succeeded")
	}
	l.Release()
	l2, err := store.LockFile(path)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l2.Release()
}

func TestConcurrentDeclaresSameTrigger(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), &clock{t: time.Now()})
	var wg sync.WaitGroup
	ids := make(chan int64, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec, _, err := s.Declare(ctx, newIncident("same"))
			if err != nil {
				t.Error(err)
				return
			}
			ids <- rec.ID
		}()
	}
	wg.Wait()
	close(ids)
	first := int64(0)
	for id := range ids {
		if first == 0 {
			first = id
		}
		if id != first {
			t.Fatalf("concurrent declares with one trigger made incidents %d and %d", first, id)
		}
	}
	if incs, _ := s.Incidents(ctx); len(incs) != 1 {
		t.Fatalf("%d incidents, want 1", len(incs))
	}
}

func TestRequestSyncKeepsOneJobPerIncident(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Now()}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	rec, _, _ := s.Declare(ctx, newIncident("k"))
	jobs, _ := s.ClaimDue(ctx, "w", 10, time.Minute)
	// A change while the job runs: it must run again after, not beside it.
	if err := s.RequestSync(ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.PendingJobs(ctx); len(p) != 1 {
		t.Fatalf("%d unfinished jobs, want the one running", len(p))
	}
	if again, _ := s.ClaimDue(ctx, "w2", 10, time.Minute); len(again) != 0 {
		t.Fatal("the running job was handed out twice")
	}
	if err := s.CompleteJob(ctx, jobs[0].ID, "w"); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.ClaimDue(ctx, "w", 10, time.Minute); len(again) != 1 {
		t.Fatal("the sync asked for during the run was lost")
	} else if err := s.CompleteJob(ctx, again[0].ID, "w"); err != nil {
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

func TestLifecycleChanges(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), &clock{t: time.Now()})
	n := newIncident("k")
	n.Responders = []string{"U2", "U3"}
	rec, _, _ := s.Declare(ctx, n)
	if rec.Commander != "U1" || len(rec.Responders) != 2 {
		t.Fatalf("new incident: commander %q responders %v", rec.Commander, rec.Responders)
	}
	s.SetMeetingOn(ctx, rec.ID, "host@example.com", warroom.Meeting{ID: 811, JoinURL: "https://z/j/811"})
	s.SetSeverity(ctx, rec.ID, warroom.SEV1)
	s.SetCommander(ctx, rec.ID, "U3")
	if id, err := s.SetMeetingStatus(ctx, 811, warroom.MeetingStarted); err != nil || id != rec.ID {
		t.Fatalf("meeting status: %d %v", id, err)
	}
	s.Resolve(ctx, rec.ID, "rolled back")
	got, _ := s.Incident(ctx, rec.ID)
	if got.Severity != warroom.SEV1 || got.Commander != "U3" || got.Status != warroom.StatusResolved ||
		got.Summary != "rolled back" || got.ResolvedAt.IsZero() || got.Meeting.Status != warroom.MeetingStarted {
		t.Fatalf("after changes: %+v", got.Incident)
	}
	s.Reopen(ctx, rec.ID)
	if err := s.ReplaceMeeting(ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Incident(ctx, rec.ID)
	if got.Status != warroom.StatusActive || got.Meeting != nil || got.OldMeetingID != 811 || got.MeetingSeq != 1 || got.Call != warroom.CallPending {
		t.Fatalf("after replace: %+v %+v", got.Incident, got.Progress)
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

func TestNewerSchemaIsRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	s := MustOpen(t, path, &clock{t: time.Now()})
	if _, err := s.DB().ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := store.Open(ctx, path); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("opening a database from a newer warroom: %v", err)
	}
}

func TestDeclareManyCommitsTogether(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), &clock{t: time.Now()})
	bad := newIncident("bad")
	bad.Severity = 9
	res, err := s.DeclareMany(ctx, []store.NewIncident{newIncident("a"), newIncident("b"), newIncident("a"), bad})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Created || !res[1].Created || res[2].Created || res[2].Record.ID != res[0].Record.ID {
		t.Errorf("a, b, a again: created %v %v %v", res[0].Created, res[1].Created, res[2].Created)
	}
	if warroom.ErrorCode(res[3].Err) != warroom.EINVALID {
		t.Errorf("bad severity in a batch: %v", res[3].Err)
	}
	if incs, _ := s.Incidents(ctx); len(incs) != 2 {
		t.Errorf("%d incidents, want 2", len(incs))
	}
	if jobs, _ := s.PendingJobs(ctx); len(jobs) != 2 {
		t.Errorf("%d jobs, want 2", len(jobs))
	}
}

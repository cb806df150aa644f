package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
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
	s, err := store.Open(context.Background(), dsn(tb, path), store.WithClock(c.Now))
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
	if len(jobs) != 1 || jobs[0].Kind != jobtype.KindIncidentSync || jobs[0].IncidentID != a.ID {
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
	mustHost(t, s, "bot@example.com")
	if _, err := s.SetMeeting(ctx, jobtype.Fence{}, rec.ID, 0, "bot@example.com", m); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkStep(ctx, jobtype.Fence{}, rec.ID, store.StepPinned); err != nil {
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
	sqliteOnly(t)
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
	if err := s.SetChannel(ctx, jobtype.Fence{}, a.ID, "C100", "inc-x"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetChannel(ctx, jobtype.Fence{}, b.ID, "C100", "inc-x"); warroom.ErrorCode(err) != warroom.ECONFLICT {
		t.Fatalf("second incident took the same channel: err = %v", err)
	}
	if err := s.ClaimChannelName(ctx, jobtype.Fence{}, b.ID, "inc-x", 1); err != nil {
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

func TestLockFileIsExclusive(t *testing.T) {
	sqliteOnly(t)
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

func TestNewerSchemaIsRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	s := MustOpen(t, path, &clock{t: time.Now()})
	if _, err := s.DB().ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := store.Open(ctx, dsn(t, path)); err == nil || !strings.Contains(err.Error(), "newer") {
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

// mustHost puts a host in the pool: meetings are recorded only on hosts the
// pool has.
func mustHost(tb testing.TB, s *store.Store, key string) {
	tb.Helper()
	if err := s.EnsureS2SHost(context.Background(), key, 0); err != nil {
		tb.Fatal(err)
	}
}

func TestReplicasSeenRecently(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC)}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	start := c.Now()
	if err := s.SeeReplica(ctx, "a", "v1", start); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Minute)
	s.SeeReplica(ctx, "b", "v1", start)
	s.SeeReplica(ctx, "b", "v2", start) // seen again: one row, the newest
	got, err := s.Replicas(ctx, c.Now().Add(-30*time.Second))
	if err != nil || len(got) != 1 || got[0].Name != "b" || got[0].Version != "v2" {
		t.Fatalf("replicas seen in the last 30 s = %+v %v, want b at v2", got, err)
	}
}

// A singleton is one replica's at a time: renewed by its holder, refused
// to others until it expires or is released, then another's.
func TestSingletonHeldByOneReplica(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC)}
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), c)
	hold := func(owner string) bool {
		t.Helper()
		ok, err := s.HoldSingleton(ctx, "zoom-stream", owner, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !hold("a") || hold("b") {
		t.Fatal("the first replica must get it, the second not")
	}
	c.Add(8 * time.Second)
	if !hold("a") {
		t.Fatal("the holder could not renew")
	}
	c.Add(8 * time.Second) // within the renewed ttl
	if hold("b") {
		t.Fatal("taken from a holder that renewed")
	}
	c.Add(3 * time.Second) // a stopped renewing: expired
	if !hold("b") || hold("a") {
		t.Fatal("an expired singleton must pass to the next replica, and only to it")
	}
	if err := s.ReleaseSingleton(ctx, "zoom-stream", "a"); err != nil { // not a's: no effect
		t.Fatal(err)
	}
	if hold("a") {
		t.Fatal("a release by a non-holder freed it")
	}
	if err := s.ReleaseSingleton(ctx, "zoom-stream", "b"); err != nil {
		t.Fatal(err)
	}
	if !hold("a") {
		t.Fatal("released, yet not available")
	}
}

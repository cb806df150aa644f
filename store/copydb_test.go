package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/store/pgtest"
)

// copyStores opens a SQLite source and an empty PostgreSQL destination
// sealed with the same key. The copy tests run once, in the SQLite pass.
func copyStores(t *testing.T) (src, dst *store.Store) {
	t.Helper()
	if testEngine != "sqlite" {
		t.Skip("copies from SQLite; runs in the SQLite pass")
	}
	ctx := context.Background()
	c, _ := store.NewCipher(bytes.Repeat([]byte{9}, 32))
	src, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"), store.WithCipher(c))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	dst, err = store.Open(ctx, pgtest.URL(t), store.WithCipher(c))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dst.Close() })
	return src, dst
}

// dumpPostgres is everything the destination holds — every row of every
// table and where each ID sequence stands — to tell whether a copy left
// it as it was.
func dumpPostgres(t *testing.T, db *sql.DB) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	tables, err := db.QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	for _, n := range names {
		rows, err := db.QueryContext(ctx, `SELECT * FROM `+n+` ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %q\n", n, vals)
		}
		rows.Close()
	}
	var seqs string
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(string_agg(sequencename || '=' || COALESCE(last_value, 0), ' '
		ORDER BY sequencename), '') FROM pg_sequences WHERE schemaname = current_schema()`).Scan(&seqs); err != nil {
		t.Fatal(err)
	}
	return b.String() + "sequences " + seqs
}

// A single-machine installation moves to PostgreSQL whole: incidents,
// follow-ups, jobs, the Zoom accounts with their tokens still sealed (read
// back with the same key), IDs kept and new ones after them. Every source
// row is compared at the destination by key.
func TestCopyDatabaseToPostgres(t *testing.T) {
	src, dst := copyStores(t)
	ctx := context.Background()
	var last *store.Record
	for _, k := range []string{"a", "b", "c"} {
		last, _, _ = src.Declare(ctx, newIncident(k))
	}
	if _, _, err := src.AddFollowup(ctx, store.NewFollowup{IncidentID: last.ID, DedupeKey: "f", Topic: "Review",
		Start: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	key, err := src.SaveOAuthAccount(ctx, warroom.ZoomHost{Email: "robot@example.com", ZoomUserID: "zu1", UserType: 2},
		store.ZoomTokens{Access: "access-secret", Refresh: "refresh-secret", Expiry: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.CountZoomRequest(ctx, key, "2026-05-01"); err != nil {
		t.Fatal(err)
	}

	counts, err := store.CopyDatabase(ctx, src, dst, store.CopyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]store.TableCount{}
	for _, tc := range counts {
		tables[tc.Table] = tc
		if tc.Dest != tc.Source || tc.Copied != tc.Source || tc.Compared != tc.Source {
			t.Errorf("%s: %+v", tc.Table, tc)
		}
	}
	for _, want := range []string{"incidents", "jobs", "followups", "zoom_hosts", "zoom_usage"} {
		if tables[want].Source == 0 {
			t.Errorf("table %s was not copied (or empty): %+v", want, tables[want])
		}
	}
	if tok, err := dst.Tokens(ctx, key); err != nil || tok.Refresh != "refresh-secret" {
		t.Errorf("tokens after the copy: %+v %v", tok, err)
	}
	if got, err := dst.Incident(ctx, last.ID); err != nil || got.DedupeKey != "c" {
		t.Errorf("incident %d after the copy: %+v %v", last.ID, got, err)
	}
	next, _, err := dst.Declare(ctx, newIncident("d"))
	if err != nil || next.ID != last.ID+1 {
		t.Fatalf("a new incident on PostgreSQL: %+v %v, want ID %d", next, err, last.ID+1)
	}
}

// A second run of the same copy is refused unless asked to merge; merged,
// it copies nothing, finds every key equal and changes nothing.
func TestCopyDatabaseRunAgain(t *testing.T) {
	src, dst := copyStores(t)
	ctx := context.Background()
	inc, _, _ := src.Declare(ctx, newIncident("a"))
	if _, _, err := src.AddFollowup(ctx, store.NewFollowup{IncidentID: inc.ID, DedupeKey: "f", Topic: "Review",
		Start: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	src.EnsureS2SHost(ctx, "h1", 0)
	if _, err := src.CountZoomRequest(ctx, "h1", "2026-05-01"); err != nil {
		t.Fatal(err)
	}
	src.SeeReplica(ctx, "warroom", "v1.3.0", time.Now())
	src.Ping(ctx)
	if _, err := store.CopyDatabase(ctx, src, dst, store.CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	// A replica that ran on the copy meanwhile rewrote rows that only say
	// which process ran when: still the same copy.
	dst.SeeReplica(ctx, "warroom", "v1.4.0", time.Now().Add(time.Minute))
	dst.Ping(ctx)
	before := dumpPostgres(t, dst.DB())

	var full *store.NotEmptyError
	if _, err := store.CopyDatabase(ctx, src, dst, store.CopyOptions{}); !errors.As(err, &full) {
		t.Fatalf("a second run without merging: %v, want a NotEmptyError", err)
	}
	again, err := store.CopyDatabase(ctx, src, dst, store.CopyOptions{Merge: true})
	if err != nil {
		t.Fatal(err)
	}
	var compared int64
	for _, tc := range again {
		if tc.Copied != 0 || tc.Compared != tc.Source || tc.Dest != tc.Source {
			t.Errorf("second run, %s: %+v", tc.Table, tc)
		}
		compared += tc.Compared
	}
	if compared < 4 { // the incident, its sync job, the follow-up and its job, the usage
		t.Errorf("second run compared %d keys", compared)
	}
	if after := dumpPostgres(t, dst.DB()); after != before {
		t.Errorf("the second run changed the destination:\n%s\nwas\n%s", after, before)
	}
}

// A destination with data of its own is refused, and nothing is written.
func TestCopyDatabaseRefusesADestinationWithData(t *testing.T) {
	src, dst := copyStores(t)
	ctx := context.Background()
	src.Declare(ctx, newIncident("ours"))
	theirs := newIncident("theirs")
	theirs.Title, theirs.FullTitle = "Payments are failing", "Payments are failing"
	if _, _, err := dst.Declare(ctx, theirs); err != nil {
		t.Fatal(err)
	}
	before := dumpPostgres(t, dst.DB())

	_, err := store.CopyDatabase(ctx, src, dst, store.CopyOptions{})
	var full *store.NotEmptyError
	if !errors.As(err, &full) {
		t.Fatalf("copy into a database with data: %v, want a NotEmptyError", err)
	}
	held := map[string]int64{}
	for _, tr := range full.Tables {
		held[tr.Table] = tr.Rows
	}
	// A declare writes the incident, its job and its timeline's first line.
	if held["incidents"] != 1 || held["jobs"] != 1 || held["incident_events"] != 1 || len(held) != 3 {
		t.Errorf("tables named as holding rows: %+v", full.Tables)
	}
	if after := dumpPostgres(t, dst.DB()); after != before {
		t.Errorf("a refused copy changed the destination:\n%s\nwas\n%s", after, before)
	}
}

// Merged into a database whose incident 1 is another one, the source's
// incident 1 and its follow-up are not attached to it: the key check
// finds the clash, names it, and the whole copy is rolled back.
func TestCopyDatabaseMergeRollsBackAClash(t *testing.T) {
	src, dst := copyStores(t)
	ctx := context.Background()
	ours, _, _ := src.Declare(ctx, newIncident("ours"))
	if _, _, err := src.AddFollowup(ctx, store.NewFollowup{IncidentID: ours.ID, DedupeKey: "f", Topic: "Review",
		Start: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	src.Declare(ctx, newIncident("ours-too"))
	src.EnsureS2SHost(ctx, "h1", 0)
	src.CountZoomRequest(ctx, "h1", "2026-05-01")
	theirs := newIncident("theirs")
	theirs.Title, theirs.FullTitle = "Payments are failing", "Payments are failing"
	if got, _, err := dst.Declare(ctx, theirs); err != nil || got.ID != ours.ID {
		t.Fatalf("the destination's own incident: %+v %v", got, err)
	}
	dst.EnsureS2SHost(ctx, "h1", 0)
	dst.CountZoomRequest(ctx, "h1", "2026-05-01")
	dst.CountZoomRequest(ctx, "h1", "2026-05-01")
	before := dumpPostgres(t, dst.DB())

	_, err := store.CopyDatabase(ctx, src, dst, store.CopyOptions{Merge: true})
	var clash *store.ClashError
	if !errors.As(err, &clash) {
		t.Fatalf("merge with a clash: %v, want a ClashError", err)
	}
	byTable := map[string]store.TableClash{}
	for _, tc := range clash.Tables {
		byTable[tc.Table] = tc
	}
	inc := byTable["incidents"]
	if inc.Total != 1 || inc.Rows[0].Key != fmt.Sprintf("id=%d", ours.ID) ||
		!strings.Contains(strings.Join(inc.Rows[0].Columns, " "), "title") {
		t.Errorf("the incidents' clash: %+v", inc)
	}
	if u := byTable["zoom_usage"]; u.Total != 1 || u.Rows[0].Key != `host="h1" day="2026-05-01"` ||
		strings.Join(u.Rows[0].Columns, " ") != "requests" {
		t.Errorf("the usage's clash: %+v", u)
	}
	if f, ok := byTable["followups"]; ok {
		t.Errorf("the follow-up itself is the source's, yet: %+v", f)
	}
	if after := dumpPostgres(t, dst.DB()); after != before {
		t.Errorf("a rolled-back copy changed the destination:\n%s\nwas\n%s", after, before)
	}
	if got, err := dst.Incident(ctx, ours.ID); err != nil || got.DedupeKey != "theirs" {
		t.Errorf("the destination's incident %d: %+v %v", ours.ID, got, err)
	}
}

// A source row left out because a destination row of another key holds
// one of its unique values is missing there: a clash too.
func TestCopyDatabaseMergeFindsARowLeftOut(t *testing.T) {
	src, dst := copyStores(t)
	ctx := context.Background()
	src.Declare(ctx, newIncident("x"))
	shared, _, _ := src.Declare(ctx, newIncident("shared"))
	dst.Declare(ctx, newIncident("shared")) // incident 1 there, 2 here

	_, err := store.CopyDatabase(ctx, src, dst, store.CopyOptions{Merge: true})
	var clash *store.ClashError
	if !errors.As(err, &clash) {
		t.Fatalf("merge: %v, want a ClashError", err)
	}
	var missing bool
	for _, tc := range clash.Tables {
		for _, r := range tc.Rows {
			missing = missing || tc.Table == "incidents" && r.Key == fmt.Sprintf("id=%d", shared.ID) && len(r.Columns) == 0
		}
	}
	if !missing {
		t.Errorf("incident %d is not named as missing: %+v", shared.ID, clash.Tables)
	}
}

// A database a warroom only started on — its install_id, a readiness
// ping, its replica and singleton rows, a ZOOM_HOSTS host — counts as
// empty, and those rows give way to the source's: above all its
// install_id, which tags the source's meetings at Zoom.
func TestCopyDatabaseOverAStartedWarroom(t *testing.T) {
	src, dst := copyStores(t)
	ctx := context.Background()
	srcID, _ := src.InstallID(ctx)
	src.EnsureS2SHost(ctx, "host@example.com", 0)
	src.Declare(ctx, newIncident("a"))

	dst.InstallID(ctx)
	dst.Ping(ctx)
	dst.SeeReplica(ctx, "warroom-7f9c-2xk4p", "v1.4.0", time.Now())
	dst.HoldSingleton(ctx, "zoom-stream", "warroom-7f9c-2xk4p", time.Minute)
	dst.EnsureS2SHost(ctx, "host@example.com", 0)

	counts, err := store.CopyDatabase(ctx, src, dst, store.CopyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var replaced int64
	for _, tc := range counts {
		replaced += tc.Replaced
		if tc.Compared != tc.Source {
			t.Errorf("%s: %+v", tc.Table, tc)
		}
	}
	if replaced != 5 {
		t.Errorf("replaced %d start-up rows, want 5: %+v", replaced, counts)
	}
	if id, _ := dst.InstallID(ctx); id != srcID {
		t.Errorf("install_id after the copy: %s, want the source's %s", id, srcID)
	}
	if rs, _ := dst.Replicas(ctx, time.Time{}); len(rs) != 0 {
		t.Errorf("replicas after the copy: %+v", rs)
	}
}

// A table without a primary key is checked by a unique index covering
// every row (warroom's own tables all have primary keys today).
func TestCopyDatabaseChecksByAUniqueIndex(t *testing.T) {
	src, dst := copyStores(t)
	ctx := context.Background()
	for _, s := range []*store.Store{src, dst} {
		if _, err := s.DB().ExecContext(ctx, `CREATE TABLE extra (code TEXT NOT NULL, note TEXT)`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().ExecContext(ctx, `CREATE UNIQUE INDEX extra_code ON extra (code)`); err != nil {
			t.Fatal(err)
		}
	}
	src.DB().ExecContext(ctx, `INSERT INTO extra (code, note) VALUES ('a', 'ours'), ('b', NULL)`)
	dst.DB().ExecContext(ctx, `INSERT INTO extra (code, note) VALUES ('a', 'theirs'), ('c', 'theirs')`)

	_, err := store.CopyDatabase(ctx, src, dst, store.CopyOptions{Merge: true})
	var clash *store.ClashError
	if !errors.As(err, &clash) || len(clash.Tables) != 1 || clash.Tables[0].Table != "extra" ||
		clash.Tables[0].Total != 1 || clash.Tables[0].Rows[0].Key != `code="a"` {
		t.Fatalf("merge over another row of the same code: %v", err)
	}
	dst.DB().ExecContext(ctx, `DELETE FROM extra WHERE code = 'a'`)
	counts, err := store.CopyDatabase(ctx, src, dst, store.CopyOptions{Merge: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range counts {
		if tc.Table == "extra" && (tc.Copied != 2 || tc.Compared != 2 || tc.Dest != 3) {
			t.Errorf("extra: %+v", tc)
		}
	}
}

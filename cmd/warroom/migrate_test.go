package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/store/pgtest"
)

func migrateDB(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := runCommand(context.Background(), append([]string{"migrate-db"}, args...), func(string) string { return "" }, &out, io.Discard)
	return out.String(), err
}

// TestMigrateDBMovesAnInstallation: a warroom that ran on SQLite moves to
// PostgreSQL. The copy is refused while warroom runs on the file; after
// it stops, every table is copied and every key compared, a second run is
// refused unless --force, which copies nothing, and warroom on PostgreSQL
// carries on where it left off (the next incident is INC-3). A wrong URL
// is a clear refusal, its password never shown.
func TestMigrateDBMovesAnInstallation(t *testing.T) {
	w := MustStartWorld(t)
	dir := t.TempDir()
	env := w.env(dir)
	p := MustStartProcessEnv(t, w, env)
	declare(t, w, "U1", "declare Checkout is down")
	declare(t, w, "U1", "declare Search is slow")
	MustWaitRoom(t, w, todayName("Checkout is down", 1))
	MustWaitRoom(t, w, todayName("Search is slow", 1))
	db := filepath.Join(dir, "warroom.db")
	url := pgtest.URL(t)

	if _, err := migrateDB(t, "--from", db, "--to", url); err == nil || !strings.Contains(err.Error(), "stop warroom first") {
		t.Fatalf("migrating a database in use: %v", err)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()

	out, err := migrateDB(t, "--from", db, "--to", url)
	if err != nil {
		t.Fatalf("migrate-db: %v\n%s", err, out)
	}
	for _, want := range []string{"incidents", "jobs", "zoom_hosts", "keys compared", "every source row is there under its key"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	// Run again, the copy is refused (the database holds rows now) with
	// the way to check it; --force copies nothing and finds every key.
	if _, err := migrateDB(t, "--from", db, "--to", url); err == nil ||
		!strings.Contains(err.Error(), "if this is a re-run of the same copy, --force checks it") {
		t.Errorf("a second run without --force: %v", err)
	}
	out, err = migrateDB(t, "--from", db, "--to", url, "--force")
	if err != nil || !strings.Contains(out, "Copied 0 rows") || !strings.Contains(out, "every source row is there") {
		t.Errorf("a second run with --force: %v\n%s", err, out)
	}

	rs := &replicaSet{w: w, procs: map[string]*process{}, dsn: url, env: append(env, "WARROOM_DB="+url)}
	rs.start(t, "replica-1")
	declare(t, w, "U1", "declare Payments flaky")
	MustWaitRoom(t, w, todayName("Payments flaky", 1))
	if !strings.Contains(rs.procs["replica-1"].log.String(), `"incident":"INC-3"`) {
		t.Error("the first incident on PostgreSQL is not INC-3: the copied incidents' IDs were not kept")
	}

	_, err = migrateDB(t, "--from", db, "--to", "postgres://warroom:s3cret-pw@127.0.0.1:1/warroom?sslmode=disable")
	if err == nil || strings.Contains(err.Error(), "s3cret-pw") {
		t.Errorf("an unreachable destination: %v", err)
	}
	if _, err := migrateDB(t, "--from", db, "--to", filepath.Join(dir, "other.db")); err == nil || !strings.Contains(err.Error(), "postgres://") {
		t.Errorf("a file as the destination: %v", err)
	}
}

// clashingDatabases makes what an operator could point migrate-db at by
// mistake: a SQLite installation whose incident 1 has a follow-up, and a
// PostgreSQL database of another installation with an incident 1 of its
// own.
func clashingDatabases(t *testing.T) (file, url string) {
	t.Helper()
	ctx := context.Background()
	file = filepath.Join(t.TempDir(), "warroom.db")
	src, err := store.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	inc, _, err := src.Declare(ctx, store.NewIncident{DedupeKey: "ours", Title: "Checkout is down",
		FullTitle: "Checkout is down", Severity: 2, DeclaredBy: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := src.AddFollowup(ctx, store.NewFollowup{IncidentID: inc.ID, DedupeKey: "f1", Topic: "Review",
		Start: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	url = pgtest.URL(t)
	dst, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	theirs, _, err := dst.Declare(ctx, store.NewIncident{DedupeKey: "theirs", Title: "Payments are failing",
		FullTitle: "Payments are failing", Severity: 1, DeclaredBy: "U9"})
	if err != nil || theirs.ID != inc.ID {
		t.Fatalf("the destination's own incident: %+v %v", theirs, err)
	}
	return file, url
}

// contents is what the test's PostgreSQL database holds that a wrong copy
// would change: its incidents, how many jobs and follow-ups, and where
// the incident IDs stand.
func contents(t *testing.T, url string) string {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var incidents string
	var jobs, followups int
	var next int64
	err = db.QueryRow(`SELECT (SELECT string_agg(id || ' ' || title, '; ' ORDER BY id) FROM incidents),
		(SELECT COUNT(*) FROM jobs), (SELECT COUNT(*) FROM followups),
		(SELECT last_value FROM pg_sequences WHERE sequencename = 'incidents_id_seq')`).Scan(&incidents, &jobs, &followups, &next)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("incidents [%s], %d jobs, %d follow-ups, incident IDs at %d", incidents, jobs, followups, next)
}

// TestMigrateDBRefusesADatabaseWithData: without --force, a database
// that holds another installation's incident is refused, the tables
// holding rows named, and nothing is written.
func TestMigrateDBRefusesADatabaseWithData(t *testing.T) {
	file, url := clashingDatabases(t)
	before := contents(t, url)
	out, err := migrateDB(t, "--from", file, "--to", url)
	if err == nil {
		t.Fatalf("migrate-db into a database with data succeeded:\n%s", out)
	}
	for _, want := range []string{"already holds incidents (1 row), incident_events (1 row) and jobs (1 row), so nothing was copied",
		"--force merges into this one", "checking every key", "if this is a re-run of the same copy",
		"install_id and last_ping settings"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal lacks %q:\n%v", want, err)
		}
	}
	if after := contents(t, url); after != before {
		t.Errorf("the refused copy changed the destination: %s, was %s", after, before)
	}
}

// TestMigrateDBForceRollsBackAClash: with --force, the source's incident 1
// meets the destination's own incident 1. The follow-up is not attached
// to the wrong incident: the clash is named and the copy rolled back.
func TestMigrateDBForceRollsBackAClash(t *testing.T) {
	file, url := clashingDatabases(t)
	before := contents(t, url)
	out, err := migrateDB(t, "--from", file, "--to", url, "--force")
	if err == nil {
		t.Fatalf("migrate-db --force over a clash succeeded:\n%s", out)
	}
	for _, want := range []string{"the copy was rolled back and", "is as it was",
		"incidents id=1 (dedupe_key, title, full_title, severity, declared_by", "migrate into an empty database"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the failure lacks %q:\n%v", want, err)
		}
	}
	if after := contents(t, url); after != before {
		t.Errorf("the rolled-back copy changed the destination: %s, was %s", after, before)
	}
}

package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

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
// it stops, every table is copied and counted, a second run copies
// nothing, and warroom on PostgreSQL carries on where it left off (the
// next incident is INC-3). A wrong URL is a clear refusal, its password
// never shown.
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
	for _, want := range []string{"incidents", "jobs", "zoom_hosts", "every table's count checked"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	out, err = migrateDB(t, "--from", db, "--to", url)
	if err != nil || !strings.Contains(out, "Copied 0 rows") {
		t.Errorf("a second run: %v\n%s", err, out)
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

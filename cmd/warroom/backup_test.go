package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/store"
)

func backupCmd(ctx context.Context, db, dest string) (string, error) {
	var out bytes.Buffer
	env := map[string]string{"WARROOM_DB": db}
	err := runCommand(ctx, []string{"backup", dest}, func(k string) string { return env[k] }, &out, io.Discard)
	return out.String(), err
}

// TestBackupWhileIncidentsAreWritten backs up a database that writers keep
// declaring incidents into, holding its lock as `warroom run` does. Every
// incident committed before the backup began is in the copy, and the copy
// is consistent: each incident in it has the job recorded in the same
// transaction.
func TestBackupWhileIncidentsAreWritten(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "warroom.db")
	lock, err := store.LockFile(db)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	var (
		mu        sync.Mutex
		committed = map[int64]time.Time{} // incident → when Declare returned
		stop      atomic.Bool
		wg        sync.WaitGroup
		seq       atomic.Int64
	)
	for w := range 4 {
		wg.Go(func() {
			for !stop.Load() {
				n := seq.Add(1)
				rec, _, err := st.Declare(ctx, store.NewIncident{
					DedupeKey: fmt.Sprintf("w%d-%d", w, n), Title: fmt.Sprintf("Outage %d", n), FullTitle: fmt.Sprintf("Outage %d", n),
					Severity: 2, DeclaredBy: "U1",
				})
				if err != nil {
					t.Errorf("declare: %v", err)
					return
				}
				mu.Lock()
				committed[rec.ID] = time.Now()
				mu.Unlock()
			}
		})
	}
	// Let the writers get going, then back up in the middle of them.
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(committed) }
	for count() < 50 {
		time.Sleep(time.Millisecond)
	}
	dest := filepath.Join(dir, "backup.db")
	began := time.Now()
	out, err := backupCmd(ctx, db, dest)
	afterBackup := count()
	for count() < afterBackup+20 { // and they keep writing after it
		time.Sleep(time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatalf("warroom backup: %v", err)
	}
	if !strings.Contains(out, "integrity ok") {
		t.Errorf("backup said %q", out)
	}
	if st, err := os.Stat(dest); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode %v (%v), want 0600: it holds sealed tokens", st.Mode().Perm(), err)
	}

	cp, err := store.Open(ctx, dest)
	if err != nil {
		t.Fatalf("open the copy: %v", err)
	}
	defer cp.Close()
	incidents, err := cp.Incidents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inCopy := map[int64]bool{}
	for _, inc := range incidents {
		inCopy[inc.ID] = true
	}
	mu.Lock()
	defer mu.Unlock()
	before := 0
	for id, at := range committed {
		if at.Before(began) {
			before++
			if !inCopy[id] {
				t.Errorf("INC-%d was committed before the backup began but is not in the copy", id)
			}
		}
	}
	if before < 50 || len(incidents) >= len(committed) {
		t.Errorf("%d incidents committed before the backup, %d in the copy, %d in all: the backup did not run amid the writes", before, len(incidents), len(committed))
	}
	jobs, err := cp.PendingJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	withJob := map[int64]bool{}
	for _, j := range jobs {
		withJob[j.IncidentID] = true
	}
	for id := range inCopy {
		if !withJob[id] {
			t.Errorf("INC-%d is in the copy without its declare job: the copy is not one transaction's snapshot", id)
		}
	}
	if len(jobs) != len(incidents) {
		t.Errorf("%d jobs for %d incidents in the copy", len(jobs), len(incidents))
	}
}

func TestBackupRefusesToOverwrite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "warroom.db")
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	dest := filepath.Join(dir, "precious.db")
	os.WriteFile(dest, []byte("do not touch"), 0o600)
	if _, err := backupCmd(ctx, db, dest); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("backup over an existing file: %v", err)
	}
	if b, _ := os.ReadFile(dest); string(b) != "do not touch" {
		t.Errorf("the existing file was changed: %q", b)
	}
	// An empty file is a file too.
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)
	if _, err := backupCmd(ctx, db, empty); err == nil {
		t.Error("backup over an existing empty file succeeded")
	}
	// The store refuses on its own, whatever the command checked.
	if _, err := store.Backup(ctx, db, dest); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("store.Backup over an existing file: %v", err)
	}

	if _, err := backupCmd(ctx, filepath.Join(dir, "nope.db"), filepath.Join(dir, "b.db")); err == nil || !strings.HasPrefix(err.Error(), "WARROOM_DB ") {
		t.Errorf("backup of a missing database: %v, want an error naming WARROOM_DB", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nope.db")); !os.IsNotExist(err) {
		t.Error("backing up a missing database created it")
	}
	if _, err := backupCmd(ctx, db, filepath.Join(dir, "no-such-dir", "b.db")); err == nil {
		t.Error("backup into a missing directory succeeded")
	}
	var out bytes.Buffer
	if err := runCommand(ctx, []string{"backup"}, func(string) string { return "" }, &out, io.Discard); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("backup without a file: %v", err)
	}
}

// TestBackupOfARunningWarroom backs up the database of the real binary
// while it runs, then restores it as README.md says (stop, copy back,
// start) and finds the incident there.
func TestBackupOfARunningWarroom(t *testing.T) {
	bin := MustBuildBinary(t)
	w := MustStartWorld(t)
	dir := t.TempDir()
	p := MustStartProcess(t, w, dir)
	declare(t, w, "U1", "declare Backed up")
	MustWaitRoom(t, w, todayName("Backed up", 1))
	dest := filepath.Join(t.TempDir(), "warroom-backup.db")
	cmd := exec.Command(bin, "backup", dest)
	cmd.Env = append(w.env(dir), "PATH="+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "1 incident;") {
		t.Fatalf("warroom backup beside warroom run: %v\n%s", err, out)
	}
	p.cmd.Process.Signal(os.Interrupt)
	p.cmd.Wait()

	// Restore: the live database and its WAL files are replaced by the copy.
	db := filepath.Join(dir, "warroom.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(db + suffix)
	}
	b, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, b, 0o600); err != nil {
		t.Fatal(err)
	}
	info, err := store.Inspect(context.Background(), db)
	if err != nil || info.Integrity != "ok" || info.Incidents != 1 {
		t.Fatalf("restored database: %+v %v", info, err)
	}
	MustStartProcess(t, w, dir)
	declare(t, w, "U1", "declare After restore")
	MustWaitRoom(t, w, todayName("After restore", 1))
}

// On PostgreSQL, backup says how to use pg_dump and copies nothing.
func TestBackupOnPostgresPointsToPgDump(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "b.dump")
	env := map[string]string{"WARROOM_DB": "postgres://warroom:s3cret@db.example.com:5432/warroom"}
	err := runBackup(context.Background(), []string{dest}, func(k string) string { return env[k] }, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "pg_dump --format=custom --file="+dest) {
		t.Fatalf("backup on PostgreSQL: %v", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("the password reached the message: %v", err)
	}
	if _, err := os.Stat(dest); err == nil {
		t.Fatal("a backup file was written")
	}
}

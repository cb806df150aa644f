package main

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/config"
)

// A job that can never succeed — its incident's channel was archived by a
// person — is given up on at its first run instead of retrying forever,
// and says so where people and operators look: /incident status, warroom
// doctor, and a metric to alert on.
func TestAJobThatCannotSucceedIsGivenUpAndShown(t *testing.T) {
	w := MustStartWorld(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	r := MustRunWith(t, w, func(c *config.Config, _ *Tuning) { c.DB, c.HTTPAddr = dir+"/warroom.db", addr })
	declare(t, w, "U1", "declare Archived too early")
	room := MustWaitRoom(t, w, todayName("Archived too early", 1))
	if err := w.Slack.ArchiveChannelAs("U1", room.Channel.ID); err != nil {
		t.Fatal(err)
	}
	command(t, w, "U1", room.Channel.ID, "sev 1")

	db := r.Main.store.DB()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var attempts int
	var lastError string
	if err := waitFor(ctx, func() bool {
		err := db.QueryRowContext(ctx, `SELECT attempts, last_error FROM jobs WHERE kind = 'incident_sync' AND dead = 1`).
			Scan(&attempts, &lastError)
		return err == nil
	}); err != nil {
		t.Fatalf("the sync of an archived channel was never given up on:\n%s", jobsOf(t, db))
	}
	if !strings.Contains(lastError, "is_archived") {
		t.Errorf("the dead job's last error is %q", lastError)
	}
	// Given up at its first failed run: not 23 attempts in 4 s.
	var failedRuns int
	db.QueryRow(`SELECT failures FROM jobs WHERE kind = 'incident_sync' AND dead = 1`).Scan(&failedRuns)
	if failedRuns != 1 {
		t.Errorf("%d failed runs before giving up on is_archived, want 1", failedRuns)
	}

	status, _ := command(t, w, "U1", room.Channel.ID, "status")
	if !strings.Contains(status, "warroom gave up on") || !strings.Contains(status, "is_archived") {
		t.Errorf("/incident status does not say what warroom gave up on:\n%s", status)
	}
	if m := scrape(t, addr); m[`warroom_jobs_dead{kind="incident_sync"}`] != 1 {
		t.Errorf(`warroom_jobs_dead{kind="incident_sync"} = %v, want 1`, m[`warroom_jobs_dead{kind="incident_sync"}`])
	}
	report, _ := runDoctorTest(t, doctorEnv(w, dir, map[string]string{"WARROOM_DB": dir + "/warroom.db", "WARROOM_HTTP_ADDR": addr}))
	if line, _ := mustLine(t, report, "warn", "Durable work"); !strings.Contains(line, "1 job given up on") || !strings.Contains(line, "is_archived") {
		t.Errorf("doctor's durable work line: %s", line)
	}
}

// jobsOf lists the jobs table, for a failure's message.
func jobsOf(t *testing.T, db *sql.DB) string {
	rows, err := db.Query(`SELECT id, kind, attempts, failures, dead, COALESCE(done_at, 0), last_error FROM jobs ORDER BY id`)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, attempts, failures, dead, done int64
		var kind, last string
		rows.Scan(&id, &kind, &attempts, &failures, &dead, &done, &last)
		b.WriteString(strings.Join([]string{kind, last}, ": ") + "\n")
	}
	return b.String()
}

package doctor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/warroom-dev/warroom/store"
)

func (d *doctor) checkDatabase(ctx context.Context) {
	d.section("Database")
	if store.IsPostgres(d.cfg.DB) {
		d.checkPostgres(ctx)
		return
	}
	path := d.cfg.DB
	what := "WARROOM_DB " + path
	info, err := store.Inspect(ctx, path)
	if err != nil {
		d.fail(what, err.Error(), "point WARROOM_DB at warroom's database file, or restore one from a backup (README.md, Operations)")
		return
	}
	dir := filepath.Dir(path)
	if !info.Exists {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			d.fail(what, "its directory "+dir+" does not exist", "create "+dir+" and let the user warroom runs as write to it")
			return
		}
		if err := dirWritable(dir); err != nil {
			d.fail(what, "does not exist yet, and "+dir+" is not writable: "+err.Error(),
				"let the user warroom runs as write to "+dir+" (the database, its -wal, -shm and .lock files live there)")
			return
		}
		d.ok(what, "does not exist yet; warroom run creates it")
		return
	}
	// The lock file says whether a warroom is running on the database.
	if lock, err := store.LockFile(path); err == nil {
		lock.Release()
	} else if errors.Is(err, syscall.EWOULDBLOCK) {
		d.running = true
	}
	if info.Integrity != "ok" {
		d.fail(what, "SQLite's integrity check failed: "+info.Integrity,
			"stop warroom and restore the latest backup (README.md, Operations → Restore)")
		return
	}
	var problems []string
	if f, err := os.OpenFile(path, os.O_RDWR, 0); err != nil {
		problems = append(problems, "the file is not writable ("+err.Error()+")")
	} else {
		f.Close()
	}
	if err := dirWritable(dir); err != nil {
		problems = append(problems, "its directory is not writable ("+err.Error()+")")
	}
	if len(problems) > 0 {
		d.fail(what, strings.Join(problems, "; "),
			"let the user warroom runs as write to "+path+" and to "+dir+" (SQLite keeps its -wal, -shm and the .lock file beside it)")
		return
	}
	schema, newer := schemaState(info.SchemaVersion, info.Latest, "a backup")
	if newer {
		d.fail(what, schema, "run the newer warroom, or restore a backup taken before the upgrade")
		return
	}
	state := "no warroom is running on it"
	if d.running {
		state = "in use by a running warroom"
	}
	d.ok(what, fmt.Sprintf("%s; integrity ok; %s, %s waiting; %s", schema, plural(info.Incidents, "incident"), plural(info.PendingJobs, "job"), state))
	d.checkWork(info.Work)
}

// checkWork reports the work warroom gave up on: each is something people
// are waiting for that will not happen by itself.
func (d *doctor) checkWork(w store.WorkInfo) {
	const what = "Durable work"
	if w.DeadAll == 0 {
		found := "nothing given up on in the last 24 h"
		if w.Failing > 0 {
			found += "; " + plural(w.Failing, "job") + " failing and being retried"
		}
		d.ok(what, found)
		return
	}
	var items []string
	for _, j := range w.Dead {
		why := strings.ReplaceAll(j.LastError, "\n", "; ")
		if len(why) > 120 {
			why = why[:120] + "…"
		}
		items = append(items, fmt.Sprintf("%s of incident %d at %s (%s)", j.Kind, j.IncidentID, j.DoneAt.Format(time.RFC3339), why))
	}
	if more := w.DeadAll - len(w.Dead); more > 0 {
		items = append(items, fmt.Sprintf("and %d more", more))
	}
	d.warn(what, plural(w.DeadAll, "job")+" given up on in the last 24 h: "+strings.Join(items, "; "),
		"/incident status in each incident's channel says what is missing; fix the cause (an archived channel, a missing scope: reinstall the app), then any change to the incident tries again")
}

// schemaState describes a database's schema version against the latest
// this warroom knows; newer reports a schema this warroom cannot run on.
func schemaState(version, latest int, backup string) (state string, newer bool) {
	switch {
	case version > latest:
		return fmt.Sprintf("schema %d was written by a newer warroom (this one knows up to %d)", version, latest), true
	case version == 0:
		return "empty (warroom run sets it up at start)", false
	case version < latest:
		return fmt.Sprintf("schema %d (warroom run migrates it to %d at start; take %s first)", version, latest, backup), false
	}
	return fmt.Sprintf("schema %d (current)", version), false
}

// dirWritable creates and removes a file in dir.
func dirWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".warroom-doctor-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// checkPostgres checks the connection, the server's version, the schema
// and which replicas run.
func (d *doctor) checkPostgres(ctx context.Context) {
	what := "WARROOM_DB " + store.RedactDSN(d.cfg.DB)
	info, err := store.InspectPostgres(ctx, d.cfg.DB)
	if err != nil {
		d.fail(what, err.Error(), "check the URL's host, port, user, password and database, and that the server accepts this machine (pg_hba.conf, sslmode)")
		return
	}
	if info.VersionNum < store.MinPostgres {
		d.fail(what, "PostgreSQL "+info.Version+" is too old", "use PostgreSQL 14 or newer")
		return
	}
	schema, newer := schemaState(info.SchemaVersion, info.Latest, "a pg_dump")
	if newer {
		d.fail(what, schema, "run the newer warroom on every replica")
		return
	}
	names := make([]string, 0, len(info.Replicas))
	for _, r := range info.Replicas {
		names = append(names, r.Name+" "+r.Version)
	}
	replicas := "no replica seen in the last minute"
	if len(names) > 0 {
		replicas = plural(len(names), "replica") + " seen in the last minute: " + strings.Join(names, ", ")
	}
	d.ok(what, fmt.Sprintf("PostgreSQL %s; %s; %s; %s", info.Version, schema, plural(info.Incidents, "incident"), replicas))
	d.checkWork(info.Work)
}

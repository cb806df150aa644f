package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/warroom-dev/warroom/jobtype"
)

// WorkInfo is what `warroom doctor` reports of the durable work: the jobs
// given up on lately, and how many are failing and being retried.
type WorkInfo struct {
	Dead    []jobtype.Job // given up on in the last DeadWindow and not replaced, newest first (a few)
	DeadAll int           // how many of those there are
	Failing int           // unfinished jobs whose last run failed
}

// inspectWork reads the work's state from db, an engine's own handle
// (the doctor's read-only one). Its only parameter is written into the
// query, so the same text runs on SQLite and on PostgreSQL.
func inspectWork(ctx context.Context, db *sql.DB, now time.Time) (WorkInfo, error) {
	var w WorkInfo
	since := strconv.FormatInt(now.Add(-DeadWindow).UnixMilli(), 10)
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE `+deadJob+` AND done_at > `+since).Scan(&w.DeadAll); err != nil {
		return w, fmt.Errorf("store: dead jobs: %w", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE done_at IS NULL AND failures > 0`).Scan(&w.Failing); err != nil {
		return w, fmt.Errorf("store: failing jobs: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE `+deadJob+` AND done_at > `+since+`
		ORDER BY done_at DESC, id DESC LIMIT 3`)
	if err != nil {
		return w, fmt.Errorf("store: dead jobs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return w, fmt.Errorf("store: dead jobs: %w", err)
		}
		w.Dead = append(w.Dead, j)
	}
	return w, rows.Err()
}

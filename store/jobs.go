package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/warroom-dev/warroom"
)

// Job is a unit of durable work. Attempts counts claims, so a job whose
// process died mid-run still shows it was tried.
type Job struct {
	ID         int64
	Kind       string
	IncidentID int64
	Payload    string
	RefID      int64 // the follow-up or recording watch the job is about
	RunAt      time.Time
	Attempts   int
	LastError  string
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func enqueue(ctx context.Context, tx execer, kind string, incidentID int64, runAt int64) (int64, error) {
	return enqueueRef(ctx, tx, kind, incidentID, 0, runAt)
}

func enqueueRef(ctx context.Context, tx execer, kind string, incidentID, refID int64, runAt int64) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO jobs (kind, incident_id, ref_id, run_at, created_at) VALUES (?, ?, ?, ?, ?)`,
		kind, incidentID, refID, runAt, runAt)
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", kind, err)
	}
	return res.LastInsertId()
}

// ClaimDue leases up to limit due jobs to owner until now+lease. A job is
// due when its run_at has passed and nobody holds an unexpired lease on it.
func (s *Store) ClaimDue(ctx context.Context, owner string, limit int, lease time.Duration) ([]Job, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: claim jobs: %w", err)
	}
	defer tx.Rollback()
	now := ms(s.now())
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, COALESCE(incident_id, 0), ref_id, payload, run_at, attempts, last_error
		FROM jobs WHERE done_at IS NULL AND run_at <= ? AND lease_until <= ?
		ORDER BY run_at, id LIMIT ?`, now, now, limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim jobs: %w", err)
	}
	var jobs []Job
	for rows.Next() {
		var j Job
		var runAt int64
		if err := rows.Scan(&j.ID, &j.Kind, &j.IncidentID, &j.RefID, &j.Payload, &runAt, &j.Attempts, &j.LastError); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: claim jobs: %w", err)
		}
		j.RunAt = fromMS(runAt)
		jobs = append(jobs, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: claim jobs: %w", err)
	}
	until := now + lease.Milliseconds()
	for i := range jobs {
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET lease_owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id = ?`,
			owner, until, jobs[i].ID); err != nil {
			return nil, fmt.Errorf("store: claim jobs: %w", err)
		}
		jobs[i].Attempts++
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: claim jobs: %w", err)
	}
	return jobs, nil
}

// CompleteJob marks a job done — or due again at once if a rerun was asked
// for while it ran. Only the lease holder may.
func (s *Store) CompleteJob(ctx context.Context, id int64, owner string) error {
	now := ms(s.now())
	return s.finishJob(ctx, id, owner, `done_at = CASE WHEN rerun = 1 THEN NULL ELSE ? END,
		run_at = CASE WHEN rerun = 1 THEN ? ELSE run_at END,
		last_error = '', rerun = 0, lease_owner = '', lease_until = 0`, now, now)
}

// RetryJob records a failed run and when to try again — at once instead if
// a rerun was asked for while it ran.
func (s *Store) RetryJob(ctx context.Context, id int64, owner string, runAt time.Time, lastError string) error {
	return s.finishJob(ctx, id, owner, `run_at = CASE WHEN rerun = 1 THEN ? ELSE ? END, last_error = ?, rerun = 0,
		lease_owner = '', lease_until = 0`, ms(s.now()), ms(runAt), lastError)
}

func (s *Store) finishJob(ctx context.Context, id int64, owner, set string, args ...any) error {
	args = append(args, id, owner)
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET `+set+` WHERE id = ? AND lease_owner = ?`, args...)
	if err != nil {
		return fmt.Errorf("store: job %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return warroom.Errorf(warroom.ECONFLICT, "Job %d is not leased to %s.", id, owner)
	}
	return nil
}

// RunJobsNow makes an incident's pending jobs of a kind due at once (the
// Retry button); one running now runs again as soon as it ends. It reports
// whether there was one.
func (s *Store) RunJobsNow(ctx context.Context, incidentID int64, kind string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET run_at = ?, rerun = 1 WHERE incident_id = ? AND kind = ? AND done_at IS NULL`,
		ms(s.now()), incidentID, kind)
	if err != nil {
		return false, fmt.Errorf("store: run jobs now: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// EnqueueJob adds a job for an incident, due at runAt.
func (s *Store) EnqueueJob(ctx context.Context, kind string, incidentID int64, runAt time.Time) (int64, error) {
	id, err := enqueue(ctx, s.db, kind, incidentID, ms(runAt))
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return id, nil
}

// NextDue is when the next unfinished job can run (its run_at, or the end
// of its lease if later). ok is false when no work is waiting.
func (s *Store) NextDue(ctx context.Context) (at time.Time, ok bool, err error) {
	var v sql.NullInt64
	err = s.db.QueryRowContext(ctx, `SELECT MIN(MAX(run_at, lease_until)) FROM jobs WHERE done_at IS NULL`).Scan(&v)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: next due: %w", err)
	}
	if !v.Valid {
		return time.Time{}, false, nil
	}
	return fromMS(v.Int64), true, nil
}

// ReleaseLeases drops every lease. Only safe when this process is known to
// be the database's sole user (SQLite mode holds an exclusive lock file):
// leases left by a killed process would otherwise delay recovery until
// they expire.
func (s *Store) ReleaseLeases(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET lease_owner = '', lease_until = 0 WHERE done_at IS NULL AND lease_owner <> ''`)
	if err != nil {
		return 0, fmt.Errorf("store: release leases: %w", err)
	}
	return res.RowsAffected()
}

// PendingJobs lists unfinished jobs, oldest due first.
func (s *Store) PendingJobs(ctx context.Context) ([]Job, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, kind, COALESCE(incident_id, 0), ref_id, payload, run_at, attempts, last_error
		FROM jobs WHERE done_at IS NULL ORDER BY run_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: pending jobs: %w", err)
	}
	defer rows.Close()
	var jobs []Job
	for rows.Next() {
		var j Job
		var runAt int64
		if err := rows.Scan(&j.ID, &j.Kind, &j.IncidentID, &j.RefID, &j.Payload, &runAt, &j.Attempts, &j.LastError); err != nil {
			return nil, fmt.Errorf("store: pending jobs: %w", err)
		}
		j.RunAt = fromMS(runAt)
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

// RunRefJobsNow makes the unfinished jobs of a kind about refID due now
// (a webhook said the awaited thing happened).
func (s *Store) RunRefJobsNow(ctx context.Context, kind string, refID int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE jobs SET run_at = MIN(run_at, ?), rerun = 1 WHERE kind = ? AND ref_id = ? AND done_at IS NULL`,
		ms(s.now()), kind, refID)
	if err != nil {
		return fmt.Errorf("store: run jobs now: %w", err)
	}
	return nil
}

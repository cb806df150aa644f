package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
)

const jobColumns = `id, kind, COALESCE(incident_id, 0), ref_id, payload, run_at, attempts, last_error, lease_token,
	failures, failing_since, COALESCE(done_at, 0)`

func scanJob(row scanner) (jobtype.Job, error) {
	var j jobtype.Job
	var runAt, failingSince, doneAt int64
	err := row.Scan(&j.ID, &j.Kind, &j.IncidentID, &j.Subject, &j.Payload, &runAt, &j.Attempts, &j.LastError, &j.Token,
		&j.Failures, &failingSince, &doneAt)
	j.RunAt, j.FailingSince, j.DoneAt = fromMS(runAt), fromMS(failingSince), fromMS(doneAt)
	return j, err
}

// enqueue records the job of args in the caller's transaction, with the
// args as its payload. There is at most one unfinished job per kind and
// scope (incident and subject): if one waits, it becomes due at the
// earlier of the two times; if one runs, it runs again as soon as it ends
// (rerun), so a change made meanwhile is never missed; run_at then holds
// when that rerun is due (the earliest asked for). The job merged into
// keeps its payload: args of one scope are the same (jobtype.Args).
func enqueue(ctx context.Context, q querier, args jobtype.Args, runAt, now int64) error {
	payload, err := jobtype.Encode(args)
	if err != nil {
		return err
	}
	scope := args.Scope()
	var incident any = scope.Incident
	if scope.Incident == 0 {
		incident = nil // work of no incident's (a Zoom account's event)
	}
	_, err = q.ExecContext(ctx, `INSERT INTO jobs (kind, incident_id, ref_id, payload, run_at, available_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, incident_id, ref_id) WHERE done_at IS NULL DO UPDATE SET
			rerun = CASE WHEN jobs.lease_owner <> '' THEN 1 ELSE jobs.rerun END,
			run_at = CASE WHEN jobs.lease_owner <> '' AND jobs.rerun = 0 THEN excluded.run_at
				WHEN excluded.run_at < jobs.run_at THEN excluded.run_at ELSE jobs.run_at END,
			available_at = CASE WHEN jobs.lease_owner = '' AND excluded.run_at < jobs.available_at
				THEN excluded.run_at ELSE jobs.available_at END`,
		args.Kind(), incident, scope.Subject, string(payload), runAt, runAt, now)
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// EnqueueJob records the job of args, due at runAt (see enqueue).
func (s *Store) EnqueueJob(ctx context.Context, args jobtype.Args, runAt time.Time) error {
	if err := enqueue(ctx, s.q, args, ms(runAt), ms(s.now())); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// RequestSync asks for the incident's sync to run again soon, so what
// people see catches up with a change.
func (s *Store) RequestSync(ctx context.Context, incidentID int64) error {
	now := ms(s.now())
	if err := enqueue(ctx, s.q, jobtype.IncidentSync{IncidentID: incidentID}, now, now); err != nil {
		return fmt.Errorf("store: sync: %w", err)
	}
	return nil
}

// ClaimJobs leases up to limit due jobs to owner for lease. A job is due
// when its time has come and nobody holds an unexpired lease on it; and it
// is claimed only if no other job of its incident runs (per-incident
// order: a sync and a follow-up of one incident never race on Slack or
// Zoom). Waiting jobs (a backoff, a poll) hold nothing.
func (s *Store) ClaimJobs(ctx context.Context, owner string, limit int, lease time.Duration) ([]jobtype.Job, error) {
	if limit <= 0 {
		return nil, nil
	}
	// Most wake-ups find nothing due: a read says so without taking the
	// write lock.
	var due int
	if err := s.q.QueryRowContext(ctx, `SELECT CASE WHEN EXISTS (SELECT 1 FROM jobs WHERE done_at IS NULL AND available_at <= ?) THEN 1 ELSE 0 END`,
		ms(s.now())).Scan(&due); err != nil {
		return nil, fmt.Errorf("store: claim jobs: %w", err)
	}
	if due == 0 {
		return nil, nil
	}
	if s.engine.name == postgresEngine.name {
		return s.claimLocked(ctx, owner, limit, lease)
	}
	var jobs []jobtype.Job
	err := s.inTx(ctx, "claim jobs", func(q txn) error {
		now := ms(q.now)
		busy, err := runningIncidents(ctx, q, now)
		if err != nil {
			return err
		}
		due, err := collect(ctx, q, scanJob, `SELECT `+jobColumns+` FROM jobs
			WHERE done_at IS NULL AND available_at <= ? ORDER BY available_at, id LIMIT ?`, now, limit+len(busy)+8)
		if err != nil {
			return fmt.Errorf("store: claim jobs: %w", err)
		}
		until := now + lease.Milliseconds()
		for _, j := range due {
			if len(jobs) == limit {
				break
			}
			if j.IncidentID != 0 && busy[j.IncidentID] {
				continue
			}
			err := q.QueryRowContext(ctx, `UPDATE jobs SET lease_owner = ?, lease_until = ?, available_at = ?,
				lease_token = lease_token + 1, attempts = attempts + 1
				WHERE id = ? AND done_at IS NULL AND available_at <= ? RETURNING lease_token, attempts`,
				owner, until, until, j.ID, now).Scan(&j.Token, &j.Attempts)
			if errors.Is(err, sql.ErrNoRows) {
				continue // another replica took it
			}
			if err != nil {
				return fmt.Errorf("store: claim jobs: %w", err)
			}
			busy[j.IncidentID] = j.IncidentID != 0
			jobs = append(jobs, j)
		}
		return nil
	})
	return jobs, err
}

// runningIncidents are the incidents with a job under an unexpired lease.
func runningIncidents(ctx context.Context, q querier, now int64) (map[int64]bool, error) {
	running, err := collect(ctx, q, scanID, `SELECT incident_id FROM jobs
		WHERE done_at IS NULL AND lease_owner <> '' AND lease_until > ? AND incident_id IS NOT NULL`, now)
	if err != nil {
		return nil, fmt.Errorf("store: running jobs: %w", err)
	}
	busy := make(map[int64]bool, len(running))
	for _, id := range running {
		busy[id] = true
	}
	return busy, nil
}

// RenewLeases extends the leases of running jobs to now+lease, in one
// transaction for all of them. It returns the jobs whose lease was lost
// (claimed by another since): they must stop.
func (s *Store) RenewLeases(ctx context.Context, fences []jobtype.Fence, lease time.Duration) (lost []jobtype.Fence, err error) {
	if len(fences) == 0 {
		return nil, nil
	}
	err = s.inTx(ctx, "renew leases", func(q txn) error {
		lost = lost[:0]
		until := ms(q.now) + lease.Milliseconds()
		for _, f := range fences {
			res, err := q.ExecContext(ctx, `UPDATE jobs SET lease_until = ?, available_at = ?
				WHERE id = ? AND lease_token = ? AND done_at IS NULL`, until, until, f.Job, f.Token)
			if err != nil {
				return fmt.Errorf("store: renew lease of job %d: %w", f.Job, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				lost = append(lost, f)
			}
		}
		return nil
	})
	return lost, err
}

// CompleteJob marks a job done — or due again if more work was asked for
// while it ran: at once, or at the time that work asked for (run_at holds
// it while the job runs), so a burst of changes that asked to wait — a
// call's head count — is shown in one run, not one run each.
func (s *Store) CompleteJob(ctx context.Context, f jobtype.Fence) error {
	now := ms(s.now())
	return s.finishJob(ctx, f, now, `done_at = CASE WHEN rerun = 1 THEN NULL ELSE CAST(? AS BIGINT) END,
		available_at = CASE WHEN rerun = 1 AND run_at > ? THEN run_at WHEN rerun = 1 THEN CAST(? AS BIGINT) ELSE available_at END,
		last_error = '', failures = 0, failing_since = 0`, now, now, now)
}

// SnoozeJob records a run that wants to come back at a time of its own
// (a recording not ready yet): not a failure, so the failures in a row end
// — at once instead if more work was asked for while it ran.
func (s *Store) SnoozeJob(ctx context.Context, f jobtype.Fence, at time.Time, why string) error {
	now := ms(s.now())
	return s.finishJob(ctx, f, now, `run_at = ?, available_at = CASE WHEN rerun = 1 THEN CAST(? AS BIGINT) ELSE CAST(? AS BIGINT) END,
		last_error = ?, failures = 0, failing_since = 0`,
		ms(at), now, ms(at), why)
}

// RetryJob records a failed run and when to try again — at once instead
// if more work was asked for while it ran.
func (s *Store) RetryJob(ctx context.Context, f jobtype.Fence, at time.Time, lastError string) error {
	now := ms(s.now())
	return s.finishJob(ctx, f, now, `run_at = ?, available_at = CASE WHEN rerun = 1 THEN CAST(? AS BIGINT) ELSE CAST(? AS BIGINT) END,
		last_error = ?, failures = failures + 1, failing_since = CASE WHEN failing_since = 0 THEN CAST(? AS BIGINT) ELSE failing_since END`,
		ms(at), now, ms(at), lastError, now)
}

// BuryJob gives up on a job that cannot succeed (a permanent error, or too
// many failures for too long): it is done and dead, and stays listed for
// /incident status, warroom doctor and /metrics. A later change to its
// incident queues a new job, which tries afresh.
func (s *Store) BuryJob(ctx context.Context, f jobtype.Fence, lastError string) error {
	now := ms(s.now())
	return s.finishJob(ctx, f, now, `done_at = ?, dead = 1, last_error = ?, failures = failures + 1,
		failing_since = CASE WHEN failing_since = 0 THEN CAST(? AS BIGINT) ELSE failing_since END`, now, lastError, now)
}

// ReleaseJob gives back a job interrupted by shutdown: due at once, for
// whichever worker comes first (another replica, or this one restarted).
func (s *Store) ReleaseJob(ctx context.Context, f jobtype.Fence) error {
	now := ms(s.now())
	return s.finishJob(ctx, f, now, `available_at = ?`, now)
}

// finishJob records a job's outcome, decided at now, with the results its
// run handed over (Ledger.HandOver) in the same commit and at the same now.
func (s *Store) finishJob(ctx context.Context, f jobtype.Fence, now int64, set string, args ...any) error {
	args = append(args, f.Job, f.Token)
	finish := func(q querier) error {
		res, err := q.ExecContext(ctx, `UPDATE jobs SET `+set+`, rerun = 0, lease_owner = '', lease_until = 0
			WHERE id = ? AND lease_token = ? AND done_at IS NULL`, args...)
		if err != nil {
			return fmt.Errorf("store: job %d: %w", f.Job, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: job %d: %w", f.Job, warroom.ErrLeaseLost)
		}
		return nil
	}
	v, handed := s.handedOver.LoadAndDelete(f)
	if !handed {
		return finish(s.q)
	}
	return s.inTx(ctx, "finish job", func(q txn) error {
		// An incident gone meanwhile has nothing to record; the outcome
		// still is.
		if err := v.(*Ledger).writeOn(ctx, q, now, nil, nil); err != nil && warroom.ErrorCode(err) != warroom.ENOTFOUND {
			return err
		}
		return finish(q)
	})
}

// NextDue is when the next job waiting for its time becomes due: the
// earliest due time, or end of a lease, still to come. ok is false when
// none waits. Work due already but held back by its incident's running
// job is not counted: the engine looks again when a job ends (a kick on
// this replica, the poll for another's). It runs after every job, so it
// is one index range scan, never a look at each pending row.
func (s *Store) NextDue(ctx context.Context) (at time.Time, ok bool, err error) {
	var v sql.NullInt64
	err = s.q.QueryRowContext(ctx, `SELECT MIN(available_at) FROM jobs WHERE done_at IS NULL AND available_at > ?`,
		ms(s.now())).Scan(&v)
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
	now := ms(s.now())
	res, err := s.q.ExecContext(ctx, `UPDATE jobs SET lease_owner = '', lease_until = 0,
		available_at = CASE WHEN run_at < ? THEN run_at ELSE ? END
		WHERE done_at IS NULL AND lease_owner <> ''`, now, now)
	if err != nil {
		return 0, fmt.Errorf("store: release leases: %w", err)
	}
	return res.RowsAffected()
}

// PendingJobs lists unfinished jobs, oldest due first.
func (s *Store) PendingJobs(ctx context.Context) ([]jobtype.Job, error) {
	jobs, err := collect(ctx, s.q, scanJob, `SELECT `+jobColumns+` FROM jobs WHERE done_at IS NULL ORDER BY run_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: pending jobs: %w", err)
	}
	return jobs, nil
}

// JobStats is what /metrics says of the queue.
type JobStats struct {
	Pending   map[string]int // unfinished jobs by kind
	OldestDue time.Time      // run_at of the oldest due job; zero when none
	// OldestFailing is when the longest-failing unfinished job first
	// failed (a job in backoff is not due, and OldestDue misses it).
	OldestFailing time.Time
	Dead          map[string]int // jobs given up on in the last DeadWindow, by kind
}

// DeadWindow is how long a job given up on counts in JobStats.Dead: an
// alert on it clears a day after the last one, or when it is dealt with.
const DeadWindow = 24 * time.Hour

// deadJob selects the jobs given up on that still stand: none of the same
// kind and subject was queued after them (a later change to the incident
// queues a new job, which tries afresh).
const deadJob = `dead = 1 AND NOT EXISTS (SELECT 1 FROM jobs later WHERE later.kind = jobs.kind
	AND later.incident_id = jobs.incident_id AND later.ref_id = jobs.ref_id AND later.id > jobs.id)`

// JobStats counts the unfinished jobs without reading them all.
func (s *Store) JobStats(ctx context.Context) (JobStats, error) {
	st := JobStats{Pending: map[string]int{}, Dead: map[string]int{}}
	now := ms(s.now())
	if err := s.countKinds(ctx, st.Pending, `SELECT kind, COUNT(*) FROM jobs WHERE done_at IS NULL GROUP BY kind`); err != nil {
		return st, err
	}
	if err := s.countKinds(ctx, st.Dead, `SELECT kind, COUNT(*) FROM jobs WHERE `+deadJob+` AND done_at > ? GROUP BY kind`,
		now-DeadWindow.Milliseconds()); err != nil {
		return st, err
	}
	var oldest, failing sql.NullInt64
	if err := s.q.QueryRowContext(ctx, `SELECT MIN(run_at) FROM jobs WHERE done_at IS NULL AND run_at <= ?`,
		now).Scan(&oldest); err != nil {
		return st, fmt.Errorf("store: job stats: %w", err)
	}
	if err := s.q.QueryRowContext(ctx, `SELECT MIN(failing_since) FROM jobs WHERE done_at IS NULL AND failures > 0`).
		Scan(&failing); err != nil {
		return st, fmt.Errorf("store: job stats: %w", err)
	}
	st.OldestDue, st.OldestFailing = fromMS(oldest.Int64), fromMS(failing.Int64)
	return st, nil
}

func (s *Store) countKinds(ctx context.Context, into map[string]int, query string, args ...any) error {
	rows, err := s.q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: job stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return fmt.Errorf("store: job stats: %w", err)
		}
		into[k] = n
	}
	return rows.Err()
}

// DeadJobs lists the jobs given up on that still stand, newest first:
// those of one incident (incidentID > 0) or, with 0, any since then.
func (s *Store) DeadJobs(ctx context.Context, incidentID int64, since time.Time, limit int) ([]jobtype.Job, error) {
	where, args := deadJob+` AND done_at >= ?`, []any{ms(since)}
	if incidentID > 0 {
		where += ` AND incident_id = ?`
		args = append(args, incidentID)
	}
	jobs, err := collect(ctx, s.q, scanJob, `SELECT `+jobColumns+` FROM jobs WHERE `+where+` ORDER BY done_at DESC, id DESC LIMIT ?`,
		append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: dead jobs: %w", err)
	}
	return jobs, nil
}

// fenceCheck is appended to a job's write: the write happens only while
// the job still holds its claim.
const fenceCheck = ` AND EXISTS (SELECT 1 FROM jobs WHERE jobs.id = ? AND jobs.lease_token = ? AND jobs.done_at IS NULL)`

// fencedExec runs a job's UPDATE (whose WHERE clause ends the query) with
// the lease check added. No row changed means the lease was lost
// (warroom.ErrLeaseLost) or the row is missing (ENOTFOUND).
func (s *Store) fencedExec(ctx context.Context, q querier, f jobtype.Fence, what, query string, args ...any) (int64, error) {
	if f.Job != 0 {
		query += fenceCheck
		args = append(args, f.Job, f.Token)
	}
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("store: %s: %w", what, err)
	}
	n, _ := res.RowsAffected()
	if n == 0 && f.Job != 0 {
		if err := s.checkFence(ctx, q, f); err != nil {
			return 0, fmt.Errorf("store: %s: %w", what, err)
		}
	}
	return n, nil
}

// checkFence says whether f still holds its job.
func (s *Store) checkFence(ctx context.Context, q querier, f jobtype.Fence) error {
	if f.Job == 0 {
		return nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE id = ? AND lease_token = ? AND done_at IS NULL`,
		f.Job, f.Token).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return warroom.ErrLeaseLost
	}
	return nil
}

// CheckFence reports warroom.ErrLeaseLost when the job no longer holds its
// claim: a worker asks before a side effect it cannot take back.
func (s *Store) CheckFence(ctx context.Context, f jobtype.Fence) error {
	return s.checkFence(ctx, s.q, f)
}

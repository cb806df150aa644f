package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/warroom-dev/warroom/jobtype"
)

// claimLocked claims due jobs on PostgreSQL, where several replicas claim
// at the same moment. Serializable claims would collide and retry each
// other; instead each replica takes the due rows no one else is taking
// (FOR UPDATE SKIP LOCKED), and claims an incident's job only under a
// transaction-scoped lock on that incident, so two replicas never both
// conclude "none of this incident's jobs runs" and start two at once.
func (s *Store) claimLocked(ctx context.Context, owner string, limit int, lease time.Duration) ([]jobtype.Job, error) {
	var jobs []jobtype.Job
	err := s.inTxWith(ctx, "claim jobs", &sql.TxOptions{Isolation: sql.LevelReadCommitted}, func(q txn) error {
		jobs = jobs[:0]
		now := ms(q.now)
		due, err := lockDueJobs(ctx, q, now, 4*limit+8)
		if err != nil {
			return err
		}
		until := now + lease.Milliseconds()
		held := map[int64]bool{}
		for _, j := range due {
			if len(jobs) == limit {
				break
			}
			if j.IncidentID != 0 {
				if held[j.IncidentID] {
					continue // one job of an incident per claim
				}
				free, err := holdIncident(ctx, q, j.IncidentID, now)
				if err != nil {
					return err
				}
				if !free {
					continue
				}
				held[j.IncidentID] = true
			}
			err := q.QueryRowContext(ctx, `UPDATE jobs SET lease_owner = ?, lease_until = ?, available_at = ?,
				lease_token = lease_token + 1, attempts = attempts + 1
				WHERE id = ? RETURNING lease_token, attempts`, owner, until, until, j.ID).Scan(&j.Token, &j.Attempts)
			if err != nil {
				return fmt.Errorf("store: claim jobs: %w", err)
			}
			jobs = append(jobs, j)
		}
		return nil
	})
	return jobs, err
}

// lockDueJobs locks up to n due jobs that no other transaction holds.
func lockDueJobs(ctx context.Context, q querier, now int64, n int) ([]jobtype.Job, error) {
	due, err := collect(ctx, q, scanJob, `SELECT `+jobColumns+` FROM jobs WHERE done_at IS NULL AND available_at <= ?
		ORDER BY available_at, id LIMIT ? FOR UPDATE SKIP LOCKED`, now, n)
	if err != nil {
		return nil, fmt.Errorf("store: claim jobs: %w", err)
	}
	return due, nil
}

// incidentClaimLock is the first key of the advisory locks that serialise
// claims per incident (the second is the incident's ID).
const incidentClaimLock = 7262

// holdIncident takes the incident's claim lock until the transaction ends
// and reports whether the incident is free: the lock was had and none of
// its jobs runs under a live lease. The check is a statement of its own,
// after the lock: under read committed it then sees every claim committed
// by whoever held the lock before.
func holdIncident(ctx context.Context, q querier, incident, now int64) (bool, error) {
	var locked bool
	err := q.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock(?, CAST(? % 2147483647 AS INTEGER))`,
		incidentClaimLock, incident).Scan(&locked)
	if err != nil || !locked {
		return false, wrapClaim(err)
	}
	var running bool
	err = q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM jobs WHERE incident_id = ? AND done_at IS NULL
		AND lease_owner <> '' AND lease_until > ?)`, incident, now).Scan(&running)
	return err == nil && !running, wrapClaim(err)
}

func wrapClaim(err error) error {
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return fmt.Errorf("store: claim jobs: %w", err)
}

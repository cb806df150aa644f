package store

import (
	"context"
	"fmt"
	"time"
)

// Replica is a warroom process that used the database.
type Replica struct {
	Name      string
	Version   string
	StartedAt time.Time
	SeenAt    time.Time
}

// SeeReplica records that the replica called name runs now.
func (s *Store) SeeReplica(ctx context.Context, name, version string, started time.Time) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO replicas (name, version, started_at, seen_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET version = excluded.version, started_at = excluded.started_at, seen_at = excluded.seen_at`,
		name, version, ms(started), ms(s.now()))
	if err != nil {
		return fmt.Errorf("store: replica %s: %w", name, err)
	}
	return nil
}

// Replicas lists the replicas seen since then, most recently seen first.
func (s *Store) Replicas(ctx context.Context, since time.Time) ([]Replica, error) {
	out, err := collect(ctx, s.q, func(row scanner) (Replica, error) {
		var r Replica
		var started, seen int64
		err := row.Scan(&r.Name, &r.Version, &started, &seen)
		r.StartedAt, r.SeenAt = fromMS(started), fromMS(seen)
		return r, err
	}, `SELECT name, version, started_at, seen_at FROM replicas WHERE seen_at >= ? ORDER BY seen_at DESC, name`, ms(since))
	if err != nil {
		return nil, fmt.Errorf("store: replicas: %w", err)
	}
	return out, nil
}

// HoldSingleton takes, or renews, the singleton called name for owner
// until ttl from now, unless another owner holds it unexpired. It reports
// whether owner holds it now. A replica that dies stops renewing, and the
// singleton is another's once ttl has passed.
func (s *Store) HoldSingleton(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	now := s.now()
	res, err := s.q.ExecContext(ctx, `INSERT INTO singletons (name, owner, until) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
		WHERE singletons.owner = excluded.owner OR singletons.until <= ?`,
		name, owner, ms(now.Add(ttl)), ms(now))
	if err != nil {
		return false, fmt.Errorf("store: singleton %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: singleton %s: %w", name, err)
	}
	return n == 1, nil
}

// ReleaseSingleton gives name up if owner holds it, so another replica
// takes it at once rather than after its ttl (a clean shutdown).
func (s *Store) ReleaseSingleton(ctx context.Context, name, owner string) error {
	if _, err := s.q.ExecContext(ctx, `UPDATE singletons SET until = 0 WHERE name = ? AND owner = ?`, name, owner); err != nil {
		return fmt.Errorf("store: singleton %s: %w", name, err)
	}
	return nil
}

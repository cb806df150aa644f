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
	rows, err := s.q.QueryContext(ctx, `SELECT name, version, started_at, seen_at FROM replicas
		WHERE seen_at >= ? ORDER BY seen_at DESC, name`, ms(since))
	if err != nil {
		return nil, fmt.Errorf("store: replicas: %w", err)
	}
	defer rows.Close()
	var out []Replica
	for rows.Next() {
		var r Replica
		var started, seen int64
		if err := rows.Scan(&r.Name, &r.Version, &started, &seen); err != nil {
			return nil, fmt.Errorf("store: replicas: %w", err)
		}
		r.StartedAt, r.SeenAt = fromMS(started), fromMS(seen)
		out = append(out, r)
	}
	return out, rows.Err()
}

package main

import (
	"context"
	"time"

	"github.com/warroom-dev/warroom/store"
)

// sharedLease is a job's lease with replicas on PostgreSQL.
const sharedLease = 4 * time.Second

// sharedPoll is how often a replica on PostgreSQL looks for due jobs
// (one indexed read when there are none).
const sharedPoll = time.Second

// replicaEvery is how often a replica writes that it runs.
const replicaEvery = 5 * time.Second

// announceReplica records, until ctx ends, that this replica runs: doctor
// lists the replicas seen lately.
func (m *Main) announceReplica(ctx context.Context, st *store.Store, name string) {
	started := time.Now()
	t := time.NewTicker(replicaEvery)
	defer t.Stop()
	for {
		if err := st.SeeReplica(ctx, name, version, started); err != nil && ctx.Err() == nil {
			m.Log.Warn().Err(err).Msg("could not record this replica")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// openStore takes the database. On SQLite it holds a lock file, so a
// second warroom on the same file is refused, and leases a killed
// predecessor left are released at once. On PostgreSQL replicas share
// the database: another replica's leases are its own, and a dead one's
// run out within seconds.
func (m *Main) openStore(ctx context.Context) (*store.Store, error) {
	cfg := m.Config
	shared := store.IsPostgres(cfg.DB)
	if !shared {
		lock, err := store.LockFile(cfg.DB)
		if err != nil {
			return nil, err
		}
		m.mu.Lock()
		m.lock = lock
		m.mu.Unlock()
	}
	var opts []store.Option
	if cfg.SecretKey != nil {
		c, err := store.NewCipher(cfg.SecretKey)
		if err != nil {
			return nil, err
		}
		opts = append(opts, store.WithCipher(c))
	}
	if m.Now != nil {
		opts = append(opts, store.WithClock(m.Now))
	}
	st, err := store.Open(ctx, cfg.DB, opts...)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.store = st
	m.mu.Unlock()
	if !shared {
		// This process holds the lock: leases still held belong to a
		// process that died, and its work should resume now, not when
		// they expire.
		if n, err := st.ReleaseLeases(ctx); err != nil {
			return nil, err
		} else if n > 0 {
			m.Log.Info().Int64("jobs", n).Msg("resuming work left by a previous run")
		}
	}
	if err := st.Warm(ctx); err != nil {
		m.Log.Warn().Err(err).Msg("could not prepare the declare path; the first declare will")
	}
	return st, nil
}

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

// pruneEvery is how often old records are pruned.
const pruneEvery = time.Hour

// openTimeout bounds one attempt at opening the database.
const openTimeout = 30 * time.Second

// openWaiting opens the database, waiting for it while it does not answer
// (a replica started while PostgreSQL restarts) until ctx ends; a refusal
// that waiting cannot cure (a newer schema, a wrong password) ends it at
// once.
func (m *Main) openWaiting(ctx context.Context, opts []store.Option) (*store.Store, error) {
	wait := 500 * time.Millisecond
	for {
		octx, cancel := context.WithTimeout(ctx, openTimeout)
		st, err := store.Open(octx, m.Config.DB, opts...)
		cancel()
		if err == nil || !store.Unreachable(err) || ctx.Err() != nil {
			return st, err
		}
		m.Log.Warn().Err(err).Dur("retry_in", wait).Msg("the database does not answer; waiting for it")
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(wait):
		}
		wait = min(2*wait, 10*time.Second)
	}
}

// announceReplica records, until ctx ends, that this replica runs: doctor
// lists the replicas seen lately. Now and then it also prunes what is kept
// only for a while (seen event IDs).
func (m *Main) announceReplica(ctx context.Context, st *store.Store, name string) {
	started := time.Now()
	t := time.NewTicker(replicaEvery)
	defer t.Stop()
	var pruned time.Time
	for {
		cctx, cancel := context.WithTimeout(ctx, replicaEvery)
		if err := st.SeeReplica(cctx, name, version, started); err != nil && ctx.Err() == nil {
			m.Log.Warn().Err(err).Msg("could not record this replica")
		}
		if time.Since(pruned) > pruneEvery {
			if n, err := st.Prune(cctx); err != nil && ctx.Err() == nil {
				m.Log.Warn().Err(err).Msg("could not prune old records")
			} else if err == nil {
				pruned = time.Now()
				m.Log.Debug().Int64("rows", n).Msg("old records pruned")
			}
		}
		cancel()
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
	if m.Now != nil && !shared {
		// On PostgreSQL the server's clock rules the leases of every
		// replica, whatever a replica's own clock says.
		opts = append(opts, store.WithClock(m.Now))
	}
	st, err := m.openWaiting(ctx, opts)
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
		rctx, cancel := context.WithTimeout(ctx, openTimeout)
		n, err := st.ReleaseLeases(rctx)
		cancel()
		if err != nil {
			return nil, err
		} else if n > 0 {
			m.Log.Info().Int64("jobs", n).Msg("resuming work left by a previous run")
		}
	}
	wctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	if err := st.Warm(wctx); err != nil {
		m.Log.Warn().Err(err).Msg("could not prepare the declare path; the first declare will")
	}
	return st, nil
}

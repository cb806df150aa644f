// Package store keeps warroom's state in SQLite or PostgreSQL: incidents
// and the progress of their workflows, and the durable jobs that drive
// them. Public methods open their own transaction; private helpers take
// one, with the transaction's one now. Times come from an injected clock
// (the database's, on PostgreSQL) so tests can move them.
//
// A file holds one entity, named as in the other packages: incidents.go
// (and lifecycle.go, the commands that change one), meetings.go (an
// incident's Zoom meetings, retired ones too), calls.go (the live call:
// its status and who is in it), steps.go (the sync's progress),
// followups.go, recordings.go, summaries.go, zoomhosts.go, zoomevents.go,
// oauthstates.go, dedupe.go (events and webhooks already seen),
// settings.go, replicas.go and jobs.go; the machinery is in db.go,
// engine.go, groupcommit.go, clock.go, rows.go and migrate.go.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go: static binary)
)

// Store is warroom's database.
type Store struct {
	engine  engine
	db      *sql.DB
	stmts   *stmtCache
	q       autocommit // statements outside a transaction
	commits *committer // SQLite's one writer, which commits writes together
	// handedOver holds runs' results waiting for their job's outcome,
	// by Fence (see Ledger.HandOver).
	handedOver sync.Map
	now        func() time.Time
	clockSet   bool     // WithClock was given: it rules, on either engine
	clock      *dbClock // PostgreSQL's clock, when it rules
	stop       context.CancelFunc
	cipher     *Cipher
}

// Option configures a Store.
type Option func(*Store)

// WithClock makes the store read time from now instead of time.Now, or,
// on PostgreSQL, instead of the server's clock (tests that move time).
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now, s.clockSet = now, true }
}

// WithCipher makes the store seal secrets with c. Without it, storing a
// secret fails with ErrNoKey.
func WithCipher(c *Cipher) Option { return func(s *Store) { s.cipher = c } }

// DSN is the connection string for the SQLite file at path. Pragmas sit in
// the DSN, not in an Exec, so that every pooled connection gets them:
// WAL lets readers run beside the writer, busy_timeout waits out a held lock
// instead of failing, foreign keys keep jobs tied to incidents, and
// synchronous(FULL) makes a committed incident survive power loss, not just
// a crash. secure_delete overwrites deleted content, so a Zoom account's
// data is gone from the file when it is deleted, not merely unlinked.
// _txlock=immediate takes the write lock at BEGIN, so a read-then-write
// transaction never fails halfway with SQLITE_BUSY.
func DSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "secure_delete(1)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// maxIdleConns is how many connections stay open between uses: enough for
// the job workers, the declare batcher and the web handlers running at once.
const maxIdleConns = 16

// Open opens the database named by dsn — a SQLite file path (created if
// needed) or a PostgreSQL URL (see IsPostgres) — and brings its schema up
// to date.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	if dsn == "" {
		return nil, errors.New("store: empty database path")
	}
	eng, driver, source := sqliteEngine, "sqlite", DSN(dsn)
	if IsPostgres(dsn) {
		eng, driver, source = postgresEngine, "pgx", dsn
	}
	where := RedactDSN(dsn)
	db, err := sql.Open(driver, source)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", where, err)
	}
	// Keep connections open: opening one runs the DSN's pragmas (SQLite) or
	// a TLS handshake (PostgreSQL), and statements are prepared again on
	// it. database/sql keeps only two idle by default, so under load it
	// would open and close one per transaction.
	db.SetMaxIdleConns(maxIdleConns)
	s := &Store{engine: eng, db: db, now: time.Now}
	s.stmts = &stmtCache{db: db, rebind: eng.rebind, local: eng.oneWriter, m: map[string]*sql.Stmt{}}
	if eng.oneWriter {
		s.commits = newCommitter(db, s.stmts)
	}
	s.q = autocommit{c: s.stmts, commits: s.commits}
	for _, o := range opts {
		o(s)
	}
	if err := db.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open %s: %w", where, err)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if eng.name == postgresEngine.name && !s.clockSet {
		s.clock = &dbClock{refresh: s.serverTime}
		if err := s.clock.sync(ctx); err != nil {
			s.Close()
			return nil, fmt.Errorf("store: open %s: read the server's clock: %w", where, err)
		}
		s.now = s.clock.now
		var keep context.Context
		keep, s.stop = context.WithCancel(context.WithoutCancel(ctx))
		go s.clock.keep(keep)
	}
	return s, nil
}

// RedactDSN is dsn fit for messages and logs: a PostgreSQL URL without its
// password, whether it is in the user part or a parameter (?password=…,
// as libpq and pgx accept it; sslpassword too).
func RedactDSN(dsn string) string {
	if !IsPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "the PostgreSQL database"
	}
	if q := u.Query(); len(q) > 0 {
		changed := false
		for k := range q {
			if strings.Contains(strings.ToLower(k), "password") {
				q.Set(k, "xxxxx")
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	return u.Redacted()
}

// Close closes the database.
func (s *Store) Close() error {
	if s.stop != nil {
		s.stop()
	}
	if s.commits != nil {
		s.commits.close()
	}
	s.stmts.close()
	return s.db.Close()
}

// DB exposes the handle for health checks and backups.
func (s *Store) DB() *sql.DB { return s.db }

// Ping checks that the database answers and accepts a write, for readiness.
func (s *Store) Ping(ctx context.Context) error {
	if _, err := s.q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('last_ping', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, strconv.FormatInt(s.now().UnixMilli(), 10)); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

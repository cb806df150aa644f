package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// engine is what differs between SQLite and PostgreSQL. Everything else —
// the queries, the transactions, the compare-and-set rules — is the same
// code on both.
type engine struct {
	name       string
	migrations string // the glob of its migration files in migrationFiles
	// versionsTable creates the table of applied migrations.
	versionsTable string
	rebind        func(string) string
	// txOptions begins a transaction. On SQLite the DSN's _txlock=immediate
	// takes the write lock at BEGIN; on PostgreSQL transactions are
	// serializable, and a serialization failure is retried (retryable).
	txOptions *sql.TxOptions
	retryable func(error) bool
	// oneWriter: SQLite takes one writer at a time, and the committer
	// writes what queues meanwhile together.
	oneWriter bool
}

var sqliteEngine = engine{
	name:          "sqlite",
	migrations:    "migrations/*.sql",
	versionsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`,
	rebind:        func(q string) string { return q },
	retryable:     func(error) bool { return false },
	oneWriter:     true,
}

var postgresEngine = engine{
	name:          "postgres",
	migrations:    "migrations/postgres/*.sql",
	versionsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
	rebind:        rebindDollar,
	txOptions:     &sql.TxOptions{Isolation: sql.LevelSerializable},
	retryable:     isSerializationFailure,
}

// IsPostgres reports whether WARROOM_DB names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Engine names the database engine: "sqlite" or "postgres".
func (s *Store) Engine() string { return s.engine.name }

// isSerializationFailure recognises PostgreSQL's answer to two
// serializable transactions that cannot both commit (40001) and to a
// deadlock (40P01): the loser is retried from the start.
func isSerializationFailure(err error) bool {
	var se interface{ SQLState() string }
	if errors.As(err, &se) {
		return se.SQLState() == "40001" || se.SQLState() == "40P01"
	}
	return false
}

// Conflicted reports whether err is a transaction that lost to others
// until its attempts or its deadline ran out: the database answered, and
// nothing of it was written, so asking again is safe.
func Conflicted(err error) bool { return isSerializationFailure(err) }

// maxTxAttempts bounds the retries of a serializable transaction.
const maxTxAttempts = 20

// ErrInDoubt is a commit whose answer never came: the database may have
// committed it or not (the network failed, or the caller's deadline came,
// after COMMIT was sent). Whoever asked must find out before telling a
// person it failed: a caller that gave up before COMMIT was sent gets a
// plain error instead, and then nothing was written.
var ErrInDoubt = errors.New("the database did not answer in time, and may or may not have recorded it")

// callTimeout bounds a call whose caller set no deadline: no statement
// waits forever on a database that stopped answering.
const callTimeout = 30 * time.Second

// bounded gives ctx the default deadline if it has none.
func bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, callTimeout)
}

// inTx runs fn in one transaction and commits it if fn returns nil. What
// fn reads cannot change before it writes — SQLite's transaction takes the
// write lock at BEGIN; PostgreSQL's is serializable and is run again from
// the start when it loses to another — and that is what makes the
// compare-and-set rules hold on both. fn may run more than once.
func (s *Store) inTx(ctx context.Context, what string, fn func(q txn) error) error {
	return s.inTxWith(ctx, what, s.engine.txOptions, fn)
}

// inTxWith is inTx with the transaction's options: the claim of jobs on
// PostgreSQL runs read committed and takes row locks instead.
func (s *Store) inTxWith(ctx context.Context, what string, opts *sql.TxOptions, fn func(q txn) error) error {
	ctx, cancel := bounded(ctx)
	defer cancel()
	fn = s.stamped(fn)
	if s.commits != nil {
		return s.commits.write(ctx, fn)
	}
	for attempt := 1; ; attempt++ {
		err := s.tryTx(ctx, what, opts, fn)
		if err == nil || attempt == maxTxAttempts || ctx.Err() != nil {
			return err
		}
		// A pooled connection a blip broke fails before anything is sent:
		// the next attempt gets another one.
		if !s.engine.retryable(err) && !(pgconn.SafeToRetry(err) && attempt < 3) {
			return err
		}
		// Another transaction won: a short pause, growing with each try,
		// keeps a crowd of them from colliding again at once.
		select {
		case <-time.After(time.Duration(attempt) * time.Millisecond):
		case <-ctx.Done():
			return fmt.Errorf("store: %s: %w", what, ctx.Err())
		}
	}
}

// stamped gives fn its transaction's now, read on the store's clock as fn
// begins: once for each attempt, and for each write of a batch (see
// committer), never twice within one.
func (s *Store) stamped(fn func(q txn) error) func(q txn) error {
	return func(q txn) error {
		q.now = s.now()
		return fn(q)
	}
}

// tryTx is one attempt of inTx: fn's own errors come back as they are.
func (s *Store) tryTx(ctx context.Context, what string, opts *sql.TxOptions, fn func(q txn) error) error {
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	defer tx.Rollback()
	if err := fn(txn{tx: tx, c: s.stmts}); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		// The caller gave up: COMMIT is never sent, nothing is written.
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		if s.engine.name == postgresEngine.name && commitInDoubt(err) {
			return fmt.Errorf("store: %s: %w (%w)", what, ErrInDoubt, err)
		}
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}

// commitInDoubt reports whether a failed COMMIT may have committed all the
// same: the server refusing it (a serialization failure, say) is an answer,
// and an error from before anything was sent leaves nothing to commit;
// anything else — a deadline, a broken connection — lost the answer.
// (SQLite commits in this process: its answer is never lost.)
func commitInDoubt(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) || errors.Is(err, sql.ErrTxDone) {
		return false
	}
	return !pgconn.SafeToRetry(err)
}

// isUniqueViolation recognises SQLite's and PostgreSQL's words for it.
func isUniqueViolation(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
}

package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migrate applies every embedded migration not yet recorded, each in its own
// transaction together with its record, so a crash never leaves half a
// migration behind. On PostgreSQL replicas starting at the same instant
// (a Deployment's first rollout) would race to create the same tables:
// there one transaction under an advisory lock applies them all.
func (s *Store) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrationFiles, s.engine.migrations)
	if err != nil {
		return fmt.Errorf("store: list migrations: %w", err)
	}
	sort.Strings(names)
	known := 0
	for _, name := range names {
		v, err := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("store: migration %s: name must start with a number", path.Base(name))
		}
		known = max(known, v)
	}
	if s.engine.name == postgresEngine.name {
		return s.migrateLocked(ctx, names, known)
	}
	if _, err := s.db.ExecContext(ctx, s.engine.versionsTable); err != nil {
		return fmt.Errorf("store: migrations table: %w", err)
	}
	if err := s.checkNotNewer(ctx, s.db, known); err != nil {
		return err
	}
	for _, name := range names {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: migration %s: %w", path.Base(name), err)
		}
		err = s.applyMigration(ctx, tx, name)
		if err == nil {
			err = tx.Commit()
		}
		tx.Rollback()
		if err != nil {
			return fmt.Errorf("store: migration %s: %w", path.Base(name), err)
		}
	}
	return nil
}

// migrationLock is the advisory lock that one migrating replica holds.
const migrationLock = 7261

// migrateLocked applies PostgreSQL's migrations in one transaction that
// first takes a transaction-scoped advisory lock (which, unlike a session
// lock, a transaction-mode pooler cannot strand): the others wait for it,
// then find everything applied. DDL is transactional on PostgreSQL, so a
// failure leaves the schema as it was.
func (s *Store) migrateLocked(ctx context.Context, names []string, known int) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer tx.Rollback()
	// A replica stuck behind a migration that never ends says so instead
	// of waiting forever.
	if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '60s'`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(`+strconv.Itoa(migrationLock)+`)`); err != nil {
		return fmt.Errorf("store: migrate: wait for another replica's migration: %w", err)
	}
	if _, err := tx.ExecContext(ctx, s.engine.versionsTable); err != nil {
		return fmt.Errorf("store: migrations table: %w", err)
	}
	if err := s.checkNotNewer(ctx, tx, known); err != nil {
		return err
	}
	for _, name := range names {
		if err := s.applyMigration(ctx, tx, name); err != nil {
			return fmt.Errorf("store: migration %s: %w", path.Base(name), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// checkNotNewer refuses a database that a newer warroom migrated: this one
// would misread it.
func (s *Store) checkNotNewer(ctx context.Context, q querier, known int) error {
	var newest sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("store: schema version: %w", err)
	}
	if int(newest.Int64) > known {
		return fmt.Errorf("store: the database has schema version %d, newer than this warroom knows (%d): run the newer warroom, or restore a backup taken before the upgrade", newest.Int64, known)
	}
	return nil
}

// applyMigration applies one migration in tx, with its record, unless it
// is recorded already.
func (s *Store) applyMigration(ctx context.Context, tx *sql.Tx, name string) error {
	version, _ := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0])
	var n int
	if err := tx.QueryRowContext(ctx, s.engine.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := migrationFiles.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.engine.rebind(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`),
		version, s.now().UnixMilli())
	return err
}

// SchemaVersion is the newest migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	return int(v.Int64), nil
}

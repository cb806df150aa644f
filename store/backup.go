package store

// Operator tools that work on a database file without opening a Store:
// a running warroom holds the database and its lock, and neither a backup
// nor a health check may change it, migrate it or wait for that process.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// BackupInfo describes a backup just written.
type BackupInfo struct {
	Path          string
	Size          int64
	SchemaVersion int
	Incidents     int
}

// Backup writes a consistent copy of the database at path to dest, safely
// while `warroom run` is using it. It uses SQLite's VACUUM INTO, which
// copies one read transaction's snapshot: every incident committed before
// the backup began is in the copy, with everything committed with it, and
// nothing half-written is. Under WAL the running bot keeps writing
// meanwhile. dest must not exist: a backup never overwrites a file. The
// copy is created readable by its owner only (it holds sealed Zoom tokens)
// and checked before Backup returns.
func Backup(ctx context.Context, path, dest string) (BackupInfo, error) {
	if err := checkDatabaseFile(path); err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup: %w", err)
	}
	// O_EXCL makes "never overwrite" hold even against a file that
	// appears between a check and the copy. VACUUM INTO accepts an empty
	// file, so the copy keeps this file's owner-only mode.
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return BackupInfo{}, fmt.Errorf("store: backup: %s already exists; a backup never overwrites a file, so choose a new name", dest)
	}
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup: %w", err)
	}
	f.Close()
	info, err := backup(ctx, path, dest)
	if err != nil {
		os.Remove(dest)
		return BackupInfo{}, fmt.Errorf("store: backup: %w", err)
	}
	return info, nil
}

func backup(ctx context.Context, path, dest string) (BackupInfo, error) {
	db, err := openReadOnly(path)
	if err != nil {
		return BackupInfo{}, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return BackupInfo{}, fmt.Errorf("copy %s: %w", path, err)
	}
	// VACUUM INTO does not sync what it wrote: do it, and the directory
	// entry too, so a backup that said it was done survives a power cut.
	if err := syncFile(dest); err != nil {
		return BackupInfo{}, err
	}
	if d, err := os.Open(filepath.Dir(dest)); err == nil {
		d.Sync()
		d.Close()
	}

	copied, err := Inspect(ctx, dest)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("check the copy: %w", err)
	}
	if copied.Integrity != "ok" {
		return BackupInfo{}, fmt.Errorf("the copy failed its integrity check: %s", copied.Integrity)
	}
	return BackupInfo{Path: dest, Size: copied.Size, SchemaVersion: copied.SchemaVersion, Incidents: copied.Incidents}, nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// Info describes a database file, as Inspect found it.
type Info struct {
	Exists bool
	Size   int64 // bytes of the main file (the WAL not included)
	// SchemaVersion is the newest migration applied to the file; Latest
	// is the newest this binary has. A file ahead of the binary was
	// written by a newer warroom.
	SchemaVersion int
	Latest        int
	// Integrity is "ok", or the first problem SQLite's quick_check found.
	Integrity   string
	JournalMode string
	Incidents   int
	PendingJobs int
	ZoomHosts   []HostInfo
	Work        WorkInfo
}

// HostInfo is what Inspect reports of a Zoom host in the pool.
type HostInfo struct {
	Key, Mode, Email    string
	Status, StatusError string
	// SealedTokens: tokens are stored for it, which only the
	// WARROOM_SECRET_KEY they were sealed with can open.
	SealedTokens bool
}

// Inspect reads what a database file holds without changing it: no
// migration, no write, no lock taken, so it is safe beside a running
// warroom and on a copy. A missing file is not an error (Exists is false).
func Inspect(ctx context.Context, path string) (Info, error) {
	info := Info{Latest: LatestSchemaVersion()}
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return info, nil
	}
	if err != nil {
		return info, fmt.Errorf("store: inspect: %w", err)
	}
	if err := checkDatabaseFile(path); err != nil {
		return info, fmt.Errorf("store: inspect: %w", err)
	}
	info.Exists, info.Size = true, st.Size()
	db, err := openReadOnly(path)
	if err != nil {
		return info, fmt.Errorf("store: inspect: %w", err)
	}
	defer db.Close()
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check(1)`).Scan(&info.Integrity); err != nil {
		return info, fmt.Errorf("store: inspect %s: %w", path, err)
	}
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&info.JournalMode); err != nil {
		return info, fmt.Errorf("store: inspect %s: %w", path, err)
	}
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('schema_migrations', 'incidents', 'jobs')`).Scan(&tables); err != nil {
		return info, fmt.Errorf("store: inspect %s: %w", path, err)
	}
	if tables == 0 {
		return info, nil // empty: warroom has not set it up yet
	}
	if tables < 3 {
		return info, fmt.Errorf("store: inspect: %s is not a warroom database", path)
	}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return info, fmt.Errorf("store: inspect %s: %w", path, err)
	}
	info.SchemaVersion = int(v.Int64)
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM incidents`).Scan(&info.Incidents); err != nil {
		return info, fmt.Errorf("store: inspect %s: %w", path, err)
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE done_at IS NULL`).Scan(&info.PendingJobs); err != nil {
		return info, fmt.Errorf("store: inspect %s: %w", path, err)
	}
	if info.ZoomHosts, err = inspectHosts(ctx, db); err != nil {
		return info, fmt.Errorf("store: inspect %s: %w", path, err)
	}
	if info.SchemaVersion >= 10 {
		if info.Work, err = inspectWork(ctx, db, time.Now()); err != nil {
			return info, fmt.Errorf("store: inspect %s: %w", path, err)
		}
	}
	return info, nil
}

func inspectHosts(ctx context.Context, db *sql.DB) ([]HostInfo, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'zoom_hosts'`).Scan(&n); err != nil || n == 0 {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT key, mode, email, status, status_error,
		access_token IS NOT NULL OR refresh_token IS NOT NULL FROM zoom_hosts ORDER BY mode, created_at, key`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hosts []HostInfo
	for rows.Next() {
		var h HostInfo
		if err := rows.Scan(&h.Key, &h.Mode, &h.Email, &h.Status, &h.StatusError, &h.SealedTokens); err != nil {
			return nil, err
		}
		hosts = append(hosts, h)
	}
	return hosts, rows.Err()
}

// LatestSchemaVersion is the number of the newest migration built into
// this binary.
func LatestSchemaVersion() int {
	names, _ := fs.Glob(migrationFiles, "migrations/*.sql")
	latest := 0
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		if v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0]); err == nil && v > latest {
			latest = v
		}
	}
	return latest
}

// checkDatabaseFile refuses what is not an existing regular file, before
// SQLite would quietly create an empty database in its place.
func checkDatabaseFile(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a database file", path)
	}
	return nil
}

// openReadOnly opens a database file for reading only: mode=ro means
// nothing done through this handle can change the file, and busy_timeout
// waits out the running bot's checkpoints instead of failing.
func openReadOnly(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// One connection: nothing here runs in parallel, and a single reader
	// holds a single snapshot.
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

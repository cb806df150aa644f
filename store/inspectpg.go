package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PostgresInfo is what `warroom doctor` reports of a PostgreSQL database.
type PostgresInfo struct {
	Version       string // the server's, e.g. "15.18"
	VersionNum    int    // server_version_num, e.g. 150018
	SchemaVersion int    // 0: warroom has not set it up yet
	Latest        int    // the newest schema this warroom knows
	Incidents     int
	Replicas      []Replica // seen in the last minute
	Work          WorkInfo
}

// MinPostgres is the oldest PostgreSQL warroom supports (server_version_num).
const MinPostgres = 140000

// InspectPostgres reads, without changing anything, the PostgreSQL
// database at dsn.
func InspectPostgres(ctx context.Context, dsn string) (PostgresInfo, error) {
	info := PostgresInfo{Latest: LatestSchemaVersion()}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return info, fmt.Errorf("store: %s: %w", RedactDSN(dsn), err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.QueryRowContext(ctx, `SELECT current_setting('server_version'), current_setting('server_version_num')::int`).
		Scan(&info.Version, &info.VersionNum); err != nil {
		return info, fmt.Errorf("store: %s: %w", RedactDSN(dsn), err)
	}
	var present bool
	if err := db.QueryRowContext(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&present); err != nil || !present {
		return info, err
	}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return info, fmt.Errorf("store: schema version: %w", err)
	}
	info.SchemaVersion = int(v.Int64)
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM incidents`).Scan(&info.Incidents); err != nil {
		return info, fmt.Errorf("store: incidents: %w", err)
	}
	if info.SchemaVersion >= 10 {
		var now time.Time
		if err := db.QueryRowContext(ctx, `SELECT clock_timestamp()`).Scan(&now); err != nil {
			return info, fmt.Errorf("store: the server's clock: %w", err)
		}
		if info.Work, err = inspectWork(ctx, db, now); err != nil {
			return info, err
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT name, version, started_at, seen_at FROM replicas WHERE seen_at >= $1 ORDER BY name`,
		time.Now().Add(-time.Minute).UnixMilli())
	if errors.Is(err, sql.ErrNoRows) {
		return info, nil
	}
	if err != nil {
		return info, nil // before schema 6: no replicas table yet
	}
	defer rows.Close()
	for rows.Next() {
		var r Replica
		var started, seen int64
		if err := rows.Scan(&r.Name, &r.Version, &started, &seen); err != nil {
			return info, fmt.Errorf("store: replicas: %w", err)
		}
		r.StartedAt, r.SeenAt = fromMS(started), fromMS(seen)
		info.Replicas = append(info.Replicas, r)
	}
	return info, rows.Err()
}

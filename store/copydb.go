package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// TableCount is one table's rows on each side of a copy.
type TableCount struct {
	Table        string
	Source, Dest int64
	Copied       int64 // rows this run inserted
}

// CopyDatabase copies every row of every table of from (a SQLite store)
// into to (a PostgreSQL store), both migrated to the same schema: the
// move of a single-machine installation to replicas. Rows go as they are
// — sealed tokens stay sealed, IDs stay the same — in one transaction on
// the destination. A row already there (same key) is left alone, so a
// copy run again, or finishing one that failed, copies only what is
// missing. It returns each table's counts after the copy.
func CopyDatabase(ctx context.Context, from, to *Store) ([]TableCount, error) {
	if from.engine.name != sqliteEngine.name || to.engine.name != postgresEngine.name {
		return nil, fmt.Errorf("store: copy goes from SQLite to PostgreSQL")
	}
	fv, err := from.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if tv, err := to.SchemaVersion(ctx); err != nil || tv != fv {
		return nil, fmt.Errorf("store: copy: schema %d on the source, %d on the destination (%v)", fv, tv, err)
	}
	tables, err := copyOrder(ctx, from.db)
	if err != nil {
		return nil, err
	}
	counts := make([]TableCount, 0, len(tables))
	err = to.inTxWith(ctx, "copy database", &sql.TxOptions{}, func(q txn) error {
		counts = counts[:0]
		for _, t := range tables {
			n, err := copyTable(ctx, from.db, q, t)
			if err != nil {
				return err
			}
			counts = append(counts, TableCount{Table: t, Copied: n})
		}
		return resetIdentities(ctx, q, tables)
	})
	if err != nil {
		return nil, err
	}
	for i := range counts {
		t := counts[i].Table
		if err := from.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&counts[i].Source); err != nil {
			return nil, fmt.Errorf("store: count %s: %w", t, err)
		}
		if err := to.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&counts[i].Dest); err != nil {
			return nil, fmt.Errorf("store: count %s: %w", t, err)
		}
	}
	return counts, nil
}

// copyOrder lists the source's tables, each after the tables its foreign
// keys point to. The migrations' own bookkeeping is the destination's.
func copyOrder(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: list tables: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	parents := map[string][]string{}
	for _, n := range names {
		ps, err := column(ctx, db, `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)`, n)
		if err != nil {
			return nil, err
		}
		parents[n] = ps
	}
	var order []string
	var visit func(n string, path []string) error
	visit = func(n string, path []string) error {
		if slices.Contains(order, n) {
			return nil
		}
		if slices.Contains(path, n) {
			return fmt.Errorf("store: tables refer to each other in a cycle: %v", append(path, n))
		}
		for _, p := range parents[n] {
			if p != n {
				if err := visit(p, append(path, n)); err != nil {
					return err
				}
			}
		}
		order = append(order, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

func column(ctx context.Context, db *sql.DB, query string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// copyTable inserts the source's rows of t that the destination lacks and
// returns how many it inserted.
func copyTable(ctx context.Context, src *sql.DB, q txn, t string) (int64, error) {
	cols, err := column(ctx, src, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, t)
	if err != nil {
		return 0, err
	}
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+t)
	if err != nil {
		return 0, fmt.Errorf("store: read %s: %w", t, err)
	}
	defer rows.Close()
	insert := `INSERT INTO ` + t + ` (` + strings.Join(cols, ", ") + `) VALUES (` +
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + `) ON CONFLICT DO NOTHING`
	var copied int64
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, fmt.Errorf("store: read %s: %w", t, err)
		}
		res, err := q.ExecContext(ctx, insert, vals...)
		if err != nil {
			return 0, fmt.Errorf("store: copy %s: %w", t, err)
		}
		n, _ := res.RowsAffected()
		copied += n
	}
	return copied, rows.Err()
}

// resetIdentities moves each table's ID sequence past the copied IDs, so
// the next incident, job or follow-up on PostgreSQL gets a new one.
func resetIdentities(ctx context.Context, q txn, tables []string) error {
	for _, t := range tables {
		// Asked first, so that a table without an id raises no error: an
		// error would end the transaction.
		var hasID bool
		if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = ? AND column_name = 'id')`, t).Scan(&hasID); err != nil {
			return fmt.Errorf("store: %s's IDs: %w", t, err)
		}
		if !hasID {
			continue
		}
		var seq sql.NullString
		if err := q.QueryRowContext(ctx, `SELECT pg_get_serial_sequence(?, 'id')`, t).Scan(&seq); err != nil {
			return fmt.Errorf("store: %s's IDs: %w", t, err)
		}
		if !seq.Valid {
			continue
		}
		if _, err := q.ExecContext(ctx, `SELECT setval(CAST(? AS regclass), COALESCE((SELECT MAX(id) FROM `+t+`), 0) + 1, false)`,
			seq.String); err != nil {
			return fmt.Errorf("store: reset %s's IDs: %w", t, err)
		}
	}
	return nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// TableCount is one table's rows on each side of a copy.
type TableCount struct {
	Table        string
	Source, Dest int64
	Copied       int64 // rows this run inserted
	Compared     int64 // source rows looked up at the destination by key and found equal
	Replaced     int64 // rows a warroom wrote by starting on the destination, replaced by the source's
}

// CopyOptions says what a copy may do to a destination that holds rows.
type CopyOptions struct {
	// Merge copies into a destination that already holds rows: only the
	// rows missing there are written, and the check of every key still
	// rolls the copy back on a clash.
	Merge bool
}

// NotEmptyError refuses a copy into a destination that already holds
// rows, unless asked to merge. Nothing was written.
type NotEmptyError struct {
	Tables []TableRows // the tables holding rows, in copy order
}

// TableRows is how many rows a table holds.
type TableRows struct {
	Table string
	Rows  int64
}

func (e *NotEmptyError) Error() string {
	var parts []string
	for _, t := range e.Tables {
		parts = append(parts, fmt.Sprintf("%s %d", t.Table, t.Rows))
	}
	return "store: copy: the destination already holds rows: " + strings.Join(parts, ", ")
}

// ClashError is a copy whose check found source rows that the
// destination does not hold as they are: the copy was rolled back.
type ClashError struct {
	Tables []TableClash
}

// TableClash is one table's source rows that the destination holds
// differently, or not at all.
type TableClash struct {
	Table string
	Rows  []RowClash // the first few, in key order
	Total int64
}

// RowClash is one source row the destination does not hold as it is.
type RowClash struct {
	Key     string   // id=3, or host="h1" day="2026-05-01"
	Columns []string // the columns that differ; none when the row is missing
}

// shownClashes is how many rows of a table a ClashError names.
const shownClashes = 3

func (e *ClashError) Error() string {
	var parts []string
	for _, t := range e.Tables {
		parts = append(parts, fmt.Sprintf("%s %s (%d in all)", t.Table, t.Rows[0].Key, t.Total))
	}
	return "store: copy: rolled back: source rows clash with the destination's: " + strings.Join(parts, ", ")
}

// CopyDatabase copies every row of every table of from (a SQLite store)
// into to (a PostgreSQL store), both migrated to the same schema: the
// move of a single-machine installation to replicas. Rows go as they are
// — sealed tokens stay sealed, IDs stay the same — in one transaction on
// the destination, which also checks that every source row is there under
// its key with the same content, so a clash rolls the whole copy back.
//
// A destination holding rows of its own is refused (NotEmptyError) unless
// opts.Merge: a copy into another installation's database would attach
// the source's follow-ups and jobs to that installation's incidents of the
// same IDs. Merging copies only what is missing, so a copy run again
// copies nothing and checks every key. What a warroom writes by merely
// starting on a database (startupRows) does not make it non-empty; the
// source's rows replace it.
func CopyDatabase(ctx context.Context, from, to *Store, opts CopyOptions) ([]TableCount, error) {
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
	order, err := copyOrder(ctx, from.db)
	if err != nil {
		return nil, err
	}
	tables, err := shapes(ctx, from.db, order)
	if err != nil {
		return nil, err
	}
	var counts []TableCount
	err = to.inTxWith(ctx, "copy database", &sql.TxOptions{}, func(q txn) error {
		var err error
		counts, err = copyInTx(ctx, from.db, q, tables, opts)
		return err
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

// copyInTx is the copy within the destination's transaction: refuse,
// clear the start-up rows, copy, check every key, count.
//
// Its statements run on the transaction itself (q.tx), not through the
// statement cache: the cache prepares on another pooled connection, and
// PostgreSQL's parser takes an INSERT's lock on its table, which would
// wait forever for the table locks this transaction holds.
func copyInTx(ctx context.Context, src *sql.DB, q txn, tables []shape, opts CopyOptions) ([]TableCount, error) {
	if err := lockTables(ctx, q, tables); err != nil {
		return nil, err
	}
	held, err := occupancy(ctx, q, tables)
	if err != nil {
		return nil, err
	}
	if len(held) > 0 && !opts.Merge {
		return nil, &NotEmptyError{Tables: held}
	}
	counts := make([]TableCount, len(tables))
	var clashes []TableClash
	for i, t := range tables {
		c := &counts[i]
		c.Table = t.name
		// After a clash the copy only compares: rows copied after their
		// parents clashed would point at the wrong parent, or at none, and
		// all is rolled back anyway; comparing the rows the destination
		// holds still names every clash.
		copying := len(clashes) == 0
		if copying && len(held) == 0 {
			if c.Replaced, err = clearStartupRows(ctx, q, t.name); err != nil {
				return nil, err
			}
		}
		if copying {
			if c.Copied, err = copyTable(ctx, src, q, t); err != nil {
				return nil, err
			}
		}
		var clash TableClash
		if c.Source, clash, err = checkTable(ctx, src, q, t, copying); err != nil {
			return nil, err
		}
		if clash.Total > 0 {
			clashes = append(clashes, clash)
		}
		c.Compared = c.Source - clash.Total
		if err := q.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.name).Scan(&c.Dest); err != nil {
			return nil, fmt.Errorf("store: count %s: %w", t.name, err)
		}
	}
	if len(clashes) > 0 {
		return nil, &ClashError{Tables: clashes}
	}
	// Only now: a sequence's setval is not undone by a rollback, and a
	// copy that clashed must leave the destination's next IDs as they were.
	if err := resetIdentities(ctx, q, tables); err != nil {
		return nil, err
	}
	return counts, nil
}

// startupRows are, per table, the rows a warroom writes by merely
// starting on a database and answering probes: its install_id (which
// tags no meeting while there is no incident), the readiness probe's
// last_ping, the replica and singleton leases, and the Server-to-Server
// hosts named in ZOOM_HOSTS (no tokens: those live in memory). They hold
// nobody's incidents, jobs, follow-ups or connected Zoom accounts, so a
// database holding nothing else counts as empty, and the copy replaces
// them with the source's: the source's install_id must win, or recovery
// would not know its meetings at Zoom as this installation's.
var startupRows = map[string]string{
	"settings":   `key IN ('install_id', 'last_ping')`,
	"replicas":   `TRUE`,
	"singletons": `TRUE`,
	"zoom_hosts": `mode = 's2s'`,
}

// liveness reports whether a row only says which process ran when: any
// running warroom rewrites it every few seconds, so a merge checks that
// it is there, not what it says.
func liveness(table string, key []any) bool {
	switch table {
	case "replicas", "singletons":
		return true
	case "settings":
		return len(key) == 1 && norm(key[0]) == "last_ping"
	}
	return false
}

// lockTables keeps everyone else from writing the destination's tables
// until the copy commits, so the emptiness and the keys it checks are
// what it commits on. Readers go on.
func lockTables(ctx context.Context, q txn, tables []shape) error {
	// A warroom running on the destination holds its locks briefly; one
	// that does not let go within this is a reason to stop, not to wait.
	if _, err := q.tx.ExecContext(ctx, `SET LOCAL lock_timeout = '15s'`); err != nil {
		return fmt.Errorf("store: copy: %w", err)
	}
	var names []string
	for _, t := range tables {
		names = append(names, t.name)
	}
	if _, err := q.tx.ExecContext(ctx, `LOCK TABLE `+strings.Join(names, ", ")+` IN EXCLUSIVE MODE`); err != nil {
		return fmt.Errorf("store: copy: lock the destination's tables (is a warroom running on it?): %w", err)
	}
	return nil
}

// occupancy lists the destination's tables that hold rows other than
// startupRows, and how many.
func occupancy(ctx context.Context, q txn, tables []shape) ([]TableRows, error) {
	var held []TableRows
	for _, t := range tables {
		query := `SELECT COUNT(*) FROM ` + t.name
		if cond, ok := startupRows[t.name]; ok {
			query += ` WHERE NOT (` + cond + `)`
		}
		var n int64
		if err := q.tx.QueryRowContext(ctx, query).Scan(&n); err != nil {
			return nil, fmt.Errorf("store: copy: count %s at the destination: %w", t.name, err)
		}
		if n > 0 {
			held = append(held, TableRows{Table: t.name, Rows: n})
		}
	}
	return held, nil
}

// clearStartupRows deletes the destination's startupRows of table and
// returns how many it deleted.
func clearStartupRows(ctx context.Context, q txn, table string) (int64, error) {
	cond, ok := startupRows[table]
	if !ok {
		return 0, nil
	}
	res, err := q.tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE `+cond)
	if err != nil {
		return 0, fmt.Errorf("store: copy: clear %s: %w", table, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: copy: clear %s: %w", table, err)
	}
	return n, nil
}

// copyOrder lists the source's tables, each after the tables its foreign
// keys point to. The migrations' own bookkeeping is the destination's.
func copyOrder(ctx context.Context, db *sql.DB) ([]string, error) {
	names, err := column(ctx, db, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: list tables: %w", err)
	}
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

// shape is what the copy and its check need of a table: its columns, and
// which of them identify a row.
type shape struct {
	name    string
	cols    []string
	key     []int // indexes into cols
	keyCols []string
}

// shapes reads each table's columns and key from the source. A row is
// identified by its primary key, or else by a unique index that covers
// every row (no WHERE, no expression); a table with neither cannot be
// checked, and then is not copied either.
func shapes(ctx context.Context, db *sql.DB, tables []string) ([]shape, error) {
	out := make([]shape, 0, len(tables))
	for _, t := range tables {
		cols, err := column(ctx, db, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, t)
		if err != nil {
			return nil, err
		}
		key, err := column(ctx, db, `SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`, t)
		if err != nil {
			return nil, err
		}
		if len(key) == 0 {
			idx, err := column(ctx, db, `SELECT il.name FROM pragma_index_list(?) AS il
				WHERE il."unique" = 1 AND il.partial = 0
				AND NOT EXISTS (SELECT 1 FROM pragma_index_info(il.name) WHERE name IS NULL) ORDER BY il.name`, t)
			if err != nil {
				return nil, err
			}
			if len(idx) == 0 {
				return nil, fmt.Errorf("store: copy: table %s has no primary key or unique index to check its rows by", t)
			}
			if key, err = column(ctx, db, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, idx[0]); err != nil {
				return nil, err
			}
		}
		s := shape{name: t, cols: cols, keyCols: key}
		for _, k := range key {
			s.key = append(s.key, slices.Index(cols, k))
		}
		out = append(out, s)
	}
	return out, nil
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
// returns how many it inserted. A row whose key, or any unique value, is
// taken there is left out here; checkTable then tells a copy made before
// (the same row) from a clash.
func copyTable(ctx context.Context, src *sql.DB, q txn, t shape) (int64, error) {
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(t.cols, ", ")+` FROM `+t.name)
	if err != nil {
		return 0, fmt.Errorf("store: read %s: %w", t.name, err)
	}
	defer rows.Close()
	insert := `INSERT INTO ` + t.name + ` (` + strings.Join(t.cols, ", ") + `) VALUES (` +
		placeholders(len(t.cols)) + `) ON CONFLICT DO NOTHING`
	st, err := q.tx.PrepareContext(ctx, q.c.rebind(insert))
	if err != nil {
		return 0, fmt.Errorf("store: copy %s: %w", t.name, err)
	}
	defer st.Close()
	var copied int64
	for rows.Next() {
		vals, err := scanRow(rows, len(t.cols))
		if err != nil {
			return 0, fmt.Errorf("store: read %s: %w", t.name, err)
		}
		res, err := st.ExecContext(ctx, vals...)
		if err != nil {
			return 0, fmt.Errorf("store: copy %s: %w", t.name, err)
		}
		n, _ := res.RowsAffected()
		copied += n
	}
	return copied, rows.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func scanRow(rows *sql.Rows, n int) ([]any, error) {
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	return vals, rows.Scan(ptrs...)
}

// resetIdentities moves each table's ID sequence past the copied IDs, so
// the next incident, job or follow-up on PostgreSQL gets a new one.
func resetIdentities(ctx context.Context, q txn, tables []shape) error {
	for _, t := range tables {
		// Found through the catalogue, so that a table without an id
		// raises no error: an error would end the transaction.
		var seq sql.NullString
		err := q.tx.QueryRowContext(ctx, q.c.rebind(`SELECT pg_get_serial_sequence(table_name, column_name)
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? AND column_name = 'id'`),
			t.name).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) || err == nil && !seq.Valid {
			continue
		}
		if err != nil {
			return fmt.Errorf("store: %s's IDs: %w", t.name, err)
		}
		if _, err := q.tx.ExecContext(ctx, q.c.rebind(`SELECT setval(CAST(? AS regclass), COALESCE((SELECT MAX(id) FROM `+t.name+`), 0) + 1, false)`),
			seq.String); err != nil {
			return fmt.Errorf("store: reset %s's IDs: %w", t.name, err)
		}
	}
	return nil
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// The copy's check (CopyDatabase): every source row looked up at the
// destination by its key, and compared column by column.

// checkBatch is how many source rows are looked up at the destination in
// one query.
const checkBatch = 500

// checkTable looks every source row of t up at the destination by its key
// and compares every column: counts alone pass a copy whose rows were left
// out because the destination's own rows hold their IDs. It returns how
// many source rows it looked up, and those that clash: that differ there,
// or, if t was copied, are missing.
func checkTable(ctx context.Context, src *sql.DB, q txn, t shape, copied bool) (int64, TableClash, error) {
	clash := TableClash{Table: t.name}
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(t.cols, ", ")+` FROM `+t.name+
		` ORDER BY `+strings.Join(t.keyCols, ", "))
	if err != nil {
		return 0, clash, fmt.Errorf("store: check %s: %w", t.name, err)
	}
	defer rows.Close()
	var n int64
	var batch [][]any
	for more := true; more; {
		if more = rows.Next(); more {
			vals, err := scanRow(rows, len(t.cols))
			if err != nil {
				return 0, clash, fmt.Errorf("store: check %s: %w", t.name, err)
			}
			batch = append(batch, vals)
		}
		if len(batch) == checkBatch || !more && len(batch) > 0 {
			if err := compareBatch(ctx, q, t, batch, copied, &clash); err != nil {
				return 0, clash, err
			}
			n, batch = n+int64(len(batch)), nil
		}
	}
	if err := rows.Err(); err != nil {
		return 0, clash, fmt.Errorf("store: check %s: %w", t.name, err)
	}
	return n, clash, nil
}

// compareBatch looks a batch of source rows up at the destination and adds
// those it does not find as they are to clash.
func compareBatch(ctx context.Context, q txn, t shape, batch [][]any, copied bool, clash *TableClash) error {
	tuple := "(" + placeholders(len(t.key)) + ")"
	var args []any
	for _, row := range batch {
		args = append(args, t.keyOf(row)...)
	}
	rows, err := q.tx.QueryContext(ctx, q.c.rebind(`SELECT `+strings.Join(t.cols, ", ")+` FROM `+t.name+
		` WHERE (`+strings.Join(t.keyCols, ", ")+`) IN (`+strings.TrimSuffix(strings.Repeat(tuple+", ", len(batch)), ", ")+`)`),
		args...)
	if err != nil {
		return fmt.Errorf("store: check %s: %w", t.name, err)
	}
	defer rows.Close()
	dest := make(map[string][]any, len(batch))
	for rows.Next() {
		vals, err := scanRow(rows, len(t.cols))
		if err != nil {
			return fmt.Errorf("store: check %s: %w", t.name, err)
		}
		dest[keyID(t.keyOf(vals))] = vals
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: check %s: %w", t.name, err)
	}
	for _, row := range batch {
		key := t.keyOf(row)
		d, found := dest[keyID(key)]
		var differ []string
		for i := 0; found && !liveness(t.name, key) && i < len(t.cols); i++ {
			if norm(row[i]) != norm(d[i]) {
				differ = append(differ, t.cols[i])
			}
		}
		if found && len(differ) == 0 || !found && !copied {
			continue
		}
		if clash.Total++; len(clash.Rows) < shownClashes {
			clash.Rows = append(clash.Rows, RowClash{Key: t.keyText(key), Columns: differ})
		}
	}
	return nil
}

func (t shape) keyOf(row []any) []any {
	key := make([]any, len(t.key))
	for i, k := range t.key {
		key[i] = row[k]
	}
	return key
}

// keyID is a key as a map key, the same whichever engine read it.
func keyID(key []any) string {
	var b strings.Builder
	for _, v := range key {
		fmt.Fprintf(&b, "%T:%v\x00", norm(v), norm(v))
	}
	return b.String()
}

// keyText is a key for people: id=3, or host="h1" day="2026-05-01".
func (t shape) keyText(key []any) string {
	parts := make([]string, len(key))
	for i, v := range key {
		val := fmt.Sprint(norm(v))
		if s, ok := norm(v).(string); ok {
			val = strconv.Quote(s)
		}
		parts[i] = t.keyCols[i] + "=" + val
	}
	return strings.Join(parts, " ")
}

// norm is a value as both engines mean it. database/sql hands values
// over as int64, float64, bool, []byte, string, time.Time or nil: SQLite's
// BLOB and PostgreSQL's BYTEA as []byte, both engines' integers as int64.
// Bytes compare as text does; NULL stays nil, unlike an empty string.
func norm(v any) any {
	switch v := v.(type) {
	case []byte:
		return string(v)
	case bool:
		if v {
			return int64(1)
		}
		return int64(0)
	}
	return v
}

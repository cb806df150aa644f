package store

import (
	"context"
	"fmt"
	"time"
)

// scanner is a row to scan: a *sql.Row or the current row of *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// collect runs query on q and scans every row it returns with scan: the
// loop over rows, written once. Its errors are the database's or scan's,
// for the caller to wrap.
func collect[T any](ctx context.Context, q querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// scanID scans a row of one integer column (an ID).
func scanID(row scanner) (int64, error) {
	var id int64
	err := row.Scan(&id)
	return id, err
}

// nonNil is s, or an empty list for nil: a JSON column holds [], never null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// intBool scans a 0/1 column into a bool.
type intBool struct{ b *bool }

func (x intBool) Scan(v any) error {
	switch n := v.(type) {
	case int64:
		*x.b = n != 0
	case bool:
		*x.b = n
	default:
		return fmt.Errorf("store: %T is not a 0/1 flag", v)
	}
	return nil
}

// ms is how a time is kept: Unix milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

// fromMS reads a time kept by ms; 0 is the zero time (never happened).
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// boolInt is how a flag is kept: 0 or 1.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

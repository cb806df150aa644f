package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Retention of what is kept only for a while.
const (
	// SeenFor is how long a handled event's ID is remembered: far longer
	// than Slack and Zoom go on redelivering one.
	SeenFor = 7 * 24 * time.Hour
	// JobsFor is how long a finished job stays on record.
	JobsFor = 30 * 24 * time.Hour
)

// Prune deletes the records kept only for a while: seen event IDs past
// SeenFor and finished jobs past JobsFor, and empties SQLite's write-ahead
// log of the old pages that still hold them. It reports how many rows
// went.
func (s *Store) Prune(ctx context.Context) (int64, error) {
	now := s.now()
	var n int64
	for _, st := range []struct {
		what, sql string
		before    time.Time
	}{
		{"seen events", `DELETE FROM events_seen WHERE seen_at < ?`, now.Add(-SeenFor)},
		{"finished jobs", `DELETE FROM jobs WHERE done_at IS NOT NULL AND done_at < ?`, now.Add(-JobsFor)},
	} {
		res, err := s.q.ExecContext(ctx, st.sql, ms(st.before))
		if err != nil {
			return n, fmt.Errorf("store: prune %s: %w", st.what, err)
		}
		k, _ := res.RowsAffected()
		n += k
	}
	// What a removal's own checkpoint could not empty (readers never
	// paused) goes now.
	return n, s.truncateLog(ctx)
}

// Unreachable reports whether err says the database did not answer —
// refused, timed out, went away, is starting or shutting down — rather
// than that it answered no (a wrong password, an unknown database, a
// schema too new): waiting cures the first kind only.
func Unreachable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57P01", "57P02", "57P03", "53300": // shut down, crash, starting up, too many connections
			return true
		}
		return false
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrInDoubt) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, pgconn.ErrConnClosed) || pgconn.Timeout(err) || pgconn.SafeToRetry(err)
}

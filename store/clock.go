package store

import (
	"context"
	"sync"
	"time"
)

// dbClock is the PostgreSQL server's clock as this process sees it. Leases
// and singletons are judged by one clock for every replica, or a replica
// whose own clock runs a few seconds ahead would take a healthy replica's
// running job between two of its heartbeats. Asking the server for the
// time in every statement would cost a round trip each; instead the clock
// is read every clockEvery and extrapolated with the monotonic clock in
// between, which an NTP step or a skewed wall clock cannot move. Its error
// is half the round trip of the reading it extrapolates (milliseconds),
// far inside a lease's safety margin.
type dbClock struct {
	mu      sync.Mutex
	at      time.Time     // the server's clock at the reading
	read    time.Time     // when that was, locally (carries a monotonic reading)
	rtt     time.Duration // the reading's round trip: its uncertainty is half
	ok      bool
	refresh func(ctx context.Context) (time.Time, error)
}

// clockEvery is how often the server's clock is read again.
const clockEvery = 10 * time.Second

// goodReading is the slowest round trip whose reading replaces a faster
// one still fresh: a reading taken through a congested link is off by up
// to half its round trip.
const goodReading = 100 * time.Millisecond

// now is the server's time, extrapolated from the last reading.
func (c *dbClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ok {
		return time.Now()
	}
	return c.at.Add(time.Since(c.read))
}

// sync reads the server's clock once.
func (c *dbClock) sync(ctx context.Context) error {
	sent := time.Now()
	at, err := c.refresh(ctx)
	if err != nil {
		return err
	}
	rtt := time.Since(sent)
	c.mu.Lock()
	defer c.mu.Unlock()
	stale := !c.ok || time.Since(c.read) > 3*clockEvery
	if stale || rtt <= max(goodReading, c.rtt) {
		c.at, c.read, c.rtt, c.ok = at, sent.Add(rtt/2), rtt, true
	}
	return nil
}

// keep reads the clock every clockEvery until ctx ends. A failed reading
// keeps the last one: the monotonic clock carries it through an outage.
func (c *dbClock) keep(ctx context.Context) {
	t := time.NewTicker(clockEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		_ = c.sync(rctx)
		cancel()
	}
}

// serverTime reads the PostgreSQL server's clock.
func (s *Store) serverTime(ctx context.Context) (time.Time, error) {
	var us int64
	err := s.db.QueryRowContext(ctx, `SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)`).Scan(&us)
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMicro(us).UTC(), nil
}

// Now is the store's clock: the database server's on PostgreSQL (shared by
// every replica), this process's on SQLite, or the one WithClock gave.
// Whatever the job engine writes for leases and due times is read on it.
func (s *Store) Now() time.Time { return s.now() }

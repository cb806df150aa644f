package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The store's clock on PostgreSQL is the server's as read, carried forward
// by this process's monotonic clock: a server 5 s ahead of this process
// gives times 5 s ahead, whatever this process's wall clock says; a slow
// reading does not replace a good one; a failed one keeps the last.
func TestTheDatabaseClockFollowsTheServer(t *testing.T) {
	ctx := context.Background()
	ahead := 5 * time.Second
	slow := false
	fail := false
	c := &dbClock{refresh: func(context.Context) (time.Time, error) {
		if fail {
			return time.Time{}, errors.New("unreachable")
		}
		if slow {
			time.Sleep(2 * goodReading)
			return time.Now().Add(time.Hour), nil // a reading off by its round trip, and then some
		}
		return time.Now().Add(ahead), nil
	}}
	if err := c.sync(ctx); err != nil {
		t.Fatal(err)
	}
	near := func(what string, want time.Duration) {
		t.Helper()
		if d := c.now().Sub(time.Now()); d < want-50*time.Millisecond || d > want+50*time.Millisecond {
			t.Errorf("%s: the clock is %s ahead of this process, want %s", what, d.Round(time.Millisecond), want)
		}
	}
	near("after a reading", ahead)
	time.Sleep(100 * time.Millisecond)
	near("between readings", ahead)
	slow = true
	c.sync(ctx)
	near("after a slow reading", ahead)
	slow, fail = false, true
	if err := c.sync(ctx); err == nil {
		t.Error("a failed reading reported no error")
	}
	near("after a failed reading", ahead)
}

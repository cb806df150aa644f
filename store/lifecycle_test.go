package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/store"
)

// ticking is a clock that moves a millisecond every time it is read.
type ticking struct {
	mu sync.Mutex
	t  time.Time
}

func (c *ticking) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

// A transaction reads the clock once: a resolve, its follow-up and the
// follow-up's job are written at one instant, however often the clock is
// asked in between.
func TestATransactionHasOneNow(t *testing.T) {
	ctx := context.Background()
	c := &ticking{t: time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)}
	s, err := store.Open(ctx, dsn(t, filepath.Join(t.TempDir(), "w.db")), store.WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec, _, err := s.Declare(ctx, newIncident("k"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Resolve(ctx, rec.ID, "fixed", store.ResolveOptions{Followup: true, FollowupFor: 30 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	var resolved, updated, followup, job, due int64
	if err := s.DB().QueryRow(`SELECT resolved_at, updated_at FROM incidents`).Scan(&resolved, &updated); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().QueryRow(`SELECT created_at FROM followups`).Scan(&followup); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().QueryRow(`SELECT created_at, run_at FROM jobs WHERE kind = 'followup'`).Scan(&job, &due); err != nil {
		t.Fatal(err)
	}
	if updated != resolved || followup != resolved || job != resolved || due != resolved {
		t.Errorf("one resolve wrote resolved_at %d, updated_at %d, the follow-up's created_at %d, its job's %d (due %d): want one instant",
			resolved, updated, followup, job, due)
	}
}

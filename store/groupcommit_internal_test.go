package store

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// Writes queued while a commit runs go into one transaction, and each
// keeps its own outcome: one that fails is rolled back alone, the others
// commit; one whose caller gave up before it began writes nothing.
func TestQueuedWritesCommitTogetherEachWithItsOwnOutcome(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Hold the committer in a write until the others are queued.
	release, held := make(chan struct{}), make(chan struct{})
	go s.commits.write(ctx, func(q txn) error {
		close(held)
		<-release
		_, err := q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('first', '1')`)
		return err
	})
	<-held
	gaveUp, cancel := context.WithCancel(ctx)
	cancel()
	var wg sync.WaitGroup
	results := make([]error, 4)
	writes := []struct {
		ctx context.Context
		fn  func(q txn) error
	}{
		{ctx, func(q txn) error {
			_, err := q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('a', '1')`)
			return err
		}},
		{ctx, func(q txn) error { // two statements, the second failing: neither lands
			if _, err := q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('half', '1')`); err != nil {
				return err
			}
			_, err := q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('a', 'again')`)
			return err
		}},
		{gaveUp, func(q txn) error {
			_, err := q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('late', '1')`)
			return err
		}},
		{ctx, func(q txn) error {
			_, err := q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('b', '1')`)
			return err
		}},
	}
	queued := func() int {
		s.commits.mu.Lock()
		defer s.commits.mu.Unlock()
		return len(s.commits.front) + len(s.commits.back)
	}
	want := 0
	for i, w := range writes {
		wg.Go(func() { results[i] = s.commits.enqueue(w.ctx, w.fn, false) })
		if w.ctx.Err() != nil {
			continue // refused before it queues
		}
		want++
		for queued() < want {
			runtime.Gosched()
		}
	}
	close(release)
	wg.Wait()
	if results[0] != nil || results[3] != nil {
		t.Errorf("the good writes failed: %v, %v", results[0], results[3])
	}
	if results[1] == nil || !isUniqueViolation(results[1]) {
		t.Errorf("the failing write: %v, want its unique violation", results[1])
	}
	if !errors.Is(results[2], context.Canceled) {
		t.Errorf("the given-up write: %v, want context.Canceled", results[2])
	}
	got := map[string]bool{}
	rows, _ := s.db.Query(`SELECT key FROM settings`)
	for rows.Next() {
		var k string
		rows.Scan(&k)
		got[k] = true
	}
	rows.Close()
	for k, want := range map[string]bool{"first": true, "a": true, "b": true, "half": false, "late": false} {
		if got[k] != want {
			t.Errorf("setting %q stored: %v, want %v", k, got[k], want)
		}
	}
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/warroom-dev/warroom/jobtype"
)

// committer is SQLite's one writer. SQLite takes one write transaction at
// a time, and every commit is an fsync (synchronous=FULL); so instead of
// each write paying its own, the writes queued while one commit runs go
// together into the next transaction, each in a savepoint of its own: a
// write that fails is rolled back alone and returns its own error, the
// others commit, with one fsync for all. Under a storm of declares this
// is most of warroom's cost per incident.
//
// The queue has a fast lane: the front door's writes (whose acks wait on
// them) go first into every transaction, and the engine's background
// writes (see jobtype.Background) fill it up to maxBatch.
type committer struct {
	db    *sql.DB
	stmts *stmtCache

	mu          sync.Mutex
	front, back []*writeUnit
	wake        chan struct{}
	done        chan struct{}
}

// writeUnit is one caller's write: fn runs inside the shared transaction.
type writeUnit struct {
	ctx    context.Context
	fn     func(q txn) error
	result chan error
	err    error // fn's own error, before the commit
	// single: fn is one statement, which SQLite undoes alone when it
	// fails; it needs no savepoint.
	single bool
	// bare, if set, runs alone and outside any transaction (a WAL
	// checkpoint), instead of fn.
	bare func(ctx context.Context) error
}

// gatherFor is how long a busy committer waits before its next
// transaction: under a storm, far less than the fsync it saves.
const gatherFor = 500 * time.Microsecond

// maxBatch bounds the writes of one transaction, so that a front-door
// write never waits behind a long one.
const maxBatch = 64

func newCommitter(db *sql.DB, stmts *stmtCache) *committer {
	c := &committer{db: db, stmts: stmts, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go c.run()
	return c
}

// write runs fn in the next transaction and returns its error, or the
// commit's. Once fn is taken into a transaction, its outcome is awaited
// whatever ctx says: the caller must learn whether it was committed.
func (c *committer) write(ctx context.Context, fn func(q txn) error) error {
	return c.enqueue(ctx, fn, false)
}

// writeOne is write for fn that runs one statement.
func (c *committer) writeOne(ctx context.Context, fn func(q txn) error) error {
	return c.enqueue(ctx, fn, true)
}

// outside runs fn on the committer between two transactions: no write
// runs meanwhile.
func (c *committer) outside(ctx context.Context, fn func(ctx context.Context) error) error {
	return c.queue(ctx, &writeUnit{ctx: ctx, bare: fn, result: make(chan error, 1)})
}

func (c *committer) enqueue(ctx context.Context, fn func(q txn) error, single bool) error {
	return c.queue(ctx, &writeUnit{ctx: ctx, fn: fn, result: make(chan error, 1), single: single})
}

func (c *committer) queue(ctx context.Context, u *writeUnit) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	select {
	case <-c.done:
		c.mu.Unlock()
		return errors.New("store: closed")
	default:
	}
	if jobtype.IsBackground(ctx) {
		c.back = append(c.back, u)
	} else {
		c.front = append(c.front, u)
	}
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return <-u.result
}

// close stops the committer; writes queued by then fail.
func (c *committer) close() {
	c.mu.Lock()
	select {
	case <-c.done:
	default:
		close(c.done)
	}
	c.mu.Unlock()
}

func (c *committer) run() {
	for {
		select {
		case <-c.done:
			c.failQueued()
			return
		case <-c.wake:
		}
		for batch := c.take(); len(batch) > 0; batch = c.take() {
			c.commit(batch)
			if len(batch) > 1 {
				// Busy: a moment lets the next transaction gather more
				// writes, and share one fsync among them.
				time.Sleep(gatherFor)
			}
		}
	}
}

// take removes the next transaction's writes from the queue: every
// front-door write, then background ones up to maxBatch — or, when the
// first in line runs outside a transaction, that one alone.
func (c *committer) take() []*writeUnit {
	c.mu.Lock()
	defer c.mu.Unlock()
	var batch []*writeUnit
	limit := max(maxBatch, len(c.front))
	for _, lane := range []*[]*writeUnit{&c.front, &c.back} {
		for len(*lane) > 0 && len(batch) < limit {
			u := (*lane)[0]
			if u.bare != nil && len(batch) > 0 {
				return batch // it goes alone, next
			}
			*lane = (*lane)[1:]
			batch = append(batch, u)
			if u.bare != nil {
				return batch
			}
		}
	}
	return batch
}

func (c *committer) failQueued() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, u := range append(c.front, c.back...) {
		u.result <- errors.New("store: closed")
	}
	c.front, c.back = nil, nil
}

// commit runs batch in one transaction, each write in its savepoint, and
// answers every write. The transaction's own context cannot be cancelled
// (see stmtCache.local): each write's deadline is checked before it runs.
func (c *committer) commit(batch []*writeUnit) {
	ctx := context.Background()
	if u := batch[0]; u.bare != nil {
		if u.err = u.ctx.Err(); u.err == nil {
			u.err = u.bare(context.WithoutCancel(u.ctx))
		}
		answer(batch)
		return
	}
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		answerAll(batch, fmt.Errorf("store: begin: %w", err))
		return
	}
	q := txn{tx: tx, c: c.stmts}
	alone := len(batch) == 1
	for i, u := range batch {
		if err := u.ctx.Err(); err != nil {
			u.err = err // given up before it began: nothing of it is written
			continue
		}
		if alone || u.single {
			u.err = u.fn(q)
			continue
		}
		if err := c.inSavepoint(ctx, tx, u, q); err != nil {
			// The transaction cannot go on: nothing of it commits.
			tx.Rollback()
			for _, w := range batch[i:] {
				if w.err == nil {
					w.err = err
				}
			}
			answerAll(batch[:i], err)
			answer(batch[i:])
			return
		}
	}
	if alone && batch[0].err != nil {
		tx.Rollback()
		answer(batch)
		return
	}
	if err := tx.Commit(); err != nil {
		for _, u := range batch {
			if u.err == nil {
				u.err = fmt.Errorf("store: commit: %w", err)
			}
		}
	}
	answer(batch)
}

// inSavepoint runs u's write in a savepoint, rolled back alone if it
// fails (u.err is then its error). A failure of the savepoint itself is
// returned: the transaction is unusable.
func (c *committer) inSavepoint(ctx context.Context, tx *sql.Tx, u *writeUnit, q txn) error {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT w`); err != nil {
		return fmt.Errorf("store: savepoint: %w", err)
	}
	if u.err = u.fn(q); u.err != nil {
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO w`); err != nil {
			return fmt.Errorf("store: roll back a write: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `RELEASE w`); err != nil {
		return fmt.Errorf("store: release a write: %w", err)
	}
	return nil
}

// answer sends every write its outcome.
func answer(batch []*writeUnit) {
	for _, u := range batch {
		u.result <- u.err
	}
}

// answerAll sends every write err.
func answerAll(batch []*writeUnit, err error) {
	for _, u := range batch {
		u.err = err
	}
	answer(batch)
}

package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
)

// querier is what the private helpers run their SQL on: the Store itself
// (autocommit) or one of its transactions. Both prepare each query once and
// reuse it, so a hot path never pays for parsing SQL again.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// stmtCache holds one prepared statement per query text. database/sql
// prepares a statement again on each pooled connection it lands on, once.
type stmtCache struct {
	db     *sql.DB
	rebind func(string) string
	mu     sync.Mutex
	m      map[string]*sql.Stmt
}

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	st, ok := c.m[query]
	c.mu.Unlock()
	if ok {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, c.rebind(query))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[query]; ok {
		st.Close()
		return old, nil
	}
	c.m[query] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = map[string]*sql.Stmt{}
}

// writeGate lets one writer at a time reach SQLite. SQLite allows one
// writer anyway; without the gate the others wait in its busy handler,
// sleeping and retrying (and each holding a connection), which under load
// costs more CPU than the writes themselves. Waiting here is a queue.
//
// The queue has a fast lane: background writes (the job engine's, see
// Background) first queue among themselves, so at most one of them stands
// between a front-door write — a declare whose ack waits on it — and the
// database. A nil gate (PostgreSQL) lets everyone through.
type writeGate struct {
	db         chan struct{} // held while writing
	background chan struct{} // held by the one background writer at db
}

func newWriteGate() *writeGate {
	return &writeGate{db: make(chan struct{}, 1), background: make(chan struct{}, 1)}
}

// enter waits for the gate; the returned leave must be called.
func (g *writeGate) enter(ctx context.Context) (leave func(), err error) {
	if g == nil {
		return func() {}, nil
	}
	bg := isBackground(ctx)
	if bg {
		if err := acquire(ctx, g.background); err != nil {
			return nil, err
		}
	}
	if err := acquire(ctx, g.db); err != nil {
		if bg {
			<-g.background
		}
		return nil, err
	}
	return func() {
		<-g.db
		if bg {
			<-g.background
		}
	}, nil
}

func acquire(ctx context.Context, c chan struct{}) error {
	select {
	case c <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type backgroundKey struct{}

// Background marks ctx as background work (the job engine's): its writes
// give way to the front door's, whose acks wait on them.
func Background(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

func isBackground(ctx context.Context) bool {
	bg, _ := ctx.Value(backgroundKey{}).(bool)
	return bg
}

// autocommit runs each statement on its own.
type autocommit struct {
	c    *stmtCache
	gate *writeGate
}

func (a autocommit) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx, cancel := bounded(ctx)
	defer cancel()
	leave, err := a.gate.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer leave()
	st, err := a.c.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (a autocommit) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := a.c.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (a autocommit) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := a.c.get(ctx, q)
	if err != nil {
		// A Row cannot carry an error of its own making: let the database
		// say it, through an unprepared query that fails the same way.
		return a.c.db.QueryRowContext(ctx, a.c.rebind(q), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// txn is a transaction that reuses the cache's statements.
type txn struct {
	tx *sql.Tx
	c  *stmtCache
}

func (t txn) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	st, err := t.c.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return t.tx.StmtContext(ctx, st), nil
}

func (t txn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (t txn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (t txn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return t.tx.QueryRowContext(ctx, t.c.rebind(q), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// rebindDollar turns "?" placeholders into PostgreSQL's $1, $2, …. The
// queries hold no "?" inside string literals.
func rebindDollar(q string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"time"
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
	// local: the database runs in this process (SQLite). A statement then
	// runs with its caller's deadline checked before it starts but not
	// watched while it runs: watching costs database/sql and the driver a
	// goroutine each per statement (and the driver a progress callback
	// every thousand steps), and a local statement has no network to
	// hang on.
	local bool
	mu    sync.Mutex
	m     map[string]*sql.Stmt
}

// run is the context a statement runs with (see local); ok is false when
// the caller has given up already.
func (c *stmtCache) run(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return ctx, err
	}
	if c.local {
		return context.WithoutCancel(ctx), nil
	}
	return ctx, nil
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

// autocommit runs each statement on its own: a write goes through the
// committer (SQLite) or straight to the database (PostgreSQL).
type autocommit struct {
	c       *stmtCache
	commits *committer
}

func (a autocommit) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx, cancel := bounded(ctx)
	defer cancel()
	if a.commits != nil {
		var res sql.Result
		err := a.commits.writeOne(ctx, func(t txn) error {
			var err error
			res, err = t.ExecContext(ctx, q, args...)
			return err
		})
		return res, err
	}
	ctx, err := a.c.run(ctx)
	if err != nil {
		return nil, err
	}
	st, err := a.c.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (a autocommit) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx, err := a.c.run(ctx)
	if err != nil {
		return nil, err
	}
	st, err := a.c.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (a autocommit) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	ctx, err := a.c.run(ctx)
	var st *sql.Stmt
	if err == nil {
		st, err = a.c.get(ctx, q)
	}
	if err != nil {
		// A Row cannot carry an error of its own making: let the database
		// say it, through an unprepared query that fails the same way.
		return a.c.db.QueryRowContext(ctx, a.c.rebind(q), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// txn is a transaction that reuses the cache's statements. now is its
// time, read once as it begins (wtf's Tx.now): every time a transaction
// writes — updated_at, a job's due time, a lease — is the same instant.
type txn struct {
	tx  *sql.Tx
	c   *stmtCache
	now time.Time
}

// stmt is the cached statement for q in this transaction, and the
// context to run it with (see stmtCache.run).
func (t txn) stmt(ctx context.Context, q string) (*sql.Stmt, context.Context, error) {
	ctx, err := t.c.run(ctx)
	if err != nil {
		return nil, ctx, err
	}
	st, err := t.c.get(ctx, q)
	if err != nil {
		return nil, ctx, err
	}
	return t.tx.StmtContext(ctx, st), ctx, nil
}

func (t txn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, ctx, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (t txn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, ctx, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (t txn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, ctx, err := t.stmt(ctx, q)
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

package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/store/pgtest"
)

// testEngine is the engine the store tests run on: every test runs on
// SQLite, then again on PostgreSQL (TestMain).
var testEngine = "sqlite"

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(func() int {
		code := m.Run()
		if code != 0 {
			return code
		}
		if !pgtest.Available() && !pgtest.Required() {
			pgtest.Notice("store")
			return code
		}
		// Under WARROOM_REQUIRE_POSTGRES=1 an unavailable server fails
		// every test of this pass instead of skipping it.
		testEngine = "postgres"
		fmt.Fprintln(os.Stderr, "store: the same tests on PostgreSQL")
		return m.Run()
	}))
}

// dsn is where a test's store lives: the SQLite file at path, or a fresh
// PostgreSQL database.
// The same path in one test is the same PostgreSQL database, so a test
// can close its store and open it again.
func dsn(tb testing.TB, path string) string {
	tb.Helper()
	if testEngine != "postgres" {
		return path
	}
	if u, ok := databases.Load(path); ok {
		return u.(string)
	}
	u := pgtest.URL(tb)
	databases.Store(path, u)
	return u
}

var databases sync.Map // SQLite path → PostgreSQL URL

// sqliteOnly skips a test about SQLite's files on PostgreSQL.
func sqliteOnly(tb testing.TB) {
	tb.Helper()
	if testEngine != "sqlite" {
		tb.Skip("about SQLite's files")
	}
}

// The two engines' migrations must end in the same tables and columns:
// every query is the same on both.
func TestBothEnginesHaveTheSameSchema(t *testing.T) {
	if testEngine != "postgres" {
		t.Skip("runs in the PostgreSQL pass, against a SQLite file beside it")
	}
	ctx := context.Background()
	lite, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), &clock{t: time.Now()})
	if lv, _ := lite.SchemaVersion(ctx); true {
		if pv, _ := pg.SchemaVersion(ctx); pv != lv {
			t.Errorf("schema version: SQLite %d, PostgreSQL %d", lv, pv)
		}
	}
	want := columns(t, lite.DB(), `SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`)
	got := columns(t, pg.DB(), `SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = current_schema()`)
	for c := range want {
		if !got[c] {
			t.Errorf("PostgreSQL lacks %s", c)
		}
	}
	for c := range got {
		if !want[c] {
			t.Errorf("SQLite lacks %s", c)
		}
	}
}

func columns(t *testing.T, db *sql.DB, query string) map[string]bool {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		out[c] = true
	}
	return out
}

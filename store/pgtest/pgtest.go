// Package pgtest gives tests a real PostgreSQL: the server that
// WARROOM_TEST_POSTGRES names, or a throwaway cluster started with initdb
// and postgres for the test binary and removed after it. Each caller gets
// a fresh database on it.
//
// Without a server, PostgreSQL tests skip with a notice on stderr; with
// WARROOM_REQUIRE_POSTGRES=1 (CI) they fail instead, so the suite cannot
// pass by skipping.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// server is the test binary's PostgreSQL: started once, on first use.
type server struct {
	once sync.Once
	url  string // the maintenance database; "" when there is none
	err  error  // why there is none
	stop func()
}

var srv server // one per test binary: the cluster outlives every test in it

// Required reports whether PostgreSQL tests must run (CI sets it).
func Required() bool { return os.Getenv("WARROOM_REQUIRE_POSTGRES") == "1" }

// Available starts the server if it can and reports whether it is up.
func Available() bool {
	srv.once.Do(srv.start)
	return srv.err == nil
}

// URL returns a fresh, empty database on the test server, dropped when
// the test ends. It skips the test (fails it under
// WARROOM_REQUIRE_POSTGRES=1) when no server can be had.
func URL(tb testing.TB) string {
	tb.Helper()
	if !Available() {
		if Required() {
			tb.Fatalf("PostgreSQL is required (WARROOM_REQUIRE_POSTGRES=1) but: %v", srv.err)
		}
		tb.Skipf("PostgreSQL tests skipped: %v", srv.err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "t_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", srv.url)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		db, err := sql.Open("pgx", srv.url)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, _ := url.Parse(srv.url)
	u.Path = "/" + name
	return u.String()
}

// Main runs the tests and then stops the cluster it started, if any.
// Use it from TestMain: os.Exit(pgtest.Main(m.Run)).
func Main(run func() int) int {
	code := run()
	if srv.stop != nil {
		srv.stop()
	}
	return code
}

// Notice is printed once when a package's PostgreSQL tests will skip.
func Notice(pkg string) {
	if !Available() && !Required() {
		fmt.Fprintf(os.Stderr, "\n*** %s: PostgreSQL tests SKIPPED: %v\n*** install PostgreSQL (initdb on PATH or in /usr/lib/postgresql) or set WARROOM_TEST_POSTGRES\n\n", pkg, srv.err)
	}
}

func (s *server) start() {
	if u := os.Getenv("WARROOM_TEST_POSTGRES"); u != "" {
		s.url = u
		s.err = ping(u, 10*time.Second)
		return
	}
	s.url, s.stop, s.err = startCluster()
}

// startCluster runs initdb and postgres in a temporary directory, as an
// unprivileged user when the tests run as root (PostgreSQL refuses root).
func startCluster() (string, func(), error) {
	bin, err := binaries()
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "warroom-pg-")
	if err != nil {
		return "", nil, err
	}
	cred, err := unprivileged(dir)
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "warroom",
		"--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("initdb: %w: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	// Durability is not under test here (the SQLite suite and the
	// engine's own guarantees cover it): fsync off keeps the suite fast.
	pg := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port),
		"-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
		"-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=400")
	logf, _ := os.Create(filepath.Join(dir, "postgres.log"))
	pg.Stdout, pg.Stderr = logf, logf
	// The cluster dies with the test binary, even when it is killed.
	pg.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
	if err := pg.Start(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("postgres: %w", err)
	}
	stop := func() {
		_ = pg.Process.Signal(syscall.SIGQUIT) // immediate shutdown
		_ = pg.Wait()
		os.RemoveAll(dir)
	}
	u := fmt.Sprintf("postgres://warroom@127.0.0.1:%d/postgres?sslmode=disable", port)
	if err := ping(u, 30*time.Second); err != nil {
		stop()
		log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
		return "", nil, fmt.Errorf("%w: %s", err, log)
	}
	return u, stop, nil
}

// binaries finds PostgreSQL's programs: on PATH, or where Debian puts
// them (/usr/lib/postgresql/<version>/bin), the newest version first.
func binaries() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL server programs (initdb) found")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// unprivileged returns the credentials to run PostgreSQL with (nil when
// the tests do not run as root) and gives that user the directory.
func unprivileged(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root and no unprivileged user (postgres, nobody) to run PostgreSQL as")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func ping(u string, within time.Duration) error {
	db, err := sql.Open("pgx", u)
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = db.PingContext(ctx)
		cancel()
		if err == nil || time.Now().After(deadline) {
			if err != nil {
				return fmt.Errorf("PostgreSQL at %s: %w", redact(u), err)
			}
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return p.Redacted()
}

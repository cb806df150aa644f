package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/warroom-dev/warroom/config"

	"github.com/warroom-dev/warroom/store"
)

// runBackup is `warroom backup <file>`: a consistent copy of the database
// in WARROOM_DB, safe while `warroom run` is using it.
func runBackup(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return errors.New("usage: warroom backup <file> (the file must not exist yet; WARROOM_DB names the database)")
	}
	cfg, err := config.Load(getenv, false)
	if err != nil {
		return err
	}
	if store.IsPostgres(cfg.DB) {
		// PostgreSQL has its own consistent online backup; warroom's would
		// be a worse copy of it.
		return fmt.Errorf("WARROOM_DB is PostgreSQL: back it up with PostgreSQL's own tools, for example\n"+
			"  pg_dump --format=custom --file=%s '%s'\n"+
			"(restore with pg_restore --clean --dbname=…; tokens stay sealed with WARROOM_SECRET_KEY, so keep that key with the backup's owner, not in it)",
			args[0], store.RedactDSN(cfg.DB))
	}
	if _, err := os.Stat(cfg.DB); errors.Is(err, fs.ErrNotExist) {
		return &config.Error{Var: "WARROOM_DB", Problem: fmt.Sprintf("names %s, which does not exist: there is nothing to back up.", cfg.DB)}
	}
	if _, err := os.Lstat(args[0]); err == nil {
		return fmt.Errorf("%s already exists; a backup never overwrites a file, so choose a new name", args[0])
	}
	start := time.Now()
	info, err := store.Backup(ctx, cfg.DB, args[0])
	if err != nil {
		return err
	}
	incidents := fmt.Sprintf("%d incidents", info.Incidents)
	if info.Incidents == 1 {
		incidents = "1 incident"
	}
	fmt.Fprintf(out, "Backed up %s to %s in %s: %d bytes, schema %d, %s; integrity ok.\n",
		cfg.DB, info.Path, time.Since(start).Round(time.Millisecond), info.Size, info.SchemaVersion, incidents)
	return nil
}

// runHealthcheck is `warroom healthcheck [-ready]`: it asks the warroom
// listening on WARROOM_HTTP_ADDR for /healthz (or /readyz) and succeeds
// only on HTTP 200. Container images without a shell or curl use it as
// their HEALTHCHECK.
func runHealthcheck(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	path := "/healthz"
	for _, a := range args {
		switch a {
		case "-ready", "--ready":
			path = "/readyz"
		default:
			return fmt.Errorf("usage: warroom healthcheck [-ready]")
		}
	}
	cfg, err := config.Load(getenv, false)
	if err != nil {
		return err
	}
	u := "http://" + config.LocalAddr(cfg.HTTPAddr) + path
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d: %s", u, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	fmt.Fprintf(out, "%s: %s\n", u, strings.TrimSpace(string(body)))
	return nil
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/warroom-dev/warroom/store"
)

// runMigrateDB is `warroom migrate-db --from warroom.db --to postgres://…`:
// it moves a single-machine installation to PostgreSQL, where several
// replicas can share it. Every table is copied as it is (tokens stay
// sealed with WARROOM_SECRET_KEY) into an empty database, and every
// source row is then looked up there by its key and compared. --force
// merges into a database that holds rows, which is how a copy is checked
// again: it copies only what is missing.
func runMigrateDB(ctx context.Context, args []string, out io.Writer) error {
	fl := flag.NewFlagSet("migrate-db", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	from := fl.String("from", "", "the SQLite file (WARROOM_DB of the single-machine installation)")
	to := fl.String("to", "", "the PostgreSQL URL (postgres://user:pass@host:5432/warroom?sslmode=require)")
	force := fl.Bool("force", false, "copy into a database that already holds rows: only what is missing, every key checked")
	const usage = "usage: warroom migrate-db [--force] --from warroom.db --to postgres://user:pass@host:5432/warroom"
	if err := fl.Parse(args); err != nil || fl.NArg() != 0 || *from == "" || *to == "" {
		return errors.New(usage)
	}
	if store.IsPostgres(*from) {
		return fmt.Errorf("--from must be the SQLite file, not a PostgreSQL URL\n%s", usage)
	}
	if !store.IsPostgres(*to) {
		return fmt.Errorf("--to must be a postgres:// or postgresql:// URL (got %q)\n%s", *to, usage)
	}
	if _, err := os.Stat(*from); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--from names %s, which does not exist", *from)
	}
	// The copy must be of a database nobody changes meanwhile: the same
	// lock `warroom run` holds.
	lock, err := store.LockFile(*from)
	if err != nil {
		return fmt.Errorf("%w\nstop warroom first: migrate-db copies a database that no one is changing", err)
	}
	defer lock.Release()
	src, err := store.Open(ctx, *from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := store.Open(ctx, *to)
	if err != nil {
		return fmt.Errorf("%s: %w", store.RedactDSN(*to), err)
	}
	defer dst.Close()
	counts, err := store.CopyDatabase(ctx, src, dst, store.CopyOptions{Merge: *force})
	if err != nil {
		return explainCopy(err, store.RedactDSN(*to))
	}
	return printCounts(out, *from, store.RedactDSN(*to), counts)
}

// copyRefusal is what the operator reads when the copy did not happen;
// the store's error stays in the chain.
type copyRefusal struct {
	msg string
	err error
}

func (r *copyRefusal) Error() string { return r.msg }
func (r *copyRefusal) Unwrap() error { return r.err }

// explainCopy turns the copy's refusals into what to do about them.
func explainCopy(err error, to string) error {
	var full *store.NotEmptyError
	var clash *store.ClashError
	switch {
	case errors.As(err, &full):
		return &copyRefusal{err: err, msg: fmt.Sprintf("%s already holds %s, so nothing was copied: migrate-db "+
			"fills an empty database, and --force merges into this one instead, copying only the rows missing "+
			"there, then checking every key and rolling everything back if a row there differs from the "+
			"source's (if this is a re-run of the same copy, --force checks it and copies only what is missing).\n"+
			"A database a warroom has only started on counts as empty: its install_id and last_ping settings, "+
			"its replicas and singletons rows and its ZOOM_HOSTS hosts are replaced by the source's.",
			to, heldText(full.Tables))}
	case errors.As(err, &clash):
		return &copyRefusal{err: err, msg: fmt.Sprintf("the copy was rolled back and %s is as it was: "+
			"rows there have the keys of rows of the source but other content — %s\n"+
			"They are another installation's, or changed since an earlier copy: migrate into an empty "+
			"database (a new one, or this one dropped and created again).", to, clashText(clash.Tables))}
	}
	return err
}

// heldText is "incidents (3 rows) and jobs (1 row)".
func heldText(tables []store.TableRows) string {
	parts := make([]string, len(tables))
	for i, t := range tables {
		parts[i] = fmt.Sprintf("%s (%d row%s)", t.Table, t.Rows, plural(t.Rows))
	}
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// clashText names a few clashing rows of each table, and how many more.
func clashText(tables []store.TableClash) string {
	var out []string
	for _, t := range tables {
		var rows []string
		for _, r := range t.Rows {
			switch len(r.Columns) {
			case 0:
				rows = append(rows, r.Key+" (not there: another row there holds one of its unique values)")
			case 1:
				rows = append(rows, r.Key+" ("+r.Columns[0]+" differs)")
			default:
				rows = append(rows, r.Key+" ("+strings.Join(r.Columns, ", ")+" differ)")
			}
		}
		s := t.Table + " " + strings.Join(rows, ", ")
		if more := t.Total - int64(len(t.Rows)); more > 0 {
			s += fmt.Sprintf(" and %d more", more)
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// printCounts shows each table's rows on both sides, what this run copied
// and how many keys it compared.
func printCounts(out io.Writer, from, to string, counts []store.TableCount) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "table\tin "+from+"\tin PostgreSQL\tcopied now\tkeys compared\t")
	var rows, copied, compared, replaced int64
	for _, c := range counts {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", c.Table, c.Source, c.Dest, c.Copied, c.Compared)
		rows, copied, compared, replaced = rows+c.Source, copied+c.Copied, compared+c.Compared, replaced+c.Replaced
	}
	tw.Flush()
	if replaced > 0 {
		fmt.Fprintf(out, "Replaced %d row%s a warroom wrote when it started on %s (install_id, last_ping, replicas, "+
			"singletons, ZOOM_HOSTS hosts) with the source's.\n", replaced, plural(replaced), to)
	}
	fmt.Fprintf(out, "Copied %d rows (%d of %d were there already) to %s; compared %d keys: every source row is there "+
		"under its key with the same content.\n"+
		"Set WARROOM_DB to that URL (and keep WARROOM_SECRET_KEY) on every replica.\n",
		copied, rows-copied, rows, to, compared)
	return nil
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"text/tabwriter"

	"github.com/warroom-dev/warroom/store"
)

// runMigrateDB is `warroom migrate-db --from warroom.db --to postgres://…`:
// it moves a single-machine installation to PostgreSQL, where several
// replicas can share it. Every table is copied as it is (tokens stay
// sealed with WARROOM_SECRET_KEY), the counts are checked, and running it
// again copies only what is missing.
func runMigrateDB(ctx context.Context, args []string, out io.Writer) error {
	fl := flag.NewFlagSet("migrate-db", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	from := fl.String("from", "", "the SQLite file (WARROOM_DB of the single-machine installation)")
	to := fl.String("to", "", "the PostgreSQL URL (postgres://user:pass@host:5432/warroom?sslmode=require)")
	const usage = "usage: warroom migrate-db --from warroom.db --to postgres://user:pass@host:5432/warroom"
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
	counts, err := store.CopyDatabase(ctx, src, dst)
	if err != nil {
		return err
	}
	return printCounts(out, *from, store.RedactDSN(*to), counts)
}

// printCounts shows each table's rows on both sides and fails if any
// source row is missing at the destination.
func printCounts(out io.Writer, from, to string, counts []store.TableCount) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "table\tin "+from+"\tin PostgreSQL\tcopied now\t")
	var short []string
	var rows, copied int64
	for _, c := range counts {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", c.Table, c.Source, c.Dest, c.Copied)
		if c.Dest < c.Source {
			short = append(short, c.Table)
		}
		rows, copied = rows+c.Source, copied+c.Copied
	}
	tw.Flush()
	if len(short) > 0 {
		return fmt.Errorf("rows missing at the destination in %v: the copy did not complete; run it again", short)
	}
	fmt.Fprintf(out, "Copied %d rows (%d of %d were there already) to %s; every table's count checked.\n"+
		"Set WARROOM_DB to that URL (and keep WARROOM_SECRET_KEY) on every replica.\n", copied, rows-copied, rows, to)
	return nil
}

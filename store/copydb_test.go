package store_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/store/pgtest"
)

// A single-machine installation moves to PostgreSQL whole: incidents,
// follow-ups, jobs, the Zoom accounts with their tokens still sealed (read
// back with the same key), IDs kept and new ones after them. A second run
// copies nothing and still checks out.
func TestCopyDatabaseToPostgres(t *testing.T) {
	if testEngine != "sqlite" {
		t.Skip("copies from SQLite; runs in the SQLite pass")
	}
	ctx := context.Background()
	c, _ := store.NewCipher(bytes.Repeat([]byte{9}, 32))
	src, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"), store.WithCipher(c))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var last *store.Record
	for _, k := range []string{"a", "b", "c"} {
		last, _, _ = src.Declare(ctx, newIncident(k))
	}
	if _, _, err := src.AddFollowup(ctx, store.NewFollowup{IncidentID: last.ID, DedupeKey: "f", Topic: "Review",
		Start: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	key, err := src.SaveOAuthAccount(ctx, warroom.ZoomHost{Email: "robot@example.com", ZoomUserID: "zu1", UserType: 2},
		store.ZoomTokens{Access: "access-secret", Refresh: "refresh-secret", Expiry: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}

	url := pgtest.URL(t)
	dst, err := store.Open(ctx, url, store.WithCipher(c))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	counts, err := store.CopyDatabase(ctx, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]store.TableCount{}
	for _, tc := range counts {
		tables[tc.Table] = tc
		if tc.Dest != tc.Source || tc.Copied != tc.Source {
			t.Errorf("%s: %+v", tc.Table, tc)
		}
	}
	for _, want := range []string{"incidents", "jobs", "followups", "zoom_hosts"} {
		if tables[want].Source == 0 {
			t.Errorf("table %s was not copied (or empty): %+v", want, tables[want])
		}
	}
	if tok, err := dst.Tokens(ctx, key); err != nil || tok.Refresh != "refresh-secret" {
		t.Errorf("tokens after the copy: %+v %v", tok, err)
	}
	if got, err := dst.Incident(ctx, last.ID); err != nil || got.DedupeKey != "c" {
		t.Errorf("incident %d after the copy: %+v %v", last.ID, got, err)
	}
	next, _, err := dst.Declare(ctx, newIncident("d"))
	if err != nil || next.ID != last.ID+1 {
		t.Fatalf("a new incident on PostgreSQL: %+v %v, want ID %d", next, err, last.ID+1)
	}

	again, err := store.CopyDatabase(ctx, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range again {
		if tc.Copied != 0 || tc.Dest < tc.Source {
			t.Errorf("second run, %s: %+v", tc.Table, tc)
		}
	}
}

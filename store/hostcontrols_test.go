package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/store"
)

// Who has host controls is Zoom's truth, which may not be the commander
// warroom tried; a new meeting has no alternative host, whoever had one.
// What the channel was told survives a new meeting.
func TestHostControlsAreRecorded(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, filepath.Join(t.TempDir(), "w.db"), &clock{t: time.Now()})
	rec, _, _ := s.Declare(ctx, newIncident("k"))
	mustHost(t, s, "h")
	s.SetMeeting(ctx, jobtype.Fence{}, rec.ID, 0, "h", warroom.Meeting{ID: 7, JoinURL: "https://z/j/7"})
	kept := store.HostControls{User: "U2", Holder: "U1", Email: "alice@example.com", Note: "Zoom does not change the hosts of a meeting that is running"}
	if err := s.SetHostControls(ctx, jobtype.Fence{}, rec.ID, kept); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkHostControlsPosting(ctx, jobtype.Fence{}, rec.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Incident(ctx, rec.ID)
	if (store.HostControls{User: got.HostControlsUser, Holder: got.HostControlsHolder, Email: got.HostControlsEmail,
		Note: got.HostControlsNote}) != kept || !got.HostControlsPosting {
		t.Fatalf("recorded %q %q %q %q posting=%v", got.HostControlsUser, got.HostControlsHolder, got.HostControlsEmail,
			got.HostControlsNote, got.HostControlsPosting)
	}
	if err := s.SetHostControlsTold(ctx, jobtype.Fence{}, rec.ID, "2|U2|U1"); err != nil {
		t.Fatal(err)
	}
	if got, _ = s.Incident(ctx, rec.ID); got.HostControlsTold != "2|U2|U1" || got.HostControlsPosting {
		t.Fatalf("told %q posting=%v", got.HostControlsTold, got.HostControlsPosting)
	}
	if _, err := s.ReplaceMeeting(ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ = s.Incident(ctx, rec.ID); got.HostControlsHolder != "" || got.HostControlsEmail != "" || got.HostControlsUser != "" ||
		got.HostControlsTold != "2|U2|U1" {
		t.Errorf("after a new call: holder %q email %q user %q told %q", got.HostControlsHolder, got.HostControlsEmail,
			got.HostControlsUser, got.HostControlsTold)
	}
}

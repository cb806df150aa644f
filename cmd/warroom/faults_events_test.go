package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/config"
	"github.com/warroom-dev/warroom/store/pgtest"
)

// runOn runs warroom in this process on the database dsn, with extra
// settings.
func runOn(t *testing.T, w *world, dsn string, tune func(*config.Config)) *running {
	t.Helper()
	return MustRunWith(t, w, func(c *config.Config, _ *Tuning) {
		c.DB = dsn
		if tune != nil {
			tune(c)
		}
	})
}

// A person creates a channel with the incident prefix while warroom's
// database is unreachable: the event is not acknowledged (recording it
// failed), Slack delivers it again, and once the database is back the
// incident exists — exactly one, with its war room.
func TestAChannelCreatedDuringAnOutageBecomesAnIncident(t *testing.T) {
	w := MustStartWorld(t) // Slack redelivers an unacked event after 500 ms, three times
	f := pgtest.NewFaulty(t)
	r := runOn(t, w, f.URL, nil)
	f.Cut()
	ch, err := w.Slack.CreateChannelAs("U2", "inc-created-in-the-dark")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := waitFor(ctx, func() bool { return strings.Contains(r.Log.String(), "leaving the event unacked") }); err != nil {
		t.Fatalf("warroom never tried to record the channel while the database was cut:\n%s", r.Log.String())
	}
	f.Restore()
	room := waitPinned(t, w, "inc-created-in-the-dark", "a Join Call button", func(text string, r room) bool { return r.JoinURL() != "" })
	if room.Channel.ID != ch.ID {
		t.Errorf("the war room is %s, not the channel the person made", room.Channel.ID)
	}
	var n int
	if err := r.Main.store.DB().QueryRow(`SELECT COUNT(*) FROM incidents WHERE channel_id = $1`, ch.ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d incidents for the channel (%v), want 1", n, err)
	}
}

// Zoom's stream delivers a call's end while warroom's database blips for
// 2 s: the event cannot be recorded, so the stream is dropped and opened
// again, and the reconcile at the reconnect (tried until the database
// answers) makes the pinned message say the call ended — not "In
// progress" for a call that is over.
func TestStreamEventsDuringABlipAreNotLost(t *testing.T) {
	w := MustStartWorld(t)
	f := pgtest.NewFaulty(t)
	r := runOn(t, w, f.URL, func(c *config.Config) {
		c.ZoomWSSubscriptionID = w.Zoom.Config().WSSubscriptionID
		c.ZoomWSURL = "ws" + strings.TrimPrefix(w.Zoom.URL(), "http") + "/ws"
	})
	waitStreams(t, w, 1)
	declare(t, w, "U1", "declare Blip in the stream")
	name := todayName("Blip in the stream", 1)
	MustWaitRoom(t, w, name)
	id := w.Zoom.Meetings()[0].ID
	ctx := context.Background()

	w.Zoom.StartMeeting(ctx, id)
	waitPinned(t, w, name, "the call in progress", func(text string, r room) bool { return strings.Contains(text, "In progress") })

	f.Cut()
	w.Zoom.EndMeeting(ctx, id)
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := waitFor(cctx, func() bool { return strings.Contains(r.Log.String(), "could not be recorded; reconnecting") }); err != nil {
		t.Fatalf("no event failed to be recorded while the database was cut:\n%s", r.Log.String())
	}
	time.Sleep(2*time.Second - 500*time.Millisecond) // a 2 s blip in all
	f.Restore()
	waitPinned(t, w, name, "the call ended", func(text string, r room) bool {
		return strings.Contains(text, "Ended") && !strings.Contains(text, "In progress")
	})
}

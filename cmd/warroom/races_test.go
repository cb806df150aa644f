package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// settled waits until warroom has no work left and the incident has one
// live meeting at Zoom (not old), the pinned Join Call opens it and the one
// bookmark points to it; then it waits a little longer and checks that
// nothing moved (no late meeting, no second bookmark).
func settled(tb testing.TB, w *world, run *running, name, old string) room {
	tb.Helper()
	ok := func() (room, []zoomfake.Meeting, bool) {
		pending, err := run.Main.store.PendingJobs(context.Background())
		r, found := w.room(name)
		ms := w.Zoom.Meetings()
		return r, ms, err == nil && len(pending) == 0 && found && len(ms) == 1 && r.JoinURL() == ms[0].JoinURL &&
			r.JoinURL() != old && len(r.Bookmarks) == 1 && r.Bookmarks[0].Link == ms[0].JoinURL && len(r.Pins) == 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var r room
	var ms []zoomfake.Meeting
	err := waitFor(ctx, func() bool {
		var good bool
		r, ms, good = ok()
		return good
	})
	if err == nil {
		time.Sleep(600 * time.Millisecond)
		var good bool
		if r, ms, good = ok(); !good {
			err = fmt.Errorf("it moved again")
		}
	}
	if err != nil {
		var links []string
		for _, b := range r.Bookmarks {
			links = append(links, b.Link)
		}
		tb.Fatalf("#%s did not settle on one call (%v): Join Call %q, bookmarks %v, %d pins, %d meetings at Zoom",
			name, err, r.JoinURL(), links, len(r.Pins), len(ms))
	}
	return r
}

// Two /incident call new in quick succession, Zoom taking ~200 ms a call:
// one live meeting is left, the pinned Join Call and the one bookmark
// point to it, and every replaced meeting is deleted at Zoom.
func TestCallNewTwiceQuickly(t *testing.T) {
	for _, gap := range []time.Duration{0, 100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond} {
		t.Run(gap.String(), func(t *testing.T) {
			w := MustStartWorld(t)
			run := MustRun(t, w, t.TempDir())
			defer func() {
				if t.Failed() {
					t.Log(run.Log.String())
				}
			}()
			declare(t, w, "U1", "declare Payments flaky")
			name := todayName("Payments flaky", 1)
			r := MustWaitRoom(t, w, name)
			w.Zoom.SetLatency(200 * time.Millisecond)
			if _, kind := command(t, w, "U1", r.Channel.ID, "call new"); kind != "in_channel" {
				t.Fatal("the first call new was refused")
			}
			time.Sleep(gap)
			command(t, w, "U2", r.Channel.ID, "call new")
			settled(t, w, run, name, r.JoinURL())
			created := 0
			for _, req := range w.Zoom.Requests() {
				if req.Op == "meetingCreate" && req.Status == 201 {
					created++
				}
			}
			if created < 2 {
				t.Fatalf("%d meetings made in all; the two call new made no new meeting", created)
			}
		})
	}
}

// A replaced call that people are in is left running, and the channel is
// told to move to the new one.
func TestReplacedCallInUseIsLeftRunning(t *testing.T) {
	w := MustStartWorld(t)
	MustRun(t, w, t.TempDir())
	declare(t, w, "U1", "declare Payments flaky")
	name := todayName("Payments flaky", 1)
	r := MustWaitRoom(t, w, name)
	old := w.Zoom.Meetings()[0]
	w.Zoom.SetMeetingStatus(old.ID, zoomfake.StatusStarted)
	command(t, w, "U1", r.Channel.ID, "call new")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var note string
	err := waitFor(ctx, func() bool {
		r, _ = w.room(name)
		for _, m := range r.Messages {
			if strings.Contains(m.Text, "still has people in it") {
				note = m.Text
			}
		}
		return note != "" && r.JoinURL() != old.JoinURL && len(r.Bookmarks) == 1 && r.Bookmarks[0].Link == r.JoinURL()
	})
	if err != nil {
		t.Fatalf("no note about the running call, or the new call is not in place: pinned %q, bookmarks %+v", r.JoinURL(), r.Bookmarks)
	}
	if _, ok := w.Zoom.Meeting(old.ID); !ok {
		t.Error("the replaced call was deleted with people in it")
	}
	if len(w.Zoom.Meetings()) != 2 {
		t.Errorf("%d meetings at Zoom, want the running old one and the new one", len(w.Zoom.Meetings()))
	}
}

// /incident followup then /incident followup cancel 1 while Zoom is still
// making the meeting: cancel wins. No meeting is left at Zoom and no Join
// post appears after "cancelled".
func TestCancelWhileSchedulingWins(t *testing.T) {
	w := MustStartWorld(t)
	run := MustRun(t, w, t.TempDir())
	declare(t, w, "U1", "declare Payments flaky")
	name := todayName("Payments flaky", 1)
	r := MustWaitRoom(t, w, name)
	w.Zoom.SetLatency(400 * time.Millisecond)
	command(t, w, "U1", r.Channel.ID, "followup tomorrow 10:00")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Cancel while the create is on its way to Zoom: its attempt is
	// recorded and no meeting has come back yet.
	err := waitFor(ctx, func() bool {
		f, err := run.Main.store.FollowupByN(ctx, 1, 1)
		return err == nil && f.MeetingTag != "" && f.Meeting == nil
	})
	if err != nil {
		t.Fatal("the follow-up's meeting was never being made")
	}
	text, kind := command(t, w, "U2", r.Channel.ID, "followup cancel 1")
	if kind != "in_channel" || !strings.Contains(text, "cancelled follow-up #1") {
		t.Fatalf("cancel answered %s %q", kind, text)
	}
	cancelledAt := time.Now()
	// Wait for the job to finish: the follow-up's meeting made and deleted.
	err = waitFor(ctx, func() bool {
		made, gone := 0, true
		for _, req := range w.Zoom.Requests() {
			if req.Op == "meetingCreate" && req.Status == 201 {
				made++ // the bridge, then the follow-up's meeting
			}
		}
		for _, m := range w.Zoom.Meetings() {
			gone = gone && m.Type != 2
		}
		return made == 2 && gone
	})
	time.Sleep(500 * time.Millisecond)
	for _, m := range w.Zoom.Meetings() {
		if m.Type == 2 {
			t.Fatalf("the cancelled follow-up's meeting %d is still at Zoom (%v)\n%s", m.ID, err, run.Log.String())
		}
	}
	r, _ = w.room(name)
	for _, m := range r.Messages {
		if u := buttonURL(m.Blocks, blocks.ActionJoinFollowup); u != "" {
			t.Errorf("a follow-up message with a Join button is in the channel after the cancel (%s): %q", cancelledAt.Format(time.StampMilli), m.Text)
		}
	}
}

// Two people resolving at once: one "resolved", one "already resolved",
// and the winner's summary is what the incident keeps.
func TestTwoPeopleResolveAtOnce(t *testing.T) {
	w := MustStartWorld(t)
	MustRun(t, w, t.TempDir())
	declare(t, w, "U1", "declare Payments flaky")
	name := todayName("Payments flaky", 1)
	r := MustWaitRoom(t, w, name)
	var wg sync.WaitGroup
	texts, kinds := make([]string, 2), make([]string, 2)
	for i, user := range []string{"U1", "U2"} {
		wg.Go(func() { texts[i], kinds[i] = command(t, w, user, r.Channel.ID, "resolve fixed by "+user) })
	}
	wg.Wait()
	winner := -1
	for i := range 2 {
		switch {
		case kinds[i] == "in_channel" && strings.Contains(texts[i], "resolved INC-1"):
			if winner >= 0 {
				t.Fatalf("both resolves won: %q and %q", texts[0], texts[1])
			}
			winner = i
		case kinds[i] == "ephemeral" && strings.Contains(texts[i], "already resolved"):
		default:
			t.Fatalf("resolve %d answered %s %q", i, kinds[i], texts[i])
		}
	}
	if winner < 0 {
		t.Fatal("neither resolve won")
	}
	want := "fixed by " + []string{"U1", "U2"}[winner]
	waitPinned(t, w, name, "the winner's summary", func(text string, _ room) bool { return strings.Contains(text, want) })
}

// A Slack call slower than a job's lease does not make the job run twice:
// the lease is renewed while the job runs, so nothing is done twice.
func TestSlowCallsDoNotRunAJobTwice(t *testing.T) {
	w := MustStartWorld(t)
	m, log := newTestMain(w.config(t.TempDir()))
	m.Tune = func(c *Tuning) {
		fastRetries(c)
		c.Jobs.Lease = 300 * time.Millisecond // Slack answers slower than that
	}
	MustStart(t, w, m, log)
	w.Slack.SetLatency(450 * time.Millisecond)
	declare(t, w, "U1", "declare Payments flaky")
	assertOneOfEach(t, w, todayName("Payments flaky", 1))
	time.Sleep(time.Second)
	for _, method := range []string{"conversations.create", "chat.postMessage", "pins.add", "bookmarks.add", "conversations.setTopic"} {
		n := countCalls(w, method)
		if method == "chat.postMessage" {
			n -= len(w.Slack.SlackCalls()) // each Slack Call's own message
		}
		if n != 1 {
			t.Errorf("%s called %d times, want once", method, n)
		}
	}
}

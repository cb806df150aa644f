package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// streamEnv is the configuration for Zoom's event stream on the fake.
func streamEnv(w *world) []string {
	return []string{"ZOOM_WS_SUBSCRIPTION_ID=" + w.Zoom.Config().WSSubscriptionID,
		"ZOOM_WS_URL=ws" + strings.TrimPrefix(w.Zoom.URL(), "http") + "/ws"}
}

func waitStreams(t *testing.T, w *world, n int) time.Duration {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := waitFor(ctx, func() bool { return w.Zoom.EventStreams() == n }); err != nil {
		t.Fatalf("%d Zoom event streams open, want %d", w.Zoom.EventStreams(), n)
	}
	return time.Since(start)
}

// TestZoomEventStreamKeepsThePinnedMessageTrue runs the real binary with
// Zoom's WebSocket event stream and no public endpoint: people joining
// move the pinned message; an end that happens while the stream is down
// is lost by Zoom and corrected by the reconciliation after the
// reconnect.
func TestZoomEventStreamKeepsThePinnedMessageTrue(t *testing.T) {
	w := MustStartWorld(t)
	MustStartProcessEnv(t, w, append(w.env(t.TempDir()), streamEnv(w)...))
	waitStreams(t, w, 1)
	declare(t, w, "U1", "declare Checkout is down")
	name := todayName("Checkout is down", 1)
	MustWaitRoom(t, w, name)
	id := w.Zoom.Meetings()[0].ID
	ctx := context.Background()

	started := time.Now()
	w.Zoom.StartMeeting(ctx, id)
	waitPinned(t, w, name, "the call in progress", func(text string, r room) bool { return strings.Contains(text, "In progress") })
	startToPinned := time.Since(started)

	joined := time.Now()
	w.Zoom.JoinMeeting(ctx, id, "Alice Archer", "alice@example.com")
	w.Zoom.JoinMeeting(ctx, id, "Bob Baker", "bob@example.com")
	waitPinned(t, w, name, "two people in the call", func(text string, r room) bool {
		return strings.Contains(text, "In progress · 2 people · since")
	})
	joinsToPinned := time.Since(joined)
	w.Zoom.RecordMeeting(id, zoomfake.RecordingOptions{Duration: 20 * time.Minute})

	w.Zoom.DropEventStreams()
	w.Zoom.EndMeeting(ctx, id) // nobody is listening: Zoom loses this event
	if _, lost := w.Zoom.StreamedEvents(); !slices.Contains(lost, "meeting.ended") {
		t.Fatalf("the end was not lost (lost: %v)", lost)
	}
	reconnect := waitStreams(t, w, 1)
	reconnected := time.Now()
	waitPinned(t, w, name, "the call ended", func(text string, r room) bool {
		return strings.Contains(text, "Ended") && !strings.Contains(text, "In progress")
	})
	reconciled := time.Since(reconnected)

	ready := time.Now()
	w.Zoom.MakeRecordingReady(id)
	w.Zoom.SendRecordingCompleted(ctx, id) // over the stream: no webhook URL
	r, _ := w.room(name)
	waitCount(t, "recording posts", 1, func() int { return posts(w, r.Channel.ID, "", `"warroom-recording-`) })
	t.Logf("meeting.started → pinned message %s; two joins → pinned head count %s (coalesced over 2 s); drop → reconnected %s; "+
		"reconnect → reconciled %s; recording.completed → recording posted %s",
		startToPinned.Round(10*time.Millisecond), joinsToPinned.Round(10*time.Millisecond), reconnect.Round(10*time.Millisecond),
		reconciled.Round(10*time.Millisecond), time.Since(ready).Round(10*time.Millisecond))
}

// TestZoomEventStreamMovesToASurvivingReplica: with two replicas on
// PostgreSQL one holds the stream; kill it, and the other opens it.
func TestZoomEventStreamMovesToASurvivingReplica(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two replicas")
	}
	w, err := startWorld(slackfake.Config{AckTimeout: 500 * time.Millisecond, PingInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rs := startReplicas(t, w, 2, streamEnv(w)...)
	waitStreams(t, w, 1)
	time.Sleep(time.Second)
	if n := w.Zoom.EventStreams(); n != 1 {
		t.Fatalf("%d streams open with two replicas, want 1", n)
	}
	var holder string
	for name, p := range rs.procs {
		if strings.Contains(p.log.String(), "zoom event stream connected") {
			holder = name
		}
	}
	killed := time.Now()
	rs.procs[holder].Kill()
	survivor := "replica-1"
	if holder == survivor {
		survivor = "replica-2"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := waitFor(ctx, func() bool {
		return strings.Contains(rs.procs[survivor].log.String(), "zoom event stream connected")
	}); err != nil {
		t.Fatalf("%s never opened the stream after %s was killed", survivor, holder)
	}
	took := time.Since(killed)
	waitStreams(t, w, 1)
	declare(t, w, "U1", "declare After the kill")
	name := todayName("After the kill", 1)
	MustWaitRoom(t, w, name)
	id := w.Zoom.Meetings()[0].ID
	w.Zoom.JoinMeeting(context.Background(), id, "Alice Archer", "alice@example.com")
	waitPinned(t, w, name, "the survivor's stream at work", func(text string, r room) bool {
		return strings.Contains(text, "In progress · 1 person")
	})
	t.Logf("killed %s, which held the stream; the other replica opened it %s later", holder, took.Round(100*time.Millisecond))
}

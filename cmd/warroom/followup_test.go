package main

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/internal/testworld"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// clockEnv is warroom with Server-to-Server Zoom, webhooks and a test clock;
// users join the Zoom account beside the robot host.
type clockEnv struct {
	w      *world
	clock  *testworld.Clock
	dir    string
	public string
	ln     net.Listener
	run    *running
}

func MustClockEnv(tb testing.TB, users ...zoomfake.User) *clockEnv {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	e := &clockEnv{clock: testworld.NewClock(time.Now().UTC().Truncate(time.Second)), dir: tb.TempDir(), public: "http://" + ln.Addr().String(), ln: ln}
	e.w, err = startWorldWith(slackfake.Config{AckTimeout: 500 * time.Millisecond, PingInterval: time.Second}, func(c *zoomfake.Config) {
		c.WebhookURL = e.public + "/zoom/webhook"
		c.WebhookSecret = hookSecret
		c.Now = e.clock.Now
		c.Hosts = append(c.Hosts, users...)
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(e.w.Close)
	e.start(tb)
	return e
}

// start runs warroom on the environment's database (again, after stop).
func (e *clockEnv) start(tb testing.TB) {
	tb.Helper()
	ln := e.ln
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", strings.TrimPrefix(e.public, "http://")); err != nil {
			tb.Fatal(err)
		}
	}
	e.ln = nil
	cfg := e.w.config(e.dir)
	cfg.PublicURL = e.public
	cfg.ZoomWebhookKey = hookSecret
	cfg.PollInterval = 20 * time.Millisecond // the sweep notices the moved clock
	m, log := newTestMain(cfg)
	m.Listener = ln
	m.Now = e.clock.Now
	e.run = MustStart(tb, e.w, m, log)
}

// restart stops warroom as SIGTERM would and starts it again.
func (e *clockEnv) restart(tb testing.TB) {
	tb.Helper()
	e.run.Stop(tb)
	e.start(tb)
}

// posts counts the channel's messages with a button of actionID, or
// containing text.
func posts(w *world, channel, actionID, text string) int {
	n := 0
	for _, m := range w.Slack.Messages(channel) {
		if (actionID != "" && buttonURL(m.Blocks, actionID) != "") || (text != "" && strings.Contains(string(m.Blocks)+m.Text, text)) {
			n++
		}
	}
	return n
}

func waitCount(tb testing.TB, what string, want int, count func() int) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := waitFor(ctx, func() bool { return count() >= want }); err != nil {
		tb.Fatalf("%s: %d, want %d", what, count(), want)
	}
}

func TestResolveFollowupReminderRecording(t *testing.T) {
	e := MustClockEnv(t)
	w := e.w
	declare(t, w, "U1", "declare Disk full <@U2|bob>")
	name := todayName("Disk full @bob", 1)
	r := MustWaitRoom(t, w, name)
	ch := r.Channel.ID
	bridge := w.Zoom.Meetings()[0]

	// The bridge is used and recorded (with a transcript).
	w.Zoom.SetMeetingStatus(bridge.ID, "started")
	now := e.clock.Now()
	w.Zoom.AddParticipant(bridge.ID, "Alice Archer", "alice@example.com", now, now.Add(40*time.Minute))
	w.Zoom.AddParticipant(bridge.ID, "Bob Baker", "bob@example.com", now.Add(5*time.Minute), now.Add(30*time.Minute))
	w.Zoom.RecordMeeting(bridge.ID, zoomfake.RecordingOptions{Transcript: true, Duration: 40 * time.Minute})
	w.Zoom.SetMeetingStatus(bridge.ID, "finished")
	// Zoom fails to answer three times before the recording is ready.
	w.Zoom.InjectFault(zoomfake.Fault{Op: "recordingGet", Times: 3, Status: 500, Code: 500, Message: "Internal Error"})

	resolvedAt := e.clock.Now()
	command(t, w, "U1", ch, "resolve Disk cleaned up")
	waitCount(t, "follow-up posts", 1, func() int { return posts(w, ch, blocks.ActionJoinFollowup, "") })
	var review zoomfake.Meeting
	for _, m := range w.Zoom.Meetings() {
		if m.Type == 2 {
			review = m
		}
	}
	if review.ID == 0 {
		t.Fatal("no scheduled (type 2) follow-up meeting at Zoom")
	}
	wantStart := resolvedAt.Add(48 * time.Hour)
	if got, _ := time.Parse(time.RFC3339, review.StartTime); got.Sub(wantStart).Abs() > 2*time.Second || review.Duration != 30 {
		t.Errorf("follow-up at %s for %d min, want %s for 30", review.StartTime, review.Duration, wantStart)
	}
	invited := map[string]bool{}
	for _, inv := range review.Settings.MeetingInvitees {
		invited[inv.Email] = true
	}
	if !invited["alice@example.com"] || !invited["bob@example.com"] {
		t.Errorf("invitees %v, want the declarer and the responder", review.Settings.MeetingInvitees)
	}
	for _, m := range w.Slack.Messages(ch) {
		if u := buttonURL(m.Blocks, blocks.ActionJoinFollowup); u != "" && u != review.JoinURL {
			t.Errorf("the follow-up's Join button opens %s, not the meeting's join_url %s", u, review.JoinURL)
		}
		if buttonURL(m.Blocks, blocks.ActionJoinFollowup) != "" && !strings.Contains(string(m.Blocks), "!date^") {
			t.Errorf("follow-up time not in Slack's local-time format: %s", m.Blocks)
		}
	}

	// A restart between steps changes nothing.
	e.restart(t)

	// The recording is not ready: nothing is posted yet. Then it is.
	e.clock.Add(2 * time.Minute)
	time.Sleep(150 * time.Millisecond)
	if n := posts(w, ch, blocks.ActionWatchRecording, ""); n != 0 {
		t.Fatalf("%d recording posts before the recording was ready", n)
	}
	w.Zoom.MakeRecordingReady(bridge.ID)
	for i := 0; i < 12 && posts(w, ch, blocks.ActionWatchRecording, "") == 0; i++ {
		e.clock.Add(time.Hour) // past every poll backoff
		time.Sleep(100 * time.Millisecond)
	}
	waitCount(t, "recording posts", 1, func() int { return posts(w, ch, blocks.ActionWatchRecording, "") })
	waitCount(t, "attendance posts", 1, func() int { return posts(w, ch, "", "Alice Archer") })
	var recPost slackfake.Message
	for _, m := range w.Slack.Messages(ch) {
		if buttonURL(m.Blocks, blocks.ActionWatchRecording) != "" {
			recPost = m
		}
	}
	if u := buttonURL(recPost.Blocks, blocks.ActionWatchRecording); !strings.Contains(u, "fake.zoom.us/rec/share/") || !strings.Contains(u, "pwd=") {
		t.Errorf("recording button %q: want the share link carrying its passcode", u)
	}
	if !strings.Contains(string(recPost.Blocks), "ranscript") {
		t.Errorf("no transcript link in %s", recPost.Blocks)
	}

	// The reminder comes ten minutes before the review (48 h after resolve).
	// warroom is down when it falls due, and posts it when it is back.
	e.run.Stop(t)
	e.clock.Add(wantStart.Add(-9 * time.Minute).Sub(e.clock.Now()))
	e.start(t)
	waitCount(t, "reminders", 1, func() int { return posts(w, ch, "", `"warroom-reminder-`) })

	// The review happens and is recorded; Zoom's webhook posts it at once.
	w.Zoom.SetMeetingStatus(review.ID, "started")
	w.Zoom.RecordMeeting(review.ID, zoomfake.RecordingOptions{Duration: 25 * time.Minute})
	w.Zoom.SetMeetingStatus(review.ID, "finished")
	w.Zoom.MakeRecordingReady(review.ID)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i := 0; i < 2; i++ { // and once more: a redelivery
		if status, err := w.Zoom.SendRecordingCompleted(ctx, review.ID); err != nil || status != 200 {
			t.Fatalf("recording.completed: %d %v", status, err)
		}
	}
	waitCount(t, "recording posts", 2, func() int { return posts(w, ch, blocks.ActionWatchRecording, "") })

	// Days later, after another restart: nothing was or is posted twice.
	e.restart(t)
	e.clock.Add(8 * 24 * time.Hour)
	time.Sleep(300 * time.Millisecond)
	for what, want := range map[string][2]any{
		"follow-up":  {posts(w, ch, blocks.ActionJoinFollowup, ""), 2}, // the post and the reminder both carry Join
		"recording":  {posts(w, ch, blocks.ActionWatchRecording, ""), 2},
		"attendance": {posts(w, ch, "", "Alice Archer"), 1},
		"reminder":   {posts(w, ch, "", `"warroom-reminder-`), 1},
	} {
		if want[0] != want[1] {
			t.Errorf("%s messages: %v, want %v", what, want[0], want[1])
		}
	}
	if n := len(w.Zoom.Meetings()); n != 2 {
		t.Errorf("%d Zoom meetings, want the bridge and the review", n)
	}
}

func TestFollowupCommands(t *testing.T) {
	e := MustClockEnv(t)
	w := e.w
	declare(t, w, "U1", "declare Queue lag")
	r := MustWaitRoom(t, w, todayName("Queue lag", 1))
	ch := r.Channel.ID
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if answer, _ := command(t, w, "U1", ch, "followup tomorrow 25:00"); !strings.Contains(answer, "tomorrow 14:00") {
		t.Errorf("a time that can't be understood got %q, want examples", answer)
	}

	command(t, w, "U1", ch, "followup in 2d for 45m <@U3|carol> Capacity review")
	waitCount(t, "follow-up posts", 1, func() int { return posts(w, ch, blocks.ActionJoinFollowup, "") })
	var review zoomfake.Meeting
	for _, m := range w.Zoom.Meetings() {
		if m.Type == 2 {
			review = m
		}
	}
	if review.Duration != 45 || !strings.Contains(review.Topic, "Capacity review") {
		t.Errorf("follow-up meeting %q for %d min", review.Topic, review.Duration)
	}
	if text, _ := command(t, w, "U1", ch, "followup list"); !strings.Contains(text, "1") || !strings.Contains(text, "45") {
		t.Errorf("followup list: %q", text)
	}
	if text, _ := command(t, w, "U1", ch, "followup cancel 7"); !strings.Contains(text, "no follow-up #7") {
		t.Errorf("cancel of a missing follow-up: %q", text)
	}
	command(t, w, "U1", ch, "followup cancel 1")
	waitFor(ctx, func() bool { _, ok := w.Zoom.Meeting(review.ID); return !ok })
	if _, ok := w.Zoom.Meeting(review.ID); ok {
		t.Error("the cancelled follow-up's meeting still exists at Zoom")
	}
	waitCount(t, "cancelled notes", 1, func() int { return posts(w, ch, "", "ancelled") })
}

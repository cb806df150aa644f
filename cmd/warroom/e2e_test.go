package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/config"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/internal/testworld"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

func MustStartWorld(tb testing.TB) *world {
	tb.Helper()
	w, err := startWorld(slackfake.Config{AckTimeout: 500 * time.Millisecond, PingInterval: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(w.Close)
	return w
}

// running is a warroom Main running in this process.
type running struct {
	Main *Main
	Log  *testworld.LogBuffer
	stop context.CancelFunc
	done chan error
	once sync.Once
}

// Stop shuts the bot down as SIGTERM would and waits for it.
func (r *running) Stop(tb testing.TB) {
	tb.Helper()
	r.once.Do(func() {
		r.stop()
		select {
		case err := <-r.done:
			if err != nil && !errors.Is(err, context.Canceled) {
				tb.Errorf("warroom run: %v", err)
			}
		case <-time.After(15 * time.Second):
			tb.Error("warroom did not stop within 15s of shutdown")
		}
		r.Main.Close()
	})
}

// MustRun runs the same Main `warroom run` uses against the world, with
// its database in dir.
func MustRun(tb testing.TB, w *world, dir string) *running {
	tb.Helper()
	m, log := newTestMain(w.config(dir))
	return MustStart(tb, w, m, log)
}

// newTestMain is the Main `warroom run` uses, logging into a buffer, with
// backoffs short enough for tests.
func newTestMain(cfg config.Config) (*Main, *testworld.LogBuffer) {
	log := &testworld.LogBuffer{}
	m := NewMain(cfg, log)
	m.Tune = fastRetries
	return m, log
}

func fastRetries(t *Tuning) {
	t.Jobs.RetryBase, t.Jobs.RetryMax, t.Jobs.DrainTimeout = 20*time.Millisecond, 200*time.Millisecond, time.Second
	t.Workflow.MeetingRetryBase, t.Workflow.MeetingRetryMax = 20*time.Millisecond, 200*time.Millisecond
}

// MustStart runs m until the test ends (or Stop) and waits for its Socket
// Mode connection.
func MustStart(tb testing.TB, w *world, m *Main, log *testworld.LogBuffer) *running {
	tb.Helper()
	before := w.Slack.Connections()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Main: m, Log: log, stop: cancel, done: make(chan error, 1)}
	go func() { r.done <- m.Run(ctx) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if waitFor(wctx, func() bool { return w.Slack.Connections() > before }) != nil || w.Slack.WaitConnected(wctx) != nil {
		cancel()
		tb.Fatalf("warroom did not connect to Slack:\n%s", log.String())
	}
	tb.Cleanup(func() {
		r.Stop(tb)
		if tb.Failed() {
			tb.Logf("warroom's log, its end:\n%s", tail(log.String(), 200))
		}
	})
	return r
}

func declare(tb testing.TB, w *world, user, text string) (slackfake.Delivery, slackfake.Ack) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := w.Slack.SendSlashCommand(ctx, slackfake.SlashCommand{UserID: user, ChannelID: "C0GENERAL", Command: "/incident", Text: text})
	if err != nil {
		tb.Fatal(err)
	}
	ack, err := w.Slack.WaitAck(ctx, d.EnvelopeID)
	if err != nil {
		tb.Fatalf("no ack: %v", err)
	}
	return d, ack
}

// MustWaitRoom waits until the channel has its pinned Join Call button,
// its topic and its bookmark, and returns what it shows.
func MustWaitRoom(tb testing.TB, w *world, name string) room {
	tb.Helper()
	// Long enough for the outage tests' retries on a loaded machine: it
	// waits for a condition, and a working run returns in seconds.
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	var r room
	err := waitFor(ctx, func() bool {
		var ok bool
		r, ok = w.room(name)
		return ok && r.JoinURL() != "" && r.Channel.Topic != "" && len(r.Bookmarks) > 0
	})
	if err != nil {
		chans := []string{}
		for _, c := range w.Slack.Channels() {
			chans = append(chans, c.Name)
		}
		tb.Fatalf("#%s never showed a pinned Join Call, topic and bookmark (channels: %v; room: %+v)", name, chans, r)
	}
	return r
}

func todayName(title string, n int) string {
	return warroom.ChannelName("inc-", time.Now().UTC(), title, n)
}

func ackReply(tb testing.TB, a slackfake.Ack) string {
	tb.Helper()
	var p struct {
		Text         string `json:"text"`
		ResponseType string `json:"response_type"`
	}
	if err := json.Unmarshal(a.Payload, &p); err != nil {
		tb.Fatalf("ack payload %s: %v", a.Payload, err)
	}
	if p.ResponseType != "ephemeral" {
		tb.Errorf("ack response_type = %q, want ephemeral", p.ResponseType)
	}
	return p.Text
}

func countCalls(w *world, method string) int {
	n := 0
	for _, c := range w.Slack.Calls() {
		if c.Method == method && c.Error == "" {
			n++
		}
	}
	return n
}

// assertOneOfEach checks the end state people rely on: exactly one incident
// channel, one Zoom meeting, one pinned message, and its button opens that
// meeting.
func assertOneOfEach(tb testing.TB, w *world, name string) room {
	tb.Helper()
	r := MustWaitRoom(tb, w, name)
	incidentChannels := 0
	for _, c := range w.Slack.Channels() {
		if strings.HasPrefix(c.Name, "inc-") {
			incidentChannels++
		}
	}
	if incidentChannels != 1 {
		tb.Errorf("%d incident channels, want 1", incidentChannels)
	}
	meetings := w.Zoom.Meetings()
	if len(meetings) != 1 {
		tb.Fatalf("%d Zoom meetings, want 1: %+v", len(meetings), meetings)
	}
	if len(r.Pins) != 1 {
		tb.Errorf("%d pinned messages, want 1", len(r.Pins))
	}
	if len(r.Messages) != 1 {
		tb.Errorf("%d messages in #%s, want 1", len(r.Messages), name)
	}
	if len(r.Bookmarks) != 1 {
		tb.Errorf("%d bookmarks, want 1", len(r.Bookmarks))
	}
	if got, want := r.JoinURL(), meetings[0].JoinURL; got != want {
		tb.Errorf("Join Call button URL = %q, want the meeting's join_url %q", got, want)
	}
	return r
}

func TestDeclareBuildsTheWarRoom(t *testing.T) {
	w := MustStartWorld(t)
	MustRun(t, w, t.TempDir())

	_, ack := declare(t, w, "U1", "declare Checkout is down --sev 1")
	if text := ackReply(t, ack); !strings.Contains(text, "Declaring") || !strings.Contains(text, "Checkout is down") {
		t.Errorf("ack text = %q, want a Declaring… reply naming the incident", text)
	}
	if ack.Latency > time.Second {
		t.Errorf("ack took %s", ack.Latency)
	}

	name := todayName("Checkout is down", 1)
	if !strings.HasSuffix(name, "-checkout-is-down") {
		t.Fatalf("channel name %q", name)
	}
	r := assertOneOfEach(t, w, name)
	mt := w.Zoom.Meetings()[0]

	if !contains(r.Channel.Members, "U1") {
		t.Errorf("declarer U1 not in #%s: members %v", name, r.Channel.Members)
	}
	if r.Channel.IsPrivate {
		t.Error("incident channel is private")
	}
	if got := buttonStyle(r.Pins[0].Blocks, blocks.ActionJoinCall); got != "primary" {
		t.Errorf("Join Call button style = %q, want primary", got)
	}
	text := strings.Join(renderBlocks(r.Pins[0].Blocks), "\n")
	for _, want := range []string{"Checkout is down", "SEV1", "Active", "<@U1>"} {
		if !strings.Contains(text, want) {
			t.Errorf("pinned message lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(r.Channel.Topic, mt.JoinURL) {
		t.Errorf("topic %q does not carry the call link %s", r.Channel.Topic, mt.JoinURL)
	}
	if r.Bookmarks[0].Link != mt.JoinURL {
		t.Errorf("bookmark link = %q, want %q", r.Bookmarks[0].Link, mt.JoinURL)
	}

	if mt.Topic != "SEV1 Incident – Checkout is down" {
		t.Errorf("meeting topic = %q", mt.Topic)
	}
	if mt.Type != 3 || !mt.Settings.JoinBeforeHost || mt.Settings.WaitingRoom {
		t.Errorf("meeting type %d, join_before_host %v, waiting_room %v: want a type 3 bridge anyone can join without the host",
			mt.Type, mt.Settings.JoinBeforeHost, mt.Settings.WaitingRoom)
	}
	if mt.HostEmail != demoZoomHost {
		t.Errorf("meeting host = %q, want %q", mt.HostEmail, demoZoomHost)
	}

	// The declarer's "Declaring…" reply becomes a link to the channel.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := waitFor(ctx, func() bool {
		for _, e := range w.Slack.Ephemerals("U1") {
			if e.Via == "response_url" && strings.Contains(e.Text, "<#"+r.Channel.ID) {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Errorf("declarer never got a confirmation linking <#%s>: %+v", r.Channel.ID, w.Slack.Ephemerals("U1"))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestUsageReplies(t *testing.T) {
	w := MustStartWorld(t)
	MustRun(t, w, t.TempDir())

	for _, tc := range []struct{ text, want string }{
		{"", "declare"},
		{"help", "declare"},
		{"frobnicate now", "frobnicate"},
		{"declare DB down --sev 9", "Severity"},
	} {
		_, ack := declare(t, w, "U2", tc.text)
		if got := ackReply(t, ack); !strings.Contains(got, tc.want) {
			t.Errorf("/incident %s → %q, want it to mention %q", tc.text, got, tc.want)
		}
	}
	time.Sleep(100 * time.Millisecond)
	if n := countCalls(w, "conversations.create"); n != 0 {
		t.Errorf("usage errors created %d channels", n)
	}
	if n := len(w.Zoom.Meetings()); n != 0 {
		t.Errorf("usage errors created %d meetings", n)
	}
}

func TestTitlesAreEscapedAndShortened(t *testing.T) {
	w := MustStartWorld(t)
	MustRun(t, w, t.TempDir())

	title := "<!channel> payments & <@U2> are down"
	_, ack := declare(t, w, "U1", "declare "+title)
	if strings.Contains(string(ack.Payload), "<!channel>") {
		t.Errorf("ack echoes an unescaped mention: %s", ack.Payload)
	}
	r := MustWaitRoom(t, w, todayName(title, 1))
	msg := r.Pins[0]
	raw := string(msg.Blocks) + msg.Text
	if strings.Contains(raw, "<!channel>") || strings.Contains(raw, "<@U2>") {
		t.Errorf("incident message would ping people:\n%s", raw)
	}
	if !strings.Contains(raw, "&lt;!channel&gt;") {
		t.Errorf("incident message lost the title text:\n%s", raw)
	}

	long := strings.Repeat("database latency spike ", 230)[:5000]
	declare(t, w, "U1", "declare "+long)
	r = MustWaitRoom(t, w, todayName(long, 1))
	if len(r.Channel.Name) > 80 {
		t.Errorf("channel name has %d chars", len(r.Channel.Name))
	}
	text := strings.Join(renderBlocks(r.Pins[0].Blocks), "\n")
	if !strings.Contains(text, "shortened") {
		t.Errorf("long title shown without a note that it was shortened:\n%s", text)
	}
	if len(text) > 3000 {
		t.Errorf("incident message is %d chars", len(text))
	}
}

func TestZoomFailingTwiceThenRecovering(t *testing.T) {
	w := MustStartWorld(t)
	w.Zoom.InjectFault(zoomfake.Fault{Op: "meetingCreate", Times: 2, Status: 503, Code: 503, Message: "Service Unavailable"})
	MustRun(t, w, t.TempDir())

	declare(t, w, "U1", "declare Search is slow")
	name := todayName("Search is slow", 1)

	// While Zoom fails the channel and message are already there, saying so.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sawFailure := false
	err := waitFor(ctx, func() bool {
		r, ok := w.room(name)
		if !ok || len(r.Messages) == 0 {
			return false
		}
		text := strings.Join(renderBlocks(r.Messages[0].Blocks), "\n")
		if strings.Contains(text, "could not be created") && strings.Contains(text, "[Retry]") {
			sawFailure = true
		}
		return r.JoinURL() != ""
	})
	if err != nil {
		t.Fatalf("Join Call never appeared after Zoom recovered")
	}
	if !sawFailure {
		t.Error("the message never said the call could not be created (with a Retry button) while Zoom was failing")
	}
	r := assertOneOfEach(t, w, name)
	if !r.Pins[0].Edited {
		t.Error("the pinned message was not updated in place")
	}
	creates := 0
	for _, req := range w.Zoom.Requests() {
		if req.Method == "POST" && strings.HasSuffix(req.Path, "/meetings") {
			creates++
		}
	}
	if creates != 3 {
		t.Errorf("%d meeting create requests, want 3 (two failures, one success)", creates)
	}
}

func TestRedeliveredEnvelopeDeclaresOnce(t *testing.T) {
	w := MustStartWorld(t)
	MustRun(t, w, t.TempDir())

	d, _ := declare(t, w, "U1", "declare Login broken")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i := 0; i < 2; i++ {
		if err := w.Slack.Redeliver(ctx, d.EnvelopeID); err != nil {
			t.Fatal(err)
		}
	}
	// The same trigger_id in a fresh envelope is the same request too.
	d2, err := w.Slack.SendSlashCommand(ctx, slackfake.SlashCommand{UserID: "U1", ChannelID: "C0GENERAL", Command: "/incident",
		Text: "declare Login broken", TriggerID: d.TriggerID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Slack.WaitAck(ctx, d2.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	assertOneOfEach(t, w, todayName("Login broken", 1))
	time.Sleep(200 * time.Millisecond)
	if n := countCalls(w, "conversations.create"); n != 1 {
		t.Errorf("conversations.create succeeded %d times, want 1", n)
	}

	// An events_api envelope the bot acks is not delivered again.
	ev, err := w.Slack.SendEvent(ctx, map[string]any{"type": "member_joined_channel", "user": "U2", "channel": "C0GENERAL"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Slack.WaitAck(ctx, ev.EnvelopeID); err != nil {
		t.Errorf("events_api envelope not acked: %v", err)
	}
}

func TestSameTitleTwiceGetsSuffixedChannel(t *testing.T) {
	w := MustStartWorld(t)
	MustRun(t, w, t.TempDir())
	declare(t, w, "U1", "declare API errors")
	MustWaitRoom(t, w, todayName("API errors", 1))
	declare(t, w, "U2", "declare API errors")
	r := MustWaitRoom(t, w, todayName("API errors", 2))
	if !contains(r.Channel.Members, "U2") {
		t.Errorf("second declarer not in %s", r.Channel.Name)
	}
	if n := len(w.Zoom.Meetings()); n != 2 {
		t.Errorf("%d meetings for two incidents", n)
	}
}

func TestShutdownAndRestartResumes(t *testing.T) {
	w := MustStartWorld(t)
	dir := t.TempDir()
	// Zoom hangs: the incident's channel and message appear, the call does not.
	w.Zoom.InjectFault(zoomfake.Fault{Op: "meetingCreate", Times: 1, Delay: 20 * time.Second, Status: 504, Code: 504, Message: "Gateway Timeout"})
	r1 := MustRun(t, w, dir)
	declare(t, w, "U1", "declare Queue backlog")
	name := todayName("Queue backlog", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := waitFor(ctx, func() bool { r, ok := w.room(name); return ok && len(r.Pins) == 1 }); err != nil {
		t.Fatal("message never pinned")
	}
	r1.Stop(t)

	MustRun(t, w, dir)
	assertOneOfEach(t, w, name)
}

// logHasNoSecrets is used by tests that read a whole run's log.
func logHasNoSecrets(tb testing.TB, w *world, log string) {
	tb.Helper()
	for _, secret := range append(w.Zoom.IssuedTokens(), w.Slack.BotToken(), w.Slack.AppToken(), demoZoomSecret) {
		if secret != "" && strings.Contains(log, secret) {
			tb.Errorf("log contains a secret (%s…)", secret[:min(6, len(secret))])
		}
	}
}

func TestLogsCarryNoSecrets(t *testing.T) {
	w := MustStartWorld(t)
	r := MustRun(t, w, t.TempDir())
	declare(t, w, "U1", "declare Secrets check")
	MustWaitRoom(t, w, todayName("Secrets check", 1))
	r.Stop(t)
	logHasNoSecrets(t, w, r.Log.String())
	if !strings.Contains(r.Log.String(), "INC-1") {
		t.Errorf("log does not name the incident:\n%s", r.Log.String())
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	base := map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1",
		"ZOOM_ACCOUNT_ID": "a", "ZOOM_CLIENT_ID": "c", "ZOOM_CLIENT_SECRET": "s",
	}
	for _, tc := range []struct{ name, value, want string }{
		{"SLACK_BOT_TOKEN", "", "SLACK_BOT_TOKEN"},
		{"SLACK_BOT_TOKEN", "xapp-wrong", "SLACK_BOT_TOKEN"},
		{"SLACK_APP_TOKEN", "", "SLACK_APP_TOKEN"},
		{"ZOOM_ACCOUNT_ID", "", "ZOOM_ACCOUNT_ID"},
		{"ZOOM_CLIENT_SECRET", "", "ZOOM_CLIENT_SECRET"},
		{"SLACK_API_URL", "http://localhost/api", "SLACK_API_URL"},
		{"ZOOM_API_URL", "ftp://x", "ZOOM_API_URL"},
		{"WARROOM_POLL_INTERVAL", "soon", "WARROOM_POLL_INTERVAL"},
		{"WARROOM_FOLLOWUP_AFTER", "-1h", "WARROOM_FOLLOWUP_AFTER"},
		{"WARROOM_CHANNEL_PREFIX", "Inc ", "WARROOM_CHANNEL_PREFIX"},
		{"WARROOM_SECRET_KEY", "short", "WARROOM_SECRET_KEY"},
		{"LOG_LEVEL", "loud", "LOG_LEVEL"},
	} {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		env[tc.name] = tc.value
		var out bytes.Buffer
		err := runCommand(context.Background(), []string{"run"}, func(k string) string { return env[k] }, &out, io.Discard)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want+" ") || strings.Count(err.Error(), ". ") > 1 {
			t.Errorf("%s=%q: err = %v, want one sentence starting with %s", tc.name, tc.value, err, tc.want)
		}
	}
	if _, err := config.Load(func(k string) string { return base[k] }, true); err != nil {
		t.Errorf("complete configuration refused: %v", err)
	}
}

func TestDemoPrintsTheChannel(t *testing.T) {
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := runCommand(ctx, []string{"demo"}, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	for _, want := range []string{"/incident declare Checkout is down", "📌 pinned", "[Join Call → ", "topic:", "equals the meeting's join_url: true",
		"In progress · 2 people · since", "/incident resolve", "Ended · 1 min", "Post-incident review for INC-1", "[Join Review → ",
		"The recording of the incident call is ready", "[Watch recording → ",
		"Zoom's summary of the incident call", "• Add an alert on checkout errors"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestButtonsAreAckedAndRetryWorks(t *testing.T) {
	w := MustStartWorld(t)
	// Zoom keeps failing until the test lets it recover.
	w.Zoom.InjectFault(zoomfake.Fault{Op: "meetingCreate", Times: 1, Status: 500, Code: 500, Message: "Internal Error"})
	m, log := newTestMain(w.config(t.TempDir()))
	// A backoff far longer than the test: only the Retry button can bring
	// the call in time.
	m.Tune = func(c *Tuning) {
		c.Jobs.RetryBase, c.Jobs.RetryMax, c.Jobs.DrainTimeout = time.Hour, time.Hour, time.Second
		c.Workflow.MeetingRetryBase, c.Workflow.MeetingRetryMax = time.Hour, time.Hour
	}
	MustStart(t, w, m, log)
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()

	declare(t, w, "U1", "declare Retry me")
	name := todayName("Retry me", 1)
	var r room
	if err := waitFor(wctx, func() bool {
		var ok bool
		r, ok = w.room(name)
		return ok && len(r.Pins) == 1 && strings.Contains(strings.Join(renderBlocks(r.Pins[0].Blocks), "\n"), "[Retry]")
	}); err != nil {
		t.Fatalf("the message never offered Retry: %+v", r)
	}
	d, err := w.Slack.ClickButton(wctx, "U2", r.Channel.ID, r.Pins[0].TS, blocks.ActionRetryCall)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Slack.WaitAck(wctx, d.EnvelopeID); err != nil {
		t.Fatalf("Retry click not acked: %v", err)
	}
	r = assertOneOfEach(t, w, name)
	for _, line := range strings.Split(log.String(), "\n") {
		if strings.Contains(line, "call retry requested") && !strings.Contains(line, `"envelope":"`+d.EnvelopeID+`"`) {
			t.Errorf("the retry's log line does not name its envelope: %s", line)
		}
	}
	said := false
	for _, e := range w.Slack.Ephemerals("U2") {
		said = said || strings.Contains(e.Text, "Trying the Zoom call again")
	}
	if !said {
		t.Errorf("the Retry press got no answer: %+v", w.Slack.Ephemerals("U2"))
	}

	// The Join Call URL button still sends block_actions; it must be acked.
	d, err = w.Slack.ClickButton(wctx, "U2", r.Channel.ID, r.Pins[0].TS, blocks.ActionJoinCall)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Slack.WaitAck(wctx, d.EnvelopeID); err != nil {
		t.Errorf("Join Call click not acked: %v", err)
	}
}

func TestSocketReconnectsAndKeepsWorking(t *testing.T) {
	w := MustStartWorld(t)
	MustRun(t, w, t.TempDir())
	before := w.Slack.Connections()
	w.Slack.Disconnect("refresh_requested")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := waitFor(ctx, func() bool { return w.Slack.Connections() > before }); err != nil {
		t.Fatal("the bot did not reconnect after disconnect(refresh_requested)")
	}
	if err := w.Slack.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	w.Slack.DropConnections()
	if err := waitFor(ctx, func() bool { return w.Slack.Connections() > before+1 }); err != nil {
		t.Fatal("the bot did not reconnect after the socket dropped")
	}
	if err := w.Slack.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	declare(t, w, "U1", "declare After reconnect")
	assertOneOfEach(t, w, todayName("After reconnect", 1))
}

// MustRunPool runs warroom with three Server-to-Server hosts that can each
// host one meeting at a time.
func MustRunPool(t *testing.T) *world {
	t.Helper()
	hosts := []string{"host-a@example.com", "host-b@example.com", "host-c@example.com"}
	w, err := startWorldWith(slackfake.Config{AckTimeout: 500 * time.Millisecond, PingInterval: time.Second}, zoomUsersOnly(1, hosts...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	cfg := w.config(t.TempDir())
	cfg.ZoomHosts = hosts
	m, log := newTestMain(cfg)
	MustStart(t, w, m, log)
	return w
}

func TestConcurrentIncidentsSpreadOverHosts(t *testing.T) {
	w := MustRunPool(t)
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() { declare(t, w, "U1", fmt.Sprintf("declare Parallel outage %d", i)) })
	}
	wg.Wait()
	hosts := map[string]bool{}
	for i := range 3 {
		r := MustWaitRoom(t, w, todayName(fmt.Sprintf("Parallel outage %d", i), 1))
		for _, m := range w.Zoom.Meetings() {
			if m.JoinURL == r.JoinURL() {
				hosts[m.HostEmail] = true
			}
		}
	}
	if len(hosts) != 3 {
		t.Errorf("three simultaneous incidents used hosts %v; each host holds one meeting at a time, so want three", hosts)
	}
}

func TestDailyCapMovesToAnotherHost(t *testing.T) {
	w := MustRunPool(t)
	tomorrow := time.Now().UTC().Add(24 * time.Hour).Truncate(24 * time.Hour)
	w.Zoom.InjectFault(zoomfake.Fault{Op: "meetingCreate", Status: 429, Code: 429,
		Message: "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests permitted for this particular user. You may resume these requests at GMT 00:00:00.",
		Header:  map[string]string{"X-RateLimit-Type": "Daily-limit", "Retry-After": tomorrow.Format(time.RFC3339)}})
	declare(t, w, "U1", "declare Capped host")
	r := MustWaitRoom(t, w, todayName("Capped host", 1))
	ms := w.Zoom.Meetings()
	if len(ms) != 1 || ms[0].JoinURL != r.JoinURL() {
		t.Fatalf("meetings %+v", ms)
	}
	var refused string
	for _, req := range w.Zoom.Requests() {
		if req.Op == "meetingCreate" && req.Status == 429 {
			refused = req.Path
		}
	}
	if refused == "" || strings.Contains(refused, ms[0].HostEmail) {
		t.Errorf("the meeting went to %s, the host Zoom capped (%s)", ms[0].HostEmail, refused)
	}
}

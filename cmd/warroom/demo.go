package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/config"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
)

// runDemo starts the simulated Slack and Zoom in this process, runs the real
// bot against them, plays one declare and prints what the incident channel
// shows. No accounts and no network are needed.
func runDemo(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	w, err := startWorld(slackfake.Config{})
	if err != nil {
		return err
	}
	defer w.Close()
	dir, err := os.MkdirTemp("", "warroom-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	cfg := w.config(dir)
	// Zoom's events reach the bot over the event stream, as in a
	// deployment with no public endpoint.
	cfg.ZoomWSSubscriptionID = w.Zoom.Config().WSSubscriptionID
	cfg.ZoomWSURL = "ws" + strings.TrimPrefix(w.Zoom.URL(), "http") + "/ws"
	cfg.APITokens = []config.APIToken{{Name: "alertmanager", Token: demoAlertToken}}
	cfg.LogLevel = zerolog.WarnLevel
	if lvl, err := zerolog.ParseLevel(getenv("LOG_LEVEL")); err == nil && getenv("LOG_LEVEL") != "" {
		cfg.LogLevel = lvl
	}
	m := NewMain(cfg, stderr)
	m.Tune = func(t *Tuning) {
		t.Jobs.RetryBase, t.Workflow.MeetingRetryBase = 200*time.Millisecond, 200*time.Millisecond
	}
	defer m.Close()

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	runErr := make(chan error, 1)
	go func() { runErr <- m.Run(runCtx) }()

	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := w.Slack.WaitConnected(ctx); err != nil {
		return fmt.Errorf("the bot did not connect to the simulated Slack: %w", err)
	}
	d := &demo{w: w, out: stdout, prefix: cfg.ChannelPrefix, calls: map[string]string{}}
	r, err := d.declare(ctx, "Checkout is down")
	if err != nil {
		return err
	}
	if err := d.callLife(ctx, r); err != nil {
		return err
	}
	if err := d.fromMessage(ctx); err != nil {
		return err
	}
	if err := d.fromAlert(ctx, m.HTTPAddr()); err != nil {
		return err
	}
	stop()
	if err := <-runErr; err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// demo prints, as a transcript, what people would see in Slack.
type demo struct {
	w      *world
	out    io.Writer
	prefix string
	calls  map[string]string // the Slack Call shown in each channel
}

func (d *demo) p(format string, args ...any) { fmt.Fprintf(d.out, format+"\n", args...) }

// declare declares an incident as @alice would and prints what followed.
func (d *demo) declare(ctx context.Context, title string) (room, error) {
	w := d.w
	d.p("warroom demo — the real bot against simulated Slack and Zoom (no accounts, no network)")
	d.p("")
	// Zoom is slower than Slack here, as it often is, so the message shows
	// "setting up the call" first and gains its Join Call button when the
	// meeting exists.
	w.Slack.SetLatency(20 * time.Millisecond)
	w.Zoom.SetLatency(150 * time.Millisecond)

	d.p("@alice in #general types:  /incident declare %s --sev 1", title)
	start := time.Now()
	env, err := w.Slack.SendSlashCommand(ctx, slackfake.SlashCommand{UserID: "U1", ChannelID: "C0GENERAL", Command: "/incident", Text: "declare " + title + " --sev 1"})
	if err != nil {
		return room{}, err
	}
	ack, err := w.Slack.WaitAck(ctx, env.EnvelopeID)
	if err != nil {
		return room{}, err
	}
	d.p("  (only @alice sees, after %s) %s", ack.Latency.Round(time.Microsecond), ackText(ack.Payload))

	name := warroom.ChannelName(d.prefix, time.Now().UTC(), title, 1)
	var r room
	err = waitFor(ctx, func() bool {
		var ok bool
		r, ok = w.room(name)
		return ok && r.JoinURL() != "" && len(r.Bookmarks) > 0 && r.Channel.Topic != ""
	})
	if err != nil {
		return room{}, fmt.Errorf("the incident channel #%s did not get its pinned Join Call button: %w", name, err)
	}
	elapsed := time.Since(start)
	d.slackCalls(start)
	d.room(r)
	meetings := w.Zoom.Meetings()
	if len(meetings) != 1 {
		return room{}, fmt.Errorf("expected one Zoom meeting, found %d", len(meetings))
	}
	mt := meetings[0]
	d.p("")
	d.p("Zoom meeting %d on host %s: %q, type %d, join before host %v", mt.ID, mt.HostEmail, mt.Topic, mt.Type, mt.Settings.JoinBeforeHost)
	d.p("Join Call button URL equals the meeting's join_url: %v", r.JoinURL() == mt.JoinURL)
	d.p("Slash command to pinned Join Call: %s", elapsed.Round(time.Millisecond))
	return r, nil
}

// slackCalls prints the Slack calls made since start, explained.
func (d *demo) slackCalls(start time.Time) {
	d.p("")
	d.p("What happened, as Slack saw it (time since the slash command was sent):")
	for _, c := range d.w.Slack.Calls() {
		if c.At.Before(start) || c.Error != "" {
			continue
		}
		if what, ok := demoSteps[c.Method]; ok {
			d.p("  +%4d ms  %-24s %s", c.At.Sub(start).Milliseconds(), c.Method, what)
		}
	}
}

// room prints the incident channel as its members see it.
func (d *demo) room(r room) {
	names := d.w.readable
	var members []string
	for _, id := range r.Channel.Members {
		members = append(members, names("<@"+id+">"))
	}
	d.p("")
	d.p("#%s  (created by warroom; members: %s)", r.Channel.Name, strings.Join(members, ", "))
	d.p("  topic:    %s", r.Channel.Topic)
	for _, b := range r.Bookmarks {
		d.p("  bookmark: %s → %s", b.Title, b.Link)
	}
	for _, msg := range r.Messages {
		pinned := ""
		if msg.Pinned {
			pinned = "  📌 pinned"
		}
		edited := ""
		if msg.Edited {
			edited = " (edited)"
		}
		d.p("  ┌ message from warroom%s%s", edited, pinned)
		lines := renderBlocks(msg.Blocks)
		for _, line := range strings.Split(strings.Join(lines, "\n"), "\n") {
			if len(lines) > 0 {
				d.p("  │ %s", names(line))
			}
		}
		if len(lines) == 0 && msg.Text != "" {
			d.p("  │ %s", names(msg.Text))
		}
		d.p("  └")
	}
	d.slackCallsOf(r)
	if doc, ok := d.w.Slack.Canvas(r.Channel.ID); ok {
		d.p("  canvas (kept current by warroom; %d edits so far):", doc.Edits)
		for _, line := range strings.Split(strings.TrimSpace(doc.Markdown), "\n") {
			d.p("  ║ %s", names(line))
		}
	}
	for _, e := range d.w.Slack.Ephemerals("U1") {
		if e.Via == "response_url" {
			d.p("  (only @alice sees) %s", names(e.Text))
		}
	}
}

// demoSteps explains the Slack calls the transcript shows.
var demoSteps = map[string]string{
	"conversations.create":   "the incident channel",
	"conversations.invite":   "the declarer joins it",
	"chat.postMessage":       "the incident message (the call is still being set up)",
	"pins.add":               "pinned",
	"chat.update":            "the message gains its Join Call button",
	"conversations.setTopic": "the topic carries the call link",
	"bookmarks.add":          "a Join Zoom call bookmark",
}

func ackText(payload []byte) string {
	var a struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(payload, &a); err != nil {
		return string(payload)
	}
	return a.Text
}

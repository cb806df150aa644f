package workflow_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/meetings"
	"github.com/warroom-dev/warroom/slackapi"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/workflow"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// harness is the workers on their own: the fake Slack and Zoom, a real
// SQLite store, the host pool and the jobs engine. No Socket Mode, no
// commands: a test writes what a command would record and watches what
// the workers do with it.
type harness struct {
	ctx   context.Context
	slack *slackfake.Server
	zoom  *zoomfake.Server
	st    *store.Store
	wf    *workflow.Workflow
	kick  func()
	// zoomAhead is how far the fake Zoom's clock runs ahead of the store's:
	// a test moves it to have a meeting run later (Zoom's times are whole
	// seconds, too coarse to tell runs a moment apart).
	zoomAhead atomic.Int64
}

const botHost = "incident-bot@example.com"

func newHarness(t *testing.T, tune ...func(*workflow.Config)) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{ctx: ctx}
	var err error
	if h.slack, err = slackfake.Start(slackfake.Config{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.slack.Close)
	h.zoom, err = zoomfake.Start(zoomfake.Config{AccountID: "acct", ClientID: "cid", ClientSecret: "secret",
		// Alice (U1 in the fake Slack) and Carol (U3) are licensed users
		// of the account; Bob (U2) is not in it.
		Hosts: []zoomfake.User{{Email: botHost, Type: 2}, {Email: "alice@example.com", Type: 2}, {Email: "carol@example.com", Type: 2}},
		Now:   func() time.Time { return time.Now().Add(time.Duration(h.zoomAhead.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.zoom.Close)
	c, _ := store.NewCipher(bytes.Repeat([]byte{7}, 32))
	if h.st, err = store.Open(ctx, filepath.Join(t.TempDir(), "w.db"), store.WithCipher(c)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.st.Close() })

	pool, err := meetings.New(ctx, meetings.Config{APIURL: h.zoom.APIURL(), OAuthURL: h.zoom.URL(), ClientID: "cid",
		ClientSecret: "secret", AccountID: "acct", S2SHosts: []string{botHost}}, h.st)
	if err != nil {
		t.Fatal(err)
	}
	engine := jobs.New(jobs.Config{Owner: "test", Lease: 5 * time.Second, Timeout: 30 * time.Second,
		PollInterval: 50 * time.Millisecond, RetryBase: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond,
		DrainTimeout: time.Second}, h.st, zerolog.Nop(), nil, nil)
	sl := slackapi.New(slackapi.Config{BotToken: h.slack.BotToken(), APIURL: h.slack.APIURL()})
	wcfg := workflow.Config{MeetingRetryBase: 50 * time.Millisecond, MeetingRetryMax: 200 * time.Millisecond}
	for _, f := range tune {
		f(&wcfg)
	}
	wf := workflow.New(wcfg, workflow.Deps{Store: h.st, Slack: sl, Pool: pool, Log: zerolog.Nop(), Kick: engine.Kick})
	if err := wf.Start(ctx, h.slack.BotUserID()); err != nil {
		t.Fatal(err)
	}
	wf.Register(engine)
	h.kick, h.wf = engine.Kick, wf
	done := make(chan struct{})
	go func() { defer close(done); engine.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return h
}

// declare records an incident as `/incident declare title` would.
func (h *harness) declare(t *testing.T, title string) *store.Record {
	t.Helper()
	rec, _, err := h.st.Declare(h.ctx, store.NewIncident{DedupeKey: "slash:" + title, Title: title, FullTitle: title,
		Severity: warroom.SEV2, DeclaredBy: "U1", SourceChannel: "C0GENERAL"})
	if err != nil {
		t.Fatal(err)
	}
	h.kick()
	return rec
}

// room is what responders see in an incident's channel.
type room struct {
	channel   slackfake.Channel
	messages  []slackfake.Message
	pins      []slackfake.Message
	bookmarks []slackfake.Bookmark
}

func (h *harness) room(t *testing.T, rec *store.Record) (room, bool) {
	t.Helper()
	r, err := h.st.Incident(h.ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.ChannelID == "" {
		return room{}, false
	}
	ch, ok := h.slack.Channel(r.ChannelID)
	if !ok {
		return room{}, false
	}
	return room{channel: ch, messages: h.slack.Messages(ch.ID), pins: h.slack.Pins(ch.ID), bookmarks: h.slack.Bookmarks(ch.ID)}, true
}

// joinURL is the URL of the pinned message's Join Call button.
func (r room) joinURL() string {
	for _, p := range r.pins {
		if u := buttonURL(p.Blocks, blocks.ActionJoinCall); u != "" {
			return u
		}
	}
	return ""
}

// pinnedText is the pinned message's text, blocks included.
func (r room) pinnedText() string {
	var b strings.Builder
	for _, p := range r.pins {
		b.WriteString(p.Text)
		b.Write(p.Blocks)
	}
	return b.String()
}

func buttonURL(raw json.RawMessage, actionID string) string {
	var bs []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			URL      string `json:"url"`
		} `json:"elements"`
	}
	_ = json.Unmarshal(raw, &bs)
	for _, b := range bs {
		for _, e := range b.Elements {
			if e.ActionID == actionID {
				return e.URL
			}
		}
	}
	return ""
}

// wait polls cond until it holds or d passes.
func wait(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// built waits for the war room: channel, pinned Join Call, bookmark.
func (h *harness) built(t *testing.T, rec *store.Record) room {
	t.Helper()
	var r room
	wait(t, 10*time.Second, fmt.Sprintf("the war room of %q", rec.Title), func() bool {
		var ok bool
		r, ok = h.room(t, rec)
		return ok && r.joinURL() != "" && len(r.bookmarks) > 0
	})
	return r
}

// requests counts the fake Zoom's answers to op with the given status (0:
// any).
func (h *harness) requests(op string, status int) int {
	n := 0
	for _, r := range h.zoom.Requests() {
		if r.Op == op && (status == 0 || r.Status == status) {
			n++
		}
	}
	return n
}

// liveMeetings are the meetings at Zoom not ended or deleted.
func (h *harness) liveMeetings() []zoomfake.Meeting {
	var out []zoomfake.Meeting
	for _, m := range h.zoom.Meetings() {
		if m.Status != zoomfake.StatusFinished {
			out = append(out, m)
		}
	}
	return out
}

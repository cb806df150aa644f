package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/internal/testworld"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/store"
)

// homeText is the text of a Home view's blocks, and the URL of its first
// Join button.
func homeText(t *testing.T, h slackfake.HomeTab) (text, join string) {
	t.Helper()
	var v struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(h.JSON, &v); err != nil {
		t.Fatal(err)
	}
	return string(v.Blocks), testworld.ButtonURL(v.Blocks, blocks.ActionJoinCall)
}

// The App Home is published when someone opens it: the open incidents,
// their call with a Join button to the meeting's join_url, a Declare
// button; it follows the incidents' changes, a burst of them being one
// publish; a private incident stays off it.
func TestAppHome(t *testing.T) {
	// Publishes for a change at most every 10 s, as in production: the
	// burst below fits in that however loaded the machine.
	w := testworld.Start(t, testworld.Config{Tune: func(tu *testworld.Tuning) { tu.Workflow.HomeEvery = 10 * time.Second }})
	ctx, cancel := context.WithTimeout(context.Background(), testworld.WaitTimeout)
	defer cancel()
	w.Slash(t, testworld.Admin, "declare Checkout is down --sev 2")
	w.Slash(t, testworld.Admin, "declare Payroll leak --private")
	var room testworld.Room
	testworld.WaitFor(t, "the war room", func() bool {
		for _, inc := range w.Incidents(t) {
			if inc.Title == "Checkout is down" {
				var ok bool
				room, ok = w.Room(t, inc.ID)
				return ok && room.JoinURL() != ""
			}
		}
		return false
	})

	d, err := w.Slack.SendAppHomeOpened(ctx, testworld.NotAdmin)
	if err != nil {
		t.Fatal(err)
	}
	w.WaitAck(t, d.EnvelopeID)
	var home slackfake.HomeTab
	testworld.WaitFor(t, "bob's Home to show the incident with its call", func() bool {
		var ok bool
		home, ok = w.Slack.Home(testworld.NotAdmin)
		if !ok {
			return false
		}
		_, join := homeText(t, home)
		return join != ""
	})
	text, join := homeText(t, home)
	if want := w.MeetingJoinURL(room); join != want {
		t.Errorf("the Home's Join opens %q; the meeting's join_url is %q", join, want)
	}
	for _, want := range []string{"INC-1", "SEV2", "Checkout is down", "Commander", `\u003c@` + testworld.Admin + `\u003e`, blocks.ActionHomeDeclare} {
		if !strings.Contains(text, want) {
			t.Errorf("the Home does not show %q: %s", want, text)
		}
	}
	if strings.Contains(text, "Payroll") {
		t.Errorf("the Home shows a private incident: %s", text)
	}

	// A burst of changes: the Home follows them, in at most two publishes.
	before := home.Publishes
	for _, sev := range []string{"1", "3", "4", "1"} {
		w.SlashCommand(t, slackfake.SlashCommand{UserID: testworld.Admin, ChannelID: room.Channel.ID, Command: "/incident", Text: "sev " + sev})
	}
	testworld.WaitFor(t, "the Home to show SEV1", func() bool {
		home, _ = w.Slack.Home(testworld.NotAdmin)
		text, _ = homeText(t, home)
		return strings.Contains(text, "SEV1")
	})
	if n := home.Publishes - before; n > 2 {
		t.Errorf("%d publishes for one burst of changes, want at most 2", n)
	}

	// The Declare button opens the declare form.
	click, err := w.Slack.ClickHomeButton(ctx, testworld.NotAdmin, blocks.ActionHomeDeclare)
	if err != nil {
		t.Fatal(err)
	}
	w.WaitAck(t, click.EnvelopeID)
	waitForm(t, w, testworld.NotAdmin, 0)
}

// In a workspace without channel canvases, /incident status says the
// channel has none and why; the war room stands.
func TestStatusSaysWhenTheChannelHasNoCanvas(t *testing.T) {
	w := testworld.Start(t, testworld.Config{})
	w.Slack.SetCanvasesAllowed(false)
	w.Slash(t, testworld.Admin, "declare Search is slow")
	var room testworld.Room
	testworld.WaitFor(t, "the war room, its canvas given up", func() bool {
		incs := w.Incidents(t)
		if len(incs) != 1 {
			return false
		}
		c, err := w.Store.Canvas(context.Background(), incs[0].ID)
		var ok bool
		room, ok = w.Room(t, incs[0].ID)
		return err == nil && c.State == store.CanvasUnavailable && ok && room.JoinURL() != ""
	})
	_, ack := w.SlashCommand(t, slackfake.SlashCommand{UserID: testworld.Admin, ChannelID: room.Channel.ID, Command: "/incident", Text: "status"})
	r := testworld.AckReply(t, ack)
	if !strings.Contains(r.Text, "no canvas") || !strings.Contains(string(r.Blocks), "team_tier_cannot_create_channel_canvases") {
		t.Fatalf("/incident status = %q %s; want it to say there is no canvas and why", r.Text, r.Blocks)
	}
}

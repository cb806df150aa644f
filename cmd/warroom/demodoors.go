package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/bot"
)

// fromMessage shows the message shortcut: a post in #general becomes an
// incident with its war room, and the post's thread points to it.
func (d *demo) fromMessage(ctx context.Context) error {
	w := d.w
	d.p("")
	d.p("@bob posts in #general:  Search is timing out / EU customers since 04:00")
	src, err := w.Slack.PostMessageAs("U2", "C0GENERAL", "Search is timing out\nEU customers since 04:00, about 30% of queries")
	if err != nil {
		return err
	}
	d.p("@alice picks ⋮ → Declare incident on it; the form opens with the title and summary from the message, and she submits it")
	start := time.Now()
	env, err := w.Slack.SendMessageShortcut(ctx, "U1", "C0GENERAL", src.TS, bot.ShortcutFromMessage)
	if err != nil {
		return err
	}
	if _, err := w.Slack.WaitAck(ctx, env.EnvelopeID); err != nil {
		return err
	}
	var formID string
	err = waitFor(ctx, func() bool {
		for _, v := range w.Slack.Views() {
			if v.UserID == "U1" && v.CallbackID == blocks.CallbackDeclare && strings.Contains(string(v.JSON), "Search is timing out") {
				formID = v.ID
				return true
			}
		}
		return false
	})
	if err != nil {
		return fmt.Errorf("the declare form did not open from the message: %w", err)
	}
	sub, err := w.Slack.SubmitView(ctx, "U1", formID, map[string]map[string]any{
		blocks.BlockDeclareTitle: {blocks.BlockDeclareTitle: map[string]any{"type": "plain_text_input", "value": "Search is timing out"}},
		blocks.BlockDeclareSummary: {blocks.BlockDeclareSummary: map[string]any{"type": "plain_text_input",
			"value": "EU customers since 04:00, about 30% of queries"}},
	})
	if err != nil {
		return err
	}
	if _, err := w.Slack.WaitAck(ctx, sub.EnvelopeID); err != nil {
		return err
	}
	var r room
	var reply string
	err = waitFor(ctx, func() bool {
		for _, c := range w.Slack.Channels() {
			if strings.Contains(c.Name, "search-is-timing-out") {
				r, _ = w.room(c.Name)
			}
		}
		for _, m := range w.Slack.Messages("C0GENERAL") {
			if m.ThreadTS == src.TS && m.TS != src.TS {
				reply = m.Text
			}
		}
		return r.JoinURL() != "" && len(r.Messages) >= 2 && reply != ""
	})
	if err != nil {
		return fmt.Errorf("the war room from the message did not come up: %w", err)
	}
	d.room(r)
	d.p("  in #general, in @bob's thread, warroom answers: %s", w.readable(reply))
	d.p("Message shortcut to pinned Join Call and thread reply: %s", time.Since(start).Round(time.Millisecond))
	return nil
}

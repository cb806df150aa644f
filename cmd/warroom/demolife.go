package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// callLife plays the rest of the incident: two people join the call (the
// pinned message says so), the incident is resolved (the call ends, a
// follow-up is scheduled), and the call's recording and Zoom's summary
// of it are posted. It prints
// each version of the pinned message.
func (d *demo) callLife(ctx context.Context, r room) error {
	w := d.w
	w.Slack.SetLatency(0)
	w.Zoom.SetLatency(0)
	id := w.Zoom.Meetings()[0].ID
	d.p("")
	d.p("@alice and @bob open Join Call; Zoom's event stream tells warroom.")
	for _, who := range [][2]string{{"Alice Archer", "alice@example.com"}, {"Bob Baker", "bob@example.com"}} {
		if err := w.Zoom.JoinMeeting(ctx, id, who[0], who[1]); err != nil {
			return err
		}
	}
	if err := d.waitPinned(ctx, r, "2 people"); err != nil {
		return err
	}
	w.Zoom.RecordMeeting(id, zoomfake.RecordingOptions{Duration: 25 * time.Minute})

	d.p("")
	d.p("@alice in #%s types:  /incident resolve Rolled back the 14:00 deploy", r.Channel.Name)
	env, err := w.Slack.SendSlashCommand(ctx, slackfake.SlashCommand{UserID: "U1", ChannelID: r.Channel.ID,
		Command: "/incident", Text: "resolve Rolled back the 14:00 deploy"})
	if err != nil {
		return err
	}
	if _, err := w.Slack.WaitAck(ctx, env.EnvelopeID); err != nil {
		return err
	}
	if err := d.waitPinned(ctx, r, "Resolved"); err != nil {
		return err
	}
	d.p("")
	d.p("@alice and @bob leave; the call ends at Zoom.")
	if err := w.Zoom.EndMeeting(ctx, id); err != nil {
		return err
	}
	if err := d.waitPinned(ctx, r, "Ended · "); err != nil {
		return err
	}
	if err := d.waitPost(ctx, r, "warroom-followup-"); err != nil {
		return err
	}

	d.p("")
	d.p("Zoom finishes processing the call's cloud recording.")
	w.Zoom.MakeRecordingReady(id)
	if _, err := w.Zoom.SendRecordingCompleted(ctx, id); err != nil && !strings.Contains(err.Error(), "WebhookURL") {
		return err
	}
	if err := d.waitPost(ctx, r, "warroom-recording-"); err != nil {
		return err
	}
	d.p("Zoom's AI Companion finishes its summary of the call.")
	if err := w.Zoom.MakeSummaryReady(ctx, id, zoomfake.Summary{
		Overview:  "Checkout failed after the 14:00 deploy; rolling it back restored it.",
		NextSteps: []string{"Add an alert on checkout errors", "Review the deploy's database migration"},
	}); err != nil {
		return err
	}
	if err := d.waitPost(ctx, r, "warroom-summary-"); err != nil {
		return err
	}
	final, _ := w.room(r.Channel.Name)
	d.room(final)
	return nil
}

// waitPinned waits until the pinned message shows want, then prints it.
func (d *demo) waitPinned(ctx context.Context, r room, want string) error {
	var text string
	err := waitFor(ctx, func() bool {
		cur, ok := d.w.room(r.Channel.Name)
		if !ok || len(cur.Pins) == 0 {
			return false
		}
		text = strings.Join(renderBlocks(cur.Pins[0].Blocks), "\n")
		return strings.Contains(text, want)
	})
	if err != nil {
		return fmt.Errorf("the pinned message never showed %q; it shows:\n%s", want, text)
	}
	d.p("  ┌ the pinned message now")
	for _, line := range strings.Split(text, "\n") {
		d.p("  │ %s", d.w.readable(line))
	}
	d.p("  └")
	return nil
}

// waitPost waits for warroom's post whose block IDs start with mark.
func (d *demo) waitPost(ctx context.Context, r room, mark string) error {
	err := waitFor(ctx, func() bool {
		for _, m := range d.w.Slack.Messages(r.Channel.ID) {
			if strings.Contains(string(m.Blocks), `"`+mark) {
				return true
			}
		}
		return false
	})
	if err != nil {
		return fmt.Errorf("no %s… post appeared in #%s", mark, r.Channel.Name)
	}
	return nil
}

package main

import (
	"context"
	"fmt"
	"net/http"
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

// demoAlertToken is the demo's API token, which the simulated
// Alertmanager sends as its bearer token.
const demoAlertToken = "demo-alertmanager-token"

// fromAlert shows the Alertmanager receiver: a firing alert group, posted
// as Alertmanager posts its webhook (payload version 4), becomes an
// incident with its war room; a repeat of it changes nothing.
func (d *demo) fromAlert(ctx context.Context, addr string) error {
	w := d.w
	d.p("")
	d.p("Alertmanager notifies warroom's receiver: HighErrorRate is firing for service=checkout (severity critical)")
	body := `{"version":"4","groupKey":"{}:{alertname=\"HighErrorRate\"}","truncatedAlerts":0,"status":"firing",
		"receiver":"warroom","groupLabels":{"alertname":"HighErrorRate"},
		"commonLabels":{"alertname":"HighErrorRate","service":"checkout","severity":"critical"},
		"commonAnnotations":{"summary":"Checkout error rate above 5%","runbook_url":"https://runbooks.example.com/checkout"},
		"externalURL":"http://alertmanager.example.com:9093","alerts":[{"status":"firing",
		"labels":{"alertname":"HighErrorRate","service":"checkout","severity":"critical"},
		"annotations":{"summary":"Checkout error rate above 5%","runbook_url":"https://runbooks.example.com/checkout"},"startsAt":"2026-12-08T03:10:00Z","endsAt":"0001-01-01T00:00:00Z",
		"generatorURL":"http://prometheus.example.com:9090/graph?g0.expr=rate","fingerprint":"c0ffee0123456789"}]}`
	start := time.Now()
	for i := range 2 { // Alertmanager repeats a notification; one incident comes of it
		status, err := postAlert(ctx, addr, body)
		if err != nil {
			return err
		}
		if i == 0 {
			d.p("  the receiver answers %d, after %s", status, time.Since(start).Round(time.Millisecond))
		}
	}
	var r room
	err := waitFor(ctx, func() bool {
		for _, c := range w.Slack.Channels() {
			if strings.Contains(c.Name, "checkout-error-rate") {
				r, _ = w.room(c.Name)
			}
		}
		return r.JoinURL() != "" && len(r.Messages) >= 2
	})
	if err != nil {
		return fmt.Errorf("the war room from the alert did not come up: %w", err)
	}
	elapsed := time.Since(start)
	d.room(r)
	d.p("Alert to pinned Join Call: %s (the repeated notification made no second incident)", elapsed.Round(time.Millisecond))
	return nil
}

func postAlert(ctx context.Context, addr, body string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/api/v1/alertmanager", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+demoAlertToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("post the alert: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// slackCallsOf prints the Slack Calls of the room's meetings: Slack draws
// each in the channel with who is in it and its own Join button.
func (d *demo) slackCallsOf(r room) {
	for _, c := range d.w.Slack.SlackCalls() {
		if r.JoinURL() == c.JoinURL {
			d.calls[r.Channel.ID] = c.ID // after the resolve, the Join button is gone
		}
		if d.calls[r.Channel.ID] != c.ID {
			continue
		}
		var people []string
		for _, p := range c.Participants {
			if p.SlackID != "" {
				people = append(people, d.w.readable("<@"+p.SlackID+">"))
			} else {
				people = append(people, p.DisplayName+" (Zoom)")
			}
		}
		state := "live"
		if c.Ended {
			state = fmt.Sprintf("ended after %d s", c.Duration)
		}
		d.p("  📞 Slack Call %s %q (meeting %s), %s; in it now: %s", c.ID, c.Title, c.ExternalDisplayID, state,
			strings.Join(people, ", "))
	}
}

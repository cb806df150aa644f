package testworld

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/store"
)

// Slash has user run "/incident text" in #general and waits for the
// envelope's ack.
func (w *World) Slash(tb testing.TB, user, text string) (slackfake.Delivery, slackfake.Ack) {
	tb.Helper()
	return w.SlashCommand(tb, slackfake.SlashCommand{UserID: user, ChannelID: General, Command: "/incident", Text: text})
}

// SlashCommand sends a slash command and waits for its ack.
func (w *World) SlashCommand(tb testing.TB, cmd slackfake.SlashCommand) (slackfake.Delivery, slackfake.Ack) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout)
	defer cancel()
	d, err := w.Slack.SendSlashCommand(ctx, cmd)
	if err != nil {
		tb.Fatalf("/incident %s: %v", cmd.Text, err)
	}
	return d, w.WaitAck(tb, d.EnvelopeID)
}

// WaitAck waits for the ack of an envelope's latest delivery.
func (w *World) WaitAck(tb testing.TB, envelopeID string) slackfake.Ack {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout)
	defer cancel()
	ack, err := w.Slack.WaitAck(ctx, envelopeID)
	if err != nil {
		tb.Fatalf("envelope %s was never acked: %v", envelopeID, err)
	}
	return ack
}

// Answer waits for the reply user got through the response_url of the
// command d: what a command that acks first says afterwards.
func (w *World) Answer(tb testing.TB, user string, d slackfake.Delivery) slackfake.Ephemeral {
	tb.Helper()
	var got slackfake.Ephemeral
	WaitFor(tb, "the answer to "+user+"'s command", func() bool {
		for _, e := range w.Slack.Ephemerals(user) {
			if e.Via == "response_url" && e.ResponseURL == d.ResponseURL {
				got = e
				return true
			}
		}
		return false
	})
	return got
}

// Reply is what an ack carried for its user to see.
type Reply struct {
	Text         string          `json:"text"`
	ResponseType string          `json:"response_type"`
	Blocks       json.RawMessage `json:"blocks"`
}

// AckReply reads the reply an ack carried; an ack without one is an
// empty Reply.
func AckReply(tb testing.TB, a slackfake.Ack) Reply {
	tb.Helper()
	var r Reply
	if len(a.Payload) == 0 {
		return r
	}
	if err := json.Unmarshal(a.Payload, &r); err != nil {
		tb.Fatalf("ack payload %s: %v", a.Payload, err)
	}
	return r
}

// Incidents is every incident the store holds.
func (w *World) Incidents(tb testing.TB) []*store.Record {
	tb.Helper()
	recs, err := w.Store.Incidents(context.Background())
	if err != nil {
		tb.Fatalf("read the incidents: %v", err)
	}
	return recs
}

// ButtonURL is the URL of the button with actionID in a message's blocks,
// or "".
func ButtonURL(raw json.RawMessage, actionID string) string {
	var blks []struct {
		Elements  []map[string]any `json:"elements"`
		Accessory map[string]any   `json:"accessory"`
	}
	if json.Unmarshal(raw, &blks) != nil {
		return ""
	}
	for _, b := range blks {
		for _, e := range append(b.Elements, b.Accessory) {
			if e != nil && e["action_id"] == actionID {
				u, _ := e["url"].(string)
				return u
			}
		}
	}
	return ""
}

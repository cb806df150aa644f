package bot_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/internal/testworld"
	"github.com/warroom-dev/warroom/store/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m.Run)) }

// slackGivesUp is when Slack shows the person "failed" instead of the ack.
const slackGivesUp = 3 * time.Second

// A declare typed in Slack is answered at once with "Declaring…" and
// recorded once; Slack delivering the same envelope again (its retry after
// a lost ack) gets the same answer and records nothing more.
func TestDeclareIsAckedAndRecordedOnce(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			w := testworld.Start(t, testworld.Config{Postgres: engine == "postgres", NoJobs: true})
			d, ack := w.Slash(t, testworld.NotAdmin, "declare Checkout is down --sev 2")
			want := blocks.Declaring("Checkout is down", warroom.SEV2, false)
			if r := testworld.AckReply(t, ack); r.Text != want || r.ResponseType != "ephemeral" {
				t.Errorf("the declarer saw %q (%s), want %q (ephemeral)", r.Text, r.ResponseType, want)
			}
			if ack.Latency >= slackGivesUp {
				t.Errorf("acked after %v: Slack had shown the declare as failed", ack.Latency)
			}
			assertOneIncident(t, w, "Checkout is down", warroom.SEV2, testworld.NotAdmin)

			ctx, cancel := context.WithTimeout(context.Background(), testworld.WaitTimeout)
			defer cancel()
			if err := w.Slack.Redeliver(ctx, d.EnvelopeID); err != nil {
				t.Fatal(err)
			}
			again := w.WaitAck(t, d.EnvelopeID)
			if r := testworld.AckReply(t, again); r.Text != want {
				t.Errorf("the redelivery was answered %q, want %q", r.Text, want)
			}
			// The ack comes after the record: the count is final now.
			assertOneIncident(t, w, "Checkout is down", warroom.SEV2, testworld.NotAdmin)
		})
	}
}

func assertOneIncident(t *testing.T, w *testworld.World, title string, sev warroom.Severity, by string) {
	t.Helper()
	recs := w.Incidents(t)
	if len(recs) != 1 {
		t.Fatalf("%d incidents recorded, want 1: %+v", len(recs), recs)
	}
	r := recs[0]
	if r.Title != title || r.Severity != sev || r.DeclaredBy != by || r.SourceChannel != testworld.General {
		t.Errorf("recorded %q %s by %s in %s, want %q %s by %s in %s",
			r.Title, r.Severity, r.DeclaredBy, r.SourceChannel, title, sev, by, testworld.General)
	}
}

// A declare builds its war room: the front door's record is what the
// workflow's job carries out (the whole path, through the real engine).
func TestDeclareGetsItsRoom(t *testing.T) {
	w := testworld.Start(t, testworld.Config{})
	w.Slash(t, testworld.Admin, "declare Payments failing")
	// Named by the date and the title: found by the title, so a declare
	// at midnight does not miss it.
	testworld.WaitFor(t, "the incident channel with its pinned Join Call", func() bool {
		for _, ch := range w.Slack.Channels() {
			if !strings.HasPrefix(ch.Name, testworld.ChannelPrefix) || !strings.HasSuffix(ch.Name, "-payments-failing") {
				continue
			}
			for _, p := range w.Slack.Pins(ch.ID) {
				if strings.HasPrefix(testworld.ButtonURL(p.Blocks, blocks.ActionJoinCall), "https://") {
					return true
				}
			}
		}
		return false
	})
}

// Bad input is answered, in the ack, with what was wrong and how to use
// the command; nothing is recorded.
func TestBadInputIsAnsweredWithUsage(t *testing.T) {
	w := testworld.Start(t, testworld.Config{NoJobs: true})
	for _, tc := range []struct{ text, says string }{
		{"declare --sev 9 DB is slow", "Severity must be 1, 2, 3 or 4"},
		{"declare --sev 1 --sev 2 DB is slow", "You gave two severities"},
		{"frobnicate the database", "I don't know `/incident frobnicate`"},
		{"status now", "`/incident status` takes nothing after it."},
	} {
		_, ack := w.Slash(t, testworld.NotAdmin, tc.text)
		r := testworld.AckReply(t, ack)
		if !strings.Contains(r.Text, tc.says) || !strings.Contains(r.Text, "How to use /incident") {
			t.Errorf("/incident %s was answered %q; want %q and the usage", tc.text, r.Text, tc.says)
		}
		if r.ResponseType != "ephemeral" {
			t.Errorf("/incident %s: the usage went to the channel (%s)", tc.text, r.ResponseType)
		}
	}
	if n := len(w.Incidents(t)); n != 0 {
		t.Errorf("bad input recorded %d incidents", n)
	}
}

// Help is the usage, not an error.
func TestHelpIsTheUsage(t *testing.T) {
	w := testworld.Start(t, testworld.Config{NoJobs: true})
	_, ack := w.Slash(t, testworld.NotAdmin, "help")
	if r := testworld.AckReply(t, ack); !strings.HasPrefix(r.Text, "*How to use /incident*") {
		t.Errorf("/incident help answered %q", r.Text)
	}
}

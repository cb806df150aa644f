package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/bot"
	"github.com/warroom-dev/warroom/config"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
)

// BenchmarkDoors measures, for each door, the time from the moment the
// door is used (the form submitted, the step run, the request sent) to
// the channel's pinned Join Call, against fakes that add 50 ms to every
// Slack call and 80 ms to every Zoom call, one declare at a time on
// SQLite. The lower bound is BenchmarkDeclare's: 180 ms. The message door
// also posts the quote and the thread's answer, the alert door its first
// note; those run beside the pin and are not waited for.
func BenchmarkDoors(b *testing.B) {
	w, m := startBench(b, func(cfg *config.Config) {
		cfg.APITokens = []config.APIToken{{Name: "bench", Token: demoAlertToken}}
	})
	bound := max(benchSlackLatency, benchZoomLatency) + 2*benchSlackLatency

	doors := []struct {
		name string
		use  func(ctx context.Context, title string) error
	}{
		{"slash", func(ctx context.Context, title string) error {
			_, err := w.Slack.SendSlashCommand(ctx, slackfake.SlashCommand{UserID: "U1", ChannelID: "C0GENERAL", Command: "/incident", Text: "declare " + title})
			return err
		}},
		{"message", nil}, // prepared below: the clock starts at the submission
		{"workflow", func(ctx context.Context, title string) error {
			_, _, err := w.Slack.SendFunctionExecuted(ctx, bot.FunctionOpenWarRoom, map[string]any{"title": title})
			return err
		}},
		{"api", func(ctx context.Context, title string) error {
			return benchPost(ctx, m.HTTPAddr(), "/api/v1/incidents", demoAlertToken, fmt.Sprintf(`{"title":%q}`, title))
		}},
		{"alertmanager", func(ctx context.Context, title string) error {
			return benchPost(ctx, m.HTTPAddr(), "/api/v1/alertmanager", demoAlertToken, fmt.Sprintf(`{"version":"4","groupKey":%q,
				"status":"firing","receiver":"warroom","groupLabels":{"alertname":"A"},"commonLabels":{"alertname":"A"},
				"commonAnnotations":{"summary":%q},"externalURL":"http://am","alerts":[{"status":"firing","labels":{"alertname":"A"},
				"annotations":{},"startsAt":"2026-12-08T03:10:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":%q}]}`,
				title, title, title))
		}},
	}
	for _, door := range doors {
		b.Run(door.name, func(b *testing.B) {
			var joins []time.Duration
			for i := 0; i < b.N; i++ {
				title := fmt.Sprintf("%s door %d", door.name, i)
				use := door.use
				if use == nil {
					submit, err := benchMessageForm(w, title)
					if err != nil {
						b.Fatal(err)
					}
					use = submit
				}
				joins = append(joins, benchDoorOnce(b, w, title, use))
			}
			med := median(joins)
			b.ReportMetric(float64(med.Microseconds())/1000, "join-ms")
			b.ReportMetric(float64(med)/float64(bound), "ratio")
		})
	}
}

// benchDoorOnce uses a door and returns the time to the pinned Join Call.
func benchDoorOnce(b *testing.B, w *world, title string, use func(context.Context, string) error) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	if err := use(ctx, title); err != nil {
		b.Fatal(err)
	}
	name := todayName(title, 1)
	if err := waitFor(ctx, func() bool { r, ok := w.room(name); return ok && r.JoinURL() != "" }); err != nil {
		b.Fatalf("%s never got a pinned Join Call", name)
	}
	join := time.Since(start)
	waitFor(ctx, func() bool { r, _ := w.room(name); return len(r.Bookmarks) > 0 && r.Channel.Topic != "" })
	return join
}

// benchMessageForm posts a message and opens the declare form on it; it
// returns the form's submission, where the message door's clock starts
// (the person's time in the form is theirs).
func benchMessageForm(w *world, title string) (func(context.Context, string) error, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	src, err := w.Slack.PostMessageAs("U2", "C0GENERAL", title)
	if err != nil {
		return nil, err
	}
	d, err := w.Slack.SendMessageShortcut(ctx, "U1", "C0GENERAL", src.TS, bot.ShortcutFromMessage)
	if err != nil {
		return nil, err
	}
	if _, err := w.Slack.WaitAck(ctx, d.EnvelopeID); err != nil {
		return nil, err
	}
	var formID string
	err = waitFor(ctx, func() bool {
		for _, v := range w.Slack.Views() {
			if v.CallbackID == blocks.CallbackDeclare && strings.Contains(string(v.JSON), title) {
				formID = v.ID
			}
		}
		return formID != ""
	})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, title string) error {
		_, err := w.Slack.SubmitView(ctx, "U1", formID, map[string]map[string]any{
			blocks.BlockDeclareTitle: {blocks.BlockDeclareTitle: map[string]any{"type": "plain_text_input", "value": title}}})
		return err
	}, nil
}

func benchPost(ctx context.Context, addr, path, token, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("%s answered %s", path, resp.Status)
	}
	return nil
}

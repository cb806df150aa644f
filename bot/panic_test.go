package bot

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack/socketmode"

	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/meetings"
	"github.com/warroom-dev/warroom/slackapi"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/store"
)

type noPlanner struct{}

func (noPlanner) DefaultFollowupStart(_ context.Context, from time.Time, _ string) time.Time {
	return from
}

// A handler that panics does not take the replica down: the panic is
// logged with its stack, and the person who ran the command is told
// warroom failed, within Slack's 3 s.
func TestAPanickingHandlerIsAnsweredNotFatal(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	fake, err := slackfake.Start(slackfake.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pool, err := meetings.New(ctx, meetings.Config{}, st)
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	lw := &syncWriter{b: &log}
	sl := slackapi.New(slackapi.Config{BotToken: fake.BotToken(), AppToken: fake.AppToken(), APIURL: fake.APIURL()})
	b, err := New(Config{}, Deps{Store: st, Slack: sl, Pool: pool, Planner: noPlanner{}, Log: zerolog.New(lw)})
	if err != nil {
		t.Fatal(err)
	}
	go b.socket.RunContext(ctx) // the connection alone: this test hands out the envelope
	if err := fake.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := fake.SendSlashCommand(ctx, slackfake.SlashCommand{UserID: "U1", ChannelID: "C0GENERAL", Command: "/incident", Text: "status"})
	if err != nil {
		t.Fatal(err)
	}
	var evt socketmode.Event
	for evt.Type != socketmode.EventTypeSlashCommand {
		select {
		case evt = <-b.socket.Events:
		case <-ctx.Done():
			t.Fatal("the slash command never arrived")
		}
	}
	b.handle(ctx, evt, func(context.Context, socketmode.Event) {
		var m map[string]int
		m["boom"]++ // a nil-map bug in a handler
	})
	ack, err := fake.WaitAck(ctx, d.EnvelopeID)
	if err != nil {
		t.Fatalf("the envelope whose handler panicked was never answered: %v", err)
	}
	var p struct{ Text string }
	json.Unmarshal(ack.Payload, &p)
	if p.Text != blocks.InternalError {
		t.Errorf("answered %q", p.Text)
	}
	lw.mu.Lock()
	logged := log.String()
	lw.mu.Unlock()
	if !strings.Contains(logged, "handling an envelope panicked") || !strings.Contains(logged, "panic_test.go") {
		t.Errorf("the panic and its stack were not logged:\n%s", logged)
	}
}

type syncWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

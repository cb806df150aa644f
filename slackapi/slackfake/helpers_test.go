package slackfake

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// mustStart runs a fake Slack for the test.
func mustStart(t *testing.T, cfg Config) *Server {
	t.Helper()
	s, err := Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// apiClient is the bot's slack-go client, configured as warroom configures it.
func apiClient(s *Server) *slack.Client {
	return slack.New(s.BotToken(), slack.OptionAppLevelToken(s.AppToken()), slack.OptionAPIURL(s.APIURL()))
}

// runClient runs a real slack-go Socket Mode client until the test ends.
func runClient(t *testing.T, s *Server, opts ...socketmode.Option) *socketmode.Client {
	t.Helper()
	client := socketmode.New(apiClient(s), opts...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = client.RunContext(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return client
}

// waitEvent returns the client's next event that matches.
func waitEvent(t *testing.T, c *socketmode.Client, match func(socketmode.Event) bool) socketmode.Event {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev := <-c.Events:
			if match(ev) {
				return ev
			}
		case <-timeout:
			t.Fatal("timed out waiting for a Socket Mode event")
		}
	}
}

func ofType(typ socketmode.EventType) func(socketmode.Event) bool {
	return func(ev socketmode.Event) bool { return ev.Type == typ }
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// countCalls counts Web API calls of method.
func countCalls(s *Server, method string) int {
	n := 0
	for _, c := range s.Calls() {
		if c.Method == method {
			n++
		}
	}
	return n
}

// fakeClock is a Config.Now a test can move.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2024, 11, 23, 7, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

package slackapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a pacer's time, moved by the test.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func testPacer(next http.RoundTripper) (*pacer, *clock) {
	c := &clock{t: time.Date(2026, 12, 8, 3, 0, 0, 0, time.UTC)}
	p := newPacer(next)
	p.now = c.now
	return p, c
}

// A tier's minute of calls passes at once; the next waits for the bucket
// to refill at the tier's pace.
func TestPacerHoldsATierToItsPace(t *testing.T) {
	p, c := testPacer(nil)
	for i := range 20 {
		if d := p.take("conversations.create", "conversations.create"); d != 0 {
			t.Fatalf("call %d of a Tier 2 minute waits %s", i+1, d)
		}
	}
	d := p.take("conversations.create", "conversations.create")
	if d < 2900*time.Millisecond || d > 3100*time.Millisecond {
		t.Fatalf("the 21st Tier 2 call waits %s, want 3 s (20 a minute)", d)
	}
	if d := p.take("chat.update", "chat.update"); d != 0 {
		t.Fatalf("another method waits %s: tiers are per method", d)
	}
	c.t = c.t.Add(3 * time.Second)
	if d := p.take("conversations.create", "conversations.create"); d != 0 {
		t.Fatalf("after 3 s the next call still waits %s", d)
	}
	if d := p.take("some.unknown", "some.unknown"); d != 0 {
		t.Fatalf("a method outside the tiers waits %s", d)
	}
}

type answer func(*http.Request) *http.Response

func (a answer) RoundTrip(r *http.Request) (*http.Response, error) { return a(r), nil }

// A 429's Retry-After holds the method back for as long as it says.
func TestPacerWaitsOutRetryAfter(t *testing.T) {
	var calls atomic.Int32
	p, c := testPacer(answer(func(r *http.Request) *http.Response {
		calls.Add(1)
		h := http.Header{}
		h.Set("Retry-After", "7")
		return &http.Response{StatusCode: http.StatusTooManyRequests, Header: h, Body: io.NopCloser(strings.NewReader("")), Request: r}
	}))
	req, _ := http.NewRequest(http.MethodPost, "http://slack.test/api/chat.update", strings.NewReader("channel=C1&ts=1.2"))
	resp, err := p.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d := p.take("chat.update", "chat.update"); d != 7*time.Second {
		t.Fatalf("after Retry-After: 7 the next call waits %s", d)
	}
	c.t = c.t.Add(7 * time.Second)
	if d := p.take("chat.update", "chat.update"); d != 0 {
		t.Fatalf("after the Retry-After the next call still waits %s", d)
	}
	if calls.Load() != 1 {
		t.Fatalf("%d calls reached Slack", calls.Load())
	}
}

// A refresh whose turn is far off is handed back with when to come back,
// without reaching Slack; a declare's call waits its turn.
func TestPacerHandsRefreshesBack(t *testing.T) {
	var calls atomic.Int32
	p, _ := testPacer(answer(func(r *http.Request) *http.Response {
		calls.Add(1)
		return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader(`{"ok":true}`)), Request: r}
	}))
	for range 50 {
		p.take("chat.update", "chat.update") // a busy minute of edits
	}
	req, _ := http.NewRequestWithContext(WithRefresh(context.Background()), http.MethodPost, "http://slack.test/api/chat.update", nil)
	_, err := p.RoundTrip(req)
	var limited *RateLimitError
	if !errors.As(err, &limited) || !limited.Paced() || limited.Method != "chat.update" {
		t.Fatalf("a refresh past the budget = %v, want a paced rate limit", err)
	}
	if calls.Load() != 0 {
		t.Fatal("the refresh reached Slack")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, "http://slack.test/api/chat.update", nil)
	if _, err := p.RoundTrip(req); !errors.Is(err, context.Canceled) {
		t.Fatalf("a declare's call past the budget = %v, want it to wait (here until its context ends)", err)
	}
}

// chat.postMessage is paced per channel: one busy channel does not hold
// another back. The channel is read from a form or a JSON body, which is
// left whole for Slack.
func TestPacerPacesPostsPerChannel(t *testing.T) {
	var bodies []string
	p, _ := testPacer(answer(func(r *http.Request) *http.Response {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader(`{"ok":true}`)), Request: r}
	}))
	for range 4 {
		p.take("chat.postMessage", "chat.postMessage C1")
	}
	post := func(contentType, body string) error {
		req, _ := http.NewRequestWithContext(WithRefresh(context.Background()), http.MethodPost,
			"http://slack.test/api/chat.postMessage", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		_, err := p.RoundTrip(req)
		return err
	}
	if err := post("application/x-www-form-urlencoded", "channel=C2&text=hi"); err != nil {
		t.Fatalf("a post to another channel: %v", err)
	}
	if err := post("application/json", `{"channel":"C2","text":"hi"}`); err != nil {
		t.Fatalf("a JSON post to another channel: %v", err)
	}
	if len(bodies) != 2 || bodies[0] != "channel=C2&text=hi" || !strings.Contains(bodies[1], `"channel":"C2"`) {
		t.Fatalf("Slack got %q; the bodies must arrive whole", bodies)
	}
	if d := p.take("chat.postMessage", "chat.postMessage C1"); d < 900*time.Millisecond {
		t.Fatalf("the busy channel's next post waits %s, want about a second", d)
	}
}

// A call whose turn is further off than any HTTP timeout allows is handed
// back too, refresh or not: it never waits inside the client.
func TestPacerHandsLongWaitsBack(t *testing.T) {
	p, _ := testPacer(nil)
	for range 20 {
		p.take("conversations.create", "conversations.create")
	}
	p.blocked["conversations.create"] = p.now().Add(30 * time.Second) // a Retry-After
	req, _ := http.NewRequest(http.MethodPost, "http://slack.test/api/conversations.create", nil)
	_, err := p.RoundTrip(req)
	var limited *RateLimitError
	if !errors.As(err, &limited) || limited.At.Sub(p.now()) < 29*time.Second {
		t.Fatalf("a call 30 s from its turn = %v, want it handed back until then", err)
	}
}

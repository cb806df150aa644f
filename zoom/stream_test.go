package zoom_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom/zoom"
)

// streamServer is a bare WebSocket endpoint speaking Zoom's frames, to
// test the client on its own: it counts dials and heartbeats and sends
// what a test pushes.
type streamServer struct {
	*httptest.Server
	dials, heartbeats atomic.Int32
	mu                sync.Mutex
	conn              *websocket.Conn
	query             chan string
}

func newStreamServer(t *testing.T) *streamServer {
	s := &streamServer{query: make(chan string, 10)}
	up := websocket.Upgrader{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("subscriptionId") != "sub-1" {
			http.Error(w, "unknown subscription", http.StatusUnauthorized)
			return
		}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		s.dials.Add(1)
		s.query <- r.URL.RawQuery
		s.mu.Lock()
		s.conn = c
		s.mu.Unlock()
		for {
			var f map[string]any
			if err := c.ReadJSON(&f); err != nil {
				return
			}
			if f["module"] == "heartbeat" {
				s.heartbeats.Add(1)
				s.mu.Lock()
				c.WriteJSON(map[string]any{"module": "heartbeat", "success": true, "content": "live", "header": map[string]any{}})
				s.mu.Unlock()
			}
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *streamServer) send(t *testing.T, body string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.conn.WriteJSON(map[string]string{"module": "message", "content": body}); err != nil {
		t.Fatal(err)
	}
}

func (s *streamServer) drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conn.Close()
}

// The client dials with the subscription and a fresh token, heartbeats,
// parses the event inside the frame's string, reconciles at every
// (re)connect and comes back after a drop.
func TestStreamReceivesEventsAndReconnects(t *testing.T) {
	s := newStreamServer(t)
	var tokens atomic.Int32
	var reconciles atomic.Int32
	events := make(chan zoom.WebhookEvent, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		zoom.RunStream(ctx, zoom.StreamConfig{
			URL: "ws" + strings.TrimPrefix(s.URL, "http"), SubscriptionID: "sub-1",
			Token: func(context.Context) (string, error) {
				n := tokens.Add(1)
				return "tok-" + string(rune('0'+n)), nil
			},
			Heartbeat: 50 * time.Millisecond, BackoffMin: 20 * time.Millisecond, BackoffMax: 50 * time.Millisecond,
			OnConnect: func(context.Context) { reconciles.Add(1) },
			Handle:    func(_ context.Context, ev zoom.WebhookEvent) error { events <- ev; return nil },
			Log:       zerolog.Nop(),
		})
	}()
	if q := <-s.query; !strings.Contains(q, "subscriptionId=sub-1") || !strings.Contains(q, "access_token=tok-1") {
		t.Fatalf("dialled with %q", q)
	}
	waitFor(t, func() bool { return reconciles.Load() == 1 && s.heartbeats.Load() >= 2 })
	s.send(t, `{"event":"meeting.started","event_ts":1700000000000,"payload":{"account_id":"a","object":{"id":"811"}}}`)
	ev := <-events
	if ev.Event != "meeting.started" || ev.EventTS != 1700000000000 {
		t.Fatalf("event %+v", ev)
	}
	var p struct {
		Object struct {
			ID string `json:"id"`
		} `json:"object"`
	}
	if json.Unmarshal(ev.Payload, &p); p.Object.ID != "811" {
		t.Fatalf("payload %s", ev.Payload)
	}

	s.drop()
	if q := <-s.query; !strings.Contains(q, "access_token=tok-2") {
		t.Fatalf("redialled with %q: each dial needs a fresh token", q)
	}
	waitFor(t, func() bool { return reconciles.Load() == 2 })
	cancel()
	<-done
}

// A refused dial is retried with backoff, and its error never carries the
// token that was in the URL.
func TestStreamRefusalKeepsTheTokenOut(t *testing.T) {
	s := newStreamServer(t)
	var logs strings.Builder
	var mu sync.Mutex
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	zoom.RunStream(ctx, zoom.StreamConfig{
		URL: "ws" + strings.TrimPrefix(s.URL, "http"), SubscriptionID: "wrong",
		Token:      func(context.Context) (string, error) { return "secret-token-xyz", nil },
		BackoffMin: 10 * time.Millisecond, BackoffMax: 20 * time.Millisecond,
		Handle: func(context.Context, zoom.WebhookEvent) error { return errors.New("unreachable") },
		Log:    zerolog.New(lockedWriter{&mu, &logs}),
	})
	mu.Lock()
	defer mu.Unlock()
	out := logs.String()
	if !strings.Contains(out, "HTTP 401") || strings.Count(out, "reconnecting") < 2 {
		t.Errorf("refusals logged as %q", out)
	}
	if strings.Contains(out, "secret-token-xyz") {
		t.Error("the access token reached the log")
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// runStream runs the client against s until the test ends.
func runStream(t *testing.T, s *streamServer, cfg zoom.StreamConfig) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	cfg.URL, cfg.SubscriptionID = "ws"+strings.TrimPrefix(s.URL, "http"), "sub-1"
	cfg.Token = func(context.Context) (string, error) { return "tok", nil }
	cfg.BackoffMin, cfg.BackoffMax, cfg.Log = 20*time.Millisecond, 50*time.Millisecond, zerolog.Nop()
	go func() { defer close(done); zoom.RunStream(ctx, cfg) }()
	t.Cleanup(func() { cancel(); <-done })
}

// A reconcile that takes longer than the heartbeat period does not hold
// the heartbeats back: Zoom would drop a silent connection, and with a
// slow reconcile at every connect, every connection.
func TestStreamHeartbeatsWhileItReconciles(t *testing.T) {
	s := newStreamServer(t)
	release := make(chan struct{})
	defer close(release)
	events := make(chan string, 1)
	runStream(t, s, zoom.StreamConfig{
		Heartbeat: 30 * time.Millisecond,
		OnConnect: func(ctx context.Context) {
			select { // a reconcile that never ends during the test
			case <-release:
			case <-ctx.Done():
			}
		},
		Handle: func(_ context.Context, ev zoom.WebhookEvent) error { events <- ev.Event; return nil },
	})
	waitFor(t, func() bool { return s.heartbeats.Load() >= 3 })
	// Events are read meanwhile too.
	s.send(t, `{"event":"meeting.started","event_ts":1,"payload":{"object":{"id":"1"}}}`)
	if ev := <-events; ev != "meeting.started" {
		t.Fatalf("event %q", ev)
	}
	if n := s.dials.Load(); n != 1 {
		t.Errorf("%d dials: the connection was dropped while it reconciled", n)
	}
}

// A frame over 1 MiB is not read whole: the connection is dropped and
// opened again.
func TestStreamRefusesAHugeFrame(t *testing.T) {
	s := newStreamServer(t)
	var handled atomic.Int32
	runStream(t, s, zoom.StreamConfig{Heartbeat: time.Hour,
		Handle: func(context.Context, zoom.WebhookEvent) error { handled.Add(1); return nil }})
	waitFor(t, func() bool { return s.dials.Load() == 1 })
	huge := `{"event":"meeting.started","event_ts":1,"payload":{"object":{"id":"1","topic":"` + strings.Repeat("x", 2<<20) + `"}}}`
	s.mu.Lock()
	// The client may reset the connection before the frame is all sent.
	_ = s.conn.WriteJSON(map[string]string{"module": "message", "content": huge})
	s.mu.Unlock()
	waitFor(t, func() bool { return s.dials.Load() == 2 })
	if handled.Load() != 0 {
		t.Error("a 2 MiB frame was read and handled")
	}
}

// An event the handler could not record drops the connection: the
// reconnect reconciles what the event said, since Zoom never sends it
// again.
func TestStreamReconnectsWhenAnEventCannotBeRecorded(t *testing.T) {
	s := newStreamServer(t)
	var reconciles atomic.Int32
	runStream(t, s, zoom.StreamConfig{Heartbeat: time.Hour,
		OnConnect: func(context.Context) { reconciles.Add(1) },
		Handle:    func(context.Context, zoom.WebhookEvent) error { return errors.New("database unreachable") }})
	waitFor(t, func() bool { return reconciles.Load() == 1 })
	s.send(t, `{"event":"meeting.ended","event_ts":1,"payload":{"object":{"id":"1"}}}`)
	waitFor(t, func() bool { return s.dials.Load() == 2 && reconciles.Load() == 2 })
}

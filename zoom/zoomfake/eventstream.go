package zoomfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// eventStreams are the open connections of the app's WebSocket event
// subscription. Zoom documents one connection per subscription without
// saying what happens with more; the fake delivers each event to every
// open one, and loses it when none is open — Zoom never queues or re-sends
// a stream's events.
type eventStreams struct {
	mu        sync.Mutex
	conns     map[*streamConn]bool
	delivered []string // event names, in order
	lost      []string
}

type streamConn struct {
	mu sync.Mutex // one writer at a time
	c  *websocket.Conn
}

func (c *streamConn) write(v any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.c.WriteJSON(v)
}

var streamUpgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serveStream is GET /ws?subscriptionId=…&access_token=…. An unknown
// subscription or a token the fake did not issue (or that expired) is
// refused before the upgrade with HTTP 401 and Zoom's error body, as its
// API refuses a bad token.
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	at, ok := s.tokens[q.Get("access_token")]
	now := s.cfg.Now()
	s.mu.Unlock()
	switch {
	case q.Get("subscriptionId") != s.cfg.WSSubscriptionID:
		writeError(w, http.StatusUnauthorized, 124, "Invalid subscription id.")
		return
	case !ok:
		writeError(w, http.StatusUnauthorized, 124, "Invalid access token.")
		return
	case !now.Before(at.expires):
		writeError(w, http.StatusUnauthorized, 124, "Access token is expired.")
		return
	}
	c, err := streamUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	sc := &streamConn{c: c}
	s.streams.mu.Lock()
	if s.streams.conns == nil {
		s.streams.conns = map[*streamConn]bool{}
	}
	s.streams.conns[sc] = true
	s.streams.mu.Unlock()
	defer s.dropStream(sc)
	for {
		c.SetReadDeadline(time.Now().Add(s.cfg.WSIdleTimeout))
		var f struct {
			Module string `json:"module"`
		}
		if err := c.ReadJSON(&f); err != nil {
			return
		}
		if f.Module == "heartbeat" {
			if sc.write(map[string]any{"module": "heartbeat", "success": true, "content": "live", "header": map[string]any{}}) != nil {
				return
			}
		}
	}
}

func (s *Server) dropStream(sc *streamConn) {
	s.streams.mu.Lock()
	delete(s.streams.conns, sc)
	s.streams.mu.Unlock()
	sc.c.Close()
}

// streamEvent sends a webhook body to every open stream as Zoom's frame
// {"module":"message","content":"<the body as a string>"}; with none open
// the event is lost.
func (s *Server) streamEvent(event string, body []byte) {
	s.streams.mu.Lock()
	conns := make([]*streamConn, 0, len(s.streams.conns))
	for c := range s.streams.conns {
		conns = append(conns, c)
	}
	if len(conns) == 0 {
		s.streams.lost = append(s.streams.lost, event)
	} else {
		s.streams.delivered = append(s.streams.delivered, event)
	}
	s.streams.mu.Unlock()
	for _, c := range conns {
		if c.write(map[string]string{"module": "message", "content": string(body)}) != nil {
			s.dropStream(c)
		}
	}
}

// DropEventStreams closes every stream connection abruptly, as a network
// drop does; clients must reconnect.
func (s *Server) DropEventStreams() {
	s.streams.mu.Lock()
	conns := s.streams.conns
	s.streams.conns = nil
	s.streams.mu.Unlock()
	for c := range conns {
		c.c.Close()
	}
}

// EventStreams counts the open stream connections.
func (s *Server) EventStreams() int {
	s.streams.mu.Lock()
	defer s.streams.mu.Unlock()
	return len(s.streams.conns)
}

// StreamedEvents lists the events the stream delivered and those it lost
// (emitted while no connection was open), by name, in order.
func (s *Server) StreamedEvents() (delivered, lost []string) {
	s.streams.mu.Lock()
	defer s.streams.mu.Unlock()
	return append([]string(nil), s.streams.delivered...), append([]string(nil), s.streams.lost...)
}

// eventBody is the JSON Zoom sends for an event, by webhook and (as a
// string) by the stream alike.
func eventBody(event string, happened time.Time, payload any, downloadToken string) ([]byte, error) {
	p, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("zoomfake: %s payload: %w", event, err)
	}
	return json.Marshal(struct {
		Event         string          `json:"event"`
		EventTS       int64           `json:"event_ts"`
		Payload       json.RawMessage `json:"payload"`
		DownloadToken string          `json:"download_token,omitempty"`
	}{event, happened.UnixMilli(), p, downloadToken})
}

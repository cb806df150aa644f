package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Socket Mode: the WebSocket side of the fake.

const (
	maxConnections = 10        // Slack allows 10 sockets per app
	maxAutoRetries = 3         // events_api redeliveries after a missed ack
	maxAckBytes    = 20 * 1024 // Slack silently drops larger acks
	writeTimeout   = 5 * time.Second
)

// conn is one Socket Mode WebSocket. gorilla allows one writer at a time,
// hence wmu; pings use WriteControl, which may run alongside.
type conn struct {
	ws        *websocket.Conn
	wmu       sync.Mutex
	done      chan struct{}
	closeOnce sync.Once
}

func (c *conn) write(ctx context.Context, data []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	deadline := time.Now().Add(writeTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = c.ws.SetWriteDeadline(deadline)
	return c.ws.WriteMessage(websocket.TextMessage, data)
}

// close drops the socket without a close frame.
func (c *conn) close() {
	c.closeOnce.Do(func() {
		close(c.done)
		_ = c.ws.Close()
	})
}

// envelope is one Socket Mode request and what became of it.
type envelope struct {
	ID                     string          `json:"envelope_id"`
	Type                   string          `json:"type"`
	Payload                json.RawMessage `json:"payload"`
	AcceptsResponsePayload bool            `json:"accepts_response_payload"`
	RetryAttempt           int             `json:"retry_attempt"`
	RetryReason            string          `json:"retry_reason"`

	user, channel string        // who ran a slash command, and where: its ack is their reply
	sentAt        time.Time     // real clock, for Ack.Latency
	acked         bool          // the latest delivery was acknowledged
	ack           Ack           // that acknowledgement
	ackCh         chan struct{} // closed on ack
	autoRetries   int
	timer         *time.Timer // redelivers on a missed ack
	// conn is the connection of the latest delivery; lostAtClose is set
	// when it closed before the ack (see LostAtClose).
	conn        *conn
	lostAtClose bool
}

func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid, full, closed := s.tickets[ticket], len(s.conns) >= maxConnections, s.closed
	delete(s.tickets, ticket)
	s.mu.Unlock()
	switch {
	case closed:
		http.Error(w, "server closed", http.StatusServiceUnavailable)
		return
	case !valid:
		http.Error(w, "invalid_ticket", http.StatusUnauthorized)
		return
	case full:
		http.Error(w, "too_many_websockets", http.StatusTooManyRequests)
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	c := &conn{ws: ws, done: make(chan struct{})}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.close()
		return
	}
	s.conns[c] = true
	s.connCount++
	num := len(s.conns)
	// Added under s.mu, so Close's Wait cannot have started.
	s.wg.Go(func() { s.readLoop(c) })
	s.wg.Go(func() { s.pingLoop(c) })
	s.mu.Unlock()

	hello, _ := json.Marshal(map[string]any{
		"type":            "hello",
		"num_connections": num,
		"connection_info": map[string]any{"app_id": appID},
		"debug_info":      map[string]any{"host": "applink-fake-1", "build_number": 54, "approximate_connection_time": 18060},
	})
	// The socket counts as ready before the hello is written, so that a
	// client that has seen hello can rely on it; holding the write lock
	// meanwhile keeps any envelope from overtaking the hello.
	c.wmu.Lock()
	s.mu.Lock()
	if s.conns[c] { // it may have died meanwhile
		s.setReady(append(slices.Clone(s.ready), c))
	}
	s.mu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	err = c.ws.WriteMessage(websocket.TextMessage, hello)
	c.wmu.Unlock()
	if err != nil {
		s.removeConn(c)
		return
	}
	s.kickFlush() // envelopes may be waiting for a socket
}

// readLoop takes acks until the socket dies.
func (s *Server) readLoop(c *conn) {
	defer s.removeConn(c)
	c.ws.SetReadLimit(1 << 20)
	c.ws.SetPongHandler(func(string) error {
		s.mu.Lock()
		s.pongs++
		s.mu.Unlock()
		return nil
	})
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		s.handleAck(data)
	}
}

// pingLoop pings like Slack: slack-go drops a socket that goes 30s without.
func (s *Server) pingLoop(c *conn) {
	t := time.NewTicker(s.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			if err := c.ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(writeTimeout)); err != nil {
				s.removeConn(c)
				return
			}
		}
	}
}

func (s *Server) removeConn(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	for _, env := range s.envelopes {
		if env.conn == c && !env.acked {
			env.lostAtClose = true
		}
	}
	if slices.Contains(s.ready, c) {
		s.setReady(slices.DeleteFunc(slices.Clone(s.ready), func(r *conn) bool { return r == c }))
	}
	s.mu.Unlock()
	c.close()
}

// setReady replaces the ready list and wakes WaitConnected. s.mu is held.
func (s *Server) setReady(ready []*conn) {
	s.ready = ready
	close(s.connChanged)
	s.connChanged = make(chan struct{})
}

func (s *Server) handleAck(data []byte) {
	if len(data) >= maxAckBytes {
		return
	}
	var msg struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	if json.Unmarshal(data, &msg) != nil || msg.EnvelopeID == "" {
		return
	}
	if string(msg.Payload) == "null" {
		msg.Payload = nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	env := s.envelopes[msg.EnvelopeID]
	if env == nil || env.acked {
		return // Slack ignores acks it is not waiting for
	}
	env.acked = true
	env.ack = Ack{EnvelopeID: env.ID, Payload: msg.Payload, Latency: time.Since(env.sentAt), At: s.cfg.Now()}
	close(env.ackCh)
	if env.timer != nil {
		env.timer.Stop()
	}
	if env.Type == "slash_commands" && len(msg.Payload) > 0 {
		s.recordReply(env.user, env.channel, msg.Payload, "ack")
	}
}

// recordReply shows a slash command reply (ack payload or response_url
// post): to the user alone, or to the channel for response_type in_channel.
// s.mu is held.
func (s *Server) recordReply(user, channelID string, payload json.RawMessage, via string) {
	var reply struct {
		Text            string          `json:"text"`
		Blocks          json.RawMessage `json:"blocks"`
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		ThreadTS        string          `json:"thread_ts"`
	}
	if json.Unmarshal(payload, &reply) != nil {
		return
	}
	blocks := checkBlocks(reply.Blocks, maxMessageBlocks).blocks
	if reply.Text == "" && blocks == nil {
		return // an empty ack shows nothing
	}
	if ch := s.channels[channelID]; reply.ResponseType == "in_channel" && ch != nil {
		s.appendMessage(ch, s.cfg.BotUserID, reply.Text, blocks, reply.ThreadTS)
		return
	}
	s.ephemerals = append(s.ephemerals, Ephemeral{
		Channel: channelID, User: user, Text: reply.Text, Blocks: blocks, Via: via,
		ReplaceOriginal: reply.ReplaceOriginal,
	})
}

// newEnvelope registers an envelope so that its ack can be matched. s.mu is held.
func (s *Server) newEnvelope(id, typ string, payload any, acceptsResponse bool) (*envelope, error) {
	if id == "" {
		id = newUUID()
	}
	if s.envelopes[id] != nil {
		return nil, errors.New("slackfake: envelope " + id + " already sent")
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	env := &envelope{ID: id, Type: typ, Payload: raw, AcceptsResponsePayload: acceptsResponse, ackCh: make(chan struct{})}
	s.envelopes[id] = env
	return env, nil
}

// sendNew delivers a fresh envelope now, or forgets it if no socket takes it.
func (s *Server) sendNew(ctx context.Context, env *envelope) error {
	if err := ctx.Err(); err != nil {
		s.forget(env)
		return err
	}
	s.mu.Lock()
	env.sentAt = time.Now()
	s.mu.Unlock()
	if err := s.send(ctx, env); err != nil {
		s.forget(env)
		return err
	}
	return nil
}

func (s *Server) forget(env *envelope) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.envelopes, env.ID)
}

// send writes the envelope as it stands to one ready socket, round-robin,
// trying the next if a write fails; then arms the redelivery timer.
func (s *Server) send(ctx context.Context, env *envelope) error {
	return s.sendAvoiding(ctx, env, nil)
}

// sendAvoiding is send, to a socket other than avoid while another is
// ready.
func (s *Server) sendAvoiding(ctx context.Context, env *envelope, avoid *conn) error {
	s.mu.Lock()
	data, err := json.Marshal(env)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	for range maxConnections {
		c := s.nextConn(avoid)
		if c == nil {
			break
		}
		if err := c.write(ctx, data); err != nil {
			s.removeConn(c)
			continue
		}
		s.mu.Lock()
		// It may have closed already, before this delivery was noted.
		_, open := s.conns[c]
		env.conn, env.lostAtClose = c, !open
		s.armRetry(env)
		s.mu.Unlock()
		return nil
	}
	return ErrNotConnected
}

func (s *Server) nextConn(avoid *conn) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ready) == 0 {
		return nil
	}
	s.rr = (s.rr + 1) % len(s.ready)
	if s.ready[s.rr] == avoid && len(s.ready) > 1 {
		s.rr = (s.rr + 1) % len(s.ready)
	}
	return s.ready[s.rr]
}

// armRetry schedules redelivery of an unacknowledged events_api envelope.
// Slack retries only events; a missed slash command or click just fails for
// the user. s.mu is held.
func (s *Server) armRetry(env *envelope) {
	if env.Type != "events_api" || env.acked || env.autoRetries >= maxAutoRetries || s.closed {
		return
	}
	if env.timer != nil {
		env.timer.Stop()
	}
	env.timer = time.AfterFunc(s.cfg.AckTimeout, func() { s.retry(env) })
}

// retry queues a timed-out envelope; the flusher delivers it to whichever
// socket is up, a new one if the old one dropped.
func (s *Server) retry(env *envelope) {
	s.mu.Lock()
	if env.acked || s.closed || env.autoRetries >= maxAutoRetries {
		s.mu.Unlock()
		return
	}
	env.autoRetries++
	env.RetryAttempt++
	env.RetryReason = "timeout"
	s.pending = append(s.pending, env)
	s.mu.Unlock()
	s.kickFlush()
}

// enqueueEvent wraps an event the workspace produced (channel_created, a
// human's message) and queues it for the next socket. s.mu is held.
func (s *Server) enqueueEvent(event map[string]any) {
	env, _, err := s.eventEnvelope(event)
	if err != nil {
		return
	}
	s.pending = append(s.pending, env)
	s.kickFlush()
}

func (s *Server) kickFlush() {
	select {
	case s.kick <- struct{}{}:
	default: // a flush is already due
	}
}

// flushLoop delivers queued envelopes whenever something may have changed.
func (s *Server) flushLoop() {
	for {
		select {
		case <-s.done:
			return
		case <-s.kick:
			s.flush()
		}
	}
}

func (s *Server) flush() {
	for {
		s.mu.Lock()
		if len(s.pending) == 0 || len(s.ready) == 0 || s.closed {
			s.mu.Unlock()
			return
		}
		env := s.pending[0]
		s.pending = s.pending[1:]
		if env.acked {
			s.mu.Unlock()
			continue
		}
		if env.sentAt.IsZero() {
			env.sentAt = time.Now()
		}
		s.mu.Unlock()
		if err := s.send(context.Background(), env); err != nil {
			s.mu.Lock()
			s.pending = append([]*envelope{env}, s.pending...)
			s.mu.Unlock()
			return
		}
	}
}

// Disconnect asks every client to reconnect, as Slack does before a
// refresh: {"type":"disconnect","reason":reason}, then it closes the
// sockets. Reasons Slack uses: "refresh_requested", "warning",
// "link_disabled".
func (s *Server) Disconnect(reason string) {
	msg, _ := json.Marshal(map[string]any{
		"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": "applink-fake-1"},
	})
	for _, c := range s.takeConns() {
		_ = c.write(context.Background(), msg)
		_ = c.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(writeTimeout))
		c.close()
	}
}

// DropConnections cuts every socket abruptly, without a message or close
// frame, like a network failure.
func (s *Server) DropConnections() {
	for _, c := range s.takeConns() {
		c.close()
	}
}

// takeConns detaches every socket, so that WaitConnected afterwards waits
// for the client to come back.
func (s *Server) takeConns() []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	clear(s.conns)
	s.setReady(nil)
	return conns
}

// WaitConnected blocks until a Socket Mode client is connected and greeted:
// anything injected afterwards reaches the client after its hello.
func (s *Server) WaitConnected(ctx context.Context) error {
	for {
		s.mu.Lock()
		n, changed := len(s.ready), s.connChanged
		s.mu.Unlock()
		if n > 0 {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// LostAtClose reports whether the envelope's latest delivery went to a
// connection that closed before acknowledging it. Socket Mode has no way
// to hand such an envelope back: Slack retries events, but a slash command
// or a click delivered in the instant an app's connection closes fails for
// the user, who tries again.
func (s *Server) LostAtClose(envelopeID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	env := s.envelopes[envelopeID]
	return env != nil && env.lostAtClose
}

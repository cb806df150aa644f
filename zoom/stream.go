package zoom

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/rs/zerolog"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// DefaultStreamURL is Zoom's WebSocket event stream (ZOOM_WS_URL).
const DefaultStreamURL = "wss://ws.zoom.us/ws"

// StreamConfig is how to reach Zoom's WebSocket event stream: the way
// Socket Mode is for Slack, events reach warroom over a connection it
// opens, so no public endpoint is needed.
type StreamConfig struct {
	URL            string // ZOOM_WS_URL; default DefaultStreamURL
	SubscriptionID string // ZOOM_WS_SUBSCRIPTION_ID, from the app's Event Subscription page
	// Token returns a fresh app access token for each dial: Zoom takes it
	// in the URL, and it lasts an hour.
	Token func(ctx context.Context) (string, error)
	// Heartbeat is how often {"module":"heartbeat"} is sent; Zoom asks for
	// every 30 s.
	Heartbeat time.Duration
	// Backoff bounds the wait between reconnects (jittered, doubling).
	BackoffMin, BackoffMax time.Duration
	// OnConnect runs after every (re)connect, beside the reading of
	// events (heartbeats go on meanwhile, however long it takes): Zoom
	// never re-sends what happened while no connection was open, so
	// warroom reads the truth from the REST API here. Its context ends
	// with the connection.
	OnConnect func(ctx context.Context)
	// Handle records one event. An error means it was not recorded: the
	// connection is dropped and opened again, which reconciles what the
	// event would have said (Zoom never sends an event twice).
	Handle func(ctx context.Context, ev WebhookEvent) error
	Log    zerolog.Logger
	Dialer *websocket.Dialer
}

func (c *StreamConfig) setDefaults() {
	if c.URL == "" {
		c.URL = DefaultStreamURL
	}
	if c.Heartbeat <= 0 {
		c.Heartbeat = 30 * time.Second
	}
	if c.BackoffMin <= 0 {
		c.BackoffMin = time.Second
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = 2 * time.Minute
	}
	if c.Dialer == nil {
		c.Dialer = &websocket.Dialer{HandshakeTimeout: 15 * time.Second, Proxy: http.ProxyFromEnvironment}
	}
}

// maxFrame bounds one frame read off the stream: an event is a few
// kilobytes, and a peer must not make warroom read gigabytes.
const maxFrame = 1 << 20

// streamFrame is every frame of the stream, both ways.
type streamFrame struct {
	Module  string `json:"module"`
	Content string `json:"content,omitempty"`
	Success *bool  `json:"success,omitempty"`
}

// RunStream holds Zoom's event stream open until ctx ends, reconnecting
// with jittered backoff after a drop or a refusal.
func RunStream(ctx context.Context, cfg StreamConfig) {
	cfg.setDefaults()
	wait := cfg.BackoffMin
	for ctx.Err() == nil {
		connected, err := streamOnce(ctx, cfg)
		if ctx.Err() != nil {
			return
		}
		if connected {
			wait = cfg.BackoffMin // it worked for a while: start again from the bottom
		}
		// Jitter keeps replicas and restarts from dialling in step.
		d := wait/2 + rand.N(wait/2+1)
		cfg.Log.Warn().Err(err).Dur("retry_in", d).Msg("zoom event stream closed; reconnecting")
		select {
		case <-ctx.Done():
			return
		case <-time.After(d):
		}
		wait = min(2*wait, cfg.BackoffMax)
	}
}

// streamOnce dials once and reads events until the connection ends.
// connected reports whether the dial succeeded.
func streamOnce(ctx context.Context, cfg StreamConfig) (connected bool, err error) {
	tok, err := cfg.Token(ctx)
	if err != nil {
		return false, fmt.Errorf("zoom event stream: app token: %w", err)
	}
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return false, fmt.Errorf("zoom event stream: ZOOM_WS_URL: %w", err)
	}
	q := u.Query()
	q.Set("subscriptionId", cfg.SubscriptionID)
	q.Set("access_token", tok)
	u.RawQuery = q.Encode()
	conn, resp, err := cfg.Dialer.DialContext(ctx, u.String(), nil)
	if err != nil {
		if resp != nil {
			err = fmt.Errorf("HTTP %d: %w", resp.StatusCode, err)
		}
		// The URL holds the token: never let it into an error or a log.
		return false, fmt.Errorf("zoom event stream: dial: %s", redactToken(err.Error(), tok))
	}
	defer conn.Close()
	cfg.Log.Info().Msg("zoom event stream connected")
	return true, readStream(ctx, cfg, conn)
}

// readStream sends heartbeats, reconciles in the background and reads
// frames until the connection ends.
func readStream(ctx context.Context, cfg StreamConfig, conn *websocket.Conn) error {
	conn.SetReadLimit(maxFrame)
	// Without a heartbeat answer for two periods the connection is dead,
	// even if TCP has not noticed.
	deadline := func() time.Time { return time.Now().Add(2*cfg.Heartbeat + 10*time.Second) }
	conn.SetReadDeadline(deadline())
	connCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Heartbeats start with the connection, not after the reconcile: one
	// longer than Zoom's idle timeout would otherwise drop every connection.
	go heartbeat(connCtx, ctx, cfg, conn)
	if cfg.OnConnect != nil {
		go cfg.OnConnect(connCtx)
	}
	for {
		var f streamFrame
		if err := conn.ReadJSON(&f); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("zoom event stream: %w", err)
		}
		conn.SetReadDeadline(deadline())
		if f.Module != "message" {
			continue // heartbeat answers
		}
		// The content is the webhook body, as a JSON string in the frame.
		var ev WebhookEvent
		if err := json.Unmarshal([]byte(f.Content), &ev); err != nil || ev.Event == "" {
			cfg.Log.Warn().Msg("zoom event stream: a message that is not an event was skipped")
			continue
		}
		if err := cfg.Handle(connCtx, ev); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("zoom event stream: a %s event could not be recorded; reconnecting to reconcile: %w", ev.Event, err)
		}
	}
}

// heartbeat sends {"module":"heartbeat"} at once and every cfg.Heartbeat until the
// connection ends (conn closed on the way out), and closes it politely
// when the stream is stopped (outer ends).
func heartbeat(connCtx, outer context.Context, cfg StreamConfig, conn *websocket.Conn) {
	t := time.NewTicker(cfg.Heartbeat)
	defer t.Stop()
	if err := conn.WriteJSON(streamFrame{Module: "heartbeat"}); err != nil {
		conn.Close()
		return
	}
	for {
		select {
		case <-connCtx.Done():
			if outer.Err() != nil {
				conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
			}
			conn.Close()
			return
		case <-t.C:
			if err := conn.WriteJSON(streamFrame{Module: "heartbeat"}); err != nil {
				conn.Close()
				return
			}
		}
	}
}

// AppToken returns a function that fetches a new app access token on each
// call, for the event stream's dial: account_credentials for a
// Server-to-Server app (accountID set), client_credentials otherwise.
func AppToken(oauthURL, accountID, clientID, clientSecret string, hc *http.Client) func(context.Context) (string, error) {
	var cfg *clientcredentials.Config
	if accountID != "" {
		cfg = ServerToServerConfig(oauthURL, accountID, clientID, clientSecret)
	} else {
		cfg = ServerToServerConfig(oauthURL, "", clientID, clientSecret)
		cfg.EndpointParams = nil // client_credentials, the default grant
	}
	return func(ctx context.Context) (string, error) {
		if hc != nil {
			ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
		}
		t, err := cfg.Token(ctx)
		if err != nil {
			return "", err
		}
		return t.AccessToken, nil
	}
}

// redactToken removes tok (raw or URL-escaped) from s.
func redactToken(s, tok string) string {
	if tok == "" {
		return s
	}
	s = strings.ReplaceAll(s, tok, "REDACTED")
	return strings.ReplaceAll(s, url.QueryEscape(tok), "REDACTED")
}

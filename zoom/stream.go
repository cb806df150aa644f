package zoom

import (
	"context"
	"encoding/json"
	"errors"
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
	// OnConnect runs after every (re)connect, before events are read:
	// Zoom never re-sends what happened while no connection was open, so
	// warroom reads the truth from the REST API here.
	OnConnect func(ctx context.Context)
	// Handle applies one event. Its error is logged; the stream goes on.
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
	if cfg.OnConnect != nil {
		cfg.OnConnect(ctx)
	}
	return true, readStream(ctx, cfg, conn)
}

// readStream reads frames and sends heartbeats until the connection ends.
func readStream(ctx context.Context, cfg StreamConfig, conn *websocket.Conn) error {
	// Without a heartbeat answer for two periods the connection is dead,
	// even if TCP has not noticed.
	deadline := func() time.Time { return time.Now().Add(2*cfg.Heartbeat + 10*time.Second) }
	conn.SetReadDeadline(deadline())
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		t := time.NewTicker(cfg.Heartbeat)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
				conn.Close()
				return
			case <-stop:
				return
			case <-t.C:
				if err := conn.WriteJSON(streamFrame{Module: "heartbeat"}); err != nil {
					conn.Close()
					return
				}
			}
		}
	}()
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
		if err := cfg.Handle(ctx, ev); err != nil && !errors.Is(err, context.Canceled) {
			cfg.Log.Error().Err(err).Str("event", ev.Event).Msg("zoom event from the stream could not be handled")
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

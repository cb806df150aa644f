package zoomfake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	// webhookTimeout bounds a delivery; Zoom gives up after a few seconds.
	webhookTimeout = 10 * time.Second
	// validationTimeout is how long Zoom waits for the answer to
	// endpoint.url_validation.
	validationTimeout = 3 * time.Second
	// webhookUserAgent is what Zoom's webhook requests say they are.
	webhookUserAgent = "Zoom Marketplace/1.0a"
)

// SendWebhook posts the event to Config.WebhookURL as Zoom does: body
// {"event","event_ts" (milliseconds),"payload"}, signed with
// Config.WebhookSecret in x-zm-signature over x-zm-request-timestamp (both
// from the fake's clock). It returns the receiver's HTTP status; an error
// means no answer came (or there is no WebhookURL).
func (s *Server) SendWebhook(ctx context.Context, event string, payload any) (int, error) {
	status, _, err := s.postWebhook(ctx, event, payload, "", time.Time{}, true)
	return status, err
}

// RetryWebhook sends an event that happened at happened, now: what Zoom
// does when it retries a delivery it thinks failed. The body keeps the
// event's own event_ts; the request is timestamped and signed anew.
func (s *Server) RetryWebhook(ctx context.Context, event string, payload any, happened time.Time) (int, error) {
	status, _, err := s.postWebhook(ctx, event, payload, "", happened, false)
	return status, err
}

// errNoWebhookURL: the app has no webhook endpoint (it may still have the
// event stream).
var errNoWebhookURL = errors.New("zoomfake: no Config.WebhookURL to send webhooks to")

// postWebhook sends one event and returns the answer's status and (up to
// 64 KiB of) body. downloadToken, if any, goes at the top level, where
// Zoom puts it on recording events. With stream, the event also goes to
// the WebSocket event stream (Zoom's retries and URL validations do not).
func (s *Server) postWebhook(ctx context.Context, event string, payload any, downloadToken string, happened time.Time, stream bool) (int, []byte, error) {
	now := s.cfg.Now()
	if happened.IsZero() {
		happened = now
	}
	body, err := eventBody(event, happened, payload, downloadToken)
	if err != nil {
		return 0, nil, err
	}
	if stream {
		s.streamEvent(event, body)
	}
	if s.cfg.WebhookURL == "" {
		return 0, nil, errNoWebhookURL
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, "POST", s.cfg.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("zoomfake: webhook %s: %w", event, err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", webhookUserAgent)
	req.Header.Set("x-zm-request-timestamp", ts)
	req.Header.Set("x-zm-signature", "v0="+hex.EncodeToString(hmacSHA256(s.cfg.WebhookSecret, "v0:"+ts+":"+string(body))))
	req.Header.Set("x-zm-trackingid", "v=2.0;clid=fake;rid=WEBHOOK_"+randomHex(16))
	resp, err := s.webhooks.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("zoomfake: webhook %s: %w", event, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("zoomfake: webhook %s: reading the answer: %w", event, err)
	}
	return resp.StatusCode, answer, nil
}

func hmacSHA256(key, msg string) []byte {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// ValidateWebhookURL does what Zoom does when the app's event endpoint is
// saved (and every 72 hours): it sends endpoint.url_validation with a random
// plainToken and expects, within 3 seconds, HTTP 200 with that plainToken
// and its encryptedToken, hex(HMAC-SHA256(secret, plainToken)).
func (s *Server) ValidateWebhookURL(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, validationTimeout)
	defer cancel()
	plain := randomToken(16)
	status, body, err := s.postWebhook(ctx, "endpoint.url_validation", struct {
		PlainToken string `json:"plainToken"`
	}{plain}, "", time.Time{}, false)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("zoomfake: URL validation failed: the endpoint answered HTTP %d, want 200", status)
	}
	var answer struct {
		PlainToken     string `json:"plainToken"`
		EncryptedToken string `json:"encryptedToken"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return fmt.Errorf("zoomfake: URL validation failed: the answer is not JSON: %w", err)
	}
	if answer.PlainToken != plain {
		return errors.New("zoomfake: URL validation failed: the answer's plainToken is not the one sent")
	}
	got, err := hex.DecodeString(answer.EncryptedToken)
	if err != nil || !hmac.Equal(got, hmacSHA256(s.cfg.WebhookSecret, plain)) {
		return errors.New("zoomfake: URL validation failed: encryptedToken is not the HMAC-SHA256 of plainToken under the secret token")
	}
	return nil
}

// deauthorization is the payload of app_deauthorized.
type deauthorization struct {
	AccountID           string `json:"account_id"`
	ClientID            string `json:"client_id"`
	UserID              string `json:"user_id"`
	Signature           string `json:"signature"`
	DeauthorizationTime string `json:"deauthorization_time"`
	UserDataRetention   string `json:"user_data_retention"`
}

// sendDeauthorized tells the app that u removed it.
func (s *Server) sendDeauthorized(ctx context.Context, u User) error {
	now := s.cfg.Now().UTC()
	p := deauthorization{
		AccountID:           s.cfg.AccountID,
		ClientID:            s.cfg.ClientID,
		UserID:              u.ID,
		DeauthorizationTime: now.Format(time.RFC3339),
		UserDataRetention:   "false",
	}
	// Zoom's legacy signature field; apps verify the request headers.
	p.Signature = hex.EncodeToString(hmacSHA256(s.cfg.WebhookSecret, p.AccountID+":"+p.UserID+":"+p.DeauthorizationTime))
	status, err := s.SendWebhook(ctx, "app_deauthorized", p)
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		return fmt.Errorf("zoomfake: app_deauthorized: the endpoint answered HTTP %d", status)
	}
	return nil
}

// Deauthorize is the user with email removing the app in Zoom's App
// Marketplace: every token and code of their grant stops working, and an
// app_deauthorized webhook goes to Config.WebhookURL. It returns once the
// receiver has answered; an error means the user never authorized the app,
// there is no WebhookURL, or the receiver did not answer 2xx (the grant is
// revoked all the same).
func (s *Server) Deauthorize(email string) error {
	if s.cfg.WebhookURL == "" {
		return errors.New("zoomfake: Deauthorize needs Config.WebhookURL")
	}
	var u User
	found := false
	for _, h := range s.hosts {
		if strings.EqualFold(h.Email, email) {
			u, found = h, true
		}
	}
	if !found {
		return fmt.Errorf("zoomfake: Deauthorize: no user %s", email)
	}
	s.mu.Lock()
	installed := s.installed[u.ID]
	s.uninstallLocked(s.cfg.ClientID, u.ID)
	s.mu.Unlock()
	if !installed {
		return fmt.Errorf("zoomfake: Deauthorize: %s has not authorized the app", email)
	}
	ctx, cancel := context.WithTimeout(s.bgCtx, webhookTimeout)
	defer cancel()
	return s.sendDeauthorized(ctx, u)
}

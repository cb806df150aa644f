package web_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/internal/testworld"
	"github.com/warroom-dev/warroom/web"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// postWebhook posts body to /zoom/webhook signed with secret at ts, as
// Zoom signs, and returns the status and answer.
func postWebhook(t *testing.T, w *testworld.World, secret string, ts time.Time, body string) (int, string) {
	t.Helper()
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	io.WriteString(mac, "v0:"+stamp+":"+body)
	req, err := http.NewRequest("POST", w.URL+"/zoom/webhook", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-zm-request-timestamp", stamp)
	req.Header.Set("x-zm-signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(answer)
}

const meetingEnded = `{"event":"meeting.ended","event_ts":1700000000000,"payload":{"account_id":"acc","object":{"id":"81234567890","uuid":"u1==","host_id":"h1"}}}`

// A webhook not signed with the secret is refused with 401 and leaves no
// trace: the same event, properly signed, is then taken as new. A stale
// one is refused too; a redelivery of a taken one is acknowledged once
// more without being taken again.
func TestWebhookSignatures(t *testing.T) {
	w := testworld.Start(t, testworld.Config{NoJobs: true})
	now := time.Now()
	if status, _ := postWebhook(t, w, "not-the-secret", now, meetingEnded); status != http.StatusUnauthorized {
		t.Errorf("a webhook signed with another secret: HTTP %d, want 401", status)
	}
	if status, _ := postWebhook(t, w, testworld.WebhookSecret, now.Add(-time.Hour), meetingEnded); status != http.StatusUnauthorized {
		t.Errorf("an hour-old webhook: HTTP %d, want 401", status)
	}
	if !strings.Contains(w.Log.String(), "zoom webhook refused") {
		t.Error("the refusals were not logged")
	}
	status, answer := postWebhook(t, w, testworld.WebhookSecret, now, meetingEnded)
	if status != http.StatusOK || answer != "" {
		t.Errorf("a signed webhook after refused ones: HTTP %d %q, want 200 and taken as new", status, answer)
	}
	status, answer = postWebhook(t, w, testworld.WebhookSecret, now, meetingEnded)
	if status != http.StatusOK || answer != "already received\n" {
		t.Errorf("the same webhook again: HTTP %d %q, want 200 %q", status, answer, "already received\n")
	}
}

// The fake Zoom's own webhooks, signed with the app's secret, are taken;
// its URL validation challenge is answered as Zoom checks it.
func TestWebhookFromZoom(t *testing.T) {
	w := testworld.Start(t, testworld.Config{NoJobs: true})
	ctx, cancel := context.WithTimeout(context.Background(), testworld.WaitTimeout)
	defer cancel()
	if err := w.Zoom.ValidateWebhookURL(ctx); err != nil {
		t.Errorf("Zoom's URL validation: %v", err)
	}
	status, err := w.Zoom.SendWebhook(ctx, "meeting.started", map[string]any{
		"account_id": "acc", "object": map[string]any{"id": "81234567890", "uuid": "u1==", "host_id": "h1"}})
	if err != nil || status != http.StatusOK {
		t.Errorf("a webhook from Zoom: HTTP %d %v, want 200", status, err)
	}
}

// A Zoom app whose secret is not warroom's fails URL validation: Zoom
// would not save the endpoint.
func TestWebhookValidationNeedsTheSecret(t *testing.T) {
	w := testworld.Start(t, testworld.Config{NoJobs: true, Zoom: func(c *zoomfake.Config) { c.WebhookSecret = "another-secret" }})
	ctx, cancel := context.WithTimeout(context.Background(), testworld.WaitTimeout)
	defer cancel()
	if err := w.Zoom.ValidateWebhookURL(ctx); err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("URL validation with the wrong secret: %v, want refused with HTTP 401", err)
	}
}

// Without ZOOM_WEBHOOK_SECRET the endpoint is off.
func TestWebhookOffWithoutSecret(t *testing.T) {
	w := testworld.Start(t, testworld.Config{NoJobs: true, Tune: func(t *testworld.Tuning) { t.Web.WebhookSecret = "" }})
	if status, _ := postWebhook(t, w, testworld.WebhookSecret, time.Now(), meetingEnded); status != http.StatusNotFound {
		t.Errorf("webhooks without a secret: HTTP %d, want 404", status)
	}
}

// WebhookDigest names a webhook by what Zoom signed; the signature's
// spelling cannot make a replay look new.
func TestWebhookDigestIgnoresTheSignature(t *testing.T) {
	a, b := http.Header{}, http.Header{}
	for _, h := range []http.Header{a, b} {
		h.Set("x-zm-request-timestamp", "1700000000")
	}
	a.Set("x-zm-signature", "v0=abcdef")
	b.Set("x-zm-signature", "v0=ABCDEF")
	if web.WebhookDigest(a, []byte(meetingEnded)) != web.WebhookDigest(b, []byte(meetingEnded)) {
		t.Error("the signature's case changed the digest")
	}
	b.Set("x-zm-request-timestamp", "1700000001")
	if web.WebhookDigest(a, []byte(meetingEnded)) == web.WebhookDigest(b, []byte(meetingEnded)) {
		t.Error("another timestamp gave the same digest")
	}
}

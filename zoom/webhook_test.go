package zoom_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/zoom"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// Known vectors, computed outside Go (Python's hmac module), so the
// implementation is not checked against itself.
const (
	vectorSecret = "webhook-secret"
	vectorTS     = 1654503849
	vectorBody   = `{"event":"endpoint.url_validation","payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680}`
	vectorSig    = "v0=bdb489c309655d8fd3c4e8c405deb8aadde3fa2dff17dad4db1c649cecd472e7"
)

func TestURLValidationToken(t *testing.T) {
	cases := []struct{ secret, plain, want string }{
		// RFC 4231, test case 2 (HMAC-SHA-256).
		{"Jefe", "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
		{"Qgg8vlvZRS6UYooatFL8Aw-secret", "qgg8vlvZRS6UYooatFL8Aw", "d5c7527ffa3fee2d415d2e07c333502cb06d7539c4daa5c6ddcb08e5d496d3f3"},
	}
	for _, tc := range cases {
		if got := zoom.URLValidationToken(tc.secret, tc.plain); got != tc.want {
			t.Errorf("URLValidationToken(%q, %q) = %s, want %s", tc.secret, tc.plain, got, tc.want)
		}
	}
}

func TestSignWebhook(t *testing.T) {
	if got := zoom.SignWebhook(vectorSecret, time.Unix(vectorTS, 0), []byte(vectorBody)); got != vectorSig {
		t.Errorf("SignWebhook = %s, want %s", got, vectorSig)
	}
}

func TestVerifyWebhook(t *testing.T) {
	now := time.Unix(vectorTS, 0).Add(30 * time.Second)
	headers := func(ts, sig string) http.Header {
		h := http.Header{}
		if ts != "" {
			h.Set("X-Zm-Request-Timestamp", ts)
		}
		if sig != "" {
			h.Set("X-Zm-Signature", sig)
		}
		return h
	}
	ts := strconv.Itoa(vectorTS)
	stale := strconv.Itoa(vectorTS - 600)
	future := strconv.Itoa(vectorTS + 600)
	cases := []struct {
		name    string
		secret  string
		h       http.Header
		body    string
		wantErr string // "" for success
	}{
		{"good", vectorSecret, headers(ts, vectorSig), vectorBody, ""},
		{"upper-case hex", vectorSecret, headers(ts, "v0="+strings.ToUpper(vectorSig[3:])), vectorBody, ""},
		{"wrong secret", "another-secret", headers(ts, vectorSig), vectorBody, "signature does not match"},
		{"body changed", vectorSecret, headers(ts, vectorSig), strings.Replace(vectorBody, "qgg8", "xgg8", 1), "signature does not match"},
		{"timestamp changed", vectorSecret, headers(strconv.Itoa(vectorTS+1), vectorSig), vectorBody, "signature does not match"},
		{"stale", vectorSecret, headers(stale, zoom.SignWebhook(vectorSecret, time.Unix(vectorTS-600, 0), []byte(vectorBody))), vectorBody, "old, more than"},
		{"future", vectorSecret, headers(future, zoom.SignWebhook(vectorSecret, time.Unix(vectorTS+600, 0), []byte(vectorBody))), vectorBody, "in the future"},
		{"no signature", vectorSecret, headers(ts, ""), vectorBody, "x-zm-signature header is missing"},
		{"no timestamp", vectorSecret, headers("", vectorSig), vectorBody, "x-zm-request-timestamp header is missing"},
		{"timestamp in milliseconds", vectorSecret, headers(ts+"680", vectorSig), vectorBody, "signature does not match"},
		{"timestamp not a number", vectorSecret, headers("yesterday", vectorSig), vectorBody, "not a Unix time"},
		{"no v0= prefix", vectorSecret, headers(ts, vectorSig[3:]), vectorBody, "not \"v0=\" followed by"},
		{"not hex", vectorSecret, headers(ts, "v0=zz"+vectorSig[5:]), vectorBody, "not \"v0=\" followed by"},
		{"truncated", vectorSecret, headers(ts, vectorSig[:40]), vectorBody, "not \"v0=\" followed by"},
		{"no secret configured", "", headers(ts, vectorSig), vectorBody, "no secret token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := zoom.VerifyWebhook(tc.secret, tc.h, []byte(tc.body), now, 5*time.Minute)
			if tc.wantErr == "" {
				if err != nil || !got.Equal(time.Unix(vectorTS, 0)) {
					t.Errorf("= %v, %v, want the request time and no error", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one saying %q", err, tc.wantErr)
			}
			if tc.secret != "" && strings.Contains(err.Error(), tc.secret) {
				t.Errorf("error %q shows the secret", err)
			}
		})
	}

	// The window is inclusive and applies both ways; maxSkew ≤ 0 means 5
	// minutes.
	h := headers(ts, vectorSig)
	for _, d := range []time.Duration{-5 * time.Minute, 5 * time.Minute} {
		if _, err := zoom.VerifyWebhook(vectorSecret, h, []byte(vectorBody), time.Unix(vectorTS, 0).Add(d), 0); err != nil {
			t.Errorf("at %v from the request: %v", d, err)
		}
	}
	if _, err := zoom.VerifyWebhook(vectorSecret, h, []byte(vectorBody), time.Unix(vectorTS, 0).Add(5*time.Minute+time.Second), 0); err == nil {
		t.Error("5m1s old passed the default window")
	}
	// A replay inside the window verifies again: telling it apart is the
	// caller's job (remember what was seen), not this function's.
	for range 2 {
		if _, err := zoom.VerifyWebhook(vectorSecret, h, []byte(vectorBody), now, time.Minute); err != nil {
			t.Errorf("replay: %v", err)
		}
	}
}

func TestFakeWebhooks(t *testing.T) {
	const secret = "s3cret-token"
	ctx := context.Background()
	var lastErr error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if _, err := zoom.VerifyWebhook(secret, r.Header, body, time.Now(), time.Minute); err != nil {
			lastErr = err
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var ev struct {
			Event   string
			Payload struct{ PlainToken string }
		}
		_ = json.Unmarshal(body, &ev)
		if ev.Event == "endpoint.url_validation" {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{
				"plainToken":     ev.Payload.PlainToken,
				"encryptedToken": zoom.URLValidationToken(secret, ev.Payload.PlainToken),
			})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	fake, err := zoomfake.Start(zoomfake.Config{WebhookURL: srv.URL, WebhookSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	if err := fake.ValidateWebhookURL(ctx); err != nil {
		t.Errorf("ValidateWebhookURL: %v", err)
	}
	status, err := fake.SendWebhook(ctx, "recording.completed", map[string]any{"object": map[string]any{"id": 81234567890}})
	if err != nil || status != http.StatusNoContent {
		t.Errorf("SendWebhook = %d, %v, want 204 (%v)", status, err, lastErr)
	}

	// Signed with another secret, the receiver refuses, and so validation
	// fails.
	other, err := zoomfake.Start(zoomfake.Config{WebhookURL: srv.URL, WebhookSecret: "not-the-one"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.ValidateWebhookURL(ctx); err == nil {
		t.Error("URL validation passed with the wrong secret token")
	}
	if status, _ := other.SendWebhook(ctx, "recording.completed", struct{}{}); status != http.StatusUnauthorized {
		t.Errorf("wrongly signed webhook: HTTP %d, want the receiver's 401", status)
	}
}

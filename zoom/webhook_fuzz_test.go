package zoom_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/zoom"
)

// FuzzVerifyWebhook: whatever arrives, VerifyWebhook never panics, never
// accepts a body whose signature was not made with the secret, and always
// accepts one that was (within the time window).
func FuzzVerifyWebhook(f *testing.F) {
	now := time.Unix(1795420000, 0)
	f.Add([]byte(`{"event":"app_deauthorized","payload":{"user_id":"u1"}}`), "v0=00", strconv.FormatInt(now.Unix(), 10))
	f.Add([]byte(``), "", "")
	f.Add([]byte(`{}`), "v0=", "-1")
	f.Add([]byte("\x00\xff"), "v1=abc", "99999999999999999999")
	f.Fuzz(func(t *testing.T, body []byte, sig, ts string) {
		const secret = "fuzz-secret"
		h := http.Header{}
		h.Set("x-zm-signature", sig)
		h.Set("x-zm-request-timestamp", ts)
		if _, err := zoom.VerifyWebhook(secret, h, body, now, 5*time.Minute); err == nil {
			sec, perr := strconv.ParseInt(ts, 10, 64)
			if perr != nil || zoom.SignWebhook(secret, time.Unix(sec, 0), body) != sig {
				t.Fatalf("accepted a forged signature %q for timestamp %q", sig, ts)
			}
		}
		good := http.Header{}
		good.Set("x-zm-request-timestamp", strconv.FormatInt(now.Unix(), 10))
		good.Set("x-zm-signature", zoom.SignWebhook(secret, now, body))
		if _, err := zoom.VerifyWebhook(secret, good, body, now, 5*time.Minute); err != nil {
			t.Fatalf("refused a genuine webhook: %v", err)
		}
	})
}

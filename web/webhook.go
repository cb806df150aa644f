package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/zoom"
)

// webhookSkew is how far a webhook's timestamp may be from now; older
// ones are refused as replays, and digests seen within it are refused too.
const webhookSkew = 5 * time.Minute

// maxWebhookBody bounds what /zoom/webhook reads.
const maxWebhookBody = 256 << 10

// WebhookDigest identifies a webhook by what Zoom signed: its timestamp
// and body. A replayer cannot change either without the secret, and can
// vary nothing else (the signature's hex case, say) to pass as new.
func WebhookDigest(h http.Header, body []byte) string {
	sum := sha256.New()
	io.WriteString(sum, h.Get("x-zm-request-timestamp"))
	sum.Write([]byte{0})
	sum.Write(body)
	return hex.EncodeToString(sum.Sum(nil))
}

// webhookTimeout bounds a webhook's database work: past it Zoom gets a
// 500 and sends the event again later.
const webhookTimeout = 5 * time.Second

// serveWebhook receives Zoom's signed events. A 200 means the event is
// recorded (it will be applied even if warroom stops now); anything else
// makes Zoom send it again.
func (s *Server) serveWebhook(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), webhookTimeout)
	defer cancel()
	if s.cfg.WebhookSecret == "" {
		http.Error(w, "webhooks are off: ZOOM_WEBHOOK_SECRET is not set", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1))
	if err != nil || len(body) > maxWebhookBody {
		http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	if _, err := zoom.VerifyWebhook(s.cfg.WebhookSecret, r.Header, body, s.d.Now(), webhookSkew); err != nil {
		s.d.Log.Warn().Err(err).Msg("zoom webhook refused")
		http.Error(w, "signature check failed", http.StatusUnauthorized)
		return
	}
	var ev zoom.WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "not a Zoom event", http.StatusBadRequest)
		return
	}
	if ev.Event == "endpoint.url_validation" {
		// Zoom revalidates the same way every 72 hours: answer every time.
		s.validateURL(w, ev)
		return
	}
	digest := WebhookDigest(r.Header, body)
	replay, err := s.d.Store.SeenWebhook(ctx, digest, 2*webhookSkew)
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	// A replay is recorded all the same: the event's own key makes the
	// second record nothing, and a redelivery after a failed recording,
	// whose digest could not be forgotten, must not be dropped for one.
	if err := s.d.Workflow.ReceiveZoomEvent(ctx, ev); err != nil {
		if warroom.ErrorCode(err) == warroom.EINVALID {
			http.Error(w, warroom.ErrorMessage(err), http.StatusBadRequest)
			return
		}
		s.d.Log.Error().Err(err).Str("event", ev.Event).Msg("zoom webhook could not be recorded; Zoom will send it again")
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), webhookTimeout)
		defer cancel()
		s.d.Store.ForgetWebhook(fctx, digest)
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	if replay {
		// Zoom redelivers an event it thinks was lost, and anything but
		// 200 makes it try again: acknowledge.
		s.d.Log.Info().Str("event", ev.Event).Msg("zoom webhook received again; nothing to do")
		io.WriteString(w, "already received\n")
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) validateURL(w http.ResponseWriter, ev zoom.WebhookEvent) {
	var p struct {
		PlainToken string `json:"plainToken"`
	}
	if err := json.Unmarshal(ev.Payload, &p); err != nil || p.PlainToken == "" {
		http.Error(w, "no plainToken", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"plainToken": p.PlainToken, "encryptedToken": zoom.URLValidationToken(s.cfg.WebhookSecret, p.PlainToken)})
}

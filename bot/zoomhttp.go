package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom"
)

// webhookSkew is how far a webhook's timestamp may be from now; older
// ones are refused as replays, and signatures seen within it are refused too.
const webhookSkew = 5 * time.Minute

// maxWebhookBody bounds what /zoom/webhook reads.
const maxWebhookBody = 256 << 10

// RegisterHTTP adds the Zoom endpoints to mux: the OAuth connect flow and
// the webhook receiver.
func (b *Bot) RegisterHTTP(mux *http.ServeMux) {
	mux.HandleFunc("GET /zoom/connect", b.serveConnect)
	mux.HandleFunc("GET /zoom/oauth/callback", b.serveCallback)
	mux.HandleFunc("POST /zoom/webhook", b.serveWebhook)
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · warroom</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1d1c1d}
h1{font-size:1.4rem}.ok{color:#007a5a}.bad{color:#b71c1c}</style></head>
<body><h1 class="{{.Class}}" id="result">{{.Title}}</h1><p id="message">{{.Message}}</p></body></html>
`))

type page struct{ Title, Message, Class string }

func writePage(w http.ResponseWriter, status int, p page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	pageTemplate.Execute(w, p)
}

func refusedPage(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	if warroom.ErrorCode(err) == warroom.EINTERNAL {
		status = http.StatusInternalServerError
	}
	writePage(w, status, page{Title: "Zoom was not connected", Message: warroom.ErrorMessage(err), Class: "bad"})
}

// serveConnect checks the one-time state from /incident zoom connect and
// sends the browser to Zoom's consent page with a fresh PKCE challenge.
func (b *Bot) serveConnect(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	if state == "" || !b.pool.CanConnect() {
		refusedPage(w, warroom.Errorf(warroom.EINVALID, "Open this page from the Connect Zoom button that /incident zoom connect shows in Slack."))
		return
	}
	verifier := oauth2.GenerateVerifier()
	if _, err := b.store.StartOAuthState(r.Context(), hashState(state), verifier); err != nil {
		b.log.Warn().Str("why", warroom.ErrorCode(err)).Msg("zoom connect refused")
		refusedPage(w, err)
		return
	}
	http.Redirect(w, r, b.pool.OAuthConfig().AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// serveCallback finishes the connection Zoom sends the admin back with.
// The state is used up whatever happens next, so a link works once.
func (b *Bot) serveCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	admin, verifier, err := b.store.ConsumeOAuthState(ctx, hashState(q.Get("state")))
	if err != nil {
		b.log.Warn().Str("why", warroom.ErrorCode(err)).Msg("zoom callback refused")
		refusedPage(w, err)
		return
	}
	if e := q.Get("error"); e != "" {
		b.log.Info().Str("user", admin).Str("error", e).Msg("zoom consent not given")
		msg := "Zoom was not connected because access was declined. Run /incident zoom connect again to retry."
		if e != "access_denied" {
			msg = "Zoom answered with an error (" + e + "). Nothing was stored. Run /incident zoom connect to try again."
		}
		writePage(w, http.StatusOK, page{Title: "Zoom was not connected", Message: msg, Class: "bad"})
		return
	}
	code := q.Get("code")
	if code == "" {
		refusedPage(w, warroom.Errorf(warroom.EINVALID, "Zoom sent no authorization code. Run /incident zoom connect to try again."))
		return
	}
	host, err := b.pool.Connect(ctx, code, verifier, admin)
	if err != nil {
		b.log.Error().Err(err).Str("user", admin).Msg("zoom connect failed")
		refusedPage(w, warroom.Errorf(warroom.EINVALID, "Zoom did not complete the connection: %s. Nothing was stored. Run /incident zoom connect to try again.", err))
		return
	}
	b.log.Info().Str("user", admin).Str("host", host.Email).Msg("zoom account connected")
	b.retryWaitingCalls(ctx)
	licence := map[int]string{1: "Basic", 2: "Licensed"}[host.UserType]
	b.tellAdmins(ctx, fmt.Sprintf("✅ Zoom is connected as %s (%s). New incident calls can be hosted there; see `/incident zoom status`.",
		blocks.Escape(host.Email), nonEmptyString(licence, "licence unknown")), admin)
	writePage(w, http.StatusOK, page{Title: "Connected as " + host.Email, Message: "warroom will host incident calls on this Zoom account. You can close this tab.", Class: "ok"})
}

// retryWaitingCalls gives every open incident still without a call another
// try at once, instead of at the end of its backoff: a new host is there.
func (b *Bot) retryWaitingCalls(ctx context.Context) {
	recs, err := b.store.OpenIncidents(ctx)
	if err != nil {
		return
	}
	var ids []int64
	for _, r := range recs {
		if r.Meeting == nil {
			ids = append(ids, r.ID)
		}
	}
	b.refreshIncidents(ctx, ids)
}

func nonEmptyString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// serveWebhook receives Zoom's signed events: URL validation and
// deauthorization.
func (b *Bot) serveWebhook(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if b.cfg.WebhookSecret == "" {
		http.Error(w, "webhooks are off: ZOOM_WEBHOOK_SECRET is not set", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1))
	if err != nil || len(body) > maxWebhookBody {
		http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	if _, err := zoom.VerifyWebhook(b.cfg.WebhookSecret, r.Header, body, b.now(), webhookSkew); err != nil {
		b.log.Warn().Err(err).Msg("zoom webhook refused")
		http.Error(w, "signature check failed", http.StatusUnauthorized)
		return
	}
	replay, err := b.store.SeenWebhook(ctx, r.Header.Get("x-zm-signature"), 2*webhookSkew)
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if replay {
		// Acted on already. Zoom redelivers an event it thinks was lost,
		// and anything but 200 makes it try again: acknowledge, do nothing.
		b.log.Info().Msg("zoom webhook received again; nothing to do")
		io.WriteString(w, "already received\n")
		return
	}
	var ev zoom.WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "not a Zoom event", http.StatusBadRequest)
		return
	}
	switch ev.Event {
	case "endpoint.url_validation":
		var p struct {
			PlainToken string `json:"plainToken"`
		}
		if err := json.Unmarshal(ev.Payload, &p); err != nil || p.PlainToken == "" {
			http.Error(w, "no plainToken", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"plainToken": p.PlainToken, "encryptedToken": zoom.URLValidationToken(b.cfg.WebhookSecret, p.PlainToken)})
	case "app_deauthorized":
		var p zoom.DeauthorizationPayload
		if err := json.Unmarshal(ev.Payload, &p); err != nil || p.UserID == "" {
			http.Error(w, "no user_id", http.StatusBadRequest)
			return
		}
		b.deauthorized(r, p)
		w.WriteHeader(http.StatusOK)
	case "meeting.started", "meeting.ended":
		b.meetingChanged(r, ev)
		w.WriteHeader(http.StatusOK)
	case "recording.completed":
		b.recordingCompleted(r, body)
		w.WriteHeader(http.StatusOK)
	default:
		w.WriteHeader(http.StatusOK) // events warroom does not use yet
	}
}

// meetingChanged keeps the call's state in the pinned message true when
// Zoom says a meeting started or ended.
func (b *Bot) meetingChanged(r *http.Request, ev zoom.WebhookEvent) {
	var p struct {
		Object struct {
			ID json.Number `json:"id"`
		} `json:"object"`
	}
	if err := json.Unmarshal(ev.Payload, &p); err != nil {
		return
	}
	meetingID, err := p.Object.ID.Int64()
	if err != nil {
		return
	}
	status := warroom.MeetingStarted
	if ev.Event == "meeting.ended" {
		status = warroom.MeetingEnded
	}
	ctx := r.Context()
	if watch, err := b.store.RecordingWatchByMeeting(ctx, meetingID); err == nil && status == warroom.MeetingEnded {
		// A follow-up ended: look for its recording now rather than at the
		// scheduled end.
		b.store.RunRefJobsNow(ctx, store.JobRecording, watch.ID)
		b.kick()
	}
	id, err := b.store.SetMeetingStatus(ctx, meetingID, status)
	if err != nil {
		return // not an incident's bridge
	}
	if status == warroom.MeetingEnded {
		// The bridge ended: start waiting for its recording and attendance.
		if rec, err := b.store.Incident(ctx, id); err == nil && rec.MeetingHost != "" {
			now := b.now()
			b.store.WatchRecording(ctx, store.NewRecordingWatch{IncidentID: id, MeetingID: meetingID, MeetingHost: rec.MeetingHost,
				Label: "the incident call", Bridge: true, StartAt: now, PollUntil: now.Add(b.cfg.RecordingPollFor)})
		}
	}
	if err := b.store.RequestSync(ctx, id); err == nil {
		b.kick()
	}
}

// recordingCompleted makes the waiting recording job run at once.
func (b *Bot) recordingCompleted(r *http.Request, body []byte) {
	var ev zoom.RecordingCompletedEvent
	if err := json.Unmarshal(body, &ev); err != nil || ev.Payload.Object.ID == 0 {
		return
	}
	ctx := r.Context()
	watch, err := b.store.RecordingWatchByMeeting(ctx, ev.Payload.Object.ID)
	if err != nil {
		return
	}
	if err := b.store.RunRefJobsNow(ctx, store.JobRecording, watch.ID); err == nil {
		b.kick()
	}
}

// deauthorized removes a Zoom user's tokens and data after they removed
// the app in Zoom (a Marketplace rule) and tells the admins.
func (b *Bot) deauthorized(r *http.Request, p zoom.DeauthorizationPayload) {
	ctx := r.Context()
	host, err := b.pool.HostByZoomUser(ctx, p.UserID)
	if err != nil {
		b.log.Info().Msg("zoom deauthorization for an account warroom does not hold")
		return
	}
	ids, err := b.pool.Remove(ctx, host.Key)
	if err != nil && !errors.Is(err, ctx.Err()) {
		b.log.Error().Err(err).Msg("zoom deauthorization: could not delete the account")
		return
	}
	b.refreshIncidents(ctx, ids)
	b.log.Info().Str("host", host.Email).Int("incidents", len(ids)).Msg("zoom account deauthorized; its data is deleted")
	b.tellAdmins(ctx, fmt.Sprintf("The Zoom account %s removed warroom in Zoom, so its tokens and Zoom data are deleted. Connect an account again with `/incident zoom connect`.",
		blocks.Escape(host.Email)), host.ConnectedBy)
}

package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"

	"golang.org/x/oauth2"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/store"
)

// browserCookie binds a Connect Zoom link to the browser that opened it:
// the callback must come back with it (OAuth's CSRF advice), so someone
// else who saw the link cannot connect their own Zoom account through it.
const browserCookie = "warroom_connect"

func writePage(w http.ResponseWriter, status int, p blocks.Page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	p.Render(w)
}

func refused(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	if warroom.ErrorCode(err) == warroom.EINTERNAL {
		status = http.StatusInternalServerError
	}
	writePage(w, status, blocks.NotConnected(warroom.ErrorMessage(err)))
}

// browser returns the hash of this browser's binding cookie, setting a new
// cookie first if it has none (and set is true).
func (s *Server) browser(w http.ResponseWriter, r *http.Request, set bool) string {
	if c, err := r.Cookie(browserCookie); err == nil && c.Value != "" {
		return store.HashState(c.Value)
	}
	if !set {
		return ""
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	value := base64.RawURLEncoding.EncodeToString(raw)
	http.SetCookie(w, &http.Cookie{
		Name: browserCookie, Value: value, Path: "/zoom/", MaxAge: int(s.cfg.StateTTL.Seconds()),
		HttpOnly: true, Secure: strings.HasPrefix(s.cfg.PublicURL, "https://"),
		// Lax: the cookie rides along when Zoom sends the browser back
		// (a top-level navigation), and on nothing another site embeds.
		SameSite: http.SameSiteLaxMode,
	})
	return store.HashState(value)
}

// serveConnect checks the one-time state from /incident zoom connect,
// binds it to this browser, and sends the browser to Zoom's consent page
// with a fresh PKCE challenge.
func (s *Server) serveConnect(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	if state == "" || !s.d.Pool.CanConnect() {
		refused(w, warroom.Errorf(warroom.EINVALID, "%s", blocks.ConnectStartHere))
		return
	}
	verifier := oauth2.GenerateVerifier()
	browser := s.browser(w, r, true)
	if _, err := s.d.Store.StartOAuthState(r.Context(), store.HashState(state), verifier, browser); err != nil {
		s.d.Log.Warn().Str("why", warroom.ErrorCode(err)).Msg("zoom connect refused")
		refused(w, err)
		return
	}
	http.Redirect(w, r, s.d.Pool.OAuthConfig().AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// serveCallback finishes the connection Zoom sends the admin back with.
// The state is used up whatever happens next, so a link works once; a
// callback in another browser uses nothing up.
func (s *Server) serveCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	admin, verifier, err := s.d.Store.ConsumeOAuthState(ctx, store.HashState(q.Get("state")), s.browser(w, r, false))
	if err != nil {
		s.d.Log.Warn().Str("why", warroom.ErrorCode(err)).Msg("zoom callback refused")
		refused(w, err)
		return
	}
	if e := q.Get("error"); e != "" {
		s.d.Log.Info().Str("user", admin).Str("error", e).Msg("zoom consent not given")
		msg := blocks.ConnectDeclined
		if e != "access_denied" {
			msg = blocks.ConnectZoomError(e)
		}
		writePage(w, http.StatusOK, blocks.NotConnected(msg))
		return
	}
	code := q.Get("code")
	if code == "" {
		refused(w, warroom.Errorf(warroom.EINVALID, "%s", blocks.ConnectNoCode))
		return
	}
	host, err := s.d.Pool.Connect(ctx, code, verifier, admin)
	if err != nil {
		s.d.Log.Error().Err(err).Str("user", admin).Msg("zoom connect failed")
		refused(w, warroom.Errorf(warroom.EINVALID, "%s", blocks.ConnectFailed(err)))
		return
	}
	s.d.Log.Info().Str("user", admin).Str("host", host.Email).Msg("zoom account connected")
	s.retryWaitingCalls(ctx)
	s.d.Workflow.TellAdmins(context.WithoutCancel(ctx), blocks.ZoomConnected(host, admin), admin)
	writePage(w, http.StatusOK, blocks.Connected(host.Email))
}

// retryWaitingCalls gives every open incident still without a call another
// try at once, instead of at the end of its backoff: a new host is there.
func (s *Server) retryWaitingCalls(ctx context.Context) {
	recs, err := s.d.Store.OpenIncidents(ctx)
	if err != nil {
		return
	}
	for _, r := range recs {
		if r.Meeting != nil {
			continue
		}
		if _, err := s.d.Store.RetryCall(ctx, r.ID); err != nil && warroom.ErrorCode(err) != warroom.ECONFLICT {
			s.d.Log.Error().Err(err).Str("incident", r.Ref()).Msg("could not retry a waiting call")
		}
	}
	s.d.Kick()
}

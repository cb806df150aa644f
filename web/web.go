// Package web is warroom's HTTP side: the Zoom connect flow
// (/zoom/connect and its OAuth callback), Zoom's webhooks, the operators'
// /healthz, /readyz and /metrics, the machines' API under /api/v1/
// (package api) and Alertmanager's notifications (package alerts), both
// mounted here when API tokens are set. Like the Socket Mode front
// door, it records what it is told and leaves the work to the jobs.
package web

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/oauth2"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/zoom"
)

// Config holds the HTTP side's settings.
type Config struct {
	PublicURL     string // WARROOM_PUBLIC_URL: https makes the connect cookie Secure
	WebhookSecret string // ZOOM_WEBHOOK_SECRET: empty turns /zoom/webhook off
	StateTTL      time.Duration
}

// Workers is what the HTTP side hands on to the workers (the workflow):
// Zoom's webhook events, and the word to admins that an account is
// connected.
type Workers interface {
	ReceiveZoomEvent(ctx context.Context, ev zoom.WebhookEvent) error
	TellAdmins(ctx context.Context, m blocks.Message, extra ...string)
}

// ZoomAccounts is what the connect flow asks of the host pool: whether
// it can connect accounts, Zoom's OAuth settings, and the connect itself.
type ZoomAccounts interface {
	CanConnect() bool
	OAuthConfig() *oauth2.Config
	Connect(ctx context.Context, code, verifier, slackUser string) (warroom.ZoomHost, error)
}

// Deps are the HTTP side's collaborators.
type Deps struct {
	Store    Store
	Pool     ZoomAccounts
	Workflow Workers
	Metrics  http.Handler
	// API serves /api/v1/ (package api), the doors for machines; nil
	// leaves the path unserved.
	API http.Handler
	// Alerts is the Alertmanager receiver (package alerts), mounted at
	// POST /api/v1/alertmanager; nil (no WARROOM_API_TOKENS) leaves it off.
	Alerts http.Handler
	// Connected reports whether Slack's Socket Mode connection is up.
	Connected func() bool
	Kick      func()
	Log       zerolog.Logger
	Now       func() time.Time
}

// Server serves warroom's HTTP endpoints.
type Server struct {
	cfg Config
	d   Deps
}

// New returns the server.
func New(cfg Config, d Deps) *Server {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Kick == nil {
		d.Kick = func() {}
	}
	if d.Connected == nil {
		d.Connected = func() bool { return false }
	}
	return &Server{cfg: cfg, d: d}
}

// Handler routes every endpoint.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", s.ready)
	if s.d.Metrics != nil {
		mux.Handle("GET /metrics", s.d.Metrics)
	}
	mux.HandleFunc("GET /zoom/connect", s.serveConnect)
	mux.HandleFunc("GET /zoom/oauth/callback", s.serveCallback)
	mux.HandleFunc("POST /zoom/webhook", s.serveWebhook)
	if s.d.API != nil {
		mux.Handle("/api/v1/", s.d.API)
	}
	if s.d.Alerts != nil {
		mux.Handle("POST /api/v1/alertmanager", s.d.Alerts)
	}
	return bounded(mux)
}

// requestBudget bounds one request's work (the OAuth callback talks to
// Zoom and the database): nothing waits forever on either.
const requestBudget = 30 * time.Second

// bounded gives every request a deadline.
func bounded(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), requestBudget)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// ready answers 200 when Slack's socket is connected and the database
// takes a write.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if !s.d.Connected() {
		http.Error(w, "slack socket mode not connected", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.d.Store.Ping(ctx); err != nil {
		http.Error(w, "database not writable", http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ready\n")
}

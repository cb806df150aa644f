// Package api is warroom's HTTP API for machines: a monitoring system, a
// script or a chat bot of another team declares an incident with a bearer
// token (POST /api/v1/incidents) and reads incidents back. Like every
// other door it records the declare and the job that builds the war room
// in one transaction, wakes the job engine and answers; the workers do
// the rest. It never calls Zoom, and calls Slack only to find the
// commander a declare names.
package api

import (
	"context"
	_ "embed"
	"net/http"
	"time"

	"github.com/rs/zerolog"
)

// Config holds the API's settings.
type Config struct {
	// Tokens are the clients' bearer tokens (WARROOM_API_TOKENS); none
	// turns the API off: every route but the OpenAPI document answers 404.
	Tokens []Token
	// RatePerMinute and Burst are each token's budget of requests (a
	// token bucket): RatePerMinute on average, Burst at once. Defaults
	// DefaultRatePerMinute and DefaultBurst.
	RatePerMinute int
	Burst         int
}

// The default request budget of one token: ample for a pager bridge or a
// script declaring and polling, and a stop to a runaway loop before it
// floods Slack with channels.
const (
	DefaultRatePerMinute = 60
	DefaultBurst         = 20
)

// MaxBody is the largest request body the API reads.
const MaxBody = 1 << 20

// Deps are the API's collaborators.
type Deps struct {
	Store Store
	Users Users
	// Kick wakes the job engine, so the war room is built now rather than
	// at the next sweep.
	Kick func()
	Log  zerolog.Logger
	Now  func() time.Time
}

// API serves /api/v1/.
type API struct {
	tokens *Tokens
	limit  *limiter
	d      Deps
}

// New returns the API.
func New(cfg Config, d Deps) *API {
	if cfg.RatePerMinute <= 0 {
		cfg.RatePerMinute = DefaultRatePerMinute
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultBurst
	}
	if d.Kick == nil {
		d.Kick = func() {}
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return &API{tokens: NewTokens(cfg.Tokens), limit: newLimiter(cfg.RatePerMinute, cfg.Burst), d: d}
}

// Tokens is the API's token check, for the other machine-facing doors
// that take the same tokens.
func (a *API) Tokens() *Tokens { return a.tokens }

//go:embed openapi.json
var openAPI []byte

// OpenAPI is the API's OpenAPI 3.1 document, as served.
func OpenAPI() []byte { return openAPI }

// Handler routes /api/v1/. Paths are whole ("/api/v1/incidents"): mount
// it at "/api/v1/".
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openAPI)
	})
	mux.Handle("POST /api/v1/incidents", a.guard(a.declare))
	mux.Handle("GET /api/v1/incidents", a.guard(a.list))
	mux.Handle("GET /api/v1/incidents/{id}", a.guard(a.get))
	mux.Handle("/api/v1/incidents", a.guard(methodNotAllowed("GET, POST")))
	mux.Handle("/api/v1/incidents/{id}", a.guard(methodNotAllowed("GET")))
	mux.Handle("/api/v1/", a.guard(func(w http.ResponseWriter, r *http.Request, _ string) {
		writeProblem(w, http.StatusNotFound, "No such API endpoint.")
	}))
	return mux
}

// handler is an API endpoint, given the name of the token that called it.
type handler func(w http.ResponseWriter, r *http.Request, client string)

// guard turns the API off when it has no tokens, and lets through only
// requests with a known token and within that token's budget.
func (a *API) guard(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.tokens.Empty() {
			writeProblem(w, http.StatusNotFound, "The HTTP API is off: set WARROOM_API_TOKENS to turn it on.")
			return
		}
		client, ok := a.tokens.Authorize(r)
		if !ok {
			// RFC 6750: name the scheme, and say the token was wrong when
			// one was sent.
			challenge := `Bearer realm="warroom"`
			if _, sent := bearer(r); sent {
				challenge += `, error="invalid_token"`
			}
			w.Header().Set("WWW-Authenticate", challenge)
			writeProblem(w, http.StatusUnauthorized, "A valid bearer token is required: Authorization: Bearer <token>.")
			return
		}
		if ok, wait := a.limit.allow(client, a.d.Now()); !ok {
			retryAfter(w, wait)
			writeProblem(w, http.StatusTooManyRequests, "Too many requests with this token; retry after the Retry-After seconds.")
			return
		}
		h(w, r, client)
	})
}

func methodNotAllowed(allow string) handler {
	return func(w http.ResponseWriter, r *http.Request, _ string) {
		w.Header().Set("Allow", allow)
		writeProblem(w, http.StatusMethodNotAllowed, r.Method+" is not allowed here; use "+allow+".")
	}
}

// storeBudget bounds each database call of a request, inside the HTTP
// side's own bound on the whole request.
const storeBudget = 5 * time.Second

func (a *API) storeCtx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), storeBudget)
}

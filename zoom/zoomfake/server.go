// Package zoomfake is a faithful fake of the Zoom services warroom uses:
// OAuth (Server-to-Server, and user-managed with an authorization page,
// PKCE, rotating refresh tokens and revocation), the meetings, past
// meetings, cloud recordings, users and user settings REST API, and the
// webhooks Zoom sends (signed, including the URL validation challenge,
// app_deauthorized, meeting.started, meeting.ended and recording.completed).
// Tests, `warroom demo` and the benchmarks run the real client against it
// over real HTTP.
//
// Meetings run as instances (SetMeetingStatus starts and ends them), each
// with its own UUID; AddParticipant, RecordMeeting and MakeRecordingReady
// play what happens in and after one.
//
// It answers the way Zoom does, down to status codes (201 on create, 204 on
// update/delete/end), error bodies ({"code":3001,"message":…}), int64
// meeting IDs beyond 2^32, passcode rules, the per-second and per-host daily
// rate limits and the x-zm-trackingid header. On top it lets a test inject
// faults and latency and inspect what was asked of it. Its only dependency
// is the standard library, so what it answers is decided here, not by the
// client's types. It logs nothing but Requests, which holds no token.
package zoomfake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Config describes the fake account. Zero fields take defaults.
type Config struct {
	// The Server-to-Server OAuth app's credentials. Defaults: "fake-account",
	// "fake-client-id", "fake-client-secret".
	AccountID, ClientID, ClientSecret string
	// Hosts are the account's users; the first one is "me". Default: one
	// licensed user, incident-bot@example.com. Empty IDs are generated, a
	// zero Type means licensed (2).
	Hosts []User
	// Now is the fake's clock: token and code expiry, created_at, start
	// times, webhook timestamps, the per-second window and the daily cap's
	// UTC day. Default time.Now.
	Now func() time.Time

	// RedirectURIs is the user-managed app's OAuth allow list: the
	// redirect_uri values /oauth/authorize accepts, compared exactly.
	// Empty means any absolute http or https URL.
	RedirectURIs []string
	// WebhookURL receives the app's webhooks (app_deauthorized after a
	// revocation, SendWebhook, ValidateWebhookURL); "" means none are sent.
	WebhookURL string
	// WebhookSecret is the app's secret token, which signs webhooks.
	// Default "fake-webhook-secret".
	WebhookSecret string
	// AppName is shown on the authorization page. Default "warroom".
	AppName string
	// TokenLifetime is how long access tokens live; expires_in says it in
	// whole seconds, rounded up. Default 3599 s, as Zoom announces.
	TokenLifetime time.Duration
}

// User is a user of the fake account.
type User struct {
	ID, Email, FirstName, LastName string
	Type                           int // 1 Basic, 2 Licensed
	// CannotHost: an admin took hosting away from the user; creating a
	// meeting for them answers 400 code 3161, as Zoom does.
	CannotHost bool
	// Inactive: the user is deactivated. Zoom shows them with status
	// "inactive" and refuses meetings for them as for a user it does not
	// know (404 code 1001).
	Inactive bool
}

// Request is one HTTP request the fake answered.
type Request struct {
	Method string
	Path   string // URL path, e.g. /v2/users/me/meetings
	Op     string // Zoom's operationId ("meetingCreate", …), "token", "authorize", "revoke", or "" if no route matched
	Status int    // the status the fake answered
}

// Fault makes the fake misbehave for matching requests, before it does
// anything else with them (even checking the token).
type Fault struct {
	// Op is the operationId from Zoom's OpenAPI document ("meetingCreate",
	// "meeting", "meetingUpdate", "meetingDelete", "meetingStatus",
	// "meetings", "recordingGet", "pastMeetingDetails",
	// "pastMeetingParticipants", "user", "userSettings"), or "token",
	// "authorize" or "revoke" for the OAuth endpoints; "" matches every
	// request.
	Op string
	// Times is how many consecutive matching requests fail; 0 means 1.
	Times int
	// Status is the HTTP status to answer. 0 with a Delay means "only slow
	// down, then answer normally"; 0 without one means 500.
	Status int
	// Code and Message go in the body; defaults are the status and its text.
	Code    int
	Message string
	// Delay hangs the request this long first (to provoke client timeouts).
	Delay time.Duration
	// Header is added to the answer, e.g. Retry-After or X-RateLimit-Type.
	Header map[string]string
	// LoseAnswer carries the operation out and then never answers: the
	// connection is held until the client gives up. It is the network
	// dropping after Zoom acted, the case that makes a client without an
	// idempotency key create things twice. Status and Delay are ignored.
	LoseAnswer bool
}

// Server is a fake Zoom. Use New and Handler to mount it yourself, or Start
// for a listening server. All methods are safe for concurrent use.
type Server struct {
	// Fixed by New.
	cfg      Config
	hosts    []User
	userMeta map[string]userMeta // by user ID
	// standing is each user's CannotHost and Inactive, which tests change
	// while the fake runs (under mu; hosts itself never changes).
	standing map[string]User
	mux      *http.ServeMux
	grants   map[string]grantFunc

	// Set once by Start; closing is closed by Close, which also cancels
	// bgCtx and waits for bg, the webhooks being sent in the background.
	srv       *http.Server
	url       string
	closing   chan struct{}
	closeOnce sync.Once
	bgCtx     context.Context
	bgCancel  context.CancelFunc
	bg        sync.WaitGroup
	bgMu      sync.Mutex // orders goBackground before Close's Wait
	bgClosed  bool
	webhooks  *http.Client

	mu         sync.Mutex // guards all below
	meetings   map[int64]*Meeting
	trash      map[int64]*Meeting    // deleted, recoverable with action "recover"
	order      []int64               // creation order, for Meetings and lists
	instances  map[int64][]*instance // runs of each meeting, oldest first; kept after a delete
	byUUID     map[string]*instance
	joins      int64             // participants added, numbering their stays
	guestIDs   map[string]string // participant IDs of people outside the account, by email
	lastID     int64
	tokens     map[string]accessToken
	issued     []string
	refresh    map[string]refreshToken
	codes      map[string]authCode
	installed  map[string]bool // user IDs that authorized the user-managed app
	grantCount map[string]int  // token requests by grant_type
	settings   map[string]*userSettings
	pages      map[string]pageCursor
	requests   []Request // grows with every request: one Server per test or run
	faults     []*Fault
	latency    time.Duration
	qpsLimit   int
	qpsWindow  time.Time
	qpsCount   int
	dailyLimit int
	daily      map[string]int // host ID + "|" + UTC date → creates and updates
}

// userMeta is what Zoom knows of a user beyond Config.User.
type userMeta struct {
	createdAt time.Time
	pmi       int64
}

// New returns a fake Zoom that is not listening; serve Handler yourself.
func New(cfg Config) *Server {
	if cfg.AccountID == "" {
		cfg.AccountID = "fake-account"
	}
	if cfg.ClientID == "" {
		cfg.ClientID = "fake-client-id"
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = "fake-client-secret"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if len(cfg.Hosts) == 0 {
		cfg.Hosts = []User{{Email: "incident-bot@example.com", FirstName: "Incident", LastName: "Bot", Type: 2}}
	}
	if cfg.WebhookSecret == "" {
		cfg.WebhookSecret = "fake-webhook-secret"
	}
	if cfg.AppName == "" {
		cfg.AppName = "warroom"
	}
	if cfg.TokenLifetime <= 0 {
		cfg.TokenLifetime = defaultTokenLifetime
	}
	cfg.RedirectURIs = append([]string(nil), cfg.RedirectURIs...)
	s := &Server{
		closing:    make(chan struct{}),
		userMeta:   map[string]userMeta{},
		standing:   map[string]User{},
		meetings:   map[int64]*Meeting{},
		trash:      map[int64]*Meeting{},
		instances:  map[int64][]*instance{},
		byUUID:     map[string]*instance{},
		guestIDs:   map[string]string{},
		lastID:     firstMeetingID,
		tokens:     map[string]accessToken{},
		refresh:    map[string]refreshToken{},
		codes:      map[string]authCode{},
		installed:  map[string]bool{},
		grantCount: map[string]int{},
		settings:   map[string]*userSettings{},
		pages:      map[string]pageCursor{},
		dailyLimit: defaultDailyLimit,
		daily:      map[string]int{},
		webhooks: &http.Client{
			Timeout: webhookTimeout,
			// Zoom posts to the endpoint it was given and nowhere else.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	s.bgCtx, s.bgCancel = context.WithCancel(context.Background())
	now := cfg.Now()
	for i, u := range cfg.Hosts {
		if u.ID == "" {
			u.ID = randomToken(16)
		}
		if u.Type == 0 {
			u.Type = 2
		}
		s.hosts = append(s.hosts, u)
		s.userMeta[u.ID] = userMeta{createdAt: now, pmi: 5550000000 + int64(i)*1111}
		s.standing[u.ID] = u
		s.settings[u.ID] = defaultUserSettings(u)
	}
	cfg.Hosts = append([]User(nil), s.hosts...)
	s.cfg = cfg
	s.grants = map[string]grantFunc{
		"account_credentials": (*Server).grantAccountCredentials,
		"authorization_code":  (*Server).grantAuthorizationCode,
		"refresh_token":       (*Server).grantRefreshToken,
	}
	s.routes()
	return s
}

// Start returns a fake Zoom listening on a random port of 127.0.0.1.
func Start(cfg Config) (*Server, error) {
	s := New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.url = "http://" + ln.Addr().String()
	go func() { _ = s.srv.Serve(ln) }() // returns ErrServerClosed on Close
	return s, nil
}

// Config returns the effective configuration, defaults and generated host
// IDs included: what a client needs to log in.
func (s *Server) Config() Config {
	c := s.cfg
	c.Hosts = append([]User(nil), s.cfg.Hosts...)
	c.RedirectURIs = append([]string(nil), s.cfg.RedirectURIs...)
	return c
}

// URL is the OAuth base, e.g. http://127.0.0.1:PORT (ZOOM_OAUTH_URL). Empty
// unless the server was made by Start.
func (s *Server) URL() string { return s.url }

// APIURL is the REST base, URL()+"/v2" (ZOOM_API_URL).
func (s *Server) APIURL() string { return s.url + "/v2" }

// Close stops the server, cutting requests in flight (and their delays) and
// webhooks being sent.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		if s.srv != nil {
			s.srv.Close()
		}
		close(s.closing) // wakes handlers still sleeping, which then abort
		s.bgMu.Lock()
		s.bgClosed = true
		s.bgMu.Unlock()
		s.bgCancel()
		s.bg.Wait()
	})
}

// goBackground runs f in a goroutine that Close cancels and waits for;
// once Close has begun, f does not run.
func (s *Server) goBackground(f func(ctx context.Context)) {
	s.bgMu.Lock()
	defer s.bgMu.Unlock()
	if s.bgClosed {
		return
	}
	s.bg.Go(func() { f(s.bgCtx) })
}

// Handler serves the OAuth endpoints (/oauth/authorize, /oauth/token,
// /oauth/revoke) and the API (/v2/…).
func (s *Server) Handler() http.Handler { return s.mux }

// routes maps every endpoint to its Zoom operationId, which faults match on.
func (s *Server) routes() {
	s.mux = http.NewServeMux()
	s.handle("POST /oauth/token", "token", false, s.token)
	s.handle("GET /oauth/authorize", "authorize", false, s.authorizePage)
	s.handle("POST /oauth/authorize", "authorize", false, s.authorizeDecision)
	s.handle("POST /oauth/revoke", "revoke", false, s.revoke)
	s.handle("POST /v2/users/{userId}/meetings", "meetingCreate", true, s.createMeeting)
	s.handle("GET /v2/users/{userId}/meetings", "meetings", true, s.listMeetings)
	s.handle("GET /v2/users/{userId}", "user", true, s.getUser)
	s.handle("GET /v2/users/{userId}/settings", "userSettings", true, s.getUserSettings)
	s.handle("GET /v2/meetings/{meetingId}", "meeting", true, s.getMeeting)
	s.handle("PATCH /v2/meetings/{meetingId}", "meetingUpdate", true, s.updateMeeting)
	s.handle("DELETE /v2/meetings/{meetingId}", "meetingDelete", true, s.deleteMeeting)
	s.handle("PUT /v2/meetings/{meetingId}/status", "meetingStatus", true, s.meetingStatus)
	s.handle("GET /v2/meetings/{meetingId}/recordings", "recordingGet", true, s.getRecordings)
	s.handle("GET /v2/past_meetings/{meetingId}", "pastMeetingDetails", true, s.getPastMeeting)
	s.handle("GET /v2/past_meetings/{meetingId}/participants", "pastMeetingParticipants", true, s.getPastParticipants)
	s.handle("/", "", false, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, http.StatusNotFound, "Not Found")
	})
}

// handle wraps an endpoint in what happens before Zoom runs an operation —
// the configured latency, a tracking ID, injected faults, then (for the API)
// the token check and the per-second limit — and logs the request with the
// status it got.
func (s *Server) handle(pattern, op string, api bool, h http.HandlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			s.mu.Lock()
			s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Op: op, Status: rec.status})
			s.mu.Unlock()
		}()
		w = rec
		w.Header().Set("x-zm-trackingid", "v=2.0;clid=fake;rid=WEB_"+randomHex(16))

		s.mu.Lock()
		latency := s.latency
		s.mu.Unlock()
		if !s.sleep(r.Context(), latency) {
			abort(rec)
		}
		f := s.takeFault(op)
		if f != nil && f.LoseAnswer {
			if api {
				var ok bool
				if r, ok = s.checkBearer(discard{}, r); !ok || !s.admitQPS(discard{}) {
					abort(rec)
				}
			}
			h(discard{}, r)
			s.sleep(r.Context(), time.Duration(1<<62))
			abort(rec)
		}
		if f != nil {
			if !s.sleep(r.Context(), f.Delay) {
				abort(rec)
			}
			if f.Status != 0 || f.Delay == 0 {
				writeFault(w, op, f)
				return
			}
		}
		if api {
			var ok bool
			if r, ok = s.checkBearer(w, r); !ok || !s.admitQPS(w) {
				return
			}
		}
		h(w, r)
	})
}

// discard is a ResponseWriter whose answer nobody will read.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// abort drops the connection without an answer: the client went away or
// the server is closing, and an empty 200 would be a lie.
func abort(rec *statusRecorder) {
	rec.status = 499 // nginx's "client closed request", for the log
	panic(http.ErrAbortHandler)
}

// sleep waits d, or less if the request is cancelled or the server closes;
// it reports whether the whole d passed.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.closing:
	}
	return false
}

// takeFault consumes one use of the first fault matching op.
func (s *Server) takeFault(op string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Op != "" && f.Op != op {
			continue
		}
		f.Times--
		if f.Times <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		c := *f
		return &c
	}
	return nil
}

func writeFault(w http.ResponseWriter, op string, f *Fault) {
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	msg := f.Message
	if msg == "" {
		msg = http.StatusText(status)
	}
	for k, v := range f.Header {
		w.Header().Set(k, v)
	}
	switch op {
	case "authorize": // a page for a browser
		pageHeaders(w)
		w.WriteHeader(status)
		_ = authorizeErrorTmpl.Execute(w, msg)
		return
	case "token", "revoke":
		code := "server_error"
		if status < 500 {
			code = "invalid_request"
		}
		writeJSON(w, status, oauthError{Error: code, Reason: msg})
		return
	}
	code := f.Code
	if code == 0 {
		code = status
	}
	writeError(w, status, code, msg)
}

// checkBearer checks the bearer token as Zoom does: a missing, unknown or
// revoked token and an expired one are all 401 code 124. It returns r
// carrying the token's principal (see principalOf).
func (s *Server) checkBearer(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	s.mu.Lock()
	at, ok := s.tokens[tok]
	now := s.cfg.Now()
	s.mu.Unlock()
	switch {
	case !strings.EqualFold(scheme, "Bearer") || !ok:
		writeError(w, http.StatusUnauthorized, 124, "Invalid access token.")
		return r, false
	case !now.Before(at.expires):
		writeError(w, http.StatusUnauthorized, 124, "Access token is expired.")
		return r, false
	}
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, at)), true
}

// principalKey carries the accessToken of an authorized request.
type principalKey struct{}

// principalOf is what the request's token stands for: a user (userID set,
// user-managed OAuth) or the whole account (Server-to-Server).
func principalOf(r *http.Request) accessToken {
	at, _ := r.Context().Value(principalKey{}).(accessToken)
	return at
}

// admitQPS applies the per-second limit (SetQPSLimit) to API requests.
func (s *Server) admitQPS(w http.ResponseWriter) bool {
	s.mu.Lock()
	limit := s.qpsLimit
	ok := true
	if limit > 0 {
		sec := s.cfg.Now().Truncate(time.Second)
		if !sec.Equal(s.qpsWindow) {
			s.qpsWindow, s.qpsCount = sec, 0
		}
		if s.qpsCount >= limit {
			ok = false
		} else {
			s.qpsCount++
		}
	}
	s.mu.Unlock()
	if !ok {
		w.Header().Set("X-RateLimit-Type", "QPS")
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusTooManyRequests, 429, "You have reached the maximum per-second rate limit for this API. Try again later.")
	}
	return ok
}

// Meetings returns the meetings that exist (not deleted), oldest first.
func (s *Server) Meetings() []Meeting {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ms []Meeting
	for _, id := range s.order {
		if m, ok := s.meetings[id]; ok {
			ms = append(ms, m.clone())
		}
	}
	return ms
}

// Meeting returns the meeting with id unless it does not exist or was
// deleted.
func (s *Server) Meeting(id int64) (Meeting, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.meetings[id]
	if !ok {
		return Meeting{}, false
	}
	return m.clone(), true
}

// Requests returns every request answered so far, OAuth and API, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// IssuedTokens returns every access and refresh token the fake has issued,
// in order, so tests can check that none leaks into logs or messages.
func (s *Server) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// ExpireAccessTokens makes every access token issued so far expire now, as
// if an hour had passed: the next API call with one answers 401 code 124.
// Refresh tokens are untouched.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	for tok, at := range s.tokens {
		if at.expires.After(now) {
			at.expires = now
			s.tokens[tok] = at
		}
	}
}

// TokenRequests counts the requests to /oauth/token with grant_type grant
// ("account_credentials", "authorization_code", "refresh_token"), answered
// with success or not.
func (s *Server) TokenRequests(grant string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grantCount[grant]
}

// SetLatency delays every answer, OAuth and API, by d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// InjectFault queues f; faults are tried in the order they were injected.
func (s *Server) InjectFault(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	h := make(map[string]string, len(f.Header))
	for k, v := range f.Header {
		h[k] = v
	}
	f.Header = h
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// SetMeetingStatus moves a meeting to "waiting", "started" (someone is in it)
// or "finished" (it ended), as if people had joined or left.
//
// "started" begins a new instance of the meeting under the UUID the
// meeting shows, which no instance had before. Leaving "started" ends the
// instance (its end time is the fake's now; "waiting" means everyone left,
// which ends it too) and gives the meeting a fresh UUID for its next
// instance, as Zoom does; "finished" straight from "waiting" is an instance
// that started and ended at once. Each ended instance is a past meeting.
// Unknown IDs are ignored; an unknown status is a bug in the caller and
// panics.
func (s *Server) SetMeetingStatus(id int64, status string) {
	switch status {
	case StatusWaiting, StatusStarted, StatusFinished:
	default:
		panic("zoomfake: unknown meeting status " + status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.meetings[id]; ok {
		s.setStatusLocked(m, status)
	}
}

// SetQPSLimit caps API requests per second (of the fake's clock) across the
// account; 0 turns the limit off.
func (s *Server) SetQPSLimit(perSecond int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.qpsLimit = perSecond
}

// SetDailyLimit sets how many meeting create and update requests each host
// may make per UTC day (Zoom's is 100, the default).
func (s *Server) SetDailyLimit(n int) {
	s.setDailyLimit(n)
}

// UseUpDailyLimit spends the rest of today's meeting requests of one host:
// its next create or update answers the daily-cap 429, the others' do not.
func (s *Server) UseUpDailyLimit(email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.lookupUser(email); ok {
		s.daily[u.ID+"|"+s.cfg.Now().UTC().Format(time.DateOnly)] = s.dailyLimit
	}
}

// SetUserCannotHost takes hosting away from a user (or gives it back).
func (s *Server) SetUserCannotHost(email string, cannot bool) {
	s.setStanding(email, func(u *User) { u.CannotHost = cannot })
}

// SetUserInactive deactivates a user (or activates them again).
func (s *Server) SetUserInactive(email string, inactive bool) {
	s.setStanding(email, func(u *User) { u.Inactive = inactive })
}

func (s *Server) setStanding(email string, f func(*User)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.lookupUser(email); ok {
		st := s.standing[u.ID]
		f(&st)
		s.standing[u.ID] = st
	}
}

// standingOf is a user's CannotHost and Inactive as they are now.
func (s *Server) standingOf(id string) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.standing[id]
}

func (s *Server) setDailyLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dailyLimit = n
}

// statusRecorder remembers the status for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// apiError is Zoom's error body.
type apiError struct {
	Code    int          `json:"code"`
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors,omitempty"`
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, apiError{Code: code, Message: msg})
}

// writeValidation answers Zoom's "Validation Failed." — HTTP 400, code 300
// (the OpenAPI document files it under a "300" response, but that is the
// error code, not the HTTP status).
func writeValidation(w http.ResponseWriter, errs []fieldError) {
	writeJSON(w, http.StatusBadRequest, apiError{Code: 300, Message: "Validation Failed.", Errors: errs})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeBody reads a JSON request body the way Zoom judges it. It answers
// the error itself and reports whether decoding succeeded.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	ct := r.Header.Get("Content-Type")
	if ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		writeError(w, http.StatusBadRequest, 300, "Unsupported Content Type")
		return false
	}
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v)
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return true
	case errors.As(err, &te):
		writeValidation(w, []fieldError{{Field: te.Field, Message: "Invalid field."}})
	default:
		writeError(w, http.StatusBadRequest, 300, "Request Body should be a valid JSON object.")
	}
	return false
}

// randomBytes fills n bytes from crypto/rand: tokens and passcodes must not
// be guessable even in a fake, since demos run on shared machines.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }

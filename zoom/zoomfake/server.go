// Package zoomfake is a faithful fake of the Zoom services warroom uses:
// OAuth (Server-to-Server, a general app's client credentials, and
// user-managed with an authorization page, PKCE, rotating refresh tokens
// and revocation), the meetings, past
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
	"bytes"
	"context"
	"net"
	"net/http"
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
	// WSSubscriptionID is the app's WebSocket event subscription, the only
	// one GET /ws accepts. Default "fake-ws-subscription".
	WSSubscriptionID string
	// WSIdleTimeout closes a stream that sent no heartbeat for this long
	// (Zoom's own is unconfirmed; its clients beat every 30 s). Default 2m.
	WSIdleTimeout time.Duration
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
	streams   eventStreams // the WebSocket event stream's connections

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
	inCall     map[*instance]map[string]time.Time // who is in a running instance, since when
	summaries  map[string]summaryJSON             // AI Companion summaries, by instance UUID
	requests   []Request                          // grows with every request: one Server per test or run
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
	cfg = cfg.withDefaults()
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
	s.addHosts(cfg.Hosts, cfg.Now())
	// Config reports the hosts with the IDs and types addHosts filled in.
	cfg.Hosts = append([]User(nil), s.hosts...)
	s.cfg = cfg
	s.grants = map[string]grantFunc{
		"account_credentials": (*Server).grantAccountCredentials,
		"authorization_code":  (*Server).grantAuthorizationCode,
		"client_credentials":  (*Server).grantClientCredentials,
		"refresh_token":       (*Server).grantRefreshToken,
	}
	s.routes()
	return s
}

// withDefaults fills in the zero fields of c, and copies RedirectURIs so
// that the caller changing its slice does not change the fake.
func (c Config) withDefaults() Config {
	if c.AccountID == "" {
		c.AccountID = "fake-account"
	}
	if c.ClientID == "" {
		c.ClientID = "fake-client-id"
	}
	if c.ClientSecret == "" {
		c.ClientSecret = "fake-client-secret"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if len(c.Hosts) == 0 {
		c.Hosts = []User{{Email: "incident-bot@example.com", FirstName: "Incident", LastName: "Bot", Type: 2}}
	}
	if c.WebhookSecret == "" {
		c.WebhookSecret = "fake-webhook-secret"
	}
	if c.AppName == "" {
		c.AppName = "warroom"
	}
	if c.WSSubscriptionID == "" {
		c.WSSubscriptionID = "fake-ws-subscription"
	}
	if c.WSIdleTimeout <= 0 {
		c.WSIdleTimeout = 2 * time.Minute
	}
	if c.TokenLifetime <= 0 {
		c.TokenLifetime = defaultTokenLifetime
	}
	c.RedirectURIs = append([]string(nil), c.RedirectURIs...)
	return c
}

// addHosts makes the account's users, generating the IDs and types
// Config left out. Each gets a distinct personal meeting ID.
func (s *Server) addHosts(hosts []User, now time.Time) {
	for i, u := range hosts {
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
		s.DropEventStreams()
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
	s.handle("GET /v2/users/{userId}/recordings", "recordingsList", true, s.listRecordings)
	s.handle("GET /v2/meetings/{meetingId}", "meeting", true, s.getMeeting)
	s.handle("PATCH /v2/meetings/{meetingId}", "meetingUpdate", true, s.updateMeeting)
	s.handle("DELETE /v2/meetings/{meetingId}", "meetingDelete", true, s.deleteMeeting)
	s.handle("PUT /v2/meetings/{meetingId}/status", "meetingStatus", true, s.meetingStatus)
	s.handle("GET /v2/meetings/{meetingId}/recordings", "recordingGet", true, s.getRecordings)
	s.handle("GET /v2/meetings/{meetingId}/meeting_summary", "meetingSummary", true, s.getSummary)
	s.handle("GET /v2/past_meetings/{meetingId}", "pastMeetingDetails", true, s.getPastMeeting)
	s.handle("GET /v2/past_meetings/{meetingId}/participants", "pastMeetingParticipants", true, s.getPastParticipants)
	// Not through handle: the upgrade needs the connection itself.
	s.mux.HandleFunc("GET /ws", s.serveStream)
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
				if r, ok = s.checkBearer(discard{}, r, op); !ok || !s.admitQPS(discard{}) {
					abort(rec)
				}
			}
			h(discard{}, r)
			s.sleep(r.Context(), time.Duration(1<<62))
			abort(rec)
		}
		if f != nil && f.Acted != nil {
			s.actThenAnswer(w, r, op, api, h, f.Acted)
			return
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
			if r, ok = s.checkBearer(w, r, op); !ok || !s.admitQPS(w) {
				return
			}
		}
		h(w, r)
	})
}

// actThenAnswer runs the operation into a buffer, calls acted, then sends
// the buffered answer (see Fault.Acted).
func (s *Server) actThenAnswer(w http.ResponseWriter, r *http.Request, op string, api bool, h http.HandlerFunc, acted func()) {
	buf := &buffered{header: http.Header{}, status: http.StatusOK}
	if api {
		var ok bool
		if r, ok = s.checkBearer(buf, r, op); ok && s.admitQPS(buf) {
			h(buf, r)
		}
	} else {
		h(buf, r)
	}
	acted()
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	w.WriteHeader(buf.status)
	w.Write(buf.body.Bytes())
}

// buffered holds an answer until it is sent.
type buffered struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *buffered) Header() http.Header         { return b.header }
func (b *buffered) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *buffered) WriteHeader(status int)      { b.status = status }

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

// statusRecorder remembers the status for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Requests returns every request answered so far, OAuth and API, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

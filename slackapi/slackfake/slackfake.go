// Package slackfake is a faithful fake Slack: the Web API methods warroom
// calls and a Socket Mode WebSocket server, listening on a real TCP port.
//
// Tests, `warroom demo` and the benchmarks run the real bot, through the real
// slack-go client, against it. So it answers with Slack's own response shapes
// and error strings, pings its sockets, redelivers unacknowledged events,
// enforces rate limits on demand and injects faults; and it lets a test act
// as a human (run a slash command, click a button, create a channel) and read
// back what users would see (channels, messages, pins, bookmarks, ephemeral
// replies).
//
// Clocks: Config.Now stamps the data (channel creation, message ts, event
// times, call log) and decides when trigger_ids and response_urls expire, so
// a test can move it. Rate limits, latency, pings and ack timeouts run on the
// real clock, because the client on the other side waits in real time.
package slackfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Config describes the fake workspace. Zero values take the defaults noted.
type Config struct {
	BotToken  string // default "xoxb-fake-bot-token"
	AppToken  string // default "xapp-fake-app-token"
	TeamID    string // default "T0WARROOM"
	BotUserID string // default "UBOT" (the bot's BotID is "BBOT", its AppID "A0WARROOM")

	// Users are the workspace's people besides the bot. Default: U1 "alice"
	// (admin), U2 "bob", U3 "carol".
	Users []User
	// Scopes are the bot token's granted scopes, sent in the
	// X-OAuth-Scopes header of every Web API answer, as Slack does.
	// Default: DefaultScopes, the scopes warroom's manifest.yaml asks for.
	Scopes []string

	PingInterval time.Duration // server WebSocket pings, default 5s
	// AckTimeout is how long an events_api envelope may stay unacknowledged
	// before it is delivered again (retry_attempt+1, retry_reason "timeout"),
	// at most 3 times. Default 3s, like Slack.
	AckTimeout time.Duration
	Now        func() time.Time // default time.Now
}

// User is a workspace member as users.info describes it.
type User struct {
	ID, Name, RealName, Email, TZ string
	IsAdmin, IsOwner, IsBot       bool
}

// Channel is a conversation as users see it.
type Channel struct {
	ID, Name, Creator, Topic, Purpose string
	IsPrivate, IsArchived             bool
	Created                           int64 // Unix seconds
	Members                           []string
}

// Message is a channel message in its current state (updates applied).
type Message struct {
	TS, Channel, User, Text, ThreadTS string
	Blocks                            json.RawMessage // as stored, with Slack's generated block_ids; nil if none
	Edited                            bool
	Pinned                            bool
}

// Bookmark is a channel bookmark.
type Bookmark struct {
	ID, ChannelID, Title, Type, Link string
}

// Ephemeral is a reply only one user saw.
type Ephemeral struct {
	Channel, User, Text string
	Blocks              json.RawMessage
	Via                 string // "chat.postEphemeral" | "response_url" | "ack"
	ReplaceOriginal     bool
	ResponseURL         string // the response_url it came through (Via "response_url")
}

// Call is one Web API call (or response_url post, Method "response_url")
// as the fake answered it.
type Call struct {
	Method string
	Error  string     // Slack error code, "ratelimited", or "http_503" for an injected status; "" if ok
	Status int        // HTTP status of the answer
	Params url.Values // request parameters, token removed
	At     time.Time  // Config.Now when the call arrived
}

// View is a modal the bot opened with views.open (and maybe updated).
type View struct {
	ID, UserID, TriggerID, ExternalID, CallbackID, Hash string
	JSON                                                json.RawMessage // the view as last sent by the app
}

// Delivery identifies an envelope sent to the bot.
type Delivery struct {
	EnvelopeID, TriggerID, ResponseURL string
	EventID                            string // events_api only
}

// Ack is the client's acknowledgement of an envelope.
type Ack struct {
	EnvelopeID string
	Payload    json.RawMessage // nil when the ack carried none
	Latency    time.Duration   // since the envelope was sent (or last redelivered by Redeliver)
	At         time.Time       // Config.Now when the ack arrived
}

// Error is a Slack error code returned by the helpers that act as a human
// (CreateChannelAs, PostMessageAs), spelled as Slack spells it.
type Error struct{ Code string }

func (e *Error) Error() string { return "slackfake: " + e.Code }

// ErrNotConnected is returned when traffic is injected while no Socket Mode
// client is connected.
var ErrNotConnected = errors.New("slackfake: no Socket Mode connection")

// Fixed identities of the fake app. Slack would hand these out at install.
const (
	botID           = "BBOT"
	appID           = "A0WARROOM"
	teamName        = "Warroom"
	teamDomain      = "warroom"
	generalID       = "C0GENERAL"
	verificationTok = "fake-verification-token"
)

// Server is a running fake Slack. All methods are safe for concurrent use.
type Server struct {
	cfg      Config
	baseURL  string // "http://127.0.0.1:PORT"
	http     *http.Server
	upgrader websocket.Upgrader
	methods  map[string]methodSpec
	done     chan struct{} // closed by Close
	kick     chan struct{} // wakes the pending-envelope flusher
	wg       sync.WaitGroup

	mu     sync.Mutex // guards everything below
	closed bool
	seq    map[string]int // per-prefix ID counters
	lastTS int64          // last message ts handed out, in µs

	users        map[string]*User
	userOrder    []string
	channels     map[string]*channel
	channelNames map[string]*channel // names are never reused, even after archiving
	channelOrder []string
	ephemerals   []Ephemeral
	calls        []Call
	views        map[string]*View
	viewOrder    []string
	triggers     map[string]*trigger
	responseURLs map[string]*responseURL
	functions    map[string]*FunctionExecution
	homes        map[string]*homeTab // by user
	canvases     map[string]*canvas  // by canvas ID
	noCanvases   bool                // the plan has no channel canvases
	slackCalls   []*SlackCall        // the Calls API's, in the order added

	latency time.Duration
	faults  map[string][]fault
	limits  *rateLimiter // nil while rate limits are off

	tickets     map[string]bool
	conns       map[*conn]bool // every open socket
	connCount   int            // sockets ever accepted
	ready       []*conn        // sockets that got hello, in connection order
	rr          int            // round-robin position in ready
	connChanged chan struct{}  // closed and replaced whenever ready changes
	pongs       int
	envelopes   map[string]*envelope
	pending     []*envelope // waiting for a connection
}

// Start runs a fake Slack on 127.0.0.1 on a free port.
func Start(cfg Config) (*Server, error) {
	cfg = withDefaults(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("slackfake: listen: %w", err)
	}
	s := &Server{
		cfg:          cfg,
		baseURL:      "http://" + ln.Addr().String(),
		done:         make(chan struct{}),
		kick:         make(chan struct{}, 1),
		seq:          map[string]int{},
		users:        map[string]*User{},
		channels:     map[string]*channel{},
		channelNames: map[string]*channel{},
		views:        map[string]*View{},
		functions:    map[string]*FunctionExecution{},
		homes:        map[string]*homeTab{},
		triggers:     map[string]*trigger{},
		responseURLs: map[string]*responseURL{},
		faults:       map[string][]fault{},
		tickets:      map[string]bool{},
		conns:        map[*conn]bool{},
		connChanged:  make(chan struct{}),
		envelopes:    map[string]*envelope{},
		// slack-go dials with Origin https://api.slack.com; accept any.
		upgrader: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
	}
	s.methods = s.methodTable()
	s.seedWorkspace()

	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/socket", s.serveSocket)
	mux.HandleFunc("/response/", s.serveResponseURL)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	s.wg.Go(func() { _ = s.http.Serve(ln) })
	s.wg.Go(s.flushLoop)
	return s, nil
}

func withDefaults(cfg Config) Config {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&cfg.BotToken, "xoxb-fake-bot-token")
	def(&cfg.AppToken, "xapp-fake-app-token")
	def(&cfg.TeamID, "T0WARROOM")
	def(&cfg.BotUserID, "UBOT")
	if cfg.Scopes == nil {
		cfg.Scopes = DefaultScopes()
	}
	if cfg.Users == nil {
		cfg.Users = []User{
			{ID: "U1", Name: "alice", RealName: "Alice Archer", Email: "alice@example.com", TZ: "America/New_York", IsAdmin: true},
			{ID: "U2", Name: "bob", RealName: "Bob Baker", Email: "bob@example.com", TZ: "Europe/Berlin"},
			{ID: "U3", Name: "carol", RealName: "Carol Chen", Email: "carol@example.com", TZ: "Asia/Tokyo"},
		}
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = 5 * time.Second
	}
	if cfg.AckTimeout <= 0 {
		cfg.AckTimeout = 3 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg
}

// seedWorkspace adds the users and #general, which every workspace has and
// where slash commands are typed unless a test says otherwise. The bot is
// not a member of #general, as after a real install.
func (s *Server) seedWorkspace() {
	bot := User{ID: s.cfg.BotUserID, Name: "warroom", RealName: "Warroom", IsBot: true}
	for _, u := range append([]User{bot}, s.cfg.Users...) {
		if u.Name == "" {
			u.Name = u.ID
		}
		if u.RealName == "" {
			u.RealName = u.Name
		}
		if u.TZ == "" {
			u.TZ = "America/Los_Angeles"
		}
		s.users[u.ID] = &u
		s.userOrder = append(s.userOrder, u.ID)
	}
	var humans []string
	for _, u := range s.cfg.Users {
		if !u.IsBot {
			humans = append(humans, u.ID)
		}
	}
	creator := s.cfg.BotUserID
	if len(humans) > 0 {
		creator = humans[0]
	}
	ch := s.addChannel(generalID, "general", creator, false)
	ch.Members = humans
	ch.Purpose = "This is the one channel that will always include everyone."
	ch.purposeCreator, ch.purposeSet = creator, ch.Created
}

// Close stops the server and drops every connection. It is safe to call twice.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	for _, env := range s.envelopes {
		if env.timer != nil {
			env.timer.Stop()
		}
	}
	s.setReady(nil)
	s.mu.Unlock()

	close(s.done)
	_ = s.http.Close() // does not reach hijacked WebSockets, hence the loop
	for _, c := range conns {
		c.close()
	}
	s.wg.Wait()
}

// APIURL is the Web API base for slack.OptionAPIURL. It ends in "/" because
// slack-go appends method names to it.
func (s *Server) APIURL() string { return s.baseURL + "/api/" }

// BotToken is the xoxb- token the bot authenticates with.
func (s *Server) BotToken() string { return s.cfg.BotToken }

// Connections counts the Socket Mode connections ever accepted, so a test
// can wait for a restarted client's new socket.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connCount
}

// AppToken is the xapp- token for apps.connections.open.
func (s *Server) AppToken() string { return s.cfg.AppToken }

// BotUserID is the bot's user ID, as auth.test reports it.
func (s *Server) BotUserID() string { return s.cfg.BotUserID }

// SetLatency adds d to every Web API call and response_url post (not to
// socket traffic).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// DefaultScopes are the bot scopes warroom's manifest.yaml grants, exactly
// (a test holds the two together): the fake refuses what they do not
// allow, as Slack would in production.
func DefaultScopes() []string {
	return []string{"commands", "channels:manage", "channels:read", "channels:history", "channels:join",
		"groups:write", "groups:read", "groups:history", "chat:write", "pins:write", "bookmarks:write",
		"bookmarks:read", "users:read", "users:read.email", "canvases:write", "calls:write", "calls:read"}
}

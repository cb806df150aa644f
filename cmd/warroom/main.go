// Command warroom is a Slack bot that gives every incident a Zoom war room.
//
//	warroom run            the bot (Socket Mode; configuration from the environment)
//	warroom demo           the bot against built-in simulated Slack and Zoom
//	warroom doctor         check the configuration, Slack, Zoom, the database and the public URL
//	warroom backup <file>  copy the live database consistently to a new file
//	warroom healthcheck    exit 0 if the local warroom answers /healthz (container health checks)
//	warroom version        print the version
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/warroom-dev/warroom/config"
	"github.com/warroom-dev/warroom/doctor"
	"github.com/warroom-dev/warroom/zoom"

	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/alerts"
	"github.com/warroom-dev/warroom/api"
	"github.com/warroom-dev/warroom/bot"
	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/meetings"
	"github.com/warroom-dev/warroom/metrics"
	"github.com/warroom-dev/warroom/slackapi"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/web"
	"github.com/warroom-dev/warroom/workflow"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := runCommand(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "warroom:", err)
		os.Exit(1)
	}
}

const usage = `warroom gives every incident a Zoom war room in Slack.

Usage:
  warroom run                  run the bot (configure with environment variables; see README)
  warroom demo                 run the bot against simulated Slack and Zoom and print what a channel shows
  warroom doctor               check the configuration, Slack and Zoom credentials, the database and the
                               public URL, and say how to fix each problem (exit status 1 if any)
  warroom backup <file>        copy the database (WARROOM_DB) to a new file, safely while warroom runs
  warroom migrate-db --from <file> --to <postgres URL>
                               copy a SQLite installation into PostgreSQL, to run several replicas
  warroom healthcheck [-ready] exit 0 if the warroom on WARROOM_HTTP_ADDR is up (-ready: and ready)
  warroom version              print the version
`

func runCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "run"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "run":
		cfg, err := config.Load(getenv, true)
		if err != nil {
			return err
		}
		tuneRuntime(getenv)
		m := NewMain(cfg, stderr)
		defer m.Close()
		return m.Run(ctx)
	case "demo":
		return runDemo(ctx, getenv, stdout, stderr)
	case "doctor":
		return doctor.Run(ctx, args[1:], getenv, stdout, version)
	case "backup":
		return runBackup(ctx, args[1:], getenv, stdout)
	case "migrate-db":
		return runMigrateDB(ctx, args[1:], stdout)
	case "healthcheck":
		return runHealthcheck(ctx, args[1:], getenv, stdout)
	case "version", "--version":
		fmt.Fprintln(stdout, "warroom", version)
		fmt.Fprintln(stdout, buildDetails())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
}

// buildDetails says what the binary was built from, for bug reports.
func buildDetails() string {
	s := runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, modified string
		for _, kv := range bi.Settings {
			switch kv.Key {
			case "vcs.revision":
				rev = kv.Value
			case "vcs.modified":
				if kv.Value == "true" {
					modified = ", modified"
				}
			case "CGO_ENABLED":
				s += ", CGO_ENABLED=" + kv.Value
			}
		}
		if rev != "" {
			s += ", commit " + rev[:min(12, len(rev))] + modified
		}
	}
	return s
}

// Tuning is every part's settings, as Main derives them from the
// Config; tests and the demo adjust them (shorter backoffs) through
// Main.Tune before anything starts.
type Tuning struct {
	Jobs     jobs.Config
	Workflow workflow.Config
	Bot      bot.Config
	// API is the HTTP API's: its tokens and each token's request budget.
	API api.Config
	// Stream is the Zoom event stream's timing (heartbeat, backoff); the
	// rest of it comes from the configuration.
	Stream zoom.StreamConfig
}

// Main is the whole program wired together; `warroom run`, `warroom demo`
// and the end-to-end tests all use it.
type Main struct {
	Config config.Config
	Log    zerolog.Logger
	// HTTPClient is used for Slack and Zoom calls (tests add timeouts).
	HTTPClient *http.Client
	// Tune adjusts the parts' settings (tests shorten backoffs).
	Tune func(*Tuning)
	// OnAck observes ack latencies (benchmarks); Metrics sees them too.
	OnAck bot.AckObserver
	// Metrics is served on /metrics.
	Metrics *metrics.Metrics
	// Now, if set, is the clock of the store, the workers and the pool
	// (tests move time to make follow-ups and recordings fall due).
	Now func() time.Time
	// Listener, if set, serves HTTP instead of listening on
	// WARROOM_HTTP_ADDR (tests that must know the public URL first).
	Listener net.Listener

	mu     sync.Mutex
	lock   *store.Lock
	store  *store.Store
	bot    *bot.Bot
	server *http.Server
	addr   net.Addr
}

// NewMain returns a Main that logs to logOut, as JSON unless
// cfg.LogFormat is "console".
func NewMain(cfg config.Config, logOut io.Writer) *Main {
	return &Main{
		Config:     cfg,
		Log:        newLogger(cfg, logOut),
		HTTPClient: &http.Client{Timeout: 30 * time.Second, Transport: keepAlive()},
		Metrics:    metrics.New(version),
	}
}

// newLogger writes JSON lines (what log collectors want) or, with
// LOG_FORMAT=console, aligned text for people, coloured on a terminal.
func newLogger(cfg config.Config, out io.Writer) zerolog.Logger {
	if cfg.LogFormat == "console" {
		out = zerolog.ConsoleWriter{Out: out, NoColor: !isTerminal(out), TimeFormat: "2006-01-02 15:04:05.000"}
	}
	return zerolog.New(out).Level(cfg.LogLevel).With().Timestamp().Logger()
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// keepAlive is the transport for Slack and Zoom: Go keeps two idle
// connections per host by default, so a burst of incidents (a dozen calls
// at once to slack.com) would open and close connections, and on TLS pay a
// handshake for most calls.
func keepAlive() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return t
}

// instrumented returns a copy of the HTTP client whose transport counts
// and times every Slack and Zoom call for /metrics.
func (m *Main) instrumented() *http.Client {
	hc := *m.HTTPClient
	hc.Transport = m.Metrics.Transport(hc.Transport, metrics.Targets{
		SlackAPIURL: m.Config.SlackAPIURL, ZoomAPIURL: m.Config.ZoomAPIURL, ZoomOAuthURL: m.Config.ZoomOAuthURL,
	})
	return &hc
}

// tuning derives every part's settings from the configuration.
func (m *Main) tuning(announce string) Tuning {
	cfg := m.Config
	t := Tuning{
		Jobs: jobs.Config{PollInterval: cfg.PollInterval, Owner: cfg.Replica},
		// The workers and the front door share the policy as config read it.
		Workflow: workflow.Config{Policy: cfg.Policy, AnnounceChannel: announce},
		Bot:      bot.Config{Policy: cfg.Policy, PublicURL: cfg.PublicURL},
		API:      api.Config{Tokens: apiTokens(cfg.APITokens)},
	}
	if m.Tune != nil {
		m.Tune(&t)
	}
	if store.IsPostgres(cfg.DB) {
		// Replicas share the work: a killed one's jobs must move to a
		// survivor within seconds, so leases are short (and renewed every
		// ~2 s while a job runs), and each replica looks for work others
		// recorded, or left behind, every second: a kick reaches only its
		// own process.
		t.Jobs.Lease = sharedLease
		t.Jobs.PollInterval = min(t.Jobs.PollInterval, sharedPoll)
	}
	return t
}

// Run opens the database, connects to Slack and Zoom and works until ctx
// ends or the Slack connection fails for good.
func (m *Main) Run(ctx context.Context) error {
	cfg := m.Config
	if m.Metrics == nil {
		m.Metrics = metrics.New(version)
	}
	if cfg.Replica != "" {
		m.Log = m.Log.With().Str("replica", cfg.Replica).Logger()
		m.Metrics.SetReplica(cfg.Replica)
	}
	hc := m.instrumented()
	st, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	sl := slackapi.New(slackapi.Config{BotToken: cfg.SlackBotToken, AppToken: cfg.SlackAppToken, APIURL: cfg.SlackAPIURL, HTTP: hc,
		NoPacing: cfg.SlackPacing == "off"})
	me, err := sl.AuthTest(ctx)
	if err != nil {
		return fmt.Errorf("slack auth.test: %w", err)
	}
	m.Log.Info().Str("team", me.Team).Str("bot_user", me.UserID).Msg("connected to Slack Web API")
	announce, err := m.announceChannel(ctx, sl)
	if err != nil {
		return err
	}
	t := m.tuning(announce)
	// The engine writes due times on the store's clock: the database's,
	// with replicas, however far this replica's own clock is off.
	engine := jobs.New(t.Jobs, st, m.Log, st.Now, m.Metrics.ObserveJob)

	// The workflow tells admins when a Zoom account's token dies; the pool
	// notices it. The workflow is made after the pool, hence the indirection.
	var wf *workflow.Workflow
	pool, err := meetings.New(ctx, m.poolConfig(hc, func(ctx context.Context, h warroom.ZoomHost, reason string) {
		m.Metrics.TokenRefreshFailed()
		wf.ZoomTokenDead(ctx, h, reason)
	}), st)
	if err != nil {
		return err
	}
	wf = workflow.New(t.Workflow, workflow.Deps{Store: st, Slack: sl, Pool: pool, Log: m.Log, Now: m.Now, Kick: engine.Kick})
	sctx, cancel := context.WithTimeout(ctx, openTimeout)
	err = wf.Start(sctx, me.UserID)
	cancel()
	if err != nil {
		return err
	}
	wf.Register(engine)
	b, err := bot.New(t.Bot, bot.Deps{Store: st, Slack: sl, Pool: pool, Planner: wf, Kick: engine.Kick, Log: m.Log,
		Now: m.Now, OnAck: m.observeAck, BotUser: me.UserID})
	if err != nil {
		return err
	}
	m.Metrics.SetState(stateReader(st, b.Connected))
	go m.loadHostProfiles(ctx, pool)
	m.mu.Lock()
	m.bot = b
	m.mu.Unlock()

	machines := api.New(t.API, api.Deps{Store: st, Users: sl, Kick: engine.Kick, Log: m.Log, Now: m.Now})
	srv := web.New(web.Config{PublicURL: cfg.PublicURL, WebhookSecret: cfg.ZoomWebhookKey, StateTTL: t.Bot.StateTTL},
		web.Deps{Store: st, Pool: pool, Workflow: wf, Metrics: m.Metrics.Handler(), API: machines.Handler(),
			Connected: b.Connected, Kick: engine.Kick, Log: m.Log, Now: m.Now, Alerts: alertReceiver(cfg, st, engine.Kick, m.Log)})
	if err := m.serveHTTP(srv.Handler()); err != nil {
		return err
	}
	m.Log.Info().Str("version", version).Str("db", store.RedactDSN(cfg.DB)).Str("engine", st.Engine()).
		Str("owner", engine.Owner()).Msg("warroom starting")
	engineDone := make(chan struct{})
	runCtx, cancel := context.WithCancel(ctx)
	go m.announceReplica(runCtx, st, engine.Owner())
	go m.runEventStream(runCtx, st, wf, hc, t.Stream, engine.Owner())
	go m.singleton(runCtx, st, homeSingleton, engine.Owner(), wf.RunHome)
	go func() { defer close(engineDone); engine.Run(runCtx) }()
	err = b.Run(runCtx)
	cancel()
	<-engineDone
	m.Log.Info().Msg("warroom stopped")
	return err
}

// apiTokens hands the configured tokens to the API.
func apiTokens(ts []config.APIToken) []api.Token {
	out := make([]api.Token, 0, len(ts))
	for _, t := range ts {
		out = append(out, api.Token{Name: t.Name, Secret: t.Token})
	}
	return out
}

func (m *Main) observeAck(envelopeType string, latency time.Duration) {
	m.Metrics.ObserveAck(envelopeType, latency)
	if m.OnAck != nil {
		m.OnAck(envelopeType, latency)
	}
}

// announceChannel turns WARROOM_ANNOUNCE_CHANNEL into a channel ID: Slack's
// conversations.* methods take IDs only.
func (m *Main) announceChannel(ctx context.Context, sl *slackapi.Client) (string, error) {
	name := m.Config.AnnounceChannel
	if name == "" {
		return "", nil
	}
	id, ok, err := sl.ChannelID(ctx, name)
	if err != nil {
		return "", fmt.Errorf("WARROOM_ANNOUNCE_CHANNEL #%s could not be looked up: %w", name, err)
	}
	if !ok {
		return "", &config.Error{Var: "WARROOM_ANNOUNCE_CHANNEL", Problem: fmt.Sprintf("names #%s, which the bot cannot see: check the name, or invite @warroom to the private channel.", name)}
	}
	return id, nil
}

func (m *Main) poolConfig(hc *http.Client, onDead func(context.Context, warroom.ZoomHost, string)) meetings.Config {
	cfg := m.Config
	pcfg := meetings.Config{
		Now:    m.Now,
		APIURL: cfg.ZoomAPIURL, OAuthURL: cfg.ZoomOAuthURL,
		ClientID: cfg.ZoomClientID, ClientSecret: cfg.ZoomClientSecret,
		AccountID: cfg.ZoomAccountID, S2SHosts: cfg.ZoomHosts,
		HTTP: hc, Log: m.Log, OnTokenDead: onDead, Owner: cfg.Replica,
	}
	if cfg.PublicURL != "" && cfg.SecretKey != nil {
		pcfg.RedirectURL = cfg.PublicURL + "/zoom/oauth/callback"
	}
	return pcfg
}

// loadHostProfiles reads each Server-to-Server host's user and settings at
// start: it fetches the access token before the first incident needs it,
// learns each host's licence and passcode rules, and tells an operator at
// once, not at 3 a.m., that the credentials are wrong or a host does not
// exist.
func (m *Main) loadHostProfiles(ctx context.Context, pool *meetings.Pool) {
	if m.Config.ZoomAccountID == "" {
		return
	}
	for _, host := range m.Config.ZoomHosts {
		h, err := pool.LoadProfile(ctx, host)
		if err != nil {
			if ctx.Err() == nil {
				m.Log.Error().Err(err).Str("host", host).Msg("zoom: cannot read this host; its meetings go to the other hosts until it is fixed")
			}
			continue
		}
		m.Log.Info().Str("host", host).Str("email", h.Email).Int("type", h.UserType).Int("capacity", h.Capacity()).Msg("zoom host ready")
	}
}

// stateReader reads, at each scrape, what /metrics reports from the
// database and the Slack connection.
func stateReader(st *store.Store, connected func() bool) func(ctx context.Context) (metrics.State, error) {
	return func(ctx context.Context) (metrics.State, error) {
		s := metrics.State{SocketConnected: connected(), ZoomHosts: map[string]int{}}
		var err error
		if s.Declared, s.Incidents, err = st.IncidentCounts(ctx); err != nil {
			return s, err
		}
		js, err := st.JobStats(ctx)
		if err != nil {
			return s, err
		}
		s.PendingJobs, s.DeadJobs = js.Pending, js.Dead
		if !js.OldestDue.IsZero() {
			s.OldestDue = time.Since(js.OldestDue)
		}
		if !js.OldestFailing.IsZero() {
			s.OldestFailing = time.Since(js.OldestFailing)
		}
		hosts, err := st.ZoomHosts(ctx)
		if err != nil {
			return s, err
		}
		for _, h := range hosts {
			s.ZoomHosts[string(h.Status)]++
		}
		return s, nil
	}
}

// serveHTTP starts the HTTP server.
func (m *Main) serveHTTP(h http.Handler) error {
	ln := m.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", m.Config.HTTPAddr); err != nil {
			return fmt.Errorf("WARROOM_HTTP_ADDR %s cannot be listened on: %w", m.Config.HTTPAddr, err)
		}
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	m.mu.Lock()
	m.server, m.addr = srv, ln.Addr()
	m.mu.Unlock()
	m.Log.Info().Str("addr", ln.Addr().String()).Msg("http server listening")
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error().Err(err).Msg("http server stopped")
		}
	}()
	return nil
}

// HTTPAddr is the address the HTTP server listens on, once Run started it.
func (m *Main) HTTPAddr() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.addr == nil {
		return ""
	}
	return m.addr.String()
}

// Close releases everything Run opened.
func (m *Main) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs []error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, m.server.Shutdown(ctx))
		cancel()
		m.server = nil
	}
	if m.store != nil {
		errs = append(errs, m.store.Close())
		m.store = nil
	}
	if m.lock != nil {
		errs = append(errs, m.lock.Release())
		m.lock = nil
	}
	return errors.Join(errs...)
}

// homeSingleton names the App Home publisher among replicas.
const homeSingleton = "app-home"

// alertReceiver is the Alertmanager receiver, on only when API tokens are
// set: without them anyone who reaches the port could declare incidents.
func alertReceiver(cfg config.Config, st *store.Store, kick func(), log zerolog.Logger) http.Handler {
	if len(cfg.APITokens) == 0 {
		return nil
	}
	severity := cfg.AlertSeverity
	if severity == nil { // a Config not read from the environment
		severity, _ = config.ParseSeverityMap(warroom.DefaultAlertSeverity)
	}
	return alerts.New(alerts.Config{Severity: severity},
		alerts.Deps{Store: st, Auth: api.NewTokens(apiTokens(cfg.APITokens)), Kick: kick, Log: log.With().Str("door", "alertmanager").Logger()})
}

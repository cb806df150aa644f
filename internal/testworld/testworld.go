// Package testworld is the world warroom's rooms test themselves in: the
// fake Slack and fake Zoom running on real ports, a real store (a SQLite
// file in the test's temporary directory, or a fresh PostgreSQL database),
// and the Slack client, the Zoom host pool, the job engine, the workflow,
// the Socket Mode front door and the HTTP side wired together as
// cmd/warroom wires them.
//
// Start is the one place the rooms are put together from their public
// constructors: a change to a room's Config or Deps is made here once for
// every test that needs the whole world.
package testworld

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/alerts"
	"github.com/warroom-dev/warroom/api"
	"github.com/warroom-dev/warroom/bot"
	"github.com/warroom-dev/warroom/config"
	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/meetings"
	"github.com/warroom-dev/warroom/metrics"
	"github.com/warroom-dev/warroom/slackapi"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/store/pgtest"
	"github.com/warroom-dev/warroom/web"
	"github.com/warroom-dev/warroom/workflow"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// Credentials of the simulated Zoom account, and its one licensed host.
const (
	ZoomAccount = "demo-account-id"
	ZoomClient  = "demo-client-id"
	ZoomSecret  = "demo-client-secret"
	ZoomHost    = "incident-bot@example.com"
	// WebhookSecret signs the fake Zoom's webhooks; /zoom/webhook checks
	// them with it.
	WebhookSecret = "test-webhook-secret"
	// ChannelPrefix starts every incident channel's name.
	ChannelPrefix = "inc-"
)

// People of the fake Slack workspace (slackfake's defaults).
const (
	Admin    = "U1" // alice, a workspace admin
	NotAdmin = "U2" // bob
	General  = "C0GENERAL"
)

// Config chooses the world. The zero value is warroom on SQLite with a
// Server-to-Server Zoom account, the front door connected and the job
// engine running.
type Config struct {
	// Postgres puts the store in a fresh PostgreSQL database
	// (store/pgtest); the test is skipped when none can be had, unless
	// WARROOM_REQUIRE_POSTGRES=1.
	Postgres bool
	// UserOAuth is warroom with a public URL and a secret key and no
	// Server-to-Server account: admins connect Zoom accounts through
	// /zoom/connect.
	UserOAuth bool
	// NoJobs leaves the job engine stopped: what the front doors record
	// stays pending, for tests of the front doors alone.
	NoJobs bool
	// Now is the clock of the store (SQLite only), the rooms and the fake
	// Zoom; default time.Now. See Clock.
	Now func() time.Time
	// Slack configures the fake Slack; zero fields take the defaults.
	Slack slackfake.Config
	// Zoom adjusts the fake Zoom's configuration before it starts.
	Zoom func(*zoomfake.Config)
	// Tune adjusts the rooms' settings before they are built.
	Tune func(*Tuning)
	// APITokens turn the HTTP API (/api/v1/) on, as WARROOM_API_TOKENS
	// does.
	APITokens []api.Token
}

// Tuning is every room's settings, as Start derives them; Config.Tune
// changes them.
type Tuning struct {
	Jobs     jobs.Config
	Workflow workflow.Config
	Bot      bot.Config
	Web      web.Config
	API      api.Config
	// AlertSeverity is WARROOM_ALERT_SEVERITY's map (its default unless
	// tuned).
	AlertSeverity map[string]warroom.Severity
}

// World is a running warroom against the fakes.
type World struct {
	Slack *slackfake.Server
	Zoom  *zoomfake.Server
	Store *store.Store
	// SlackAPI is warroom's own Slack client, as the rooms use it.
	SlackAPI *slackapi.Client
	Pool     *meetings.Pool
	Jobs     *jobs.Engine
	Workflow *workflow.Workflow
	Bot      *bot.Bot
	Metrics  *metrics.Metrics
	// URL is where the HTTP side is served (WARROOM_PUBLIC_URL with
	// UserOAuth), without a trailing slash.
	URL string
	// Log is everything the rooms logged.
	Log *LogBuffer
	// DSN names the database: a SQLite path or a PostgreSQL URL.
	DSN string
}

// Start builds and runs the world; it stops when the test ends.
func Start(tb testing.TB, cfg Config) *World {
	tb.Helper()
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	w := &World{Log: &LogBuffer{}}
	// The HTTP side's address is its public URL, which Zoom's redirect
	// allow list and the Connect Zoom links need before anything starts.
	hs := httptest.NewUnstartedServer(http.NotFoundHandler())
	tb.Cleanup(hs.Close)
	w.URL = "http://" + hs.Listener.Addr().String()
	w.startFakes(tb, cfg)
	w.Store, w.DSN = openStore(tb, cfg)
	t := w.tuning(cfg)
	w.wire(tb, cfg, t)
	machines := api.New(t.API, api.Deps{Store: w.Store, Users: w.SlackAPI, Kick: w.Jobs.Kick, Log: w.logger(), Now: cfg.Now})
	hs.Config.Handler = web.New(t.Web, web.Deps{Store: w.Store, Pool: w.Pool, Workflow: w.Workflow,
		Metrics: w.Metrics.Handler(), API: machines.Handler(), Connected: w.Bot.Connected, Kick: w.Jobs.Kick,
		Log: w.logger(), Now: cfg.Now, Alerts: w.alerts(cfg, t)}).Handler()
	hs.Start()
	w.run(tb, cfg)
	return w
}

// alerts is the Alertmanager receiver as Main wires it: on only when API
// tokens are set.
func (w *World) alerts(cfg Config, t Tuning) http.Handler {
	if len(cfg.APITokens) == 0 {
		return nil
	}
	return alerts.New(alerts.Config{Severity: t.AlertSeverity},
		alerts.Deps{Store: w.Store, Auth: api.NewTokens(cfg.APITokens), Kick: w.Jobs.Kick, Log: w.logger()})
}

// startFakes starts the fake Slack and Zoom.
func (w *World) startFakes(tb testing.TB, cfg Config) {
	tb.Helper()
	sc := cfg.Slack
	if sc.AckTimeout == 0 {
		sc.AckTimeout = 500 * time.Millisecond
	}
	if sc.PingInterval == 0 {
		sc.PingInterval = time.Second
	}
	sf, err := slackfake.Start(sc)
	if err != nil {
		tb.Fatalf("start the fake Slack: %v", err)
	}
	tb.Cleanup(sf.Close)
	zc := zoomfake.Config{
		AccountID: ZoomAccount, ClientID: ZoomClient, ClientSecret: ZoomSecret, Now: cfg.Now,
		Hosts:         []zoomfake.User{{Email: ZoomHost, FirstName: "Incident", LastName: "Bot", Type: 2}},
		RedirectURIs:  []string{w.URL + "/zoom/oauth/callback"},
		WebhookURL:    w.URL + "/zoom/webhook",
		WebhookSecret: WebhookSecret,
	}
	if cfg.Zoom != nil {
		cfg.Zoom(&zc)
	}
	zf, err := zoomfake.Start(zc)
	if err != nil {
		tb.Fatalf("start the fake Zoom: %v", err)
	}
	tb.Cleanup(zf.Close)
	w.Slack, w.Zoom = sf, zf
}

// secretKey encrypts the Zoom tokens of connected accounts.
var secretKey = bytes.Repeat([]byte{7}, 32)

// openStore opens the database as `warroom run` does: a SQLite file, or
// PostgreSQL on the server's clock; with UserOAuth, tokens encrypted.
func openStore(tb testing.TB, cfg Config) (*store.Store, string) {
	tb.Helper()
	dsn := filepath.Join(tb.TempDir(), "warroom.db")
	var opts []store.Option
	if cfg.Postgres {
		dsn = pgtest.URL(tb)
	} else {
		opts = append(opts, store.WithClock(cfg.Now))
	}
	if cfg.UserOAuth {
		c, err := store.NewCipher(secretKey)
		if err != nil {
			tb.Fatal(err)
		}
		opts = append(opts, store.WithCipher(c))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, dsn, opts...)
	if err != nil {
		tb.Fatalf("open the store: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st, dsn
}

// tuning is the rooms' settings: cmd/warroom's, with backoffs short
// enough for tests.
func (w *World) tuning(cfg Config) Tuning {
	policy := warroom.DefaultPolicy()
	policy.ChannelPrefix = ChannelPrefix
	t := Tuning{
		Jobs: jobs.Config{PollInterval: time.Minute, RetryBase: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond,
			DrainTimeout: time.Second},
		Workflow: workflow.Config{Policy: policy,
			MeetingRetryBase: 20 * time.Millisecond, MeetingRetryMax: 200 * time.Millisecond,
			HomeTick: 100 * time.Millisecond, HomeEvery: 2 * time.Second},
		Bot: bot.Config{Policy: policy},
		Web: web.Config{WebhookSecret: WebhookSecret},
		API: api.Config{Tokens: cfg.APITokens},
	}
	if cfg.Postgres {
		// As replicas on PostgreSQL: short leases, frequent sweeps.
		t.Jobs.Lease, t.Jobs.PollInterval = 4*time.Second, time.Second
	}
	if cfg.UserOAuth {
		t.Bot.PublicURL, t.Web.PublicURL = w.URL, w.URL
	}
	t.AlertSeverity, _ = config.ParseSeverityMap(warroom.DefaultAlertSeverity)
	if cfg.Tune != nil {
		cfg.Tune(&t)
	}
	if t.Web.StateTTL <= 0 {
		// The HTTP side checks the links the front door issued.
		t.Web.StateTTL = t.Bot.StateTTL
		if t.Web.StateTTL <= 0 {
			t.Web.StateTTL = warroom.DefaultConnectLinkTTL
		}
	}
	return t
}

func (w *World) logger() zerolog.Logger {
	return zerolog.New(w.Log).Level(zerolog.DebugLevel).With().Timestamp().Logger()
}

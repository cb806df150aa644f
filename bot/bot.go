// Package bot is warroom's Slack side: it holds the Socket Mode connection,
// acks every envelope at once, records what was asked in the store, and runs
// the durable jobs that build each incident's war room (channel, Zoom
// meeting, pinned Join Call message). It is the only package that talks to
// Slack.
package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoompool"
)

// Config holds the bot's settings (see DESIGN.md's configuration table).
type Config struct {
	ChannelPrefix string        // WARROOM_CHANNEL_PREFIX
	PollInterval  time.Duration // WARROOM_POLL_INTERVAL: the cron sweep for due jobs
	Admins        []string      // WARROOM_ADMINS, besides Slack's workspace admins and owners
	PublicURL     string        // WARROOM_PUBLIC_URL: where /zoom/connect is served
	WebhookSecret string        // ZOOM_WEBHOOK_SECRET: empty turns /zoom/webhook off
	// AnnounceChannel (WARROOM_ANNOUNCE_CHANNEL), if set, gets one message
	// per incident, kept current.
	AnnounceChannel string
	// StateTTL is how long a Connect Zoom link works.
	StateTTL time.Duration

	// Follow-ups and recordings.
	FollowupAfter        time.Duration // WARROOM_FOLLOWUP_AFTER: after resolution
	FollowupDuration     time.Duration // default length of a follow-up
	FollowupWorkingHours bool          // move follow-ups into the declarer's working hours
	WorkdayStart         int           // working hours, local to the declarer: [start, end)
	WorkdayEnd           int
	ReminderBefore       time.Duration // the reminder's lead time
	RecordingPollFor     time.Duration // how long to wait for a recording
	PasscodeDisplay      warroom.PasscodeDisplay
	FollowupOff          bool // no follow-up is scheduled on resolve
	// RetryBase and RetryMax bound the backoff between attempts of a job.
	RetryBase time.Duration
	RetryMax  time.Duration
	// Workers caps how many jobs run at once. Jobs mostly wait on Slack
	// and Zoom (and on Retry-After in a storm), so there are many.
	Workers int
	// Lease is how long a claimed job stays claimed.
	Lease time.Duration
	// DrainTimeout is how long shutdown waits for running jobs.
	DrainTimeout time.Duration
	// Location is the time zone of the date in channel names.
	Location *time.Location
	// Owner names this process in job leases.
	Owner string
}

func (c *Config) setDefaults() {
	if c.ChannelPrefix == "" {
		c.ChannelPrefix = "inc-"
	}
	if c.StateTTL <= 0 {
		c.StateTTL = 10 * time.Minute
	}
	if c.FollowupAfter <= 0 {
		c.FollowupAfter = 48 * time.Hour
	}
	if c.FollowupDuration <= 0 {
		c.FollowupDuration = 30 * time.Minute
	}
	if c.WorkdayEnd <= c.WorkdayStart || c.WorkdayStart < 0 || c.WorkdayEnd > 24 {
		c.WorkdayStart, c.WorkdayEnd = 9, 17
	}
	if c.ReminderBefore <= 0 {
		c.ReminderBefore = 10 * time.Minute
	}
	if c.RecordingPollFor <= 0 {
		c.RecordingPollFor = 7 * 24 * time.Hour
	}
	if c.PasscodeDisplay == "" {
		c.PasscodeDisplay = "inline"
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Minute
	}
	if c.RetryBase <= 0 {
		c.RetryBase = 2 * time.Second
	}
	if c.RetryMax <= 0 {
		c.RetryMax = 5 * time.Minute
	}
	if c.Workers <= 0 {
		c.Workers = 64
	}
	if c.Lease <= 0 {
		c.Lease = 5 * time.Minute
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = 10 * time.Second
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	if c.Owner == "" {
		c.Owner = fmt.Sprintf("warroom-%d", time.Now().UnixNano())
	}
}

// Bot is a running warroom Slack bot.
type Bot struct {
	cfg    Config
	log    zerolog.Logger
	store  *store.Store
	api    *slack.Client
	socket *socketmode.Client
	pool   *zoompool.Pool
	http   *http.Client
	now    func() time.Time

	botUserID string
	installID string

	wake      chan struct{}
	declares  chan declareRequest
	hostMu    sync.Mutex // serialises host choice so concurrent incidents spread out
	names     userNames
	connected atomic.Bool
	acks      AckObserver
}

// AckObserver is told how long each ack took (metrics, benchmarks).
type AckObserver func(envelopeType string, latency time.Duration)

// Deps are the bot's collaborators.
type Deps struct {
	Store  *store.Store
	Slack  *slack.Client // built with the bot token, app token and API URL
	Pool   *zoompool.Pool
	Log    zerolog.Logger
	HTTP   *http.Client // for response_url posts; http.DefaultClient if nil
	Now    func() time.Time
	OnAck  AckObserver
	Socket []socketmode.Option
}

// New builds a bot. Run starts it.
func New(cfg Config, d Deps) (*Bot, error) {
	if d.Store == nil || d.Slack == nil || d.Pool == nil {
		return nil, errors.New("bot: store, slack and the zoom pool are required")
	}
	cfg.setDefaults()
	if d.HTTP == nil {
		d.HTTP = http.DefaultClient
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	b := &Bot{
		cfg:      cfg,
		log:      d.Log,
		store:    d.Store,
		api:      d.Slack,
		pool:     d.Pool,
		http:     d.HTTP,
		now:      now,
		wake:     make(chan struct{}, 1),
		declares: make(chan declareRequest),
		acks:     d.OnAck,
	}
	b.socket = socketmode.New(d.Slack, d.Socket...)
	return b, nil
}

// Connected reports whether the Socket Mode connection is up.
func (b *Bot) Connected() bool { return b.connected.Load() }

// Run connects to Slack and works until ctx ends, then drains running jobs
// (up to Config.DrainTimeout) and returns.
func (b *Bot) Run(ctx context.Context) error {
	auth, err := b.api.AuthTestContext(ctx)
	if err != nil {
		return fmt.Errorf("bot: slack auth.test: %w", err)
	}
	b.botUserID = auth.UserID
	if b.installID, err = b.store.InstallID(ctx); err != nil {
		return fmt.Errorf("bot: %w", err)
	}
	b.log.Info().Str("team", auth.Team).Str("bot_user", auth.UserID).Msg("connected to Slack Web API")

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	socketDone := make(chan struct{})
	dispatchDone := make(chan struct{})
	var socketErr error
	go func() {
		defer close(socketDone)
		if err := b.socket.RunContext(runCtx); err != nil && !errors.Is(err, context.Canceled) {
			socketErr = fmt.Errorf("bot: socket mode: %w", err)
			cancel()
		}
	}()
	go func() {
		defer close(dispatchDone)
		b.dispatch(runCtx, socketDone)
	}()
	go b.commitDeclares(runCtx)
	b.runJobs(runCtx)
	cancel()
	<-socketDone
	<-dispatchDone
	return socketErr
}

// reply posts an ephemeral answer to a slash command's or an
// interaction's response_url.
func (b *Bot) reply(ctx context.Context, responseURL string, msg *slack.WebhookMessage) error {
	if responseURL == "" {
		return nil
	}
	msg.ResponseType = slack.ResponseTypeEphemeral
	return slack.PostWebhookCustomHTTPContext(ctx, responseURL, b.http, msg)
}

// kick wakes the job runner without blocking.
func (b *Bot) kick() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

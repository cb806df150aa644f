// Package bot is warroom's front door on Slack: it holds the Socket Mode
// connection, and for every envelope parses what was asked, records it in
// the store (with the job that will carry it out, in one transaction),
// acks, and kicks the job engine. It never waits on Slack or Zoom before
// an ack, and it never builds the war room itself: the workflow's jobs do.
package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack/socketmode"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/slackapi"
	"github.com/warroom-dev/warroom/store"
)

// Config holds the front door's settings.
type Config struct {
	// Policy is shared with the workers: the channel prefix, the admins,
	// the follow-up and recording settings a declare and a resolve record.
	warroom.Policy
	PublicURL string // WARROOM_PUBLIC_URL: where /zoom/connect is served
	// StateTTL is how long a Connect Zoom link works.
	StateTTL time.Duration
}

func (c *Config) setDefaults() {
	c.Policy = c.Policy.WithDefaults()
	if c.StateTTL <= 0 {
		c.StateTTL = warroom.DefaultConnectLinkTTL
	}
}

// FollowupPlanner works out a follow-up's default time (the workflow).
type FollowupPlanner interface {
	DefaultFollowupStart(ctx context.Context, from time.Time, declarer string) time.Time
}

// AckObserver is told how long each ack took (metrics, benchmarks).
type AckObserver func(envelopeType string, latency time.Duration)

// ZoomAccounts is what the Zoom admin commands ask of the host pool.
type ZoomAccounts interface {
	CanConnect() bool
	Mode(ctx context.Context) string
	Status(ctx context.Context) ([]warroom.HostStatus, error)
	Disconnect(ctx context.Context, key string) (removed store.Removal, revokeErr error, err error)
}

// Deps are the front door's collaborators.
type Deps struct {
	Store    Store
	Slack    *slackapi.Client
	Pool     ZoomAccounts // the Zoom admin commands
	Planner  FollowupPlanner
	Kick     func() // wakes the job engine: new work was recorded
	Log      zerolog.Logger
	Now      func() time.Time
	OnAck    AckObserver
	Socket   []socketmode.Option
	BotUser  string // the bot's Slack user ID (auth.test)
	Declares int    // the most declares one commit takes; 0: 64
}

// Bot is the running front door.
type Bot struct {
	cfg    Config
	d      Deps
	log    zerolog.Logger
	now    func() time.Time
	socket *socketmode.Client

	declares  chan declareRequest
	connected atomic.Bool
	stopping  chan struct{} // closed when Run ends

	// While closing, envelopes are left unanswered for Slack to deliver
	// elsewhere; handling counts the ones being handled, whose acks must
	// go out on the connection they came by before it closes.
	mu       sync.Mutex
	closing  bool
	handling sync.WaitGroup
	lastAck  atomic.Int64 // when an ack was last queued (Unix nanoseconds)
}

// New builds the front door. Run starts it.
func New(cfg Config, d Deps) (*Bot, error) {
	if d.Store == nil || d.Slack == nil || d.Pool == nil || d.Planner == nil {
		return nil, errors.New("bot: store, slack, the zoom pool and the follow-up planner are required")
	}
	cfg.setDefaults()
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Kick == nil {
		d.Kick = func() {}
	}
	if d.Declares <= 0 {
		d.Declares = 64
	}
	return &Bot{cfg: cfg, d: d, log: d.Log, now: d.Now, socket: d.Slack.SocketMode(d.Socket...),
		declares: make(chan declareRequest), stopping: make(chan struct{})}, nil
}

// Connected reports whether the Socket Mode connection is up.
func (b *Bot) Connected() bool { return b.connected.Load() }

// Run connects to Slack and answers envelopes until ctx ends or Slack
// refuses the app token for good.
//
// Shutdown drains before it closes the connection: envelopes that arrive
// from then on are left unanswered (Slack retries events on another
// connection; a command shows its user it failed, with nothing recorded),
// and those already being handled get up to drainAcks to be recorded and
// acked. Closing the connection first would leave a declare recorded
// whose ack never reached Slack: an incident its user was told failed.
func (b *Bot) Run(ctx context.Context) error {
	life, stop := context.WithCancel(context.WithoutCancel(ctx))
	defer stop()
	socketDone := make(chan struct{})
	var socketErr error
	go func() {
		defer close(socketDone)
		if err := b.socket.RunContext(life); err != nil && !errors.Is(err, context.Canceled) {
			socketErr = fmt.Errorf("bot: socket mode: %w", err)
		}
	}()
	dispatchDone := make(chan struct{})
	go func() {
		defer close(dispatchDone)
		b.dispatch(life, socketDone)
	}()
	// SQLite takes one writer: one committer, whose batches share an
	// fsync. PostgreSQL takes many at once, and a batch waits out the
	// database's round trips, which a slow network makes long: declares
	// arriving meanwhile go into another batch beside it.
	committers := 1
	if b.d.Store.Engine() == "postgres" {
		committers = postgresCommitters
	}
	var commits sync.WaitGroup
	for range committers {
		commits.Go(func() { b.commitDeclares(life) })
	}
	commitDone := make(chan struct{})
	go func() {
		defer close(commitDone)
		commits.Wait()
	}()
	select {
	case <-ctx.Done():
	case <-socketDone:
	}
	b.drain()
	stop()
	<-socketDone
	<-dispatchDone
	<-commitDone
	close(b.stopping)
	return socketErr
}

// postgresCommitters is how many batches of declares are written at once
// on PostgreSQL.
const postgresCommitters = 4

// drainAcks is how long shutdown waits for the envelopes being handled.
const drainAcks = 3 * time.Second

// ackLinger is how long the connection stays open after the last handler
// returned: an ack is queued by the handler and written by the socket's
// own writer, which must get to it before the connection closes.
const ackLinger = time.Second

// drain stops taking envelopes and waits (at most drainAcks) for those
// being handled, and then for their acks to be written.
func (b *Bot) drain() {
	b.mu.Lock()
	b.closing = true
	b.mu.Unlock()
	done := make(chan struct{})
	go func() { b.handling.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(drainAcks):
		b.log.Warn().Msg("shutting down with envelopes still being handled")
	}
	time.Sleep(time.Until(time.Unix(0, b.lastAck.Load()).Add(ackLinger)))
}

// take counts an envelope in for handling, unless shutdown began.
func (b *Bot) take() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closing {
		return false
	}
	b.handling.Add(1)
	return true
}

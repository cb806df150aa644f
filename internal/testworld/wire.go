package testworld

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/bot"
	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/meetings"
	"github.com/warroom-dev/warroom/metrics"
	"github.com/warroom-dev/warroom/slackapi"
	"github.com/warroom-dev/warroom/workflow"
)

// wire builds the rooms as cmd/warroom's Main.Run does.
func (w *World) wire(tb testing.TB, cfg Config, t Tuning) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	log := w.logger()
	w.Metrics = metrics.New("test")
	hc := &http.Client{Timeout: 30 * time.Second}
	hc.Transport = w.Metrics.Transport(http.DefaultTransport, metrics.Targets{
		SlackAPIURL: w.Slack.APIURL(), ZoomAPIURL: w.Zoom.APIURL(), ZoomOAuthURL: w.Zoom.URL()})
	w.SlackAPI = slackapi.New(slackapi.Config{BotToken: w.Slack.BotToken(), AppToken: w.Slack.AppToken(),
		APIURL: w.Slack.APIURL(), HTTP: hc})
	me, err := w.SlackAPI.AuthTest(ctx)
	if err != nil {
		tb.Fatalf("slack auth.test: %v", err)
	}
	w.Jobs = jobs.New(t.Jobs, w.Store, log, w.Store.Now, w.Metrics.ObserveJob)
	pc := meetings.Config{Now: cfg.Now, APIURL: w.Zoom.APIURL(), OAuthURL: w.Zoom.URL(),
		ClientID: ZoomClient, ClientSecret: ZoomSecret, HTTP: hc, Log: log,
		OnTokenDead: func(ctx context.Context, h warroom.ZoomHost, reason string) {
			w.Metrics.TokenRefreshFailed()
			w.Workflow.ZoomTokenDead(ctx, h, reason)
		}}
	if cfg.UserOAuth {
		pc.RedirectURL = w.URL + "/zoom/oauth/callback"
	} else {
		pc.AccountID, pc.S2SHosts = ZoomAccount, []string{ZoomHost}
	}
	if w.Pool, err = meetings.New(ctx, pc, w.Store); err != nil {
		tb.Fatalf("the zoom pool: %v", err)
	}
	w.Workflow = workflow.New(t.Workflow, workflow.Deps{Store: w.Store, Slack: w.SlackAPI, Pool: w.Pool, Log: log,
		Now: cfg.Now, Kick: w.Jobs.Kick})
	if err := w.Workflow.Start(ctx, me.UserID); err != nil {
		tb.Fatalf("the workflow: %v", err)
	}
	w.Workflow.Register(w.Jobs)
	w.Bot, err = bot.New(t.Bot, bot.Deps{Store: w.Store, Slack: w.SlackAPI, Pool: w.Pool, Planner: w.Workflow,
		Kick: w.Jobs.Kick, Log: log, Now: cfg.Now, OnAck: w.Metrics.ObserveAck, BotUser: me.UserID})
	if err != nil {
		tb.Fatalf("the bot: %v", err)
	}
}

// run starts the front door (and the job engine unless NoJobs), waits for
// the Socket Mode connection, and stops both, waiting for them, when the
// test ends.
func (w *World) run(tb testing.TB, cfg Config) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	botDone, jobsDone := make(chan error, 1), make(chan struct{})
	go func() { botDone <- w.Bot.Run(ctx) }()
	if cfg.NoJobs {
		close(jobsDone)
	} else {
		homeDone := make(chan struct{})
		go func() { defer close(homeDone); w.Workflow.RunHome(ctx) }()
		go func() { defer close(jobsDone); w.Jobs.Run(ctx); <-homeDone }()
	}
	tb.Cleanup(func() {
		cancel()
		select {
		case err := <-botDone:
			if err != nil && !errors.Is(err, context.Canceled) {
				tb.Errorf("the bot stopped with: %v", err)
			}
		case <-time.After(15 * time.Second):
			tb.Error("the bot did not stop within 15s")
		}
		<-jobsDone
	})
	WaitFor(tb, "the bot to connect to Slack's Socket Mode", func() bool {
		return w.Bot.Connected() && w.Slack.ReadyConnections() > 0
	})
}

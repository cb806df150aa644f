package main

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"time"

	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/config"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// world is the simulated Slack workspace and Zoom account that `warroom
// demo`, the end-to-end tests and the benchmarks run the real bot against.
type world struct {
	Slack *slackfake.Server
	Zoom  *zoomfake.Server
}

// Credentials the simulated Zoom account accepts.
const (
	demoZoomAccount = "demo-account-id"
	demoZoomClient  = "demo-client-id"
	demoZoomSecret  = "demo-client-secret"
	demoZoomHost    = "incident-bot@example.com"
)

func startWorld(slackCfg slackfake.Config) (*world, error) {
	return startWorldWith(slackCfg, nil)
}

// startWorldWith lets the caller adjust the simulated Zoom's configuration
// (more hosts, webhooks, redirect URIs) before it starts.
func startWorldWith(slackCfg slackfake.Config, zoomCfg func(*zoomfake.Config)) (*world, error) {
	sf, err := slackfake.Start(slackCfg)
	if err != nil {
		return nil, fmt.Errorf("start simulated Slack: %w", err)
	}
	zc := zoomfake.Config{
		AccountID: demoZoomAccount, ClientID: demoZoomClient, ClientSecret: demoZoomSecret,
		Hosts: []zoomfake.User{{Email: demoZoomHost, FirstName: "Incident", LastName: "Bot", Type: 2}},
	}
	if zoomCfg != nil {
		zoomCfg(&zc)
	}
	zf, err := zoomfake.Start(zc)
	if err != nil {
		sf.Close()
		return nil, fmt.Errorf("start simulated Zoom: %w", err)
	}
	return &world{Slack: sf, Zoom: zf}, nil
}

// config is a complete warroom configuration pointing at the world, with
// the database in dir.
func (w *world) config(dir string) config.Config {
	return config.Config{
		SlackBotToken:    w.Slack.BotToken(),
		SlackAppToken:    w.Slack.AppToken(),
		SlackAPIURL:      w.Slack.APIURL(),
		ZoomAPIURL:       w.Zoom.APIURL(),
		ZoomOAuthURL:     w.Zoom.URL(),
		ZoomAccountID:    demoZoomAccount,
		ZoomClientID:     demoZoomClient,
		ZoomClientSecret: demoZoomSecret,
		ZoomHosts:        []string{demoZoomHost},
		DB:               filepath.Join(dir, "warroom.db"),
		HTTPAddr:         "127.0.0.1:0",
		Policy:           warroom.DefaultPolicy(),
		PollInterval:     warroom.DefaultPollInterval,
		LogLevel:         zerolog.InfoLevel,
	}
}

// env is the same configuration as environment variables, for running the
// real binary.
func (w *world) env(dir string) []string {
	c := w.config(dir)
	return []string{
		"SLACK_BOT_TOKEN=" + c.SlackBotToken,
		"SLACK_APP_TOKEN=" + c.SlackAppToken,
		"SLACK_API_URL=" + c.SlackAPIURL,
		"ZOOM_API_URL=" + c.ZoomAPIURL,
		"ZOOM_OAUTH_URL=" + c.ZoomOAuthURL,
		"ZOOM_ACCOUNT_ID=" + c.ZoomAccountID,
		"ZOOM_CLIENT_ID=" + c.ZoomClientID,
		"ZOOM_CLIENT_SECRET=" + c.ZoomClientSecret,
		"ZOOM_HOSTS=" + demoZoomHost,
		"WARROOM_DB=" + c.DB,
		"WARROOM_HTTP_ADDR=127.0.0.1:0",
		// The simulated Slack limits nothing unless a test turns its
		// tiers on (and warroom's pacing with them: TestIncidentStorm).
		"WARROOM_SLACK_PACING=off",
	}
}

func (w *world) Close() {
	w.Slack.Close()
	w.Zoom.Close()
}

// room is what people see in an incident channel.
type room struct {
	Channel   slackfake.Channel
	Messages  []slackfake.Message // the Slack Call's aside
	Calls     []slackfake.Message // those that show a Slack Call
	Pins      []slackfake.Message
	Bookmarks []slackfake.Bookmark
}

// JoinURL is the URL of the Join Call button on the pinned message.
func (r room) JoinURL() string {
	for _, p := range r.Pins {
		if u := buttonURL(p.Blocks, blocks.ActionJoinCall); u != "" {
			return u
		}
	}
	return ""
}

func (w *world) room(name string) (room, bool) {
	ch, ok := w.Slack.ChannelByName(name)
	if !ok {
		return room{}, false
	}
	msgs, calls := slackfake.SplitCalls(w.Slack.Messages(ch.ID))
	return room{
		Channel:   ch,
		Messages:  msgs,
		Calls:     calls,
		Pins:      w.Slack.Pins(ch.ID),
		Bookmarks: w.Slack.Bookmarks(ch.ID),
	}, true
}

// readable shows Slack references as people see them: <@U1> as @alice,
// <#C1> as #channel-name.
func (w *world) readable(text string) string {
	return slackRef.ReplaceAllStringFunc(text, func(ref string) string {
		m := slackRef.FindStringSubmatch(ref)
		switch m[1] {
		case "@":
			if u, ok := w.Slack.User(m[2]); ok {
				return "@" + u.Name
			}
		case "#":
			if ch, ok := w.Slack.Channel(m[2]); ok {
				return "#" + ch.Name
			}
		}
		return ref
	})
}

var slackRef = regexp.MustCompile(`<([@#])([A-Z0-9]+)(?:\|[^>]*)?>`)

// waitFor polls cond until it holds or ctx ends.
func waitFor(ctx context.Context, cond func() bool) error {
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

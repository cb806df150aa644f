// Package config reads warroom's configuration from the environment. The
// variable names are a contract (DESIGN.md): operators, docs and outside
// test suites rely on them. A wrong setting is reported as one sentence
// naming the variable.
package config

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom/slackapi"
)

// Config is warroom's configuration, read from the environment variables
// named in DESIGN.md. The names are a contract: operators, docs and tests
// rely on them.
type Config struct {
	SlackBotToken string
	SlackAppToken string
	SlackAPIURL   string

	ZoomAPIURL       string
	ZoomOAuthURL     string
	ZoomClientID     string
	ZoomClientSecret string
	ZoomAccountID    string
	ZoomHosts        []string
	ZoomWebhookKey   string

	DB            string
	HTTPAddr      string
	PublicURL     string
	SecretKey     []byte
	ChannelPrefix string
	Admins        []string
	FollowupAfter time.Duration
	// FollowupHours, when set (WARROOM_FOLLOWUP_HOURS=9-17), moves
	// automatic follow-ups into those working hours, Monday to Friday, in
	// the declarer's Slack time zone. Zero start and end: off.
	FollowupStart, FollowupEnd int
	FollowupDuration           time.Duration // WARROOM_FOLLOWUP_DURATION
	FollowupOff                bool          // WARROOM_FOLLOWUP_ON_RESOLVE=false
	ReminderBefore             time.Duration // WARROOM_REMINDER_BEFORE
	RecordingPollFor           time.Duration // WARROOM_RECORDING_WAIT
	RecordingPasscode          string        // WARROOM_RECORDING_PASSCODE: inline, separate or hidden
	PollInterval               time.Duration
	LogLevel                   zerolog.Level
	// LogFormat is "json" (one object per line, for machines) or
	// "console" (aligned, for people).
	LogFormat string
	// AnnounceChannel is a Slack channel ID (C…) or a channel name
	// without its '#', which Main looks up at start; the channel gets one
	// message per incident. Empty means none.
	AnnounceChannel string
}

// Error names the variable at fault in one sentence.
type Error struct {
	Var     string
	Problem string
}

func (e *Error) Error() string { return e.Var + " " + e.Problem }

// Load reads the configuration through getenv. requireRun demands
// what `warroom run` needs to talk to Slack and Zoom. It reports the first
// problem; `warroom doctor` lists them all (see Problems).
func Load(getenv func(string) string, requireRun bool) (Config, error) {
	c, problems := Problems(getenv, requireRun)
	if len(problems) > 0 {
		return c, problems[0]
	}
	return c, nil
}

// Problems reads the configuration and returns every problem in it,
// in the order Load would meet them. Where a variable is wrong, the
// Config holds its default.
func Problems(getenv func(string) string, requireRun bool) (Config, []*Error) {
	var problems []*Error
	fail := func(name, problem string) { problems = append(problems, &Error{name, problem}) }
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		SlackBotToken:    get("SLACK_BOT_TOKEN", ""),
		SlackAppToken:    get("SLACK_APP_TOKEN", ""),
		SlackAPIURL:      get("SLACK_API_URL", "https://slack.com/api/"),
		ZoomAPIURL:       strings.TrimRight(get("ZOOM_API_URL", "https://api.zoom.us/v2"), "/"),
		ZoomOAuthURL:     strings.TrimRight(get("ZOOM_OAUTH_URL", "https://zoom.us"), "/"),
		ZoomClientID:     get("ZOOM_CLIENT_ID", ""),
		ZoomClientSecret: get("ZOOM_CLIENT_SECRET", ""),
		ZoomAccountID:    get("ZOOM_ACCOUNT_ID", ""),
		ZoomWebhookKey:   get("ZOOM_WEBHOOK_SECRET", ""),
		DB:               get("WARROOM_DB", "warroom.db"),
		HTTPAddr:         get("WARROOM_HTTP_ADDR", ":8080"),
		PublicURL:        strings.TrimRight(get("WARROOM_PUBLIC_URL", ""), "/"),
		ChannelPrefix:    get("WARROOM_CHANNEL_PREFIX", "inc-"),
	}
	for _, h := range strings.Split(get("ZOOM_HOSTS", "me"), ",") {
		if h = strings.TrimSpace(h); h != "" {
			c.ZoomHosts = append(c.ZoomHosts, h)
		}
	}
	if len(c.ZoomHosts) == 0 {
		c.ZoomHosts = []string{"me"}
	}
	for _, a := range strings.Split(get("WARROOM_ADMINS", ""), ",") {
		if a = strings.TrimSpace(a); a != "" {
			c.Admins = append(c.Admins, a)
		}
	}

	var err *Error
	if c.FollowupAfter, err = duration(get, "WARROOM_FOLLOWUP_AFTER", "48h"); err != nil {
		problems = append(problems, err)
		c.FollowupAfter = 48 * time.Hour
	}
	if c.FollowupDuration, err = duration(get, "WARROOM_FOLLOWUP_DURATION", "30m"); err != nil {
		problems = append(problems, err)
		c.FollowupDuration = 30 * time.Minute
	}
	if c.ReminderBefore, err = duration(get, "WARROOM_REMINDER_BEFORE", "10m"); err != nil {
		problems = append(problems, err)
		c.ReminderBefore = 10 * time.Minute
	}
	if c.RecordingPollFor, err = duration(get, "WARROOM_RECORDING_WAIT", "168h"); err != nil {
		problems = append(problems, err)
		c.RecordingPollFor = 7 * 24 * time.Hour
	}
	if h := get("WARROOM_FOLLOWUP_HOURS", ""); h != "" && h != "off" {
		var a, b int
		if n, _ := fmt.Sscanf(h, "%d-%d", &a, &b); n != 2 || a < 0 || b > 24 || a >= b {
			fail("WARROOM_FOLLOWUP_HOURS", fmt.Sprintf("must be working hours such as 9-17, or off (got %q).", h))
		} else {
			c.FollowupStart, c.FollowupEnd = a, b
		}
	}
	switch v := strings.ToLower(get("WARROOM_FOLLOWUP_ON_RESOLVE", "true")); v {
	case "true", "yes", "1", "on":
	case "false", "no", "0", "off":
		c.FollowupOff = true
	default:
		fail("WARROOM_FOLLOWUP_ON_RESOLVE", fmt.Sprintf("must be true or false (got %q).", v))
	}
	switch c.RecordingPasscode = strings.ToLower(get("WARROOM_RECORDING_PASSCODE", "inline")); c.RecordingPasscode {
	case "inline", "separate", "hidden":
	default:
		fail("WARROOM_RECORDING_PASSCODE", fmt.Sprintf("must be inline (in the link), separate (its own line) or hidden (got %q).", c.RecordingPasscode))
		c.RecordingPasscode = "inline"
	}
	if c.PollInterval, err = duration(get, "WARROOM_POLL_INTERVAL", "1m"); err != nil {
		problems = append(problems, err)
		c.PollInterval = time.Minute
	}
	var lerr error
	if c.LogLevel, lerr = zerolog.ParseLevel(strings.ToLower(get("LOG_LEVEL", "info"))); lerr != nil || c.LogLevel == zerolog.NoLevel {
		fail("LOG_LEVEL", fmt.Sprintf("must be one of trace, debug, info, warn, error (got %q).", getenv("LOG_LEVEL")))
		c.LogLevel = zerolog.InfoLevel
	}
	switch c.LogFormat = strings.ToLower(get("LOG_FORMAT", "json")); c.LogFormat {
	case "json", "console":
	default:
		fail("LOG_FORMAT", fmt.Sprintf("must be json (for log collectors) or console (for people) (got %q).", getenv("LOG_FORMAT")))
		c.LogFormat = "json"
	}
	if !strings.HasSuffix(c.SlackAPIURL, "/") {
		fail("SLACK_API_URL", fmt.Sprintf("must end with \"/\" (got %q).", c.SlackAPIURL))
	} else if err := checkURL("SLACK_API_URL", c.SlackAPIURL); err != nil {
		problems = append(problems, err)
	}
	for _, u := range []struct{ name, value string }{{"ZOOM_API_URL", c.ZoomAPIURL}, {"ZOOM_OAUTH_URL", c.ZoomOAuthURL}} {
		if err := checkURL(u.name, u.value); err != nil {
			problems = append(problems, err)
		}
	}
	if c.PublicURL != "" {
		if err := checkURL("WARROOM_PUBLIC_URL", c.PublicURL); err != nil {
			problems = append(problems, err)
		}
	}
	if !validPrefix(c.ChannelPrefix) {
		fail("WARROOM_CHANNEL_PREFIX", fmt.Sprintf("may hold only lowercase letters, digits, '-' and '_', at most 20 characters (got %q).", c.ChannelPrefix))
	}
	if k := get("WARROOM_SECRET_KEY", ""); k != "" {
		key, err := base64.StdEncoding.DecodeString(k)
		if err != nil || len(key) != 32 {
			fail("WARROOM_SECRET_KEY", "must be 32 random bytes in base64 (make one with: openssl rand -base64 32).")
		} else {
			c.SecretKey = key
		}
	}
	if a := get("WARROOM_ANNOUNCE_CHANNEL", ""); a != "" {
		if ch, ok := announceChannel(a); ok {
			c.AnnounceChannel = ch
		} else {
			fail("WARROOM_ANNOUNCE_CHANNEL", fmt.Sprintf("must be a Slack channel ID such as C0123ABCD or a channel name such as #incidents (got %q).", a))
		}
	}

	if !requireRun {
		return c, problems
	}
	switch {
	case c.SlackBotToken == "":
		fail("SLACK_BOT_TOKEN", "is required: the bot token (xoxb-…) from your Slack app's OAuth & Permissions page.")
	case !strings.HasPrefix(c.SlackBotToken, "xoxb-"):
		fail("SLACK_BOT_TOKEN", "must be a bot token starting with xoxb-.")
	}
	switch {
	case c.SlackAppToken == "":
		fail("SLACK_APP_TOKEN", "is required: an app-level token (xapp-…) with the connections:write scope, for Socket Mode.")
	case !strings.HasPrefix(c.SlackAppToken, "xapp-"):
		fail("SLACK_APP_TOKEN", "must be an app-level token starting with xapp-.")
	}
	if c.ZoomClientID == "" {
		fail("ZOOM_CLIENT_ID", "is required: the Client ID of your Zoom app.")
	}
	if c.ZoomClientSecret == "" {
		fail("ZOOM_CLIENT_SECRET", "is required: the Client Secret of your Zoom app.")
	}
	if c.ZoomAccountID == "" && (c.PublicURL == "" || c.SecretKey == nil) {
		fail("ZOOM_ACCOUNT_ID", "is required unless admins connect Zoom from Slack, which needs WARROOM_PUBLIC_URL and WARROOM_SECRET_KEY: set ZOOM_ACCOUNT_ID for a Server-to-Server app, or both of those for a user-managed OAuth app.")
	}
	return c, problems
}

// announceChannel accepts a channel ID (C…, G…) as it is, and a channel
// name with or without its leading '#', returned without it (Main looks
// the name up at start).
func announceChannel(v string) (string, bool) {
	if slackapi.LooksLikeChannelID(v) {
		return v, true
	}
	name := strings.TrimPrefix(v, "#")
	if name == "" || len(name) > 80 {
		return "", false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return "", false
		}
	}
	return name, true
}

func duration(get func(string, string) string, name, def string) (time.Duration, *Error) {
	v := get(name, def)
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, &Error{name, fmt.Sprintf("must be a positive duration such as %s (got %q).", def, v)}
	}
	return d, nil
}

func checkURL(name, v string) *Error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{name, fmt.Sprintf("must be an http(s) URL (got %q).", v)}
	}
	return nil
}

func validPrefix(p string) bool {
	if p == "" || len(p) > 20 {
		return false
	}
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// LocalAddr turns a listen address into one to connect to: ":8080" and
// "0.0.0.0:8080" become "127.0.0.1:8080".
func LocalAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}

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
	"os"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom"
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
	// ZoomWSSubscriptionID, when set, has warroom receive Zoom's events
	// over Zoom's WebSocket event stream at ZoomWSURL: no public
	// endpoint needed.
	ZoomWSSubscriptionID string
	ZoomWSURL            string

	DB string
	// Replica names this process in leases, logs and /metrics
	// (WARROOM_REPLICA; the host name and process ID by default).
	Replica   string
	HTTPAddr  string
	PublicURL string
	SecretKey []byte
	// Policy holds the settings of an incident's life (channel prefix,
	// admins, follow-ups, reminders, recordings, the fallback bridge),
	// which the front door and the workers share as they are.
	warroom.Policy
	PollInterval time.Duration
	LogLevel     zerolog.Level
	// LogFormat is "json" (one object per line, for machines) or
	// "console" (aligned, for people).
	LogFormat string
	// SlackPacing is WARROOM_SLACK_PACING: "tiers" holds every Slack call
	// to its method's rate tier; "off" is for a Slack that limits nothing
	// (the simulated one of the benchmarks).
	SlackPacing string
	// AnnounceChannel is a Slack channel ID (C…) or a channel name
	// without its '#', which Main looks up at start; the channel gets one
	// message per incident. Empty means none.
	AnnounceChannel string
	// APITokens are the HTTP API's bearer tokens (WARROOM_API_TOKENS);
	// none turns the API off.
	APITokens []APIToken
	// AlertSeverity maps the values of an alert's severity label,
	// lowercased, to incident severities (WARROOM_ALERT_SEVERITY).
	AlertSeverity SeverityMap
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
// defaultReplica is the host name (a pod's name on Kubernetes) and the
// process ID: unique among replicas, and readable.
func defaultReplica() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "warroom"
	}
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

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
	r := &reader{getenv: getenv}
	c := r.basics()
	r.followup(&c)
	r.runtime(&c)
	r.urls(&c)
	r.channels(&c)
	r.apiTokens(&c)
	r.alerts(&c)
	if requireRun {
		r.credentials(&c)
	}
	return c, r.problems
}

// reader collects problems as it goes, so that doctor can list them all
// and Load can report the first; the helpers below must keep being called
// in the same order, because that order is what both show.
type reader struct {
	getenv   func(string) string
	problems []*Error
}

func (r *reader) fail(name, problem string) { r.problems = append(r.problems, &Error{name, problem}) }

func (r *reader) add(err *Error) {
	if err != nil {
		r.problems = append(r.problems, err)
	}
}

func (r *reader) get(name, def string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return def
}

// duration falls back to def when the setting is wrong, so that doctor
// can go on checking the rest.
func (r *reader) duration(name string, def time.Duration) time.Duration {
	v := r.get(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(name, fmt.Sprintf("must be a positive duration such as %s (got %q).", durationText(def), v))
		return def
	}
	return d
}

// durationText writes d the way the README and the error messages do: "48h",
// "30m", "1m30s", not "48h0m0s".
func durationText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// basics reads the settings that cannot be wrong in themselves: plain
// strings and lists, checked (if at all) further on.
func (r *reader) basics() Config {
	c := Config{
		SlackBotToken:        r.get("SLACK_BOT_TOKEN", ""),
		SlackAppToken:        r.get("SLACK_APP_TOKEN", ""),
		SlackAPIURL:          r.get("SLACK_API_URL", "https://slack.com/api/"),
		ZoomAPIURL:           strings.TrimRight(r.get("ZOOM_API_URL", "https://api.zoom.us/v2"), "/"),
		ZoomOAuthURL:         strings.TrimRight(r.get("ZOOM_OAUTH_URL", "https://zoom.us"), "/"),
		ZoomClientID:         r.get("ZOOM_CLIENT_ID", ""),
		ZoomClientSecret:     r.get("ZOOM_CLIENT_SECRET", ""),
		ZoomAccountID:        r.get("ZOOM_ACCOUNT_ID", ""),
		ZoomWebhookKey:       r.get("ZOOM_WEBHOOK_SECRET", ""),
		ZoomWSSubscriptionID: r.get("ZOOM_WS_SUBSCRIPTION_ID", ""),
		ZoomWSURL:            r.get("ZOOM_WS_URL", "wss://ws.zoom.us/ws"),
		DB:                   r.get("WARROOM_DB", "warroom.db"),
		Replica:              r.get("WARROOM_REPLICA", defaultReplica()),
		HTTPAddr:             r.get("WARROOM_HTTP_ADDR", ":8080"),
		PublicURL:            strings.TrimRight(r.get("WARROOM_PUBLIC_URL", ""), "/"),
		ZoomHosts:            list(r.get("ZOOM_HOSTS", "me")),
		Policy:               warroom.DefaultPolicy(),
	}
	c.ChannelPrefix = r.get("WARROOM_CHANNEL_PREFIX", c.ChannelPrefix)
	c.Admins = list(r.get("WARROOM_ADMINS", ""))
	c.FallbackCallURL = r.get("WARROOM_FALLBACK_CALL_URL", "")
	if len(c.ZoomHosts) == 0 {
		c.ZoomHosts = []string{"me"}
	}
	return c
}

// list splits a comma-separated setting; nil when it holds no item,
// which callers and tests tell apart from an empty slice.
func list(v string) []string {
	var items []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			items = append(items, s)
		}
	}
	return items
}

// followup reads when follow-up meetings and reminders happen and how
// recordings are shared afterwards, over the defaults basics put in.
func (r *reader) followup(c *Config) {
	p := &c.Policy
	p.FollowupAfter = r.duration("WARROOM_FOLLOWUP_AFTER", p.FollowupAfter)
	p.FollowupDuration = r.duration("WARROOM_FOLLOWUP_DURATION", p.FollowupDuration)
	p.ReminderBefore = r.duration("WARROOM_REMINDER_BEFORE", p.ReminderBefore)
	p.RecordingPollFor = r.duration("WARROOM_RECORDING_WAIT", p.RecordingPollFor)
	if h := r.get("WARROOM_FOLLOWUP_HOURS", ""); h != "" && h != "off" {
		var a, b int
		if n, _ := fmt.Sscanf(h, "%d-%d", &a, &b); n != 2 || a < 0 || b > 24 || a >= b {
			r.fail("WARROOM_FOLLOWUP_HOURS", fmt.Sprintf("must be working hours such as 9-17, or off (got %q).", h))
		} else {
			p.FollowupWorkingHours, p.WorkdayStart, p.WorkdayEnd = true, a, b
		}
	}
	switch v := strings.ToLower(r.get("WARROOM_FOLLOWUP_ON_RESOLVE", "true")); v {
	case "true", "yes", "1", "on":
	case "false", "no", "0", "off":
		p.FollowupOff = true
	default:
		r.fail("WARROOM_FOLLOWUP_ON_RESOLVE", fmt.Sprintf("must be true or false (got %q).", v))
	}
	if d := warroom.PasscodeDisplay(strings.ToLower(r.get("WARROOM_RECORDING_PASSCODE", string(p.PasscodeDisplay)))); d.Valid() {
		p.PasscodeDisplay = d
	} else {
		r.fail("WARROOM_RECORDING_PASSCODE", fmt.Sprintf("must be inline (in the link), separate (its own line) or hidden (got %q).", d))
	}
}

// runtime reads how the process polls and logs.
func (r *reader) runtime(c *Config) {
	c.PollInterval = r.duration("WARROOM_POLL_INTERVAL", warroom.DefaultPollInterval)
	var err error
	if c.LogLevel, err = zerolog.ParseLevel(strings.ToLower(r.get("LOG_LEVEL", "info"))); err != nil || c.LogLevel == zerolog.NoLevel {
		r.fail("LOG_LEVEL", fmt.Sprintf("must be one of trace, debug, info, warn, error (got %q).", r.getenv("LOG_LEVEL")))
		c.LogLevel = zerolog.InfoLevel
	}
	switch c.LogFormat = strings.ToLower(r.get("LOG_FORMAT", "json")); c.LogFormat {
	case "json", "console":
	default:
		r.fail("LOG_FORMAT", fmt.Sprintf("must be json (for log collectors) or console (for people) (got %q).", r.getenv("LOG_FORMAT")))
		c.LogFormat = "json"
	}
	switch c.SlackPacing = strings.ToLower(r.get("WARROOM_SLACK_PACING", "tiers")); c.SlackPacing {
	case "tiers", "off":
	default:
		r.fail("WARROOM_SLACK_PACING", fmt.Sprintf("must be tiers (hold each Slack method to its rate tier) or off (got %q).", r.getenv("WARROOM_SLACK_PACING")))
		c.SlackPacing = "tiers"
	}
}

// urls checks the addresses basics read. A wrong one keeps its value:
// there is no sensible default to fall back to.
func (r *reader) urls(c *Config) {
	if !strings.HasSuffix(c.SlackAPIURL, "/") {
		r.fail("SLACK_API_URL", fmt.Sprintf("must end with \"/\" (got %q).", c.SlackAPIURL))
	} else {
		r.add(checkURL("SLACK_API_URL", c.SlackAPIURL))
	}
	r.add(checkURL("ZOOM_API_URL", c.ZoomAPIURL))
	r.add(checkURL("ZOOM_OAUTH_URL", c.ZoomOAuthURL))
	if c.FallbackCallURL != "" {
		r.add(checkURL("WARROOM_FALLBACK_CALL_URL", c.FallbackCallURL))
	}
	if u, err := url.Parse(c.ZoomWSURL); err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		r.fail("ZOOM_WS_URL", fmt.Sprintf("must be a ws(s) URL (got %q).", c.ZoomWSURL))
	}
	if c.PublicURL != "" {
		r.add(checkURL("WARROOM_PUBLIC_URL", c.PublicURL))
	}
}

// channels checks the channel prefix and reads the secret key and the
// announce channel; the key sits between them only to keep the order
// problems have always been reported in.
func (r *reader) channels(c *Config) {
	if !validPrefix(c.ChannelPrefix) {
		r.fail("WARROOM_CHANNEL_PREFIX", fmt.Sprintf("may hold only lowercase letters, digits, '-' and '_', at most 20 characters (got %q).", c.ChannelPrefix))
	}
	if k := r.get("WARROOM_SECRET_KEY", ""); k != "" {
		key, err := base64.StdEncoding.DecodeString(k)
		if err != nil || len(key) != 32 {
			r.fail("WARROOM_SECRET_KEY", "must be 32 random bytes in base64 (make one with: openssl rand -base64 32).")
		} else {
			c.SecretKey = key
		}
	}
	if a := r.get("WARROOM_ANNOUNCE_CHANNEL", ""); a != "" {
		if ch, ok := announceChannel(a); ok {
			c.AnnounceChannel = ch
		} else {
			r.fail("WARROOM_ANNOUNCE_CHANNEL", fmt.Sprintf("must be a Slack channel ID such as C0123ABCD or a channel name such as #incidents (got %q).", a))
		}
	}
}

// alerts reads the alerts' severity map (the receiver's tokens are the
// API's: apiTokens).
func (r *reader) alerts(c *Config) {
	m, err := ParseSeverityMap(r.get("WARROOM_ALERT_SEVERITY", warroom.DefaultAlertSeverity))
	if err != nil {
		r.fail("WARROOM_ALERT_SEVERITY", err.Error())
		m, _ = ParseSeverityMap(warroom.DefaultAlertSeverity)
	}
	c.AlertSeverity = m
}

// credentials demands what `warroom run` needs to reach Slack and Zoom;
// backup and healthcheck only touch the database and the local HTTP
// server, so they do without them.
func (r *reader) credentials(c *Config) {
	switch {
	case c.SlackBotToken == "":
		r.fail("SLACK_BOT_TOKEN", "is required: the bot token (xoxb-…) from your Slack app's OAuth & Permissions page.")
	case !strings.HasPrefix(c.SlackBotToken, "xoxb-"):
		r.fail("SLACK_BOT_TOKEN", "must be a bot token starting with xoxb-.")
	}
	switch {
	case c.SlackAppToken == "":
		r.fail("SLACK_APP_TOKEN", "is required: an app-level token (xapp-…) with the connections:write scope, for Socket Mode.")
	case !strings.HasPrefix(c.SlackAppToken, "xapp-"):
		r.fail("SLACK_APP_TOKEN", "must be an app-level token starting with xapp-.")
	}
	if c.ZoomClientID == "" {
		r.fail("ZOOM_CLIENT_ID", "is required: the Client ID of your Zoom app.")
	}
	if c.ZoomClientSecret == "" {
		r.fail("ZOOM_CLIENT_SECRET", "is required: the Client Secret of your Zoom app.")
	}
	if c.ZoomAccountID == "" && (c.PublicURL == "" || c.SecretKey == nil) {
		r.fail("ZOOM_ACCOUNT_ID", "is required unless admins connect Zoom from Slack, which needs WARROOM_PUBLIC_URL and WARROOM_SECRET_KEY: set ZOOM_ACCOUNT_ID for a Server-to-Server app, or both of those for a user-managed OAuth app.")
	}
}

// announceChannel accepts a channel ID (C…, G…) as it is, and a channel
// name with or without its leading '#', returned without it (Main looks
// the name up at start).
func announceChannel(v string) (string, bool) {
	if warroom.LooksLikeChannelID(v) {
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

package config

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
)

// TestREADMEDefaultsAreTheCodes reads the README's configuration table and
// checks every default it documents against what Load gives when nothing
// is set: the table and the root's defaults cannot drift apart. A variable
// the table adds must be added here too.
func TestREADMEDefaultsAreTheCodes(t *testing.T) {
	c, err := Load(func(string) string { return "" }, false)
	if err != nil {
		t.Fatal(err)
	}
	onOff := func(b bool) string { return strconv.FormatBool(b) }
	effective := map[string]string{
		"SLACK_BOT_TOKEN": c.SlackBotToken, "SLACK_APP_TOKEN": c.SlackAppToken,
		"SLACK_API_URL": c.SlackAPIURL,
		"ZOOM_API_URL":  c.ZoomAPIURL, "ZOOM_OAUTH_URL": c.ZoomOAuthURL,
		"ZOOM_CLIENT_ID": c.ZoomClientID, "ZOOM_CLIENT_SECRET": c.ZoomClientSecret,
		"ZOOM_ACCOUNT_ID": c.ZoomAccountID, "ZOOM_HOSTS": strings.Join(c.ZoomHosts, ","),
		"ZOOM_WEBHOOK_SECRET": c.ZoomWebhookKey, "ZOOM_WS_SUBSCRIPTION_ID": c.ZoomWSSubscriptionID,
		"ZOOM_WS_URL":        c.ZoomWSURL,
		"WARROOM_DB":         c.DB,
		"WARROOM_HTTP_ADDR":  c.HTTPAddr,
		"WARROOM_PUBLIC_URL": c.PublicURL, "WARROOM_SECRET_KEY": string(c.SecretKey),
		"WARROOM_FALLBACK_CALL_URL":   c.FallbackCallURL,
		"WARROOM_CHANNEL_PREFIX":      c.ChannelPrefix,
		"WARROOM_ANNOUNCE_CHANNEL":    c.AnnounceChannel,
		"WARROOM_ADMINS":              strings.Join(c.Admins, ","),
		"WARROOM_FOLLOWUP_AFTER":      durationText(c.FollowupAfter),
		"WARROOM_FOLLOWUP_HOURS":      map[bool]string{false: "off", true: strconv.Itoa(c.WorkdayStart) + "-" + strconv.Itoa(c.WorkdayEnd)}[c.FollowupWorkingHours],
		"WARROOM_FOLLOWUP_DURATION":   durationText(c.FollowupDuration),
		"WARROOM_FOLLOWUP_ON_RESOLVE": onOff(!c.FollowupOff),
		"WARROOM_REMINDER_BEFORE":     durationText(c.ReminderBefore),
		"WARROOM_RECORDING_WAIT":      durationText(c.RecordingPollFor),
		"WARROOM_RECORDING_PASSCODE":  string(c.PasscodeDisplay),
		"WARROOM_POLL_INTERVAL":       durationText(c.PollInterval),
		"LOG_LEVEL":                   c.LogLevel.String(),
		"LOG_FORMAT":                  c.LogFormat,
		"WARROOM_SLACK_PACING":        c.SlackPacing,
		"WARROOM_API_TOKENS":          apiTokenNames(c.APITokens),
		"WARROOM_ALERT_SEVERITY":      c.AlertSeverity.String(),
	}
	// Defaults the table gives in words rather than as a value.
	described := map[string]bool{"WARROOM_REPLICA": c.Replica != ""}

	rows := configurationTable(t)
	seen := 0
	for _, row := range rows {
		seen += len(row.names)
		for _, name := range row.names {
			if ok, words := described[name]; words {
				if !ok {
					t.Errorf("%s: the README describes a default (%s), but the setting is empty", name, row.def)
				}
				continue
			}
			got, known := effective[name]
			switch {
			case !known:
				t.Errorf("%s is in the README's configuration table, but not in this test", name)
			case strings.HasPrefix(row.def, "–") || strings.HasPrefix(row.def, "required"):
				if got != "" {
					t.Errorf("%s: the README says it has no default, the code gives %q", name, got)
				}
			case got != strings.Trim(row.def, "`"):
				t.Errorf("%s: the README's default is %s, the code's %q", name, row.def, got)
			}
		}
	}
	if seen < len(effective)+len(described) {
		t.Errorf("the README's configuration table names %d variables; the code reads %d", seen, len(effective)+len(described))
	}
}

type configRow struct {
	names []string
	def   string
}

// configurationTable reads the rows of the README's "## Configuration"
// table: the variables of a row (`A`, `B`) and its last column.
func configurationTable(t *testing.T) []configRow {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Configuration\n")
	if !ok {
		t.Fatal("the README has no Configuration section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	name := regexp.MustCompile("`([A-Z][A-Z0-9_]+)`")
	var rows []configRow
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if !strings.HasPrefix(line, "| `") || len(cells) < 3 {
			continue
		}
		var names []string
		for _, m := range name.FindAllStringSubmatch(cells[0], -1) {
			names = append(names, m[1])
		}
		rows = append(rows, configRow{names: names, def: strings.TrimSpace(cells[len(cells)-1])})
	}
	return rows
}

// The policy config reads when nothing is set is the root's default
// policy, the one the front door and the workers fall back to.
func TestUnsetPolicyIsTheDefaultPolicy(t *testing.T) {
	c, err := Load(func(string) string { return "" }, false)
	if err != nil {
		t.Fatal(err)
	}
	want := warroom.DefaultPolicy()
	if got := c.Policy; got.ChannelPrefix != want.ChannelPrefix || got.FollowupAfter != want.FollowupAfter ||
		got.FollowupDuration != want.FollowupDuration || got.ReminderBefore != want.ReminderBefore ||
		got.RecordingPollFor != want.RecordingPollFor || got.RecordingPollMax != want.RecordingPollMax ||
		got.PasscodeDisplay != want.PasscodeDisplay || got.WorkdayStart != want.WorkdayStart ||
		got.WorkdayEnd != want.WorkdayEnd || got.FollowupWorkingHours || got.FollowupOff ||
		got.Admins != nil || got.FallbackCallURL != "" {
		t.Errorf("policy with nothing set:\n got %+v\nwant %+v", got, want)
	}
	if got := c.Policy.WithDefaults(); got.ChannelPrefix != c.ChannelPrefix || got.FollowupAfter != c.FollowupAfter {
		t.Errorf("the default policy is not already complete: %+v", got)
	}
}

func TestPolicySettings(t *testing.T) {
	env := map[string]string{
		"WARROOM_FOLLOWUP_HOURS": "8-16", "WARROOM_FOLLOWUP_AFTER": "24h", "WARROOM_FOLLOWUP_ON_RESOLVE": "no",
		"WARROOM_RECORDING_PASSCODE": "Hidden", "WARROOM_ADMINS": "U1, U2", "WARROOM_CHANNEL_PREFIX": "sev-",
	}
	c, err := Load(func(k string) string { return env[k] }, false)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Policy
	if !p.FollowupWorkingHours || p.WorkdayStart != 8 || p.WorkdayEnd != 16 || p.FollowupAfter != 24*time.Hour ||
		!p.FollowupOff || p.PasscodeDisplay != warroom.PasscodeHidden || len(p.Admins) != 2 || p.ChannelPrefix != "sev-" {
		t.Errorf("policy read from %v: %+v", env, p)
	}
	for name, value := range map[string]string{"WARROOM_FOLLOWUP_AFTER": "soon", "WARROOM_REMINDER_BEFORE": "-1m"} {
		_, err := Load(func(k string) string { return map[string]string{name: value}[k] }, false)
		want := map[string]string{"WARROOM_FOLLOWUP_AFTER": "48h", "WARROOM_REMINDER_BEFORE": "10m"}[name]
		if err == nil || !strings.Contains(err.Error(), "such as "+want+" ") {
			t.Errorf("%s=%q: %v, want an example of %s", name, value, err, want)
		}
	}
}

func apiTokenNames(ts []APIToken) string {
	var names []string
	for _, t := range ts {
		names = append(names, t.Name)
	}
	return strings.Join(names, ",")
}

// WARROOM_API_TOKENS: bare tokens are named by their place, named ones
// keep their name, a token may hold '=' once named, and no problem ever
// repeats a token's text.
func TestAPITokens(t *testing.T) {
	load := func(v string) (Config, error) {
		return Load(func(k string) string {
			if k == "WARROOM_API_TOKENS" {
				return v
			}
			return ""
		}, false)
	}
	c, err := load(" s3cret-one , pagerduty=s3cret-two,ci=abc== ")
	if err != nil {
		t.Fatal(err)
	}
	want := []APIToken{{"token-1", "s3cret-one"}, {"pagerduty", "s3cret-two"}, {"ci", "abc=="}}
	if len(c.APITokens) != len(want) {
		t.Fatalf("tokens = %v", c.APITokens)
	}
	for i, w := range want {
		if c.APITokens[i] != w {
			t.Errorf("token %d = %#v, want name %s", i, c.APITokens[i], w.Name)
		}
	}
	if s := fmt.Sprintf("%v %+v %#v", c.APITokens, c, c.APITokens); strings.Contains(s, "s3cret") {
		t.Errorf("printing the configuration shows a token: %s", s)
	}
	for _, bad := range []string{"a,,b", "bad name=s3cret", "=s3cret", "x=", "x=s3 cret", "x=s3cret,x=s3cret2", "x=s3cret,y=s3cret"} {
		_, err := load(bad)
		if err == nil {
			t.Errorf("%q: no problem reported", bad)
			continue
		}
		if !strings.HasPrefix(err.Error(), "WARROOM_API_TOKENS ") || strings.Contains(err.Error(), "s3") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestAlertSeverityMap(t *testing.T) {
	c, err := Load(func(k string) string {
		return map[string]string{"WARROOM_ALERT_SEVERITY": "page=1, CRITICAL=SEV1,high=2"}[k]
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.AlertSeverity.String(); got != "critical=1,page=1,high=2" {
		t.Errorf("got %q", got)
	}
	for _, bad := range []string{"critical", "critical=5", "=1", "critical=x", ","} {
		_, err := Load(func(k string) string { return map[string]string{"WARROOM_ALERT_SEVERITY": bad}[k] }, false)
		if err == nil || !strings.Contains(err.Error(), "WARROOM_ALERT_SEVERITY") {
			t.Errorf("%q: %v, want a problem naming WARROOM_ALERT_SEVERITY", bad, err)
		}
	}
}

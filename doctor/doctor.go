// Package doctor checks a warroom installation from the outside, the way
// an operator would, and says how to fix each problem: the configuration,
// Slack's tokens and scopes, Zoom's credentials and hosts, the database and
// the HTTP endpoints. Nothing it does changes the database, takes the
// bot's Socket Mode connection or rotates a token.
package doctor

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/warroom-dev/warroom/config"
	"github.com/warroom-dev/warroom/slackapi"
)

type checkStatus int

const (
	statusOK checkStatus = iota
	statusSkip
	statusWarn
	statusFail
)

func (s checkStatus) String() string {
	return [...]string{"ok", "skip", "warn", "FAIL"}[s]
}

// check is one line of the report: what was checked, what was found and,
// for a warning or a failure, what to do about it.
type check struct {
	status      checkStatus
	what, found string
	fix         string
}

type section struct {
	name   string
	checks []check
}

func (d *doctor) section(name string) { d.sections = append(d.sections, section{name: name}) }

// doctor checks a warroom installation from the outside, the way an
// operator would: nothing it does changes the database, takes the bot's
// Socket Mode connection or rotates a token.
type doctor struct {
	cfg      config.Config
	bad      map[string]bool // variables with a problem
	http     *http.Client
	slack    *slackapi.Client // the one Slack adapter, as warroom run uses it
	sections []section
	running  bool // a warroom holds the database's lock
}

func (d *doctor) add(status checkStatus, what, found, fix string) {
	s := &d.sections[len(d.sections)-1]
	s.checks = append(s.checks, check{status, what, found, fix})
}

func (d *doctor) ok(what, found string) { d.add(statusOK, what, found, "") }

func (d *doctor) warn(what, found, fix string) { d.add(statusWarn, what, found, fix) }

func (d *doctor) fail(what, found, fix string) { d.add(statusFail, what, found, fix) }

func (d *doctor) skip(what, why string) { d.add(statusSkip, what, why, "") }

// anyBad reports whether one of the variables has a problem.
func (d *doctor) anyBad(vars ...string) string {
	for _, v := range vars {
		if d.bad[v] {
			return v
		}
	}
	return ""
}

// Failures is returned when the report has failures: the command then
// exits with status 1.
type Failures struct{ Count int }

func (e Failures) Error() string {
	if e.Count == 1 {
		return "doctor found 1 problem; the fix is under its FAIL line"
	}
	return fmt.Sprintf("doctor found %d problems; each fix is under its FAIL line", e.Count)
}

// Run checks the installation that the environment (getenv) describes and
// prints the report to out. It returns an error when something is wrong,
// and the command then exits with status 1.
func Run(ctx context.Context, args []string, getenv func(string) string, out io.Writer, version string) error {
	if len(args) > 0 {
		return fmt.Errorf("doctor takes no arguments; it reads the same environment variables as warroom run")
	}
	cfg, problems := config.Problems(getenv, true)
	hc := &http.Client{Timeout: 15 * time.Second}
	d := &doctor{cfg: cfg, bad: map[string]bool{}, http: hc,
		slack: slackapi.New(slackapi.Config{BotToken: cfg.SlackBotToken, AppToken: cfg.SlackAppToken, APIURL: cfg.SlackAPIURL, HTTP: hc})}
	fmt.Fprintf(out, "warroom doctor (warroom %s)\n", version)
	// Each part is printed as soon as it is checked: a slow network shows
	// where it is slow.
	printed := 0
	for _, part := range []func(){
		func() { d.checkConfig(problems) },
		func() { d.checkSlack(ctx) },
		func() { d.checkZoom(ctx) },
		func() { d.checkDatabase(ctx) },
		func() { d.checkHTTP(ctx) },
	} {
		part()
		for ; printed < len(d.sections); printed++ {
			d.printSection(out, d.sections[printed])
		}
	}
	return d.verdict(out)
}

func (d *doctor) printSection(out io.Writer, s section) {
	fmt.Fprintf(out, "\n%s\n", s.name)
	for _, c := range s.checks {
		line := c.what
		if c.found != "" {
			line += ": " + c.found
		}
		fmt.Fprintf(out, "  %-4s  %s\n", c.status, line)
		if c.fix != "" {
			fmt.Fprintf(out, "        fix: %s\n", c.fix)
		}
	}
}

func (d *doctor) verdict(out io.Writer) error {
	failures, warnings := 0, 0
	for _, s := range d.sections {
		for _, c := range s.checks {
			switch c.status {
			case statusFail:
				failures++
			case statusWarn:
				warnings++
			}
		}
	}
	fmt.Fprintln(out)
	switch {
	case failures > 0:
		also := ""
		if warnings > 0 {
			also = ", " + plural(warnings, "warning")
		}
		fmt.Fprintf(out, "%s%s: warroom will not work until each FAIL is fixed.\n", plural(failures, "problem"), also)
		return Failures{Count: failures}
	case warnings > 0:
		fmt.Fprintf(out, "No problems; %s worth reading.\n", plural(warnings, "warning"))
	default:
		fmt.Fprintln(out, "Everything checked is in order.")
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// configFixes says where each variable's right value comes from.
var configFixes = map[string]string{
	"SLACK_BOT_TOKEN":    "copy the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page",
	"SLACK_APP_TOKEN":    "in your Slack app's Basic Information → App-Level Tokens, generate a token with the connections:write scope (xapp-…)",
	"ZOOM_CLIENT_ID":     "copy the Client ID from your Zoom app's App Credentials page",
	"ZOOM_CLIENT_SECRET": "copy the Client Secret from your Zoom app's App Credentials page",
	"ZOOM_ACCOUNT_ID":    "copy the Account ID from your Server-to-Server Zoom app's App Credentials page, or set WARROOM_PUBLIC_URL and WARROOM_SECRET_KEY to let admins connect Zoom accounts from Slack",
	"WARROOM_SECRET_KEY": "generate one with: openssl rand -base64 32 (and keep it: tokens sealed with a key cannot be opened with another)",
}

func (d *doctor) checkConfig(problems []*config.Error) {
	d.section("Configuration")
	for _, p := range problems {
		d.bad[p.Var] = true
		fix := configFixes[p.Var]
		if fix == "" {
			fix = "correct " + p.Var + " (README.md, Configuration, lists every variable)"
		}
		d.fail(p.Error(), "", fix)
	}
	c := d.cfg
	if len(problems) == 0 {
		mode := "Zoom through user-managed OAuth (admins connect accounts with /incident zoom connect)"
		if c.ZoomAccountID != "" {
			mode = fmt.Sprintf("Zoom through Server-to-Server OAuth with %s (%s)", plural(len(c.ZoomHosts), "host"), strings.Join(c.ZoomHosts, ", "))
			if c.PublicURL != "" && c.SecretKey != nil {
				mode += "; admins may also connect accounts"
			}
		}
		d.ok("variables", "all valid; "+mode)
	}
	if c.ZoomAccountID != "" && len(c.ZoomHosts) == 1 && c.ZoomHosts[0] == "me" {
		d.warn("ZOOM_HOSTS", `"me" (the default): incident meetings are hosted by the Zoom user who created the app`,
			"create a dedicated Zoom user to host incident calls (a robot such as incident-bot@example.com) and list it, and any more, in ZOOM_HOSTS")
	}
	if c.ZoomWebhookKey == "" && c.ZoomAccountID == "" && c.PublicURL != "" {
		d.warn("ZOOM_WEBHOOK_SECRET", "not set: warroom does not hear when a user removes the app in Zoom (app_deauthorized)",
			"copy the Secret Token from your Zoom app's Features → Access page and subscribe the app to app_deauthorized at "+c.PublicURL+"/zoom/webhook")
	}
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/slack-go/slack"
	"golang.org/x/oauth2"

	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom"
	"github.com/warroom-dev/warroom/zoompool"
)

// slackBotScopes are the bot scopes manifest.yaml asks for; a test keeps
// the two lists equal.
var slackBotScopes = []string{
	"commands", "channels:manage", "channels:read", "channels:history", "channels:join",
	"groups:write", "groups:read", "groups:history", "chat:write", "pins:write",
	"bookmarks:write", "bookmarks:read", "users:read", "users:read.email",
}

// zoomScope is a granular scope warroom needs, with the classic scope
// that also grants it (apps made before granular scopes have those).
type zoomScope struct{ granular, classic string }

// zoomS2SScopes are the Server-to-Server app's scopes (README, "Creating
// the Zoom app").
var zoomS2SScopes = []zoomScope{
	{"meeting:write:meeting:admin", "meeting:write:admin"},
	{"meeting:read:meeting:admin", "meeting:read:admin"},
	{"meeting:read:list_meetings:admin", "meeting:read:admin"},
	{"meeting:update:meeting:admin", "meeting:write:admin"},
	{"meeting:delete:meeting:admin", "meeting:write:admin"},
	{"user:read:user:admin", "user:read:admin"},
	{"user:read:settings:admin", "user:read:admin"},
	{"cloud_recording:read:list_recording_files:admin", "recording:read:admin"},
}

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

// doctor checks a warroom installation from the outside, the way an
// operator would: nothing it does changes the database, takes the bot's
// Socket Mode connection or rotates a token.
type doctor struct {
	cfg      Config
	bad      map[string]bool // variables with a problem
	http     *http.Client
	sections []section
	running  bool // a warroom holds the database's lock
}

func (d *doctor) section(name string) { d.sections = append(d.sections, section{name: name}) }

func (d *doctor) add(status checkStatus, what, found, fix string) {
	s := &d.sections[len(d.sections)-1]
	s.checks = append(s.checks, check{status, what, found, fix})
}

func (d *doctor) ok(what, found string)        { d.add(statusOK, what, found, "") }
func (d *doctor) warn(what, found, fix string) { d.add(statusWarn, what, found, fix) }
func (d *doctor) fail(what, found, fix string) { d.add(statusFail, what, found, fix) }
func (d *doctor) skip(what, why string)        { d.add(statusSkip, what, why, "") }

// anyBad reports whether one of the variables has a problem.
func (d *doctor) anyBad(vars ...string) string {
	for _, v := range vars {
		if d.bad[v] {
			return v
		}
	}
	return ""
}

// errDoctor is returned when the report has failures: the command then
// exits with status 1.
type errDoctor struct{ failures int }

func (e errDoctor) Error() string {
	if e.failures == 1 {
		return "doctor found 1 problem; the fix is under its FAIL line"
	}
	return fmt.Sprintf("doctor found %d problems; each fix is under its FAIL line", e.failures)
}

func runDoctor(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("doctor takes no arguments; it reads the same environment variables as warroom run")
	}
	cfg, problems := configProblems(getenv, true)
	d := &doctor{cfg: cfg, bad: map[string]bool{}, http: &http.Client{Timeout: 15 * time.Second}}
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
		return errDoctor{failures}
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

func (d *doctor) checkConfig(problems []*ConfigError) {
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

// slackAnswer is what every Slack Web API method answers.
type slackAnswer struct {
	OK     bool   `json:"ok"`
	Error  string `json:"error"`
	Needed string `json:"needed"`
	Team   string `json:"team"`
	TeamID string `json:"team_id"`
	User   string `json:"user"`
	UserID string `json:"user_id"`
	BotID  string `json:"bot_id"`
}

// slackCall posts to a Web API method with token and returns the answer
// and its X-OAuth-Scopes header (nil if absent).
func (d *doctor) slackCall(ctx context.Context, method, token string) (slackAnswer, []string, error) {
	var a slackAnswer
	req, err := http.NewRequestWithContext(ctx, "POST", d.cfg.SlackAPIURL+method, strings.NewReader(""))
	if err != nil {
		return a, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := d.http.Do(req)
	if err != nil {
		return a, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return a, nil, fmt.Errorf("Slack answered HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&a); err != nil {
		return a, nil, fmt.Errorf("Slack's answer could not be read: %w", err)
	}
	var scopes []string
	if h, ok := resp.Header["X-Oauth-Scopes"]; ok {
		scopes = []string{}
		for _, s := range strings.Split(strings.Join(h, ","), ",") {
			if s = strings.TrimSpace(s); s != "" {
				scopes = append(scopes, s)
			}
		}
	}
	return a, scopes, nil
}

// slackFixes explains the Slack errors a token check meets.
var slackFixes = map[string]string{
	"invalid_auth":           "the token is not valid for any workspace: copy it again from the app's settings (a reinstall or token rotation makes old tokens stop working)",
	"not_authed":             "no token reached Slack: check that the variable is set in warroom's environment",
	"token_revoked":          "the token was revoked or the app uninstalled: reinstall the app (Install App → Reinstall to Workspace) and copy the new token",
	"token_expired":          "token rotation is on and the token expired: turn token rotation off for the app (warroom uses long-lived tokens), reinstall, and copy the new token",
	"account_inactive":       "the workspace or the app's bot user is deactivated: reinstall the app in an active workspace",
	"not_allowed_token_type": "this is the wrong kind of token: SLACK_BOT_TOKEN takes the xoxb- bot token and SLACK_APP_TOKEN the xapp- app-level token",
	"missing_scope":          "the app-level token lacks connections:write: under Basic Information → App-Level Tokens generate one with that scope",
	"ratelimited":            "Slack is rate limiting this app; run doctor again in a minute",
}

func slackFix(code, fallback string) string {
	if f, ok := slackFixes[code]; ok {
		return f
	}
	return fallback
}

func (d *doctor) checkSlack(ctx context.Context) {
	d.section("Slack")
	if v := d.anyBad("SLACK_BOT_TOKEN", "SLACK_API_URL"); v != "" {
		d.skip("bot token", "not checked until "+v+" is fixed")
	} else {
		tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		a, scopes, err := d.slackCall(tctx, "auth.test", d.cfg.SlackBotToken)
		cancel()
		switch {
		case err != nil:
			d.fail("bot token", "could not ask Slack (auth.test): "+err.Error(),
				"let warroom reach "+d.cfg.SlackAPIURL+" over HTTPS (firewall, HTTPS_PROXY)")
		case !a.OK:
			d.fail("bot token", "Slack refused SLACK_BOT_TOKEN: "+a.Error, slackFix(a.Error, "see Troubleshooting in README.md"))
		default:
			d.ok("bot token", fmt.Sprintf("workspace %q (%s) as @%s (%s)", a.Team, a.TeamID, a.User, a.UserID))
			d.checkSlackScopes(scopes)
			d.checkAnnounceChannel(ctx)
		}
	}
	if v := d.anyBad("SLACK_APP_TOKEN", "SLACK_API_URL"); v != "" {
		d.skip("app token", "not checked until "+v+" is fixed")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	// apps.connections.open only hands out a URL; the bot's own
	// connection is untouched and the URL is never dialled.
	a, _, err := d.slackCall(ctx, "apps.connections.open", d.cfg.SlackAppToken)
	switch {
	case err != nil:
		d.fail("app token", "could not ask Slack (apps.connections.open): "+err.Error(),
			"let warroom reach "+d.cfg.SlackAPIURL+" over HTTPS (firewall, HTTPS_PROXY)")
	case !a.OK:
		d.fail("app token", "Slack refused SLACK_APP_TOKEN: "+a.Error,
			slackFix(a.Error, "check that Socket Mode is on (your Slack app's Settings → Socket Mode) and that the token is the app's xapp- token with connections:write"))
	default:
		d.ok("app token", "Socket Mode connections can be opened")
	}
}

// checkAnnounceChannel finds WARROOM_ANNOUNCE_CHANNEL as the bot sees it.
func (d *doctor) checkAnnounceChannel(ctx context.Context) {
	name := d.cfg.AnnounceChannel
	if name == "" || d.bad["WARROOM_ANNOUNCE_CHANNEL"] {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	api := slack.New(d.cfg.SlackBotToken, slack.OptionAPIURL(d.cfg.SlackAPIURL), slack.OptionHTTPClient(d.http))
	what := "WARROOM_ANNOUNCE_CHANNEL " + name
	id, err := resolveChannel(ctx, api, name)
	if err != nil {
		d.fail(what, err.Error(), "set it to the channel's ID (channel details, at the bottom) or name, and invite @warroom to a private channel")
		return
	}
	ch, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: id})
	switch {
	case err != nil:
		d.fail(what, "Slack does not show the bot this channel: "+err.Error(), "check the ID, and invite @warroom to a private channel")
	case ch.IsArchived:
		d.fail(what, "#"+ch.Name+" is archived", "unarchive it or choose another channel")
	case ch.IsPrivate && !ch.IsMember:
		d.fail(what, "#"+ch.Name+" is private and the bot is not in it", "invite @warroom to #"+ch.Name)
	default:
		d.ok(what, fmt.Sprintf("#%s (%s) gets one message per incident", ch.Name, ch.ID))
	}
}

func (d *doctor) checkSlackScopes(granted []string) {
	if granted == nil {
		d.warn("bot scopes", "could not read the granted scopes (Slack sent no X-OAuth-Scopes header)",
			"compare OAuth & Permissions → Bot Token Scopes with the list in manifest.yaml by hand")
		return
	}
	have := map[string]bool{}
	for _, s := range granted {
		have[s] = true
	}
	var missing []string
	for _, s := range slackBotScopes {
		if !have[s] {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		d.fail("bot scopes", "the bot token lacks "+strings.Join(missing, ", "),
			"add them under OAuth & Permissions → Bot Token Scopes (or update the app from manifest.yaml), then Install App → Reinstall to Workspace")
		return
	}
	d.ok("bot scopes", fmt.Sprintf("all %d that manifest.yaml asks for are granted", len(slackBotScopes)))
}

func (d *doctor) checkZoom(ctx context.Context) {
	if d.cfg.ZoomAccountID != "" {
		d.section("Zoom (Server-to-Server OAuth)")
		d.checkZoomS2S(ctx)
	} else {
		d.section("Zoom (user-managed OAuth)")
		d.checkZoomClient(ctx)
	}
	d.checkConnectedAccounts(ctx)
}

// zoomRefusal reads Zoom's answer out of an OAuth failure.
func zoomRefusal(err error) (code, reason string, ok bool) {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return "", "", false
	}
	var body struct {
		Error  string `json:"error"`
		Reason string `json:"reason"`
	}
	json.Unmarshal(re.Body, &body)
	code, reason = re.ErrorCode, body.Reason
	if code == "" {
		code = body.Error
	}
	if reason == "" {
		reason = re.ErrorDescription
	}
	if code == "" && re.Response != nil {
		code = fmt.Sprintf("HTTP %d", re.Response.StatusCode)
	}
	return code, reason, true
}

func zoomTokenFix(code, reason string) string {
	r := strings.ToLower(reason)
	switch {
	case code == "invalid_client":
		return "copy the Client ID and Client Secret again from the Zoom app's App Credentials page into ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET"
	case strings.Contains(r, "account"):
		return "set ZOOM_ACCOUNT_ID to the Account ID on the Server-to-Server app's App Credentials page (the app must belong to that account)"
	case strings.Contains(r, "activat") || strings.Contains(r, "disabled"):
		return "activate the app on its Activation page in the Zoom App Marketplace"
	}
	return "check ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET against the app's App Credentials page, and that the app is activated"
}

func (d *doctor) checkZoomS2S(ctx context.Context) {
	if v := d.anyBad("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET", "ZOOM_OAUTH_URL", "ZOOM_API_URL"); v != "" {
		d.skip("credentials", "not checked until "+v+" is fixed")
		return
	}
	tctx, cancel := context.WithTimeout(context.WithValue(ctx, oauth2.HTTPClient, d.http), 15*time.Second)
	defer cancel()
	cc := zoom.ServerToServerConfig(d.cfg.ZoomOAuthURL, d.cfg.ZoomAccountID, d.cfg.ZoomClientID, d.cfg.ZoomClientSecret)
	tok, err := cc.Token(tctx)
	if err != nil {
		if code, reason, ok := zoomRefusal(err); ok {
			d.fail("credentials", fmt.Sprintf("Zoom refused the token request (%s: %s)", code, reason), zoomTokenFix(code, reason))
		} else {
			d.fail("credentials", "could not reach Zoom's token endpoint: "+err.Error(),
				"let warroom reach "+d.cfg.ZoomOAuthURL+" and "+d.cfg.ZoomAPIURL+" over HTTPS (firewall, HTTPS_PROXY)")
		}
		d.skip("scopes", "not checked without a token")
		d.skip("hosts", "not checked without a token")
		return
	}
	d.ok("credentials", "Zoom issued an access token for account "+d.cfg.ZoomAccountID)

	scope, _ := tok.Extra("scope").(string)
	if scope == "" {
		d.warn("scopes", "could not read the granted scopes (Zoom's token answer had none)",
			"compare the app's Scopes page with the list in README.md (Creating the Zoom app)")
	} else {
		granted := map[string]bool{}
		for _, s := range strings.Fields(scope) {
			granted[s] = true
		}
		var missing []string
		for _, s := range zoomS2SScopes {
			if !granted[s.granular] && !granted[s.classic] {
				missing = append(missing, s.granular)
			}
		}
		if len(missing) > 0 {
			d.fail("scopes", "the app lacks "+strings.Join(missing, ", "),
				"add them on the app's Scopes page in the Zoom App Marketplace (tokens issued afterwards carry them)")
		} else {
			d.ok("scopes", fmt.Sprintf("all %d that warroom needs are granted", len(zoomS2SScopes)))
		}
	}

	c := zoom.NewClientWithTokens(d.cfg.ZoomAPIURL, d.http, fixedToken(tok.AccessToken))
	for _, host := range d.cfg.ZoomHosts {
		d.checkZoomHost(ctx, c, host)
	}
}

// fixedToken is a zoom.TokenSource for the one token doctor fetched.
type fixedToken string

func (t fixedToken) AccessToken(context.Context) (string, error) { return string(t), nil }
func (t fixedToken) Invalidate(string)                           {}

func (d *doctor) checkZoomHost(ctx context.Context, c *zoom.Client, host string) {
	what := "host " + host
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	u, err := c.GetUser(ctx, host)
	if err != nil {
		var ze *zoom.Error
		switch {
		case errors.As(err, &ze) && ze.Code == 1001:
			d.fail(what, "Zoom has no such user in this account",
				"create the user in Zoom (Admin → User Management → Users) or correct ZOOM_HOSTS; hosts must belong to the app's account")
		case errors.As(err, &ze) && ze.Code == 4711:
			d.fail(what, "Zoom refused: "+ze.Message, "add user:read:user:admin on the app's Scopes page")
		default:
			d.fail(what, "could not read the user: "+err.Error(), "check ZOOM_HOSTS and the app's scopes")
		}
		return
	}
	if host == "me" {
		what = "host me (" + u.Email + ")"
	}
	if u.Status != "" && u.Status != "active" {
		d.fail(what, "the Zoom user is "+u.Status+" and cannot host meetings",
			"activate the user in Zoom (a pending user must accept the invitation email first)")
		return
	}
	s, err := c.GetUserSettings(ctx, host)
	if err != nil {
		d.fail(what, "could not read the user's settings: "+err.Error(), "add user:read:settings:admin on the app's Scopes page")
		return
	}
	capacity := zoompool.Capacity(store.ZoomHost{UserType: u.Type, Concurrent: s.ConcurrentMeeting})
	found := fmt.Sprintf("%s, %s at a time; passcodes %s", licence(u.Type), plural(capacity, "meeting"), describeRules(s.Passcode))
	if _, err := zoom.GeneratePasscode(s.Passcode); err != nil {
		d.fail(what, found+"; warroom cannot make a passcode these rules accept ("+err.Error()+")",
			"relax the meeting passcode requirements for this user or account (Zoom web portal → Settings → Security)")
		return
	}
	if u.Type == zoom.UserBasic {
		d.warn(what, found, "give the user a Licensed seat (Pro or above): a Basic user's meetings with three or more people end after 40 minutes")
		return
	}
	d.ok(what, found)
}

func licence(t int) string {
	switch t {
	case zoom.UserBasic:
		return "Basic"
	case zoom.UserLicensed:
		return "Licensed"
	}
	return fmt.Sprintf("user type %d", t)
}

func describeRules(r zoom.PasscodeRules) string {
	var parts []string
	if r.Length > 0 {
		parts = append(parts, fmt.Sprintf("at least %d characters", r.Length))
	}
	if r.OnlyAllowNumeric {
		parts = append(parts, "digits only")
	}
	if r.HaveLetter {
		parts = append(parts, "a letter")
	}
	if r.HaveNumber {
		parts = append(parts, "a digit")
	}
	if r.HaveUpperAndLowerCharacters {
		parts = append(parts, "upper and lower case")
	}
	if r.HaveSpecialCharacter {
		parts = append(parts, "a special character")
	}
	if r.ConsecutiveCharactersLength > 0 {
		parts = append(parts, fmt.Sprintf("no run of %d", r.ConsecutiveCharactersLength))
	}
	if r.WeakEnhanceDetection {
		parts = append(parts, "not weak")
	}
	if len(parts) == 0 {
		return "unrestricted"
	}
	return strings.Join(parts, ", ")
}

// checkZoomClient checks a user-managed app's client credentials without a
// user: it asks for a token with a refresh token that cannot exist. Zoom
// answers invalid_client when the ID or secret is wrong and invalid_grant
// when they are right.
func (d *doctor) checkZoomClient(ctx context.Context) {
	if v := d.anyBad("ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET", "ZOOM_OAUTH_URL"); v != "" {
		d.skip("credentials", "not checked until "+v+" is fixed")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"warroom-doctor-check"}}
	req, err := http.NewRequestWithContext(ctx, "POST", d.cfg.ZoomOAuthURL+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		d.fail("credentials", err.Error(), "correct ZOOM_OAUTH_URL")
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(d.cfg.ZoomClientID), url.QueryEscape(d.cfg.ZoomClientSecret))
	resp, err := d.http.Do(req)
	if err != nil {
		d.fail("credentials", "could not reach Zoom's token endpoint: "+err.Error(),
			"let warroom reach "+d.cfg.ZoomOAuthURL+" over HTTPS (firewall, HTTPS_PROXY)")
		return
	}
	defer resp.Body.Close()
	var body struct {
		Error  string `json:"error"`
		Reason string `json:"reason"`
	}
	json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body)
	switch body.Error {
	case "invalid_client":
		d.fail("credentials", "Zoom refused ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET ("+body.Reason+")", zoomTokenFix("invalid_client", ""))
	case "invalid_grant", "invalid_request":
		d.ok("credentials", "Zoom accepts ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET")
	default:
		d.warn("credentials", fmt.Sprintf("could not tell whether Zoom accepts them (HTTP %d %s)", resp.StatusCode, body.Error),
			"check ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET against the app's App Credentials page")
	}
}

// checkConnectedAccounts reports the accounts admins connected, as the
// database knows them. Their tokens are not refreshed here: Zoom rotates
// refresh tokens, and a refresh racing the running bot's would kill the
// connection.
func (d *doctor) checkConnectedAccounts(ctx context.Context) {
	info, err := store.Inspect(ctx, d.cfg.DB)
	if err != nil || !info.Exists {
		return // the Database section says why
	}
	var oauth []store.HostInfo
	for _, h := range info.ZoomHosts {
		if h.Mode == store.ModeOAuth {
			oauth = append(oauth, h)
		}
	}
	if len(oauth) == 0 {
		if d.cfg.ZoomAccountID == "" {
			d.warn("connected accounts", "none yet, so incidents get no Zoom call",
				"an admin runs /incident zoom connect in Slack and signs in as the Zoom user that should host incident calls")
		}
		return
	}
	for _, h := range oauth {
		what := "account " + h.Email
		switch {
		case h.SealedTokens && d.cfg.SecretKey == nil:
			d.fail(what, "its tokens are sealed, and WARROOM_SECRET_KEY is not set to open them",
				"set WARROOM_SECRET_KEY to the key it was connected with, or reconnect the account after setting a new one")
		case h.Status == store.HostNeedsReconnect:
			d.fail(what, "must be reconnected: "+h.StatusError,
				"an admin runs /incident zoom connect in Slack and signs in as "+h.Email)
		case h.Status == store.HostError:
			d.warn(what, "last error: "+h.StatusError, "see /incident zoom status in Slack")
		default:
			d.ok(what, "connected")
		}
	}
}

func (d *doctor) checkDatabase(ctx context.Context) {
	d.section("Database")
	path := d.cfg.DB
	what := "WARROOM_DB " + path
	info, err := store.Inspect(ctx, path)
	if err != nil {
		d.fail(what, err.Error(), "point WARROOM_DB at warroom's database file, or restore one from a backup (README.md, Operations)")
		return
	}
	dir := filepath.Dir(path)
	if !info.Exists {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			d.fail(what, "its directory "+dir+" does not exist", "create "+dir+" and let the user warroom runs as write to it")
			return
		}
		if err := dirWritable(dir); err != nil {
			d.fail(what, "does not exist yet, and "+dir+" is not writable: "+err.Error(),
				"let the user warroom runs as write to "+dir+" (the database, its -wal, -shm and .lock files live there)")
			return
		}
		d.ok(what, "does not exist yet; warroom run creates it")
		return
	}
	// The lock file says whether a warroom is running on the database.
	if lock, err := store.LockFile(path); err == nil {
		lock.Release()
	} else if errors.Is(err, syscall.EWOULDBLOCK) {
		d.running = true
	}
	if info.Integrity != "ok" {
		d.fail(what, "SQLite's integrity check failed: "+info.Integrity,
			"stop warroom and restore the latest backup (README.md, Operations → Restore)")
		return
	}
	var problems []string
	if f, err := os.OpenFile(path, os.O_RDWR, 0); err != nil {
		problems = append(problems, "the file is not writable ("+err.Error()+")")
	} else {
		f.Close()
	}
	if err := dirWritable(dir); err != nil {
		problems = append(problems, "its directory is not writable ("+err.Error()+")")
	}
	if len(problems) > 0 {
		d.fail(what, strings.Join(problems, "; "),
			"let the user warroom runs as write to "+path+" and to "+dir+" (SQLite keeps its -wal, -shm and the .lock file beside it)")
		return
	}
	schema := fmt.Sprintf("schema %d", info.SchemaVersion)
	switch {
	case info.SchemaVersion > info.Latest:
		d.fail(what, fmt.Sprintf("%s was written by a newer warroom (this one knows up to %d)", schema, info.Latest),
			"run the newer warroom, or restore a backup taken before the upgrade")
		return
	case info.SchemaVersion < info.Latest:
		schema += fmt.Sprintf(" (warroom run migrates it to %d at start; take a backup first)", info.Latest)
	default:
		schema += " (current)"
	}
	state := "no warroom is running on it"
	if d.running {
		state = "in use by a running warroom"
	}
	d.ok(what, fmt.Sprintf("%s; integrity ok; %s, %s waiting; %s", schema, plural(info.Incidents, "incident"), plural(info.PendingJobs, "job"), state))
}

// dirWritable creates and removes a file in dir.
func dirWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".warroom-doctor-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

func (d *doctor) checkHTTP(ctx context.Context) {
	d.section("HTTP")
	addr := d.cfg.HTTPAddr
	if d.running {
		d.checkLocal(ctx, addr)
	} else if ln, err := net.Listen("tcp", addr); err != nil {
		d.fail("WARROOM_HTTP_ADDR "+addr, "cannot be listened on: "+err.Error(),
			"choose a free address such as :8080, or stop what holds it")
	} else {
		ln.Close()
		d.ok("WARROOM_HTTP_ADDR "+addr, "free to listen on (health, readiness, metrics and the Zoom endpoints)")
	}
	d.checkPublicURL(ctx)
}

// checkLocal asks the running warroom for its health and readiness.
func (d *doctor) checkLocal(ctx context.Context, addr string) {
	base := "http://" + localAddr(addr)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	what := "running warroom at " + base
	status, body, err := d.get(ctx, base+"/readyz")
	switch {
	case err != nil:
		d.warn(what, "does not answer: "+err.Error(),
			"check that WARROOM_HTTP_ADDR here is the one warroom run uses")
	case status == http.StatusOK:
		d.ok(what, "healthy and ready (Slack connected, database writable)")
	default:
		d.fail(what, fmt.Sprintf("not ready (HTTP %d: %s)", status, strings.TrimSpace(body)),
			"read warroom's log for the Slack connection or database error; the checks above usually name it")
	}
}

// localAddr turns a listen address into one to connect to: ":8080" and
// "0.0.0.0:8080" become "127.0.0.1:8080".
func localAddr(addr string) string {
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

func (d *doctor) get(ctx context.Context, u string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return 0, "", err
	}
	noFollow := *d.http
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noFollow.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, string(b), nil
}

func (d *doctor) checkPublicURL(ctx context.Context) {
	pub := d.cfg.PublicURL
	if d.bad["WARROOM_PUBLIC_URL"] {
		d.skip("WARROOM_PUBLIC_URL", "not checked until it is fixed")
		return
	}
	if pub == "" {
		if d.cfg.ZoomAccountID != "" {
			d.ok("WARROOM_PUBLIC_URL", "not set: Server-to-Server OAuth needs no inbound traffic")
		}
		return
	}
	what := "WARROOM_PUBLIC_URL " + pub
	u, _ := url.Parse(pub)
	if u.Scheme != "https" && !isLoopback(u.Hostname()) {
		d.warn(what, "is not https; Zoom only redirects to https URLs",
			"serve warroom behind a TLS-terminating proxy and set WARROOM_PUBLIC_URL to its https:// address")
	}
	// /zoom/connect without a state answers warroom's own refusal page:
	// proof that the URL reaches this warroom, not just some server.
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	status, body, err := d.get(ctx, pub+"/zoom/connect")
	reached := err == nil && status == http.StatusBadRequest && strings.Contains(body, "warroom")
	switch {
	case reached:
		d.ok(what, "reaches warroom; allow "+pub+"/zoom/oauth/callback as the Zoom app's redirect URL")
	case !d.running:
		d.warn(what, "no warroom answered there (none is running on this database)",
			"start warroom run, then run doctor again; the proxy must pass "+pub+"/zoom/ to WARROOM_HTTP_ADDR")
	default:
		found := "does not reach warroom"
		if err != nil {
			found += ": " + err.Error()
		} else {
			found += fmt.Sprintf(" (GET /zoom/connect answered HTTP %d)", status)
		}
		d.fail(what, found, "route "+pub+"/zoom/ to WARROOM_HTTP_ADDR "+d.cfg.HTTPAddr+" (reverse proxy, load balancer, DNS)")
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

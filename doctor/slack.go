package doctor

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SlackBotScopes are the bot scopes manifest.yaml asks for; a test keeps
// the two lists equal.
var SlackBotScopes = []string{
	"commands", "channels:manage", "channels:read", "channels:history", "channels:join",
	"groups:write", "groups:read", "groups:history", "chat:write", "pins:write",
	"bookmarks:write", "bookmarks:read", "users:read", "users:read.email",
	"calls:write", "calls:read", "canvases:write",
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
		a, err := d.slack.CheckToken(tctx, "auth.test", d.cfg.SlackBotToken)
		cancel()
		switch {
		case err != nil:
			d.fail("bot token", "could not ask Slack (auth.test): "+err.Error(),
				"let warroom reach "+d.cfg.SlackAPIURL+" over HTTPS (firewall, HTTPS_PROXY)")
		case !a.OK:
			d.fail("bot token", "Slack refused SLACK_BOT_TOKEN: "+a.Error, slackFix(a.Error, "see Troubleshooting in README.md"))
		default:
			d.ok("bot token", fmt.Sprintf("workspace %q (%s) as %s", a.Team, a.TeamID, a.UserID))
			d.checkSlackScopes(a.Scopes)
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
	a, err := d.slack.CheckToken(ctx, "apps.connections.open", d.cfg.SlackAppToken)
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
	what := "WARROOM_ANNOUNCE_CHANNEL " + name
	id, ok, err := d.slack.ChannelID(ctx, name)
	if err == nil && !ok {
		err = fmt.Errorf("names #%s, which the bot cannot see", name)
	}
	if err != nil {
		d.fail(what, err.Error(), "set it to the channel's ID (channel details, at the bottom) or name, and invite @warroom to a private channel")
		return
	}
	ch, err := d.slack.ChannelInfo(ctx, id)
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
	for _, s := range SlackBotScopes {
		if !have[s] {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		d.fail("bot scopes", "the bot token lacks "+strings.Join(missing, ", "),
			"add them under OAuth & Permissions → Bot Token Scopes (or update the app from manifest.yaml), then Install App → Reinstall to Workspace")
		return
	}
	d.ok("bot scopes", fmt.Sprintf("all %d that manifest.yaml asks for are granted", len(SlackBotScopes)))
}

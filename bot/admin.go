package bot

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/commands"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoompool"
)

// ActionConnectZoom is the Connect Zoom URL button.
const ActionConnectZoom = "connect_zoom"

// isAdmin reports whether a Slack user may run admin commands: listed in
// WARROOM_ADMINS, or a workspace admin or owner according to Slack.
func (b *Bot) isAdmin(ctx context.Context, userID string) (bool, error) {
	if slices.Contains(b.cfg.Admins, userID) {
		return true, nil
	}
	u, err := b.api.GetUserInfoContext(ctx, userID)
	if err != nil {
		return false, fmt.Errorf("check admin %s: %w", userID, err)
	}
	return u.IsAdmin || u.IsOwner, nil
}

// onZoomCommand answers /incident zoom … after the envelope was acked;
// the answer goes to the command's response_url.
func (b *Bot) onZoomCommand(ctx context.Context, cmd slack.SlashCommand, c commands.Command) map[string]any {
	admin, err := b.isAdmin(ctx, cmd.UserID)
	if err != nil {
		b.log.Error().Err(err).Msg("admin check failed")
		return ephemeral("warroom could not check whether you are an admin. Please try again.", nil)
	}
	if !admin {
		b.log.Info().Str("user", cmd.UserID).Msg("zoom command refused: not an admin")
		return ephemeral("Sorry, only warroom admins (WARROOM_ADMINS) and workspace admins or owners can manage the Zoom connection. Nothing was changed.", nil)
	}
	switch c := c.(type) {
	case commands.ZoomConnect:
		return b.zoomConnect(ctx, cmd.UserID)
	case commands.ZoomStatus:
		return b.zoomStatus(ctx)
	case commands.ZoomDisconnect:
		return b.zoomDisconnect(ctx, cmd.UserID, c.Email)
	}
	return ephemeral(commands.ZoomUsage(), nil)
}

// hashState is how a state is kept: a leaked database cannot be used to
// complete someone's connection.
func hashState(state string) string {
	sum := sha256.Sum256([]byte(state))
	return hex.EncodeToString(sum[:])
}

func (b *Bot) zoomConnect(ctx context.Context, userID string) map[string]any {
	if !b.pool.CanConnect() || b.cfg.PublicURL == "" {
		return ephemeral("Connecting a Zoom account needs WARROOM_PUBLIC_URL (where Zoom sends you back) and WARROOM_SECRET_KEY (to encrypt the tokens). Set both and restart warroom.", nil)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return ephemeral("warroom could not make a secure link. Please try again.", nil)
	}
	state := base64.RawURLEncoding.EncodeToString(raw)
	if err := b.store.CreateOAuthState(ctx, hashState(state), userID, b.cfg.StateTTL); err != nil {
		b.log.Error().Err(err).Msg("zoom connect: could not store the state")
		return ephemeral("warroom could not start connecting Zoom: "+warroom.ErrorMessage(err), nil)
	}
	link := b.cfg.PublicURL + "/zoom/connect?state=" + state
	minutes := int(b.cfg.StateTTL / time.Minute)
	text := fmt.Sprintf("Connect the Zoom account that should host incident calls (a robot user such as incident-bot@…). The link is for you only, works once, and expires in %d minutes.", minutes)
	button := slack.NewButtonBlockElement(ActionConnectZoom, "", slack.NewTextBlockObject(slack.PlainTextType, "Connect Zoom", false, false)).
		WithURL(link).WithStyle(slack.StylePrimary)
	blks := []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil),
		slack.NewActionBlock("", button),
	}
	b.log.Info().Str("user", userID).Msg("zoom connect link issued")
	return ephemeral(text, blks)
}

func (b *Bot) zoomStatus(ctx context.Context) map[string]any {
	hosts, err := b.pool.Status(ctx)
	if err != nil {
		return ephemeral("warroom could not read the Zoom hosts: "+warroom.ErrorMessage(err), nil)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "*Zoom:* %s\n", b.pool.Mode(ctx))
	if len(hosts) == 0 {
		sb.WriteString("No Zoom host yet. Connect one with `/incident zoom connect`, or set ZOOM_ACCOUNT_ID and ZOOM_HOSTS for Server-to-Server OAuth.")
		return ephemeral(sb.String(), nil)
	}
	busy := 0
	for _, h := range hosts {
		mode := "Server-to-Server"
		if h.Mode == store.ModeOAuth {
			mode = "connected account"
		}
		licence := "licence unknown"
		switch h.UserType {
		case 1:
			licence = "Basic"
		case 2:
			licence = "Licensed"
		}
		fmt.Fprintf(&sb, "• *%s* (%s, %s): %d of %d concurrent meetings in use · %d/%d meeting requests today · %s\n",
			blocks.Escape(h.Email), mode, licence, h.Active, h.Capacity, h.RequestsToday, zoompool.DailyCap, tokenHealth(h, b.now()))
		if h.Active >= h.Capacity {
			busy++
		}
	}
	if busy == len(hosts) {
		sb.WriteString("⚠️ Every host is at its concurrent-meeting capacity: new incidents share the least loaded host (join before host is on, so people still get in). Connect another account to add capacity.")
	}
	return ephemeral(sb.String(), nil)
}

func tokenHealth(h zoompool.HostStatus, now time.Time) string {
	switch {
	case h.Status == store.HostNeedsReconnect:
		return "⚠️ must be reconnected: " + blocks.Escape(h.StatusError)
	case h.CappedUntil.After(now):
		return "⚠️ Zoom refused more meetings until " + h.CappedUntil.UTC().Format("15:04 UTC")
	case h.Mode == store.ModeS2S:
		return "token: Server-to-Server"
	case h.TokenExpiry.After(now):
		return "token ok"
	}
	return "token ok (refreshes on next use)"
}

func (b *Bot) zoomDisconnect(ctx context.Context, userID, email string) map[string]any {
	hosts, err := b.store.ZoomHosts(ctx)
	if err != nil {
		return ephemeral("warroom could not read the Zoom accounts: "+warroom.ErrorMessage(err), nil)
	}
	var oauth []store.ZoomHost
	for _, h := range hosts {
		if h.Mode == store.ModeOAuth {
			oauth = append(oauth, h)
		}
	}
	var target *store.ZoomHost
	for i := range oauth {
		if email == "" && len(oauth) == 1 || strings.EqualFold(oauth[i].Email, email) {
			target = &oauth[i]
		}
	}
	if target == nil {
		if len(oauth) == 0 {
			return ephemeral("No Zoom account is connected, so there is nothing to disconnect.", nil)
		}
		var names []string
		for _, h := range oauth {
			names = append(names, blocks.Escape(h.Email))
		}
		return ephemeral("Which account? Connected: "+strings.Join(names, ", ")+". Use `/incident zoom disconnect <email>`.", nil)
	}
	ids, revokeErr, err := b.pool.Disconnect(ctx, target.Key)
	if err != nil {
		b.log.Error().Err(err).Str("host", target.Email).Msg("zoom disconnect failed")
		return ephemeral("warroom could not disconnect "+blocks.Escape(target.Email)+": "+warroom.ErrorMessage(err), nil)
	}
	b.refreshIncidents(ctx, ids)
	b.log.Info().Str("user", userID).Str("host", target.Email).Int("incidents", len(ids)).Msg("zoom account disconnected")
	msg := fmt.Sprintf("Disconnected %s: its tokens and Zoom data are deleted.", blocks.Escape(target.Email))
	if revokeErr != nil {
		b.log.Warn().Err(revokeErr).Msg("zoom revoke failed")
		msg += " (Zoom did not confirm the revocation; remove the app in Zoom's App Marketplace to be sure.)"
	}
	if len(ids) > 0 {
		msg += fmt.Sprintf(" %d incident(s) it hosted keep their channels; their messages now say the call was removed.", len(ids))
	}
	return ephemeral(msg, nil)
}

// refreshIncidents reruns the declare workflow of incidents whose call
// changed behind their back, so their messages and topics catch up.
func (b *Bot) refreshIncidents(ctx context.Context, ids []int64) {
	for _, id := range ids {
		if err := b.store.RequestSync(ctx, id); err != nil {
			b.log.Error().Err(err).Int64("incident", id).Msg("could not queue a message update")
		}
	}
	if len(ids) > 0 {
		b.kick()
	}
}

// tellAdmins sends every admin (WARROOM_ADMINS, plus extra users) a
// direct message.
func (b *Bot) tellAdmins(ctx context.Context, text string, extra ...string) {
	seen := map[string]bool{}
	for _, u := range append(slices.Clone(b.cfg.Admins), extra...) {
		if u == "" || seen[u] {
			continue
		}
		seen[u] = true
		if _, _, err := b.api.PostMessageContext(ctx, u, slack.MsgOptionText(text, false)); err != nil {
			b.log.Warn().Err(err).Str("user", u).Msg("could not message an admin")
		}
	}
}

// ZoomTokenDead is the pool's OnTokenDead: the account's admins hear that
// it must be reconnected.
func (b *Bot) ZoomTokenDead(ctx context.Context, h store.ZoomHost, reason string) {
	b.tellAdmins(ctx, fmt.Sprintf("⚠️ The Zoom account %s must be reconnected: %s. warroom stops using it for new incident calls until an admin runs `/incident zoom connect`.",
		blocks.Escape(h.Email), blocks.Escape(reason)), h.ConnectedBy)
}

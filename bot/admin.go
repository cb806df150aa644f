package bot

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/commands"
	"github.com/warroom-dev/warroom/store"
)

// isAdmin reports whether a Slack user may administer warroom: listed in
// WARROOM_ADMINS, or a workspace admin or owner according to Slack, asked
// anew every time (a demoted admin loses the right at once).
func (b *Bot) isAdmin(ctx context.Context, userID string) (bool, error) {
	if slices.Contains(b.cfg.Admins, userID) {
		return true, nil
	}
	u, err := b.d.Slack.FreshUser(ctx, userID)
	if err != nil {
		return false, err
	}
	return u.IsAdmin || u.IsOwner, nil
}

// requireAdmin answers with a refusal when userID may not administer.
func (b *Bot) requireAdmin(ctx context.Context, userID, refusal string) (blocks.Reply, bool) {
	admin, err := b.isAdmin(ctx, userID)
	if err != nil {
		b.logFor(ctx).Error().Err(err).Msg("admin check failed")
		return blocks.Ephemeral(blocks.AdminCheckFailed), false
	}
	if !admin {
		b.logFor(ctx).Info().Str("user", userID).Msg("admin action refused: not an admin")
		return blocks.Ephemeral(refusal), false
	}
	return blocks.Reply{}, true
}

// zoomCommand answers /incident zoom … after the envelope was acked.
func (b *Bot) zoomCommand(ctx context.Context, userID string, c commands.Command) blocks.Reply {
	if refusal, ok := b.requireAdmin(ctx, userID, blocks.NotAdmin); !ok {
		return refusal
	}
	switch c := c.(type) {
	case commands.ZoomConnect:
		return b.zoomConnect(ctx, userID)
	case commands.ZoomStatus:
		hosts, err := b.d.Pool.Status(ctx)
		if err != nil {
			return b.couldNot("read the Zoom hosts", err)
		}
		return blocks.ZoomStatus(b.d.Pool.Mode(ctx), hosts, b.now())
	case commands.ZoomDisconnect:
		return b.zoomDisconnect(ctx, userID, c.Email, "")
	}
	return blocks.Ephemeral(commands.ZoomUsage())
}

func (b *Bot) zoomConnect(ctx context.Context, userID string) blocks.Reply {
	if !b.d.Pool.CanConnect() || b.cfg.PublicURL == "" {
		return blocks.Ephemeral(blocks.ConnectNeedsSetup)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return blocks.Ephemeral("warroom could not make a secure link. Please try again.")
	}
	state := base64.RawURLEncoding.EncodeToString(raw)
	if err := b.d.Store.CreateOAuthState(ctx, store.HashState(state), userID, b.cfg.StateTTL); err != nil {
		b.logFor(ctx).Error().Err(err).Msg("zoom connect: could not store the state")
		return b.couldNot("start connecting Zoom", err)
	}
	b.logFor(ctx).Info().Str("user", userID).Msg("zoom connect link issued")
	return blocks.ConnectLink(b.cfg.PublicURL+"/zoom/connect?state="+state, b.cfg.StateTTL)
}

// zoomDisconnect disconnects the connected account with that email (or the
// pool key, from the Disconnect button), or the only one.
func (b *Bot) zoomDisconnect(ctx context.Context, userID, email, key string) blocks.Reply {
	hosts, err := b.d.Store.ZoomHosts(ctx)
	if err != nil {
		return b.couldNot("read the Zoom accounts", err)
	}
	var oauth []warroom.ZoomHost
	for _, h := range hosts {
		if h.Mode == warroom.HostOAuth {
			oauth = append(oauth, h)
		}
	}
	var target *warroom.ZoomHost
	for i := range oauth {
		if key == oauth[i].Key || key == "" && (email == "" && len(oauth) == 1 || strings.EqualFold(oauth[i].Email, email)) {
			target = &oauth[i]
		}
	}
	if target == nil {
		return blocks.WhichAccount(oauth)
	}
	removed, revokeErr, err := b.d.Pool.Disconnect(ctx, target.Key)
	if err != nil {
		b.logFor(ctx).Error().Err(err).Str("host", target.Email).Msg("zoom disconnect failed")
		return b.couldNot("disconnect "+blocks.Escape(target.Email), err)
	}
	b.d.Kick()
	if revokeErr != nil {
		b.logFor(ctx).Warn().Err(revokeErr).Msg("zoom revoke failed")
	}
	b.logFor(ctx).Info().Str("user", userID).Str("host", target.Email).Int("incidents", len(removed.Incidents)).
		Int("followups", len(removed.Followups)).Msg("zoom account disconnected")
	return blocks.Disconnected(target.Email, len(removed.Incidents), len(removed.Followups), revokeErr != nil)
}

// openZoomSettings opens the meeting defaults modal for an admin.
func (b *Bot) openZoomSettings(ctx context.Context, cmd slack.SlashCommand) {
	if refusal, ok := b.requireAdmin(ctx, cmd.UserID, blocks.NotAdminSettings); !ok {
		b.respond(ctx, cmd.ResponseURL, refusal)
		return
	}
	d, err := b.d.Store.MeetingDefaults(ctx)
	if err != nil {
		b.respond(ctx, cmd.ResponseURL, b.couldNot("read the meeting settings", err))
		return
	}
	if err := b.d.Slack.OpenView(ctx, cmd.TriggerID, blocks.ZoomSettingsModal(d)); err != nil {
		b.logFor(ctx).Warn().Err(err).Msg("could not open the settings modal")
		b.respond(ctx, cmd.ResponseURL, blocks.ModalFailed(codeOf(err), false))
	}
}

package blocks

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/warroom-dev/warroom"
)

// Action IDs of the admin buttons.
const (
	// ActionConnectZoom is the Connect Zoom URL button.
	ActionConnectZoom = "connect_zoom"
	// ActionDisconnectZoom disconnects the account its value names (a pool key).
	ActionDisconnectZoom = "disconnect_zoom"
)

// NotAdmin refuses an admin command, form or button to someone else.
const NotAdmin = "Sorry, only warroom admins (WARROOM_ADMINS) and workspace admins or owners can manage the Zoom connection. Nothing was changed."

// NotAdminSettings refuses the settings form to someone else.
const NotAdminSettings = "Sorry, only warroom admins (WARROOM_ADMINS) and workspace admins or owners can change the Zoom meeting settings. Nothing was changed."

// AdminCheckFailed says the admin check itself could not be made.
const AdminCheckFailed = "warroom could not check whether you are an admin. Please try again."

// ConnectNeedsSetup says what connecting needs.
const ConnectNeedsSetup = "Connecting a Zoom account needs WARROOM_PUBLIC_URL (where Zoom sends you back) and WARROOM_SECRET_KEY (to encrypt the tokens). Set both and restart warroom."

// ConnectLink is the admin's one-time Connect Zoom link.
func ConnectLink(link string, ttl time.Duration) Reply {
	text := fmt.Sprintf("Connect the Zoom account that should host incident calls (a robot user such as incident-bot@…). The link is for you only, works once, in the browser that opens it first, and expires in %d minutes.", int(ttl/time.Minute))
	button := slack.NewButtonBlockElement(ActionConnectZoom, "", textObj(plainText, "Connect Zoom")).
		WithURL(link).WithStyle(slack.StylePrimary)
	return Ephemeral(text, section(text), slack.NewActionBlock("", button))
}

// ZoomStatus answers /incident zoom status.
func ZoomStatus(mode string, hosts []warroom.HostStatus, now time.Time) Reply {
	var sb strings.Builder
	fmt.Fprintf(&sb, "*Zoom:* %s\n", mode)
	if len(hosts) == 0 {
		sb.WriteString("No Zoom host yet. Connect one with `/incident zoom connect`, or set ZOOM_ACCOUNT_ID and ZOOM_HOSTS for Server-to-Server OAuth.")
		return Ephemeral(sb.String())
	}
	busy := 0
	for _, h := range hosts {
		mode := "Server-to-Server"
		if h.Mode == warroom.HostOAuth {
			mode = "connected account"
		}
		fmt.Fprintf(&sb, "• *%s* (%s, %s): %d of %d concurrent meetings in use · %d/%d meeting requests today · %s\n",
			Escape(h.Email), mode, h.Licence(), h.Active, h.Capacity, h.RequestsToday, warroom.ZoomDailyCap, hostHealth(h, now))
		if h.Active >= h.Capacity {
			busy++
		}
	}
	if busy == len(hosts) {
		sb.WriteString("⚠️ Every host is at its concurrent-meeting capacity: new incidents share the least loaded host (join before host is on, so people still get in). Connect another account to add capacity.")
	}
	return Ephemeral(sb.String())
}

func hostHealth(h warroom.HostStatus, now time.Time) string {
	switch {
	case h.Status == warroom.HostNeedsReconnect:
		return "⚠️ must be reconnected: " + Escape(h.StatusError)
	case h.CappedUntil.After(now):
		return "⚠️ Zoom refused more meetings until " + h.CappedUntil.UTC().Format("15:04 UTC")
	case h.FailingUntil.After(now):
		return "⚠️ Zoom refused this host (" + Escape(h.StatusError) + "); skipped until " + h.FailingUntil.UTC().Format("15:04 UTC")
	case h.Mode == warroom.HostS2S:
		return "token: Server-to-Server"
	case h.TokenExpiry.After(now):
		return "token ok"
	}
	return "token ok (refreshes on next use)"
}

// WhichAccount asks which connected account to disconnect.
func WhichAccount(connected []warroom.ZoomHost) Reply {
	if len(connected) == 0 {
		return Ephemeral("No Zoom account is connected, so there is nothing to disconnect.")
	}
	var names []string
	for _, h := range connected {
		names = append(names, Escape(h.Email))
	}
	return Ephemeral("Which account? Connected: " + strings.Join(names, ", ") + ". Use `/incident zoom disconnect <email>`.")
}

// Disconnected confirms a disconnection and what it touched.
func Disconnected(email string, incidents, followups int, revokeFailed bool) Reply {
	msg := fmt.Sprintf("Disconnected %s: its tokens and Zoom data are deleted.", Escape(email))
	if revokeFailed {
		msg += " (Zoom did not confirm the revocation; remove the app in Zoom's App Marketplace to be sure.)"
	}
	if incidents > 0 {
		msg += fmt.Sprintf(" %s it hosted keep their channels; their messages now say the call was removed.", plural(incidents, "incident"))
	}
	if followups > 0 {
		msg += fmt.Sprintf(" %s lost their meeting; their posts say so.", plural(followups, "follow-up"))
	}
	return Ephemeral(msg)
}

// ZoomConnected is the DM to admins after an account was connected: which
// Zoom user it is, so a connection nobody meant is seen at once, and a
// button to undo it.
func ZoomConnected(h warroom.ZoomHost, by string) Message {
	text := fmt.Sprintf("✅ Zoom is connected as %s (%s, Zoom user %s), by %s. New incident calls can be hosted there; see `/incident zoom status`.",
		Escape(h.Email), h.Licence(), Escape(h.ZoomUserID), userRef(by))
	button := slack.NewButtonBlockElement(ActionDisconnectZoom, h.Key, textObj(plainText, "Disconnect")).WithStyle(slack.StyleDanger).
		WithConfirm(slack.NewConfirmationBlockObject(textObj(plainText, "Disconnect Zoom?"),
			textObj(plainText, "warroom deletes this account's tokens and Zoom data and stops hosting calls there."),
			textObj(plainText, "Disconnect"), textObj(plainText, "Keep it")))
	return Message{Text: text, Blocks: []slack.Block{section(text), slack.NewActionBlock("", button)}}
}

// AccountDeauthorized tells admins an account removed warroom in Zoom.
func AccountDeauthorized(email string) (string, []slack.Block) {
	return fmt.Sprintf("The Zoom account %s removed warroom in Zoom, so its tokens and Zoom data are deleted. Connect an account again with `/incident zoom connect`.",
		Escape(email)), nil
}

// AccountMustReconnect tells admins a connected account's token died.
func AccountMustReconnect(email, reason string) (string, []slack.Block) {
	return fmt.Sprintf("⚠️ The Zoom account %s must be reconnected: %s. warroom stops using it for new incident calls until an admin runs `/incident zoom connect`.",
		Escape(email), Escape(reason)), nil
}

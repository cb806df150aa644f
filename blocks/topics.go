package blocks

import (
	"strings"

	"github.com/warroom-dev/warroom"
)

// ChannelTopic is the channel topic (≤250 chars, carries the call link when there is one): e.g. "SEV2 · Checkout is down · Zoom: https://…"
func ChannelTopic(inc warroom.Incident) string {
	head := inc.Severity.String() + " · "
	if inc.Status == warroom.StatusResolved {
		head = "Resolved · " + head
	}
	tail := ""
	if url, ok := joinable(inc); ok {
		tail = " · Zoom: " + Escape(url)
	}
	// A link that leaves no room for a readable title is left to the pinned
	// message: a topic that is all URL helps nobody.
	const minTitle = 20
	if chars(head)+chars(tail)+minTitle > maxChannelTopic {
		tail = ""
	}
	title, _ := clip(inc.Title, maxChannelTopic-chars(head)-chars(tail))
	return head + title + tail
}

// MeetingTopic is the Zoom topic: "SEV2 Incident – Checkout is down" (Zoom topic ≤ 200 chars: cut the title to fit).
//
// Zoom shows the topic as plain text, where entities would show up as
// "&lt;": instead of escaping, Slack references are spelled the way Slack
// shows them ("<@U123|bob>" → "@bob", "<!channel>" → "@channel").
func MeetingTopic(inc warroom.Incident) string {
	head := inc.Severity.String() + " Incident – "
	title, cut := fit(plainRefs(inc.Title), maxMeetingTopic-chars(head), width)
	if cut {
		title += "…"
	}
	return head + title
}

// FollowupTopic is the Zoom topic of a follow-up meeting, plain text within
// Zoom's 200 characters: "Post-incident review – INC-42: Checkout is down"
// (the follow-up's topic when it has one, else the incident's title).
func FollowupTopic(inc warroom.Incident, f warroom.Followup) string {
	head := "Post-incident review – " + inc.Ref()
	about := strings.TrimSpace(f.Topic)
	if about == "" {
		about = inc.Title
	}
	about = strings.TrimSpace(zoomText(plainRefs(about), false))
	if about == "" {
		return head
	}
	head += ": "
	about, cut := fit(about, maxMeetingTopic-chars(head), width)
	if cut {
		about += "…"
	}
	return head + about
}

// Package blocks renders the warroom domain as Slack messages (Block Kit)
// and as the short texts that go into topics. It is pure: the bot decides
// when to send, this package decides what it says, so every message can be
// checked against golden files and Slack's limits without a network.
//
// All user text (titles, error reasons) is escaped with Escape and cut to fit
// Slack's limits here, so no caller has to remember either.
package blocks

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/warroom-dev/warroom"
)

// Action IDs of the buttons warroom puts in messages; the bot routes
// block_actions interactions by them.
const (
	// ActionJoinCall is the URL button: Slack opens the link itself but still
	// sends block_actions, which the bot only acknowledges.
	ActionJoinCall = "join_call"
	// ActionJoinFallback is the URL button to the team's standing bridge
	// (WARROOM_FALLBACK_CALL_URL) while the incident's meeting cannot be
	// made; like Join Call, Slack opens it and the bot only acknowledges.
	ActionJoinFallback = "join_fallback"
	// ActionRetryCall asks for another try at the Zoom meeting; its value is
	// the incident ID.
	ActionRetryCall = "retry_call"
)

// IncidentMessage is the pinned incident message (and its plain-text
// fallback). It shows the severity, status, commander and the call's state,
// and is rendered again (chat.update) whenever one of them changes. Once the
// incident is resolved the Join button gives way to a "call ended" line and
// the resolver's summary. The first block is the header (the bot tags it).
func IncidentMessage(inc warroom.Incident, opts ...Option) (fallback string, blocks []slack.Block) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	ref := inc.Ref()
	header, cut := headerBlock(inc)
	blocks = append(blocks, header)
	if cut {
		// The header had no room for the whole title; responders need it all.
		title, _ := clip(inc.Title, maxSectionText-chars("*Title:* "))
		blocks = append(blocks, section("*Title:* "+title))
	}

	fields := incidentFields(inc, field("Call", callText(inc)))
	switch {
	case inc.DeclaredBy == "" && inc.Origin.By != "":
		// Declared by something that is no Slack user: an API client, an
		// alert. Its name and door are who people ask about the start.
		fields = append(fields, field("Declared by", inc.Declarer()))
	case commander(inc) != inc.DeclaredBy && inc.DeclaredBy != "":
		fields = append(fields, field("Declared by", userRef(inc.DeclaredBy)))
	}
	blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil))

	if resolved(inc) {
		blocks = append(blocks, endedBlocks(inc)...)
	} else {
		blocks = append(blocks, callBlocks(inc, o)...)
	}

	if inc.FullTitle != "" && inc.Title != inc.FullTitle {
		blocks = append(blocks, note(fmt.Sprintf("Title shortened from %d characters.", utf8.RuneCountInString(inc.FullTitle))))
	}

	title, _ := clip(inc.Title, maxFallbackTitle)
	if resolved(inc) {
		fallback = fmt.Sprintf("✅ %s (%s) resolved: %s · %s", ref, inc.Severity, title, callSentence(inc))
	} else {
		fallback = fmt.Sprintf("🚨 %s (%s): %s · %s", ref, inc.Severity, title, callSentence(inc))
	}
	return fallback, blocks
}

func resolved(inc warroom.Incident) bool { return inc.Status == warroom.StatusResolved }

// headerBlock is "🚨 INC-7: title", the title cut to fit (cut says so).
func headerBlock(inc warroom.Incident) (block slack.Block, cut bool) {
	prefix := incidentIcon(inc) + " " + inc.Ref() + ": "
	header, cut := clip(inc.Title, maxHeader-chars(prefix))
	return slack.NewHeaderBlock(textObj(plainText, prefix+header)), cut
}

// incidentFields are the severity, status and commander every view of
// an incident shows, then more.
func incidentFields(inc warroom.Incident, more ...*slack.TextBlockObject) []*slack.TextBlockObject {
	return append([]*slack.TextBlockObject{
		field("Severity", inc.Severity.String()),
		field("Status", statusText(inc.Status)),
		field("Commander", commanderRef(inc)),
	}, more...)
}

func incidentIcon(inc warroom.Incident) string {
	if resolved(inc) {
		return "✅"
	}
	return "🚨"
}

// commander is who runs the incident: the declarer until someone takes over.
func commander(inc warroom.Incident) string {
	if inc.Commander != "" {
		return inc.Commander
	}
	return inc.DeclaredBy
}

// commanderRef names the commander, or says there is none yet (an
// incident declared by an API client or an alert, with none named).
func commanderRef(inc warroom.Incident) string {
	if commander(inc) == "" {
		return "none yet: `/incident commander @someone`"
	}
	return userRef(commander(inc))
}

// statusName names the statuses warroom sets; another is shown as
// stored, cut and made safe for where it goes.
func statusName(s warroom.Status) (string, bool) {
	switch s {
	case warroom.StatusActive, "":
		return "Active", true
	case warroom.StatusResolved:
		return "Resolved", true
	}
	return "", false
}

func statusText(s warroom.Status) string {
	if name, ok := statusName(s); ok {
		return name
	}
	t, _ := clip(string(s), 100)
	return t
}

// callBlocks is the part of the incident message that follows the Zoom call.
func callBlocks(inc warroom.Incident, o options) []slack.Block {
	switch callState(inc) {
	case warroom.CallReady:
		out, _ := joinBlocks(inc, "📞 The Zoom call is ready, but its join link cannot be shown; join it with the meeting ID.")
		return out
	case warroom.CallFailed:
		return append([]slack.Block{section(failureSentence(inc.CallError))}, meanwhile(o, retryButton(inc))...)
	case warroom.CallRemoved:
		return []slack.Block{section(removedSentence(inc.CallError))}
	default:
		return append([]slack.Block{note("📞 Setting up the Zoom call…")}, meanwhile(o)...)
	}
}

// Option adjusts the incident message.
type Option func(*options)

type options struct {
	fallbackCall string
}

// WithFallbackCall offers the team's standing bridge (url) while the
// incident's own meeting does not exist yet.
func WithFallbackCall(url string) Option { return func(o *options) { o.fallbackCall = url } }

// meanwhile is where people talk while the incident's meeting cannot be
// made: the fallback bridge if there is one, else the channel's huddle.
// The Join Call button takes its place as soon as the meeting exists.
func meanwhile(o options, more ...slack.BlockElement) []slack.Block {
	if o.fallbackCall != "" {
		btn := slack.NewButtonBlockElement(ActionJoinFallback, "", textObj(plainText, "Join fallback bridge")).WithURL(o.fallbackCall)
		return []slack.Block{slack.NewActionBlock("", append([]slack.BlockElement{btn}, more...)...)}
	}
	out := []slack.Block{note("🎧 Meanwhile, talk in this channel's huddle (the headphones in the channel header).")}
	if len(more) > 0 {
		out = append(out, slack.NewActionBlock("", more...))
	}
	return out
}

// removedSentence says the call is gone because its Zoom connection was.
func removedSentence(reason string) string {
	reason = strings.TrimRight(strings.TrimSpace(reason), ".")
	if reason == "" {
		reason = "the Zoom connection was removed"
	}
	r, _ := clip(reason, maxCallError)
	return "📵 There is no Zoom call any more: " + r + ". An admin can connect Zoom again with `/incident zoom connect`."
}

// failureSentence says plainly what failed, and that nobody has to act.
func failureSentence(reason string) string {
	reason = strings.TrimRight(strings.TrimSpace(reason), ".")
	if reason == "" {
		return "The Zoom call could not be created yet. warroom keeps retrying."
	}
	r, _ := clip(reason, maxCallError)
	return "The Zoom call could not be created yet: " + r + ". warroom keeps retrying."
}

// endedBlocks replace the call blocks once the incident is resolved: the call
// has ended whatever Zoom last said, and the summary tells what happened.
func endedBlocks(inc warroom.Incident) []slack.Block {
	out := []slack.Block{section(endedSentence(inc))}
	if s := strings.TrimSpace(inc.Summary); s != "" {
		const head = "*Summary*\n"
		summary, _ := clip(s, maxSectionText-chars(head))
		out = append(out, section(head+summary))
	}
	return out
}

// endedSentence: "📵 The call has ended (incident resolved <!date^…>)".
func endedSentence(inc warroom.Incident) string {
	if inc.ResolvedAt.IsZero() {
		return "📵 The call has ended (incident resolved)"
	}
	return "📵 The call has ended (incident resolved " + dateRef(inc.ResolvedAt) + ")"
}

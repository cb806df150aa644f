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
	"regexp"
	"strconv"
	"strings"
	"time"
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
	// ActionRetryCall asks for another try at the Zoom meeting; its value is
	// the incident ID.
	ActionRetryCall = "retry_call"
)

// Block Kit and API limits, in characters, that these messages are cut to.
const (
	maxHeader       = 150
	maxSectionText  = 3000
	maxField        = 2000
	maxURL          = 3000
	maxChannelTopic = 250
	maxMeetingTopic = 200 // Zoom's limit on a meeting topic
	// maxFallback bounds the title in notification texts: they are read at a
	// glance, and the full title is one click away.
	maxFallbackTitle = 300
	// maxCallError bounds a failure reason: past a few lines it is a log, not
	// a message for responders.
	maxCallError = 500
)

const (
	mrkdwn    = slack.MarkdownType
	plainText = slack.PlainTextType
)

// slackID matches user and conversation IDs (U123ABC, W…, C…, G…): only
// these are turned into live <@…> and <#…> references; anything else is shown
// as escaped text so a corrupt field cannot inject markup.
var slackID = regexp.MustCompile(`^[A-Z0-9]{2,40}$`)

// slackRef matches a mention or channel reference as Slack sends it in text:
// <@U123>, <@U123|bob>, <#C123|prod>, <!channel>, <!subteam^S1|@oncall>.
var slackRef = regexp.MustCompile(`<([@#!])([^<>|]*)(?:\|([^<>]*))?>`)

// Escape makes user text safe inside mrkdwn: & < > → &amp; &lt; &gt; so "<!channel>" pings nobody.
//
// Invalid UTF-8 becomes U+FFFD, as it would on the wire anyway, so lengths
// measured here are the lengths Slack sees.
func Escape(s string) string {
	if !strings.ContainsAny(s, "&<>") && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// IncidentMessage is the pinned incident message (and its plain-text
// fallback). It shows the severity, status, commander and the call's state,
// and is rendered again (chat.update) whenever one of them changes. Once the
// incident is resolved the Join button gives way to a "call ended" line and
// the resolver's summary. The first block is the header (the bot tags it).
func IncidentMessage(inc warroom.Incident) (fallback string, blocks []slack.Block) {
	ref := inc.Ref()
	prefix := incidentIcon(inc) + " " + ref + ": "
	header, cut := clip(inc.Title, maxHeader-chars(prefix))
	blocks = append(blocks, slack.NewHeaderBlock(textObj(plainText, prefix+header)))
	if cut {
		// The header had no room for the whole title; responders need it all.
		title, _ := clip(inc.Title, maxSectionText-chars("*Title:* "))
		blocks = append(blocks, section("*Title:* "+title))
	}

	fields := []*slack.TextBlockObject{
		field("Severity", inc.Severity.String()),
		field("Status", statusText(inc.Status)),
		field("Commander", userRef(commander(inc))),
		field("Call", callText(inc)),
	}
	if commander(inc) != inc.DeclaredBy && inc.DeclaredBy != "" {
		fields = append(fields, field("Declared by", userRef(inc.DeclaredBy)))
	}
	blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil))

	if resolved(inc) {
		blocks = append(blocks, endedBlocks(inc)...)
	} else {
		blocks = append(blocks, callBlocks(inc)...)
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

// dateRef is a date Slack shows in each reader's time zone, with a UTC
// fallback for clients that can't.
func dateRef(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

// joinable reports whether the Join button may be shown at all: a ready call
// with a usable link, on an incident that is not resolved. Whether the place
// it goes may see the link (private incidents) is the caller's question.
func joinable(inc warroom.Incident) (string, bool) {
	if resolved(inc) || callState(inc) != warroom.CallReady {
		return "", false
	}
	return joinURL(inc)
}

// callBlocks is the part of the incident message that follows the Zoom call.
func callBlocks(inc warroom.Incident) []slack.Block {
	switch callState(inc) {
	case warroom.CallReady:
		var out []slack.Block
		if url, ok := joinURL(inc); ok {
			out = append(out, slack.NewActionBlock("", joinButton(url)))
		} else {
			out = append(out, note("📞 The Zoom call is ready, but its join link cannot be shown; join it with the meeting ID."))
		}
		if details := meetingDetails(inc.Meeting); details != "" {
			out = append(out, note(details))
		}
		return out
	case warroom.CallFailed:
		retry := slack.NewButtonBlockElement(ActionRetryCall, strconv.FormatInt(inc.ID, 10), textObj(plainText, "Retry"))
		return []slack.Block{
			section(failureSentence(inc.CallError)),
			slack.NewActionBlock("", retry),
		}
	case warroom.CallRemoved:
		return []slack.Block{section(removedSentence(inc.CallError))}
	default:
		return []slack.Block{note("📞 Setting up the Zoom call…")}
	}
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

// callState reads inc.Call, treating an unknown state, or "ready" without a
// meeting, as still pending: the message then promises nothing it can't show.
func callState(inc warroom.Incident) warroom.CallState {
	switch {
	case inc.Call == warroom.CallReady && inc.Meeting != nil:
		return warroom.CallReady
	case inc.Call == warroom.CallFailed:
		return warroom.CallFailed
	case inc.Call == warroom.CallRemoved:
		return warroom.CallRemoved
	}
	return warroom.CallPending
}

// joinURL returns the meeting's join URL, exactly, if Slack will take it as a
// button link (http(s), ≤3000 characters); a bad one would make Slack reject
// the whole message with invalid_blocks.
func joinURL(inc warroom.Incident) (string, bool) {
	if inc.Meeting == nil {
		return "", false
	}
	u := inc.Meeting.JoinURL
	ok := (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) &&
		chars(u) <= maxURL && utf8.ValidString(u) &&
		!strings.ContainsAny(u, " \t\r\n")
	return u, ok
}

func joinButton(url string) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(ActionJoinCall, "", textObj(plainText, "Join Call")).
		WithURL(url).
		WithStyle(slack.StylePrimary)
}

// meetingDetails is the line people read aloud or type into a Zoom room:
// "Meeting ID: 812 3456 7890 · Passcode: 123456".
func meetingDetails(m *warroom.Meeting) string {
	var parts []string
	if m.ID > 0 {
		parts = append(parts, "Meeting ID: "+meetingID(m.ID))
	}
	if m.Password != "" {
		pw, _ := clip(m.Password, 100)
		parts = append(parts, "Passcode: "+pw)
	}
	return strings.Join(parts, " · ")
}

// meetingID formats a Zoom meeting ID the way Zoom shows it, in groups:
// 123 456 789, 123 456 7890, 812 3456 7890. Other lengths are left whole.
func meetingID(id int64) string {
	s := strconv.FormatInt(id, 10)
	switch len(s) {
	case 9:
		return s[:3] + " " + s[3:6] + " " + s[6:]
	case 10:
		return s[:3] + " " + s[3:6] + " " + s[6:]
	case 11:
		return s[:3] + " " + s[3:7] + " " + s[7:]
	}
	return s
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

// callText is the short state shown in the Call field.
func callText(inc warroom.Incident) string {
	if resolved(inc) {
		return "Ended"
	}
	switch callState(inc) {
	case warroom.CallReady:
		switch inc.Meeting.Status {
		case warroom.MeetingStarted:
			return "In progress"
		case warroom.MeetingWaiting, "":
			return "Waiting for people"
		case warroom.MeetingEnded:
			return "Ended"
		}
		return "Ready"
	case warroom.CallFailed:
		return "Failed, retrying"
	case warroom.CallRemoved:
		return "Removed"
	}
	return "Setting up"
}

// callSentence is the call's state for fallback and confirmation texts.
func callSentence(inc warroom.Incident) string {
	if resolved(inc) {
		return "The call has ended."
	}
	switch callState(inc) {
	case warroom.CallReady:
		switch inc.Meeting.Status {
		case warroom.MeetingStarted:
			return "The Zoom call is in progress."
		case warroom.MeetingEnded:
			return "The Zoom call has ended."
		}
		return "The Zoom call is ready."
	case warroom.CallFailed:
		return "The Zoom call could not be created yet; warroom keeps retrying."
	case warroom.CallRemoved:
		return "The Zoom connection was removed."
	}
	return "Setting up the Zoom call…"
}

func statusText(s warroom.Status) string {
	switch s {
	case warroom.StatusActive, "":
		return "Active"
	case warroom.StatusResolved:
		return "Resolved"
	}
	t, _ := clip(string(s), 100)
	return t
}

// userRef mentions a user by ID; <@U…> renders as their name without
// notifying anyone beyond the mention itself.
func userRef(id string) string {
	if slackID.MatchString(id) {
		return "<@" + id + ">"
	}
	if id == "" {
		return "unknown"
	}
	t, _ := clip(id, 100)
	return t
}

// channelRef links the incident channel once it exists, else names it.
func channelRef(inc warroom.Incident) string {
	if slackID.MatchString(inc.ChannelID) {
		return "<#" + inc.ChannelID + ">"
	}
	if inc.ChannelName != "" {
		name, _ := clip(inc.ChannelName, 100)
		return "#" + name
	}
	return "its channel"
}

// Declaring is the ack reply to the declarer (ephemeral).
func Declaring(title string, sev warroom.Severity, shortened bool) (text string) {
	t, _ := clip(title, maxFallbackTitle)
	text = fmt.Sprintf("Declaring a %s incident: *%s*. The channel and the Zoom call are on their way.", sev, t)
	if shortened {
		text += " The title is long, so the channel and the pinned message show a shortened one."
	}
	return text
}

// Declared is the confirmation sent to the declarer when the channel exists (links <#Cxxx>).
//
// It is shown where the declarer typed the command, outside the incident
// channel: for a private incident it carries no Join button, only the way in.
func Declared(inc warroom.Incident) (text string, blocks []slack.Block) {
	title, _ := clip(inc.Title, maxFallbackTitle)
	text = fmt.Sprintf("🚨 %s (%s) is open in %s: %s · %s", inc.Ref(), inc.Severity, channelRef(inc), title, callSentence(inc))

	blocks = []slack.Block{section(fmt.Sprintf("🚨 *%s* (%s) is open in %s: *%s*", inc.Ref(), inc.Severity, channelRef(inc), title))}
	if url, ok := joinable(inc); ok && !inc.Private {
		blocks = append(blocks, slack.NewActionBlock("", joinButton(url)))
	} else if ok {
		blocks = append(blocks, note("🔒 A private incident: the Zoom call is in "+channelRef(inc)+"."))
	} else {
		blocks = append(blocks, note(callSentence(inc)))
	}
	return text, blocks
}

// Usage wraps an error/usage sentence for an ephemeral reply.
//
// message is mrkdwn for its formatting (*bold*, `code`) but carries no links
// or mentions, and may quote what a person typed: it is escaped here.
func Usage(message string) (text string, blocks []slack.Block) {
	if strings.TrimSpace(message) == "" {
		message = "Type `/incident help` to see what warroom can do."
	}
	text, _ = clip(message, maxSectionText)
	return text, []slack.Block{section(text)}
}

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

// plainRefs rewrites Slack references in s as the text Slack shows for them.
func plainRefs(s string) string {
	return slackRef.ReplaceAllStringFunc(s, func(ref string) string {
		m := slackRef.FindStringSubmatch(ref)
		sigil, id, label := m[1], m[2], m[3]
		if sigil == "!" {
			sigil = "@" // <!channel>, <!here>, <!subteam^S1|@oncall>
		}
		if label == "" {
			label = id
		}
		if strings.HasPrefix(label, "@") || strings.HasPrefix(label, "#") {
			return label
		}
		return sigil + label
	})
}

// clip escapes s and cuts it to at most max characters (escaped), ending
// in "…" when cut. It never splits an entity such as "&amp;".
func clip(s string, max int) (string, bool) {
	prefix, cut := fit(s, max, escapedWidth)
	if !cut {
		return Escape(s), false
	}
	return Escape(prefix) + "…", true
}

func escapedWidth(r rune) int {
	switch r {
	case '&':
		return len("&amp;")
	case '<', '>':
		return len("&lt;")
	}
	return width(r)
}

// width is how many characters r may count for against a limit. Slack and
// Zoom do not say whether they count code points or UTF-16 units; counting
// an emoji as two satisfies either.
func width(r rune) int {
	if r > 0xFFFF {
		return 2
	}
	return 1
}

// fit returns s unchanged if its width (the sum of width over its runes) is
// at most max, and otherwise reports a cut and returns the longest prefix that
// leaves room for "…", backed up to a space when one is near so the last
// word stays whole.
func fit(s string, max int, width func(rune) int) (string, bool) {
	total := 0
	for _, r := range s {
		total += width(r)
	}
	if total <= max {
		return s, false
	}
	if max < 1 {
		return "", true
	}
	budget := max - 1 // for "…"
	end, used := 0, 0
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if used+width(r) > budget {
			break
		}
		used += width(r)
		end += size
	}
	const near = 20 // characters we give up to keep a word whole
	if i := strings.LastIndexByte(s[:end], ' '); i > 0 && utf8.RuneCountInString(s[i:end]) <= near && s[end] != ' ' {
		end = i
	}
	return strings.TrimRight(s[:end], " "), true
}

// chars measures s as width does.
func chars(s string) int {
	n := 0
	for _, r := range s {
		n += width(r)
	}
	return n
}

func textObj(kind, s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(kind, s, kind == plainText, false)
}

func section(mrkdwnText string) *slack.SectionBlock {
	return slack.NewSectionBlock(textObj(mrkdwn, mrkdwnText), nil, nil)
}

func field(name, value string) *slack.TextBlockObject {
	// Values are short by construction (a severity, a state, a mention), far
	// under the 2000-character field limit.
	return textObj(mrkdwn, "*"+name+"*\n"+value)
}

func note(mrkdwnText string) *slack.ContextBlock {
	return slack.NewContextBlock("", textObj(mrkdwn, mrkdwnText))
}

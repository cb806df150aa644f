package blocks

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/warroom-dev/warroom"
)

// ActionAdoptCall is the button of AdoptPrompt: "make this pasted meeting
// the incident call". Its value is read with ParseAdoptValue.
const ActionAdoptCall = "adopt_call"

const (
	// maxListTitle bounds a title in the incident list, which is read at a
	// glance; the pinned message has the whole title.
	maxListTitle = 100
	// maxListURL: a join link longer than this is left out of the list
	// (each incident's pinned message has it); Zoom's are ~80 characters.
	maxListURL = 500
	// maxListBytes bounds the list's blocks as slack-go encodes them, so the
	// reply fits a Socket Mode ack (slack-go refuses 20,480 bytes or more)
	// with room for the envelope and the fallback text.
	maxListBytes = 15000
	maxBlocks    = 50
)

// Announcement is the one message per incident in the announce channel,
// kept current with chat.update like the pinned message.
//
// A public incident shows its title, severity, status, commander, channel
// and call state, and the Join Call button while the call is ready and the
// incident open. A private incident shows only that a private incident
// exists, its severity and its status: no title, no commander, no channel
// and never the call.
func Announcement(inc warroom.Incident) (fallback string, blocks []slack.Block) {
	if inc.Private {
		fallback = fmt.Sprintf("🔒 A private %s incident is %s.", inc.Severity, strings.ToLower(statusText(inc.Status)))
		blocks = []slack.Block{
			slack.NewHeaderBlock(textObj(plainText, "🔒 A private incident")),
			slack.NewSectionBlock(nil, []*slack.TextBlockObject{
				field("Severity", inc.Severity.String()),
				field("Status", statusText(inc.Status)),
			}, nil),
		}
		return fallback, blocks
	}

	ref := inc.Ref()
	header, _ := headerBlock(inc)
	blocks = append(blocks, header, slack.NewSectionBlock(nil,
		incidentFields(inc, field("Channel", channelRef(inc)), field("Call", callText(inc))), nil))
	if url, ok := joinable(inc); ok {
		blocks = append(blocks, slack.NewActionBlock("", joinButton(url)))
	}
	if resolved(inc) {
		blocks = append(blocks, endedBlocks(inc)...)
	}

	title, _ := clip(inc.Title, maxFallbackTitle)
	verb := "is open in"
	if resolved(inc) {
		verb = "was resolved in"
	}
	fallback = fmt.Sprintf("%s %s (%s) %s %s: %s", incidentIcon(inc), ref, inc.Severity, verb, channelRef(inc), title)
	return fallback, blocks
}

// CallInfo answers /incident call: the Join button with the meeting ID and
// passcode, or the call's state (with Retry when it failed).
//
// It shows the link whatever the incident, so it is for the incident
// channel only: for a private incident, nowhere else.
func CallInfo(inc warroom.Incident, controls ...HostControls) (text string, blocks []slack.Block) {
	ref := inc.Ref()
	switch {
	case resolved(inc):
		s := endedSentence(inc) + ". `/incident reopen` opens " + ref + " again."
		return endedSentence(inc) + ".", []slack.Block{section(s)}
	case callState(inc) == warroom.CallReady:
		text = fmt.Sprintf("📞 %s's Zoom call: %s", ref, callText(inc))
		join, details := joinBlocks(inc, "Its join link cannot be shown; join it with the meeting ID.")
		blocks = append([]slack.Block{section(fmt.Sprintf("📞 *%s's Zoom call* · %s", ref, callText(inc)))}, join...)
		if details != "" {
			text += " · " + details
		}
		for _, hc := range controls {
			if line := hc.line(inc.HostControlsHolder); line != "" {
				blocks = append(blocks, note(line))
				text += " · " + line
			}
		}
		blocks = append(blocks, note("`/incident call new` replaces it with a new meeting."))
		return text, blocks
	case callState(inc) == warroom.CallFailed:
		s := failureSentence(inc.CallError)
		return s, []slack.Block{section(s), slack.NewActionBlock("", retryButton(inc))}
	case callState(inc) == warroom.CallRemoved:
		s := removedSentence(inc.CallError)
		return s, []slack.Block{
			section(s),
			note("Or make a meeting you already have the call: `/incident call` followed by its Zoom link."),
		}
	}
	return "📞 Setting up the Zoom call…", []slack.Block{section("📞 Setting up the Zoom call…")}
}

// AdoptPrompt is the ephemeral question to someone who pasted a Zoom
// meeting link in an incident channel: make it the incident call? Its button
// (ActionAdoptCall) carries the incident ID and the link; a link too long for
// a button value, or not a usable link, gets an explanation instead.
func AdoptPrompt(incidentID int64, url string) (text string, blocks []slack.Block) {
	ref := (&warroom.Incident{ID: incidentID}).Ref()
	value := strconv.FormatInt(incidentID, 10) + " " + url
	switch {
	case !usableURL(url):
		text = "That link can't be used as the incident call."
		return text, []slack.Block{section("📞 " + text)}
	case len(value) > maxValue:
		text = "That Zoom link is too long for me to offer as the incident call."
		return text, []slack.Block{section("📞 " + text + " The pinned message keeps " + ref + "'s current call.")}
	}
	text = "Set as the incident call?"
	button := slack.NewButtonBlockElement(ActionAdoptCall, value, textObj(plainText, "Set as incident call")).
		WithStyle(slack.StylePrimary)
	return text, []slack.Block{
		section("📞 *Set as the incident call?* The Zoom meeting you posted would become " + ref + "'s call: the pinned message and its Join button would point to it."),
		slack.NewActionBlock("", button),
	}
}

// maxValue is Slack's limit on a button value.
const maxValue = 2000

// ParseAdoptValue reads the value of an ActionAdoptCall button.
func ParseAdoptValue(v string) (incidentID int64, url string, err error) {
	idText, url, ok := strings.Cut(v, " ")
	if !ok {
		return 0, "", warroom.Errorf(warroom.EINVALID, "That button is broken: it names no meeting.")
	}
	incidentID, err = strconv.ParseInt(idText, 10, 64)
	if err != nil || incidentID <= 0 {
		return 0, "", warroom.Errorf(warroom.EINVALID, "That button is broken: it names no incident.")
	}
	if !usableURL(url) {
		return 0, "", warroom.Errorf(warroom.EINVALID, "That button is broken: its meeting link is not usable.")
	}
	return incidentID, url, nil
}

// usableURL: http(s), valid UTF-8, no spaces, short enough for a button link.
func usableURL(u string) bool {
	_, ok := joinURL(warroom.Incident{Meeting: &warroom.Meeting{JoinURL: u}})
	return ok
}

// StatusReply answers /incident status: the incident, its commander, its
// call and how long it has been open (or when it was resolved).
//
// The Join button is shown for public incidents only: the reply may be
// read by whoever asked, and a private incident's call stays in its channel
// (the pinned message there has it).
func StatusReply(inc warroom.Incident, now time.Time) (text string, blocks []slack.Block) {
	ref := inc.Ref()
	title, _ := clip(inc.Title, maxFallbackTitle)
	blocks = append(blocks, section(fmt.Sprintf("%s *%s: %s*", incidentIcon(inc), ref, title)))

	fields := incidentFields(inc, field("Call", callText(inc)), field("Channel", channelRef(inc)))
	if !inc.CreatedAt.IsZero() {
		fields = append(fields, field("Declared", dateRef(inc.CreatedAt)+" ("+ago(now.Sub(inc.CreatedAt))+")"))
	}
	blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil))

	if resolved(inc) {
		blocks = append(blocks, endedBlocks(inc)...)
	} else if url, ok := joinable(inc); ok && !inc.Private {
		blocks = append(blocks, slack.NewActionBlock("", joinButton(url)))
	}

	text = fmt.Sprintf("%s %s (%s, %s): %s · Commander: %s · Call: %s",
		incidentIcon(inc), ref, inc.Severity, statusText(inc.Status), title, commanderRef(inc), callText(inc))
	if !inc.CreatedAt.IsZero() && !resolved(inc) {
		text += " · declared " + ago(now.Sub(inc.CreatedAt))
	}
	return text, blocks
}

// IncidentList answers /incident list: the open (not resolved) incidents,
// worst severity first and oldest first within one, each with its reference,
// severity, age, channel and call. A public incident's line links its call; a
// private incident shows neither its title nor its call link. The list stays
// within 50 blocks and a Socket Mode ack, ending "…and N more" when cut.
func IncidentList(incs []warroom.Incident, now time.Time) (text string, blocks []slack.Block) {
	var open []warroom.Incident
	for _, inc := range incs {
		if !resolved(inc) {
			open = append(open, inc)
		}
	}
	if len(open) == 0 {
		return "No open incidents.", []slack.Block{section("✅ No open incidents.")}
	}
	slices.SortStableFunc(open, func(a, b warroom.Incident) int {
		return cmp.Or(
			cmp.Compare(a.Severity, b.Severity),
			a.CreatedAt.Compare(b.CreatedAt),
			cmp.Compare(a.ID, b.ID),
		)
	})

	text = plural(len(open), "open incident") + "."
	head := section("*" + plural(len(open), "open incident") + "*")
	blocks = []slack.Block{head}
	used := encodedSize(head)
	for i, inc := range open {
		left := len(open) - i
		line := section(listLine(inc, now))
		size := encodedSize(line)
		// Unless this is the last, room is kept for the "…and N more" note.
		reserveBlocks, reserveBytes := 0, 0
		if left > 1 {
			reserveBlocks, reserveBytes = 1, 300
		}
		if len(blocks)+1+reserveBlocks > maxBlocks || used+size+reserveBytes > maxListBytes {
			blocks = append(blocks, note(fmt.Sprintf("…and %d more. Each incident's channel has the details.", left)))
			return text, blocks
		}
		blocks = append(blocks, line)
		used += size
	}
	return text, blocks
}

// listLine is one incident in the list.
func listLine(inc warroom.Incident, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* · %s · %s", inc.Ref(), inc.Severity, channelRef(inc))
	if !inc.CreatedAt.IsZero() {
		b.WriteString(" · " + age(now.Sub(inc.CreatedAt)))
	}
	b.WriteString("\n")
	if inc.Private {
		b.WriteString("🔒 Private incident")
	} else {
		title, _ := clip(inc.Title, maxListTitle)
		b.WriteString(title)
	}
	b.WriteString("\n📞 " + callText(inc))
	if url, ok := joinable(inc); ok && !inc.Private && len(url) <= maxListURL {
		b.WriteString(" · <" + linkTarget(url) + "|Join the call>")
	}
	return b.String()
}

// linkTarget writes a URL as the target of a mrkdwn link: Slack wants &, <
// and > escaped there too, and a "|" would end the target early.
func linkTarget(url string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "%7C").Replace(url)
}

// encodedSize is how many bytes slack-go's JSON encoding of b takes.
func encodedSize(b slack.Block) int {
	out, err := json.Marshal(b)
	if err != nil {
		return maxListBytes // cannot happen for these blocks; count it as full
	}
	return len(out) + 1 // the comma between blocks
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// ago is age as a phrase: "just now", "3h 12m ago".
func ago(d time.Duration) string {
	if d < time.Minute {
		return "just now"
	}
	return age(d) + " ago"
}

// age is how long an incident has been open: "0m", "12m", "3h 12m", "2d 3h".
// A creation time in the future (clock skew) counts as now.
func age(d time.Duration) string {
	d = d.Truncate(time.Minute)
	switch {
	case d < time.Minute:
		return "0m"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}

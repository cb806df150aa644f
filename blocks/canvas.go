package blocks

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/warroom-dev/warroom"
)

// The incident canvas: one markdown document per incident channel, which
// warroom rewrites whole whenever what it shows changes. Canvas markdown
// has no date token that shows each reader their own time, so times are
// written in the configured zone, which is named.

// CanvasSummary is the call's AI summary, as the canvas shows it.
type CanvasSummary struct {
	Overview  string
	NextSteps []string
}

// Canvas is everything the incident canvas shows.
type Canvas struct {
	Incident warroom.Incident
	Timeline []warroom.Event
	Summary  *CanvasSummary // nil until Zoom wrote one
	Location *time.Location // the zone times are written in; UTC when nil
}

// maxCanvasText bounds one piece of user text on the canvas.
const maxCanvasText = 2000

// CanvasMarkdown renders the canvas. Every piece of text a person or Zoom
// wrote goes through EscapeMarkdown, so none of it can make a heading, a
// link, a table or a mention.
func CanvasMarkdown(c Canvas) string {
	inc := c.Incident
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: %s\n", inc.Ref(), EscapeMarkdown(inc.FullTitle, maxCanvasText))
	status := "Active"
	if resolved(inc) {
		status = "Resolved"
	}
	fmt.Fprintf(&b, "**Status:** %s · **Severity:** %s · **Commander:** %s\n", status, inc.Severity, mention(inc.Commander))
	b.WriteString("## The call\n")
	if u, ok := joinable(inc); ok && safeLink(u) {
		fmt.Fprintf(&b, "[Join the Zoom call](%s) · %s\n", u, EscapeMarkdown(callText(inc), 200))
	} else {
		fmt.Fprintf(&b, "%s\n", EscapeMarkdown(callText(inc), 200))
	}
	if inc.HostControlsHolder != "" {
		fmt.Fprintf(&b, "Host controls: %s\n", mention(inc.HostControlsHolder))
	}
	if s := c.Summary; s != nil {
		b.WriteString("## Summary\n")
		fmt.Fprintf(&b, "%s\n", EscapeMarkdown(s.Overview, maxCanvasText))
		for _, step := range s.NextSteps {
			fmt.Fprintf(&b, "- %s\n", EscapeMarkdown(step, maxCanvasText))
		}
	}
	b.WriteString("## Timeline\n")
	fmt.Fprintf(&b, "_Times in %s_\n", EscapeMarkdown(zoneName(loc), 100))
	for _, e := range c.Timeline {
		fmt.Fprintf(&b, "- %s · %s\n", e.At.In(loc).Format("Jan 2 15:04"), eventLine(e))
	}
	return b.String()
}

// zoneName is "UTC", or "Europe/Berlin (CET)".
func zoneName(loc *time.Location) string {
	abbr, _ := time.Now().In(loc).Zone()
	if loc.String() == abbr || loc == time.UTC {
		return loc.String()
	}
	return loc.String() + " (" + abbr + ")"
}

// doorWords says where a declare came from.
var doorWords = map[warroom.Door]string{
	warroom.DoorSlash: "the /incident command", warroom.DoorForm: "the declare form",
	warroom.DoorMessage: "a message", warroom.DoorChannel: "a new channel", warroom.DoorWorkflow: "a workflow",
	warroom.DoorAPI: "the API", warroom.DoorAlert: "an alert",
}

// eventLine is one timeline line, after its time.
func eventLine(e warroom.Event) string {
	by := ""
	if e.Actor != "" {
		by = " by " + mention(e.Actor)
	}
	d := EscapeMarkdown(e.Detail, 300)
	switch e.Kind {
	case warroom.EventDeclared:
		if w, ok := doorWords[warroom.Door(e.Detail)]; ok {
			return "Declared" + by + " from " + w
		}
		return "Declared" + by
	case warroom.EventSeverity:
		return "Severity changed to " + d + by
	case warroom.EventCommander:
		return mention(e.Detail) + " became the commander" + by
	case warroom.EventResolved:
		return "Resolved" + by
	case warroom.EventReopened:
		return "Reopened" + by
	case warroom.EventJoined:
		return d + " joined the call"
	case warroom.EventLeft:
		return d + " left the call"
	case warroom.EventRecording:
		return "The recording of " + d + " was posted in the channel"
	case warroom.EventTranscript:
		return "The transcript of " + d + " was posted in the channel"
	case warroom.EventSummary:
		return "Zoom wrote the call's summary"
	case warroom.EventFollowupScheduled:
		return "Follow-up #" + d + " scheduled" + by
	case warroom.EventFollowupCancelled:
		return "Follow-up #" + d + " cancelled" + by
	}
	return EscapeMarkdown(string(e.Kind), 100) + by
}

var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{1,20}$`)

// mention is a canvas user mention, or "nobody"; anything that is not a
// Slack user ID is shown as escaped text.
func mention(id string) string {
	switch {
	case id == "":
		return "nobody"
	case slackUserID.MatchString(id):
		return "![](@" + id + ")"
	}
	return EscapeMarkdown(id, 100)
}

// safeLink reports whether u can stand as a markdown link's destination
// as it is: http(s), and nothing that ends or breaks it.
func safeLink(u string) bool {
	return (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) && len(u) <= maxURL &&
		!strings.ContainsFunc(u, func(r rune) bool { return r <= ' ' || strings.ContainsRune("()<>[]`\\\"'", r) || r > unicode.MaxASCII })
}

// EscapeMarkdown makes s plain text inside one line of canvas markdown,
// cut to max characters: every ASCII punctuation mark is escaped with a
// backslash (CommonMark lets any be, and they are all that markdown reads
// as syntax: headings, emphasis, links, tables, code, mentions, emoji),
// and line breaks and other control characters become spaces, so s can
// neither start a block nor end the line it is on.
func EscapeMarkdown(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if n == max {
			b.WriteString("…")
			break
		}
		n++
		switch {
		case unicode.IsControl(r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r):
			b.WriteByte(' ')
		case r < unicode.MaxASCII && unicode.IsPunct(r) || unicode.IsSymbol(r) && r < unicode.MaxASCII:
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

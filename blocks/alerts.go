package blocks

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"
	"github.com/warroom-dev/warroom"
)

// AlertNote is what changed in an incident's Alertmanager group since the
// channel was last told.
type AlertNote struct {
	// First is the note of the notification that declared the incident.
	First bool
	// Firing and Resolved name the alerts that started firing and that
	// resolved.
	Firing, Resolved []string
	AllResolved      bool
	// Links are the alerts' pages (their source, their runbook).
	Links []warroom.Link
}

// maxAlertLines bounds the alerts a note lists: a storm of a hundred
// alerts is read as a count, not a list.
const maxAlertLines = 15

// AlertNoteBlockID tags an alert note.
func AlertNoteBlockID(noteID int64) string { return "warroom-alerts-" + itoa(noteID) }

// AlertNoteMessage tells the incident channel what changed in its alert
// group: alerts firing (all of them in the first note, with the links the
// incident started with), alerts resolved, and, once every alert has
// resolved, that the incident stays open until people resolve it.
func AlertNoteMessage(inc warroom.Incident, n AlertNote) (text string, blks []slack.Block) {
	var lines []string
	switch {
	case n.First:
		lines = append(lines, alertList("🚨 Alertmanager declared this incident", "alert firing", "alerts firing", n.Firing))
	case len(n.Firing) > 0:
		lines = append(lines, alertList("🔥 Alertmanager", "new alert firing", "new alerts firing", n.Firing))
	}
	if len(n.Resolved) > 0 {
		lines = append(lines, alertList("✅ Alertmanager", "alert resolved", "alerts resolved", n.Resolved))
	}
	if n.AllResolved {
		lines = append(lines, fmt.Sprintf("✅ All alerts of %s resolved. warroom leaves the incident open: resolve it with `/incident resolve` once you are done.", inc.Ref()))
	}
	if links := linkLine(n.Links); links != "" {
		lines = append(lines, links)
	}
	if len(lines) == 0 {
		lines = append(lines, "Alertmanager: nothing changed.")
	}
	for _, l := range lines {
		// The lines are mrkdwn, escaped already: clip would escape them again.
		blks = append(blks, section(cut(l, maxSectionText)))
	}
	return cut(strings.Join(lines, "\n"), maxFallbackTitle*4), blks
}

// alertList is "<lead>: 2 alerts firing:" and the alerts' names, escaped.
func alertList(lead, one, many string, names []string) string {
	what := one
	if len(names) != 1 {
		what = fmt.Sprintf("%d %s", len(names), many)
	} else {
		what = "1 " + what
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", lead, what)
	for i, name := range names {
		if i == maxAlertLines {
			fmt.Fprintf(&b, "\n… and %d more", len(names)-maxAlertLines)
			break
		}
		t, _ := clip(name, maxFallbackTitle)
		b.WriteString("\n• " + t)
	}
	return b.String()
}

// linkLine is the links as mrkdwn links; a link whose URL is not http(s)
// or would break out of the link's markup is left out.
func linkLine(links []warroom.Link) string {
	var parts []string
	seen := map[string]bool{}
	for _, l := range links {
		if seen[l.URL] || len(l.URL) > maxURL || strings.ContainsAny(l.URL, "|<> \n") ||
			!(strings.HasPrefix(l.URL, "https://") || strings.HasPrefix(l.URL, "http://")) {
			continue
		}
		seen[l.URL] = true
		title := strings.NewReplacer("|", "/", "\n", " ").Replace(l.Title)
		if title == "" {
			title = l.URL
		}
		t, _ := clip(title, 80)
		parts = append(parts, "<"+Escape(l.URL)+"|"+t+">")
	}
	if len(parts) == 0 {
		return ""
	}
	return "🔗 " + strings.Join(parts, " · ")
}

// cut shortens mrkdwn that is escaped already to max runes.
func cut(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-1]) + "…"
}

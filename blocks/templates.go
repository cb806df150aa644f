package blocks

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/warroom-dev/warroom"
)

// maxAgenda is Zoom's limit on a meeting agenda.
const maxAgenda = 2000

// placeholder matches {{name}} in a meeting template, spaces allowed inside.
var placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z_]+)\s*\}\}`)

// MeetingTopicFrom renders the admin's topic template for inc's meeting:
// {{severity}} {{title}} {{ref}} {{declarer}} {{status}} are filled in (any
// case, spaces allowed inside the braces), other {{…}} are left as they are.
// An empty template (or one that renders empty) means
// DefaultMeetingDefaults().TopicTemplate.
//
// Zoom shows the topic as plain text on one line: nothing is escaped,
// Slack references read as Slack shows them ("@bob"), line breaks become
// spaces, and the result fits Zoom's 200 characters, the title (not the
// template's own words) being cut first.
func MeetingTopicFrom(tmpl string, inc warroom.Incident, declarerName string) string {
	def := warroom.DefaultMeetingDefaults().TopicTemplate
	if strings.TrimSpace(tmpl) == "" {
		tmpl = def
	}
	if topic := render(tmpl, inc, inc.Title, declarerName, maxMeetingTopic, false); topic != "" {
		return topic
	}
	// A template of nothing but an empty value ("{{title}}"): Zoom needs a topic.
	return render(def, inc, inc.Title, declarerName, maxMeetingTopic, false)
}

// AgendaFrom renders the agenda template like MeetingTopicFrom, keeping
// line breaks, within Zoom's 2000 characters. It uses the full title. An
// empty template gives an empty agenda.
func AgendaFrom(tmpl string, inc warroom.Incident, declarerName string) string {
	if strings.TrimSpace(tmpl) == "" {
		return ""
	}
	title := inc.FullTitle
	if title == "" {
		title = inc.Title
	}
	return render(tmpl, inc, title, declarerName, maxAgenda, true)
}

// render fills in tmpl and fits the result in max characters: the title is
// cut first, evenly where it appears more than once; if the template's own
// text is already too long, the whole result is cut.
func render(tmpl string, inc warroom.Incident, title, declarer string, max int, multiline bool) string {
	tidy := func(s string) string { return zoomText(s, multiline) }
	title = tidy(plainRefs(title))
	declarer = strings.TrimSpace(tidy(plainRefs(declarer)))
	if declarer == "" {
		declarer = "someone"
		if inc.DeclaredBy != "" {
			declarer = "@" + tidy(inc.DeclaredBy)
		}
	}
	values := map[string]string{
		"severity": inc.Severity.String(),
		"ref":      inc.Ref(),
		"declarer": declarer,
		"status":   plainStatus(inc.Status),
	}
	fill := func(title string) string {
		return placeholder.ReplaceAllStringFunc(tidy(tmpl), func(m string) string {
			name := strings.ToLower(placeholder.FindStringSubmatch(m)[1])
			if name == "title" {
				return title
			}
			if v, ok := values[name]; ok {
				return v
			}
			return m
		})
	}
	trim := func(s string) string { return strings.TrimFunc(s, unicode.IsSpace) }

	out := trim(fill(title))
	if chars(out) <= max {
		return out
	}
	titles := 0
	for _, m := range placeholder.FindAllStringSubmatch(tidy(tmpl), -1) {
		if strings.EqualFold(m[1], "title") {
			titles++
		}
	}
	if titles > 0 {
		if budget := (max - chars(fill(""))) / titles; budget >= 1 {
			t, cut := fit(title, budget, width)
			if cut {
				t += "…"
			}
			if out := trim(fill(t)); chars(out) <= max {
				return out
			}
		}
	}
	cutOut, _ := fit(out, max, width)
	return trim(cutOut) + "…"
}

// zoomText makes s plain text for Zoom: control characters become spaces,
// except line breaks when multiline; invalid UTF-8 becomes U+FFFD.
func zoomText(s string, multiline bool) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		if multiline && r == '\n' {
			return r
		}
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// plainStatus is statusText unescaped, for plain text.
func plainStatus(s warroom.Status) string {
	if name, ok := statusName(s); ok {
		return name
	}
	st, cut := fit(zoomText(string(s), false), 100, width)
	if cut {
		st += "…"
	}
	return st
}

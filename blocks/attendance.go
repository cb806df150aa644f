package blocks

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/warroom-dev/warroom"
)

const (
	// maxAttendees is how many attendees are listed before "…and N more".
	maxAttendees  = 100
	maxPersonName = 80
)

// Attendee is one participant of a past meeting, as Zoom lists them: the
// same person may appear once per time they joined.
type Attendee struct {
	Name, Email string
	Duration    time.Duration
}

// Attendance says who attended a meeting (label: "the incident call"), once
// it has ended. People who joined more than once are one line, matched by
// email (any case) or, without one, by name, their times added up; the
// longest in the call come first. Past 100 people the list ends "…and N
// more".
func Attendance(inc warroom.Incident, label string, people []Attendee) (text string, blocks []slack.Block) {
	label = strings.TrimSpace(label)
	if label == "" {
		label = "the incident call"
	}
	label, _ = clip(label, 200)
	att := attendees(people)
	if len(att) == 0 {
		text = "👥 Nobody joined " + label + "."
		return text, []slack.Block{section("👥 Nobody joined " + label + " (" + inc.Ref() + ").")}
	}
	who := "1 person"
	if len(att) != 1 {
		who = strconv.Itoa(len(att)) + " people"
	}
	text = fmt.Sprintf("👥 %s attended %s", who, label)
	blocks = append(blocks, section(fmt.Sprintf("👥 *%s attended %s* · %s", who, label, inc.Ref())))

	shown := att[:min(len(att), maxAttendees)]
	var b strings.Builder
	for _, a := range shown {
		line := "• " + a.name + " · " + minutes(a.d)
		if b.Len() > 0 && chars(b.String())+1+chars(line) > maxSectionText {
			blocks = append(blocks, section(b.String()))
			b.Reset()
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(line)
	}
	blocks = append(blocks, section(b.String()))
	if more := len(att) - len(shown); more > 0 {
		blocks = append(blocks, note(fmt.Sprintf("…and %d more.", more)))
	}
	return text, blocks
}

// attendee is a person's total time in a meeting; name is escaped.
type attendee struct {
	name string
	key  string // for sorting: the name in lower case
	d    time.Duration
}

// attendees merges repeated joins and sorts by time in the call.
func attendees(people []Attendee) []attendee {
	type group struct {
		name, email string
		d           time.Duration
	}
	var groups []*group
	byEmail, byName := map[string]*group{}, map[string]*group{}
	tidy := func(s string) string { return strings.Join(strings.Fields(zoomText(s, false)), " ") }
	// People with an email first, so a join without one finds them by name.
	for pass := range 2 {
		for _, p := range people {
			name, email := tidy(p.Name), strings.ToLower(tidy(p.Email))
			if (email != "") != (pass == 0) {
				continue
			}
			d := max(p.Duration, 0)
			g := byEmail[email]
			if email == "" && name != "" {
				g = byName[strings.ToLower(name)]
			}
			if g == nil {
				g = &group{name: name, email: email}
				groups = append(groups, g)
				if email != "" {
					byEmail[email] = g
				}
				if name != "" && byName[strings.ToLower(name)] == nil {
					byName[strings.ToLower(name)] = g
				}
			}
			if g.name == "" {
				g.name = name
			}
			g.d += d
		}
	}
	out := make([]attendee, 0, len(groups))
	for _, g := range groups {
		shown := cmp.Or(g.name, g.email, "Someone without a name")
		name, _ := clip(shown, maxPersonName)
		out = append(out, attendee{name: name, key: strings.ToLower(shown), d: g.d})
	}
	slices.SortStableFunc(out, func(a, b attendee) int {
		return cmp.Or(cmp.Compare(b.d, a.d), cmp.Compare(a.key, b.key))
	})
	return out
}

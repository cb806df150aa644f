// Package commands turns the text after "/incident" into a typed command.
// It is pure: no Slack, no store, no clock, so every rule about what a
// responder may type is tested (and fuzzed) here, and the bot only dispatches.
package commands

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/warroom-dev/warroom"
)

// MaxTitle is the longest title, in runes, shown in the channel and the
// pinned message; longer ones are cut by ShortTitle and kept whole elsewhere.
const MaxTitle = 150

// maxEcho bounds how much of an unknown subcommand is quoted back, so a pasted
// paragraph does not come back as a wall of text.
const maxEcho = 30

// Command is one parsed "/incident …" command: one of the types below.
type Command interface{ command() }

// Help asks for the usage text: "", "help", "-h" or "--help".
type Help struct{}

// Declare opens an incident: "declare <title> [--sev N] [--private]".
type Declare struct {
	// Title is what the declarer typed, whitespace collapsed; it may be longer
	// than MaxTitle (see ShortTitle). User mentions are spelled "@name" (or
	// "@U123" when Slack sent no name); other references (<!channel>,
	// <#C1|prod>) stay as typed and are escaped when shown.
	Title    string
	Severity warroom.Severity
	// Private asks for a private channel ("--private" anywhere).
	Private bool
	// Responders are the users mentioned in the text, in order, each once:
	// they are invited to the incident channel.
	Responders []string
}

// OpenDeclareModal is "declare" without a title: the bot opens the declare
// modal, prefilled with the flags given ("declare --sev 1 --private").
type OpenDeclareModal struct {
	Severity warroom.Severity // DefaultSeverity when none was given
	Private  bool
}

// SetSeverity changes the severity of the channel's incident:
// "sev 1", "sev SEV1", "severity 2".
type SetSeverity struct{ Severity warroom.Severity }

// ShowStatus shows the channel's incident: "status".
type ShowStatus struct{}

// Resolve resolves the channel's incident: "resolve [summary…]".
type Resolve struct {
	// Summary is everything after "resolve", as typed: Slack's entity
	// encoding undone, mentions kept as text, spaces collapsed within each
	// line and line breaks kept. Empty when none was given.
	Summary string
}

// Reopen reopens the channel's resolved incident: "reopen".
type Reopen struct{}

// SetCommander hands the incident to someone: "commander @alex" (also "cmd"
// and "ic"). UserID is taken from the mention Slack sends (<@U123|alex>).
type SetCommander struct{ UserID string }

// ShowCall shows the channel's incident call: "call".
type ShowCall struct{}

// NewCall replaces the incident's meeting with a new one: "call new".
type NewCall struct{}

// AdoptCall makes a meeting someone already has the incident call:
// "call https://…zoom.us/j/123?pwd=…". URL is the link as posted (see ZoomLink).
type AdoptCall struct {
	URL       string
	MeetingID int64
}

// List shows the open incidents: "list".
type List struct{}

func (Help) command()             {}
func (Declare) command()          {}
func (OpenDeclareModal) command() {}
func (SetSeverity) command()      {}
func (ShowStatus) command()       {}
func (Resolve) command()          {}
func (Reopen) command()           {}
func (SetCommander) command()     {}
func (ShowCall) command()         {}
func (NewCall) command()          {}
func (AdoptCall) command()        {}
func (List) command()             {}

// UsageError is bad input from a person: Message is a whole, friendly
// sentence followed by the usage, in mrkdwn. It may quote what the person
// typed, so it must be escaped (blocks.Usage does) before it is shown.
// ParseWhen's errors are the exception: the sentence alone, to be followed
// by FollowupTimeHelp.
type UsageError struct {
	Message string
}

func (e *UsageError) Error() string { return e.Message }

// Usage is the help text for /incident, in mrkdwn. It holds no '<', '>' or
// '&', so it reads the same whether or not the caller escapes it.
func Usage() string {
	return "*How to use /incident*\n" +
		"• `/incident declare Checkout is down` declares an incident: a channel, a Zoom call and a pinned message with a *Join Call* button. " +
		"Add `--sev 1` (1 is worst, 4 mildest; " + warroom.DefaultSeverity.String() + " without it) or `--private` for a private channel; people @mentioned are invited. " +
		"`/incident declare` alone opens a form.\n" +
		"• `/incident list` shows the open incidents.\n" +
		"*In an incident channel*\n" +
		"• `/incident status` shows the incident; `/incident sev 1` changes its severity; `/incident commander @alex` hands it over.\n" +
		"• `/incident resolve [summary]` resolves it and ends the call; `/incident reopen` opens it again.\n" +
		"• `/incident call` shows the call; `/incident call new` replaces it; `/incident call` followed by a Zoom link makes that meeting the call.\n" +
		"• `/incident followup tomorrow 14:00 for 45m @ana [topic]` schedules a post-incident review (time, length, people and topic are optional); " +
		"`/incident followup list` shows them; `/incident followup cancel 2` cancels one. `/incident followup help` lists the times it understands.\n" +
		"*Admins*\n" +
		"• `/incident zoom connect|status|disconnect` manage the Zoom connection; `/incident zoom settings` sets up new meetings.\n" +
		"• `/incident help` shows this message."
}

func usageError(sentence string) *UsageError {
	return &UsageError{Message: sentence + "\n\n" + Usage()}
}

// Parse reads the text after "/incident". Bad input gives a *UsageError.
//
// Slack sends slash command text with &, < and > encoded as &amp;, &lt; and
// &gt; (while mentions such as <@U123|bob> and links keep real brackets);
// Parse reads mentions and links first and then decodes the rest, so titles
// hold what the person typed and are escaped once, when shown.
func Parse(text string) (Command, error) {
	text = clean(text)
	words := strings.Fields(text)
	if len(words) == 0 {
		return Help{}, nil
	}
	args := words[1:]
	switch strings.ToLower(words[0]) {
	case "help", "-h", "--help":
		return Help{}, nil
	case "declare":
		return parseDeclare(args)
	case "sev", "severity":
		return parseSetSeverity(args)
	case "status":
		return noArgs(ShowStatus{}, "status", args)
	case "resolve":
		return Resolve{Summary: summary(afterFirstWord(text))}, nil
	case "reopen":
		return noArgs(Reopen{}, "reopen", args)
	case "commander", "cmd", "ic":
		return parseCommander(args)
	case "call":
		return parseCall(args)
	case "list":
		return noArgs(List{}, "list", args)
	case "zoom":
		return parseZoom(args)
	case "followup", "follow-up":
		return parseFollowup(afterFirstWord(text))
	}
	return nil, usageError("I don't know `/incident " + echo(decode(words[0])) + "`.")
}

// clean makes text safe to split into words: valid UTF-8, control
// characters (tabs, NULs) turned into spaces so they separate words instead
// of reaching a channel or a topic. Line breaks stay (as "\n") for the one
// place they matter, a resolve summary; everywhere else they split words.
// Slack's entity encoding is left for decode, after mentions are read.
func clean(text string) string {
	text = strings.ToValidUTF8(text, string(utf8.RuneError))
	text = strings.ReplaceAll(text, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		if r != '\n' && unicode.IsControl(r) {
			return ' '
		}
		return r
	}, text)
}

// decode undoes Slack's encoding of &, < and >, exactly once.
func decode(s string) string {
	return entities.Replace(s)
}

var entities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// afterFirstWord returns text after its first word, untouched.
func afterFirstWord(text string) string {
	text = strings.TrimLeftFunc(text, unicode.IsSpace)
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		return text[i:]
	}
	return ""
}

// summary tidies a resolve summary: entities decoded, spaces collapsed in
// each line, blank lines at either end dropped, line breaks kept.
func summary(rest string) string {
	lines := strings.Split(decode(rest), "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

// noArgs accepts a subcommand that takes nothing after it.
func noArgs(c Command, name string, args []string) (Command, error) {
	if len(args) > 0 {
		return nil, usageError("`/incident " + name + "` takes nothing after it.")
	}
	return c, nil
}

// mention matches a user mention as Slack sends it with should_escape:
// <@U123> or <@U123|name>. Typed brackets arrive as &lt; and &gt;, so only
// real mentions match before decode.
var mention = regexp.MustCompile(`<@([UW][A-Z0-9]{1,39})(?:\|([^<>|]*))?>`)

// flagName reads a declare flag, "" if w is not one. Phones and Macs turn
// "--" into an em or en dash as people type, so "—sev" counts too.
func flagName(w string) (name, value string, hasValue bool) {
	name, value, hasValue = strings.Cut(w, "=")
	name = strings.ToLower(name)
	for _, dash := range []string{"—", "–"} {
		if rest, ok := strings.CutPrefix(name, dash); ok {
			name = "--" + rest
		}
	}
	switch {
	case name == "--sev" || name == "-s":
		return "--sev", value, hasValue
	case name == "--private" && !hasValue:
		return "--private", "", false
	}
	return "", "", false
}

// parseDeclare reads the words after "declare": the flags may come anywhere;
// everything else is the title. A lone "--" ends the flags, for the rare
// title that contains "--sev" itself. No title at all opens the modal.
func parseDeclare(words []string) (Command, error) {
	d := Declare{Severity: warroom.DefaultSeverity}
	var title []string
	sevGiven := false
	for i := 0; i < len(words); i++ {
		w := words[i]
		if w == "--" {
			title = append(title, words[i+1:]...)
			break
		}
		name, value, hasValue := flagName(w)
		switch name {
		case "":
			title = append(title, w)
			continue
		case "--private":
			d.Private = true
			continue
		}
		if !hasValue {
			if i+1 == len(words) {
				return nil, badSeverity()
			}
			i++
			value = words[i]
		}
		sev, ok := ParseSeverity(value)
		if !ok {
			return nil, badSeverity()
		}
		if sevGiven && sev != d.Severity {
			return nil, usageError("You gave two severities (`--sev " + strconv.Itoa(int(d.Severity)) + "` and `--sev " + strconv.Itoa(int(sev)) + "`); give just one.")
		}
		d.Severity, sevGiven = sev, true
	}
	if len(title) == 0 {
		return OpenDeclareModal{Severity: d.Severity, Private: d.Private}, nil
	}
	seen := map[string]bool{}
	t := mention.ReplaceAllStringFunc(strings.Join(title, " "), func(m string) string {
		sub := mention.FindStringSubmatch(m)
		id, name := sub[1], strings.TrimSpace(sub[2])
		if !seen[id] {
			seen[id] = true
			d.Responders = append(d.Responders, id)
		}
		if name == "" {
			name = id
		}
		return "@" + strings.TrimPrefix(name, "@")
	})
	d.Title = strings.Join(strings.Fields(decode(t)), " ")
	return d, nil
}

func badSeverity() *UsageError {
	return usageError("Severity must be 1, 2, 3 or 4 (e.g. `--sev 1`).")
}

// parseSetSeverity reads "sev 1", "sev SEV1", "severity 2".
func parseSetSeverity(args []string) (Command, error) {
	if len(args) != 1 {
		return nil, usageError("Give one severity from 1 (worst) to 4, like this: `/incident sev 1`.")
	}
	sev, ok := ParseSeverity(decode(args[0]))
	if !ok {
		return nil, usageError("Severity must be 1, 2, 3 or 4, like this: `/incident sev 1`.")
	}
	return SetSeverity{Severity: sev}, nil
}

// parseCommander reads "commander <@U123|alex>": exactly one user mention.
func parseCommander(args []string) (Command, error) {
	m := mention.FindStringSubmatch(strings.Join(args, " "))
	if m == nil || m[0] != strings.Join(args, " ") {
		return nil, usageError("Name the new commander with an @mention, like this: `/incident commander @alex`.")
	}
	return SetCommander{UserID: m[1]}, nil
}

// parseCall reads "call", "call new" and "call <zoom link>".
func parseCall(args []string) (Command, error) {
	if len(args) == 0 {
		return ShowCall{}, nil
	}
	rest := strings.Join(args, " ")
	if len(args) == 1 && strings.EqualFold(args[0], "new") {
		return NewCall{}, nil
	}
	if url, id, ok := ZoomLink(rest); ok {
		return AdoptCall{URL: url, MeetingID: id}, nil
	}
	if looksLikeLink(rest) {
		return nil, usageError("That is not a Zoom meeting link. Paste the meeting's join link, the kind that looks like `https://zoom.us/j/81234567890?pwd=…` (personal links, `zoom.us/my/…`, can't be used).")
	}
	return nil, usageError("I don't know `/incident call " + echo(decode(rest)) + "`. Use `/incident call`, `/incident call new`, or `/incident call` followed by a Zoom link.")
}

func looksLikeLink(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "://") || strings.Contains(s, "zoom.us") || strings.Contains(s, "www.")
}

// ParseSeverity accepts "1" … "4" and "sev1" … "sev4" in any case.
func ParseSeverity(s string) (warroom.Severity, bool) {
	s = strings.ToLower(s)
	s = strings.TrimPrefix(s, "sev")
	if len(s) != 1 || s[0] < '1' || s[0] > '4' {
		return 0, false
	}
	return warroom.Severity(s[0] - '0'), true
}

// echo quotes a person's word back inside `code`: short, and without
// backticks that would end the code span early.
func echo(w string) string {
	w = strings.ReplaceAll(w, "`", "'")
	if utf8.RuneCountInString(w) <= maxEcho {
		return w
	}
	return string([]rune(w)[:maxEcho-1]) + "…"
}

// ShortTitle cuts a title to at most MaxTitle runes at a word boundary when
// one is near, adding "…"; reports whether it cut. Channel names, headers and
// Zoom topics all have limits; the full title is kept by the caller.
func ShortTitle(title string) (string, bool) {
	if utf8.RuneCountInString(title) <= MaxTitle {
		return title, false
	}
	const near = 20 // how many runes we give up to keep a word whole
	r := []rune(title)
	keep := r[:MaxTitle-1] // room for "…"
	// When the first rune dropped is a space, the cut already falls between words.
	if !unicode.IsSpace(r[len(keep)]) {
		for i := len(keep) - 1; i >= len(keep)-near; i-- {
			if unicode.IsSpace(keep[i]) {
				keep = keep[:i]
				break
			}
		}
	}
	return strings.TrimRightFunc(string(keep), unicode.IsSpace) + "…", true
}

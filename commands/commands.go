// Package commands turns the text after "/incident" into a typed command.
// It is pure: no Slack, no store, no clock, so every rule about what a
// responder may type is tested (and fuzzed) here, and the bot only dispatches.
package commands

import (
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

// Command is one parsed "/incident …" command: Help or Declare.
type Command interface{ command() }

// Help asks for the usage text: "", "help", "-h" or "--help".
type Help struct{}

// Declare opens an incident: "declare <title> [--sev N]".
type Declare struct {
	// Title is what the declarer typed, whitespace collapsed; it may be longer
	// than MaxTitle (see ShortTitle) and holds mentions as plain text.
	Title    string
	Severity warroom.Severity
}

func (Help) command()    {}
func (Declare) command() {}

// UsageError is bad input from a person: Message is a whole, friendly
// sentence followed by the usage, in mrkdwn. It may quote what the person
// typed, so it must be escaped (blocks.Usage does) before it is shown.
type UsageError struct {
	Message string
}

func (e *UsageError) Error() string { return e.Message }

// Usage is the help text for /incident, in mrkdwn. It holds no '<', '>' or
// '&', so it reads the same whether or not the caller escapes it.
func Usage() string {
	return "*How to use /incident*\n" +
		"• `/incident declare Checkout is down` declares an incident: a channel, a Zoom call and a pinned message with a *Join Call* button.\n" +
		"• `/incident declare Checkout is down --sev 1` also sets the severity, from 1 (worst) to 4. Without `--sev` it is " + warroom.DefaultSeverity.String() + ".\n" +
		"• `/incident help` shows this message.\n" +
		"• `/incident zoom connect|status|disconnect` manage the Zoom connection (admins)."
}

func usageError(sentence string) *UsageError {
	return &UsageError{Message: sentence + "\n\n" + Usage()}
}

// Parse reads the text after "/incident". Bad input gives a *UsageError.
//
// Slack sends slash command text with &, < and > encoded as &amp;, &lt; and
// &gt; (while mentions such as <@U123|bob> keep real brackets); Parse decodes
// them so titles hold what the person typed and are escaped once, when shown.
func Parse(text string) (Command, error) {
	words := strings.Fields(clean(text))
	if len(words) == 0 {
		return Help{}, nil
	}
	switch strings.ToLower(words[0]) {
	case "help", "-h", "--help":
		return Help{}, nil
	case "declare":
		return parseDeclare(words[1:])
	case "zoom":
		return parseZoom(words[1:])
	}
	return nil, usageError("I don't know `/incident " + echo(words[0]) + "`.")
}

// clean makes text safe to split into words: valid UTF-8, Slack's entity
// encoding undone, control characters (newlines, tabs, NULs) turned into
// spaces so they separate words instead of reaching a channel or a topic.
func clean(text string) string {
	text = strings.ToValidUTF8(text, string(utf8.RuneError))
	text = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(text)
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, text)
}

// parseDeclare reads the words after "declare": the severity flag may come
// anywhere; everything else is the title. A lone "--" ends the flags, for the
// rare title that contains "--sev" itself.
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
		name, value, hasValue := strings.Cut(w, "=")
		if name = strings.ToLower(name); name != "--sev" && name != "-s" {
			title = append(title, w)
			continue
		}
		if !hasValue {
			if i+1 == len(words) {
				return nil, badSeverity()
			}
			i++
			value = words[i]
		}
		sev, ok := parseSeverity(value)
		if !ok {
			return nil, badSeverity()
		}
		if sevGiven && sev != d.Severity {
			return nil, usageError("You gave two severities (`--sev " + strconv.Itoa(int(d.Severity)) + "` and `--sev " + strconv.Itoa(int(sev)) + "`); give just one.")
		}
		d.Severity, sevGiven = sev, true
	}
	if len(title) == 0 {
		return nil, usageError("An incident needs a title, like this: `/incident declare Checkout is down`.")
	}
	d.Title = strings.Join(title, " ")
	return d, nil
}

func badSeverity() *UsageError {
	return usageError("Severity must be 1, 2, 3 or 4 (e.g. `--sev 1`).")
}

// parseSeverity accepts "1" … "4" and "sev1" … "sev4" in any case.
func parseSeverity(s string) (warroom.Severity, bool) {
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

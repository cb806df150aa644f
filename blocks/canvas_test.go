package blocks_test

import (
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
)

// unescapeMarkdown undoes EscapeMarkdown's backslashes.
func unescapeMarkdown(s string) string {
	var b strings.Builder
	esc := false
	for _, r := range s {
		if r == '\\' && !esc {
			esc = true
			continue
		}
		esc = false
		b.WriteRune(r)
	}
	return b.String()
}

// checkInert fails unless out is one line whose every ASCII punctuation
// mark is escaped, and says what in was.
func checkInert(t *testing.T, in, out string) {
	t.Helper()
	if strings.ContainsAny(out, "\r\n\u2028\u2029") {
		t.Fatalf("EscapeMarkdown(%q) = %q: a line break", in, out)
	}
	rs := []rune(out)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r == '\\' {
			i++ // what it escapes
			if i == len(rs) {
				t.Fatalf("EscapeMarkdown(%q) = %q: ends in a lone backslash", in, out)
			}
			continue
		}
		if r < unicode.MaxASCII && (unicode.IsPunct(r) || unicode.IsSymbol(r)) {
			t.Fatalf("EscapeMarkdown(%q) = %q: unescaped %q", in, out, r)
		}
	}
}

func TestEscapeMarkdown(t *testing.T) {
	for _, in := range []string{"# heading", "a | b | c", "```go\nx\n```", "<!channel> <@U1>", "[x](https://evil)",
		"**bold** _it_ ~s~", ":fire:", "1. item", "> quote", "- [ ] task", "back\\slash\\", "tab\there", "![](@U123)"} {
		out := blocks.EscapeMarkdown(in, 1000)
		checkInert(t, in, out)
		want := strings.NewReplacer("\n", " ", "\t", " ").Replace(in)
		if got := unescapeMarkdown(out); got != want {
			t.Errorf("EscapeMarkdown(%q) reads as %q, want %q", in, got, want)
		}
	}
	if got := blocks.EscapeMarkdown("abcdef", 3); got != "abc…" {
		t.Errorf("cut = %q", got)
	}
}

func FuzzEscapeMarkdown(f *testing.F) {
	for _, s := range []string{"# h", "|a|", "```", "<!here>", "\\", "\x00\xff", "a\u2028b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := blocks.EscapeMarkdown(in, 1<<20)
		checkInert(t, in, out)
		if !strings.Contains(out, "\\") && strings.ContainsAny(in, "#|`<>[]()*_") {
			t.Fatalf("EscapeMarkdown(%q) = %q escaped nothing", in, out)
		}
	})
}

// A title full of markdown stays inside the canvas's first heading: the
// document's structure is warroom's alone.
func TestCanvasMarkdownKeepsItsStructure(t *testing.T) {
	title := "# heading\n## Timeline\n| a | b |\n```\n<!channel> [x](https://evil) ![](@U9)"
	at := time.Date(2026, 12, 1, 14, 2, 0, 0, time.UTC)
	c := blocks.Canvas{
		Incident: warroom.Incident{ID: 42, Title: title, FullTitle: title, Severity: warroom.SEV1, Status: warroom.StatusActive,
			Commander: "U2", Call: warroom.CallReady, HostControlsHolder: "U2",
			Meeting: &warroom.Meeting{ID: 9, JoinURL: "https://zoom.us/j/9", Status: warroom.MeetingStarted, People: 2}},
		Timeline: []warroom.Event{
			{At: at, Kind: warroom.EventDeclared, Actor: "U1", Detail: string(warroom.DoorAPI)},
			{At: at.Add(time.Minute), Kind: warroom.EventJoined, Detail: "Mallory\n# pwned"},
		},
		Summary:  &blocks.CanvasSummary{Overview: "Fixed | by *rollback*", NextSteps: []string{"## add alerts"}},
		Location: time.UTC,
	}
	md := blocks.CanvasMarkdown(c)
	var headings []string
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "#") {
			headings = append(headings, strings.SplitN(line, " ", 2)[0]+" "+strings.SplitN(line+" ", " ", 3)[1])
		}
		if strings.HasPrefix(line, "|") || strings.HasPrefix(line, "```") {
			t.Errorf("a line of user text became structure: %q", line)
		}
	}
	if want := []string{"# INC-42:", "## The", "## Summary", "## Timeline"}; strings.Join(headings, ",") != strings.Join(want, ",") {
		t.Errorf("headings = %q, want %q\n%s", headings, want, md)
	}
	for _, want := range []string{"[Join the Zoom call](https://zoom.us/j/9)", "**Commander:** ![](@U2)",
		"- Dec 1 14:02 · Declared by ![](@U1) from the API", "Mallory \\# pwned joined the call", "_Times in UTC_"} {
		if !strings.Contains(md, want) {
			t.Errorf("canvas lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "![](@U9)") || strings.Contains(md, "<!channel>") {
		t.Errorf("user text made a mention:\n%s", md)
	}
}

package commands_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/commands"
)

func TestParse(t *testing.T) {
	tests := []struct {
		text string
		want commands.Command
	}{
		{"", commands.Help{}},
		{"   ", commands.Help{}},
		{"help", commands.Help{}},
		{"HELP", commands.Help{}},
		{"-h", commands.Help{}},
		{"--help", commands.Help{}},
		{"help declare", commands.Help{}},
		{"declare Checkout is down", commands.Declare{Title: "Checkout is down", Severity: warroom.DefaultSeverity}},
		{"Declare Checkout is down", commands.Declare{Title: "Checkout is down", Severity: warroom.SEV2}},
		{"  declare   Checkout \t is\n down  ", commands.Declare{Title: "Checkout is down", Severity: warroom.SEV2}},
		{"declare Checkout is down --sev 1", commands.Declare{Title: "Checkout is down", Severity: warroom.SEV1}},
		{"declare --sev=3 Checkout is down", commands.Declare{Title: "Checkout is down", Severity: warroom.SEV3}},
		{"declare Checkout --sev SEV4 is down", commands.Declare{Title: "Checkout is down", Severity: warroom.SEV4}},
		{"declare Checkout is down --sev sev1", commands.Declare{Title: "Checkout is down", Severity: warroom.SEV1}},
		{"declare Checkout is down -s 1", commands.Declare{Title: "Checkout is down", Severity: warroom.SEV1}},
		{"declare Checkout is down -s=2", commands.Declare{Title: "Checkout is down", Severity: warroom.SEV2}},
		{"declare Checkout is down --SEV 1", commands.Declare{Title: "Checkout is down", Severity: warroom.SEV1}},
		{"declare --sev 1 Checkout --sev 1", commands.Declare{Title: "Checkout", Severity: warroom.SEV1}},
		{"declare Checkout -- --sev 9 lol", commands.Declare{Title: "Checkout --sev 9 lol", Severity: warroom.SEV2}},
		{"declare --severity-is-high", commands.Declare{Title: "--severity-is-high", Severity: warroom.SEV2}},
		// Mentions stay as text; escaping happens when rendering.
		{"declare <!channel> <@U123|bob> broke <#C1|prod>", commands.Declare{Title: "<!channel> <@U123|bob> broke <#C1|prod>", Severity: warroom.SEV2}},
		// Slack's own encoding of &, <, > is undone exactly once.
		{"declare A &amp; B &lt;3 &gt; C &amp;lt;", commands.Declare{Title: "A & B <3 > C &lt;", Severity: warroom.SEV2}},
		{"declare Café 日本 🔥", commands.Declare{Title: "Café 日本 🔥", Severity: warroom.SEV2}},
		{"declare bad \xff utf8", commands.Declare{Title: "bad \uFFFD utf8", Severity: warroom.SEV2}},
		{"declare nul\x00byte", commands.Declare{Title: "nul byte", Severity: warroom.SEV2}},
	}
	for _, tt := range tests {
		got, err := commands.Parse(tt.text)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.text, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", tt.text, diff)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ text, sentence string }{
		{"declare Checkout --sev 5", "Severity must be 1, 2, 3 or 4 (e.g. `--sev 1`)."},
		{"declare Checkout --sev 0", "Severity must be 1, 2, 3 or 4 (e.g. `--sev 1`)."},
		{"declare Checkout --sev high", "Severity must be 1, 2, 3 or 4 (e.g. `--sev 1`)."},
		{"declare Checkout --sev", "Severity must be 1, 2, 3 or 4 (e.g. `--sev 1`)."},
		{"declare Checkout --sev=", "Severity must be 1, 2, 3 or 4 (e.g. `--sev 1`)."},
		{"declare Checkout -s sev", "Severity must be 1, 2, 3 or 4 (e.g. `--sev 1`)."},
		{"declare Checkout --sev 11", "Severity must be 1, 2, 3 or 4 (e.g. `--sev 1`)."},
		{"declare Checkout --sev 1 --sev 2", "You gave two severities (`--sev 1` and `--sev 2`); give just one."},
		{"declare", "An incident needs a title, like this: `/incident declare Checkout is down`."},
		{"declare   --sev 1", "An incident needs a title, like this: `/incident declare Checkout is down`."},
		{"declare --", "An incident needs a title, like this: `/incident declare Checkout is down`."},
		{"foo", "I don't know `/incident foo`."},
		{"Foo bar", "I don't know `/incident Foo`."},
		{"Checkout is down", "I don't know `/incident Checkout`."},
		{"`rm", "I don't know `/incident 'rm`."},
		{strings.Repeat("x", 100), "I don't know `/incident " + strings.Repeat("x", 29) + "…`."},
	}
	for _, tt := range tests {
		cmd, err := commands.Parse(tt.text)
		var ue *commands.UsageError
		if !errors.As(err, &ue) {
			t.Errorf("Parse(%q) = %#v, %v; want a *UsageError", tt.text, cmd, err)
			continue
		}
		if want := tt.sentence + "\n\n" + commands.Usage(); ue.Message != want || ue.Error() != want {
			t.Errorf("Parse(%q) error:\n%s\nwant:\n%s", tt.text, ue.Message, want)
		}
	}
}

func TestUsage(t *testing.T) {
	u := commands.Usage()
	for _, want := range []string{"/incident declare", "--sev", "/incident help"} {
		if !strings.Contains(u, want) {
			t.Errorf("Usage() lacks %q:\n%s", want, u)
		}
	}
	// Usage must read the same escaped or not: callers may do either.
	if strings.ContainsAny(u, "<>&") {
		t.Errorf("Usage() holds characters mrkdwn would take as markup:\n%s", u)
	}
}

func TestShortTitle(t *testing.T) {
	words := strings.Repeat("abcdefghi ", 20) // 200 runes, a space every 10
	tests := []struct {
		name  string
		title string
		want  string
		cut   bool
	}{
		{"short", "Checkout is down", "Checkout is down", false},
		{"exactly max", strings.Repeat("é", 150), strings.Repeat("é", 150), false},
		{"at a word", words, words[:149] + "…", true},
		{"back to a word", "x" + words, "x" + words[:139] + "…", true},
		{"space right after the cut", strings.Repeat("a", 149) + " tail", strings.Repeat("a", 149) + "…", true},
		{"no word near", strings.Repeat("日", 200), strings.Repeat("日", 149) + "…", true},
		{"far word", "a " + strings.Repeat("b", 200), "a " + strings.Repeat("b", 147) + "…", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cut := commands.ShortTitle(tt.title)
			if got != tt.want || cut != tt.cut {
				t.Errorf("ShortTitle = %q, %v; want %q, %v", got, cut, tt.want, tt.cut)
			}
			if n := utf8.RuneCountInString(got); n > commands.MaxTitle {
				t.Errorf("ShortTitle gave %d runes", n)
			}
		})
	}
}

// FuzzParse checks that no text makes Parse panic or produce a command the
// bot could not act on.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "help", "declare Checkout is down --sev 1", "declare --sev=sev3 x",
		"declare -s", "declare -- --sev", "foo", "declare <!channel> &amp;lt;",
		"declare \xff\xfe", "DECLARE\tx\ny", "declare " + strings.Repeat("long ", 60),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cmd, err := commands.Parse(text)
		if err != nil {
			var ue *commands.UsageError
			if !errors.As(err, &ue) || ue.Message == "" || cmd != nil {
				t.Fatalf("Parse(%q) = %#v, %v; want nil and a *UsageError", text, cmd, err)
			}
			return
		}
		switch c := cmd.(type) {
		case commands.Help:
		case commands.Declare:
			if c.Title == "" || strings.TrimSpace(c.Title) != c.Title {
				t.Fatalf("Parse(%q): title %q", text, c.Title)
			}
			if !utf8.ValidString(c.Title) {
				t.Fatalf("Parse(%q): title %q is not UTF-8", text, c.Title)
			}
			if !c.Severity.Valid() {
				t.Fatalf("Parse(%q): severity %d", text, c.Severity)
			}
			short, _ := commands.ShortTitle(c.Title)
			if utf8.RuneCountInString(short) > commands.MaxTitle || !utf8.ValidString(short) {
				t.Fatalf("ShortTitle(%q) = %q", c.Title, short)
			}
		default:
			t.Fatalf("Parse(%q) = %#v", text, cmd)
		}
	})
}

func TestParseZoom(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want commands.Command
	}{
		{"zoom connect", commands.ZoomConnect{}},
		{"ZOOM Status", commands.ZoomStatus{}},
		{"zoom disconnect", commands.ZoomDisconnect{}},
		{"zoom disconnect Bot@Example.com", commands.ZoomDisconnect{Email: "bot@example.com"}},
		{"zoom disconnect <mailto:bot@example.com|bot@example.com>", commands.ZoomDisconnect{Email: "bot@example.com"}},
	} {
		got, err := commands.Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %#v, %v; want %#v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"zoom", "zoom frob", "zoom connect now", "zoom disconnect nobody", "zoom disconnect a@b c@d"} {
		var ue *commands.UsageError
		if _, err := commands.Parse(in); !errors.As(err, &ue) {
			t.Errorf("Parse(%q) err = %v, want a UsageError", in, err)
		}
	}
}

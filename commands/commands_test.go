package commands_test

import (
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
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
		// User mentions become "@name" and responders; other references stay
		// as text, escaped when rendered.
		{"declare <!channel> <@U123|bob> broke <#C1|prod>", commands.Declare{Title: "<!channel> @bob broke <#C1|prod>", Severity: warroom.SEV2, Responders: []string{"U123"}}},
		{"declare <@U1|ann> <@W2> and <@U1|ann> again, <@U3|@cy>", commands.Declare{Title: "@ann @W2 and @ann again, @cy", Severity: warroom.SEV2, Responders: []string{"U1", "W2", "U3"}}},
		{"declare DB down cc <@U1|bob smith> --sev 1", commands.Declare{Title: "DB down cc @bob smith", Severity: warroom.SEV1, Responders: []string{"U1"}}},
		{"declare ping<@U9|x>, now", commands.Declare{Title: "ping@x, now", Severity: warroom.SEV2, Responders: []string{"U9"}}},
		{"declare <@U9|>", commands.Declare{Title: "@U9", Severity: warroom.SEV2, Responders: []string{"U9"}}},
		// Typed brackets arrive encoded: they are text, not mentions.
		{"declare &lt;@U123&gt; is not a mention", commands.Declare{Title: "<@U123> is not a mention", Severity: warroom.SEV2}},
		{"declare <@u123|lower> <@B1|bot>", commands.Declare{Title: "<@u123|lower> <@B1|bot>", Severity: warroom.SEV2}},
		{"declare Checkout is down --private", commands.Declare{Title: "Checkout is down", Severity: warroom.SEV2, Private: true}},
		{"declare --PRIVATE --sev 1 Checkout --private", commands.Declare{Title: "Checkout", Severity: warroom.SEV1, Private: true}},
		{"declare Checkout —private —sev 3", commands.Declare{Title: "Checkout", Severity: warroom.SEV3, Private: true}},
		{"declare Checkout – payments", commands.Declare{Title: "Checkout – payments", Severity: warroom.SEV2}},
		{"declare Checkout -- --private", commands.Declare{Title: "Checkout --private", Severity: warroom.SEV2}},
		{"declare Checkout --private=yes", commands.Declare{Title: "Checkout --private=yes", Severity: warroom.SEV2}},
		// Slack's own encoding of &, <, > is undone exactly once.
		{"declare A &amp; B &lt;3 &gt; C &amp;lt;", commands.Declare{Title: "A & B <3 > C &lt;", Severity: warroom.SEV2}},
		{"declare Café 日本 🔥", commands.Declare{Title: "Café 日本 🔥", Severity: warroom.SEV2}},
		{"declare bad \xff utf8", commands.Declare{Title: "bad \uFFFD utf8", Severity: warroom.SEV2}},
		{"declare nul\x00byte", commands.Declare{Title: "nul byte", Severity: warroom.SEV2}},
		{"declare multi\nline\r\ntitle", commands.Declare{Title: "multi line title", Severity: warroom.SEV2}},

		// No title: the declare modal, prefilled from the flags.
		{"declare", commands.OpenDeclareModal{Severity: warroom.SEV2}},
		{"declare   ", commands.OpenDeclareModal{Severity: warroom.SEV2}},
		{"declare --", commands.OpenDeclareModal{Severity: warroom.SEV2}},
		{"declare --sev 1", commands.OpenDeclareModal{Severity: warroom.SEV1}},
		{"declare --private -s=4", commands.OpenDeclareModal{Severity: warroom.SEV4, Private: true}},

		{"sev 1", commands.SetSeverity{Severity: warroom.SEV1}},
		{"SEV sev3", commands.SetSeverity{Severity: warroom.SEV3}},
		{"sev SEV1", commands.SetSeverity{Severity: warroom.SEV1}},
		{"severity 2", commands.SetSeverity{Severity: warroom.SEV2}},
		{"status", commands.ShowStatus{}},
		{" Status ", commands.ShowStatus{}},
		{"reopen", commands.Reopen{}},
		{"list", commands.List{}},
		{"LIST", commands.List{}},

		{"resolve", commands.Resolve{}},
		{"resolve   ", commands.Resolve{}},
		{"resolve Rolled back the deploy", commands.Resolve{Summary: "Rolled back the deploy"}},
		// The summary is kept whole: mentions and links as text, & < > decoded
		// once, line breaks kept, spaces tidied.
		{"resolve  <@U123|bob> rolled back <https://ci.example/1|deploy 1> &amp; p99 &lt; 2s  \n\n  then   <!here> ok\n",
			commands.Resolve{Summary: "<@U123|bob> rolled back <https://ci.example/1|deploy 1> & p99 < 2s\n\nthen <!here> ok"}},
		{"resolve --sev 1 -- not a flag", commands.Resolve{Summary: "--sev 1 -- not a flag"}},
		{"resolve\tfixed\x00it", commands.Resolve{Summary: "fixed it"}},

		{"commander <@U123|alex>", commands.SetCommander{UserID: "U123"}},
		{"Commander <@W0ABC>", commands.SetCommander{UserID: "W0ABC"}},
		{"cmd <@U1|a b>", commands.SetCommander{UserID: "U1"}},
		{"ic <@U7|ic>", commands.SetCommander{UserID: "U7"}},

		{"call", commands.ShowCall{}},
		{"call new", commands.NewCall{}},
		{"CALL NEW", commands.NewCall{}},
		{"call <https://us05web.zoom.us/j/81234567890?pwd=aBc.1|us05web.zoom.us/j/81234567890?pwd=aBc.1>",
			commands.AdoptCall{URL: "https://us05web.zoom.us/j/81234567890?pwd=aBc.1", MeetingID: 81234567890}},
		{"call <https://fake.zoom.us/j/12345678901?pwd=x&amp;uname=a>", commands.AdoptCall{URL: "https://fake.zoom.us/j/12345678901?pwd=x&uname=a", MeetingID: 12345678901}},
		{"call https://zoom.us/j/912345678", commands.AdoptCall{URL: "https://zoom.us/j/912345678", MeetingID: 912345678}},

		{"zoom settings", commands.ZoomSettings{}},
		{"Zoom SETTINGS", commands.ZoomSettings{}},
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

const notZoom = "That is not a Zoom meeting link. Paste the meeting's join link, the kind that looks like `https://zoom.us/j/81234567890?pwd=…` (personal links, `zoom.us/my/…`, can't be used)."

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
		{"declare --private --sev", "Severity must be 1, 2, 3 or 4 (e.g. `--sev 1`)."},
		{"sev", "Give one severity from 1 (worst) to 4, like this: `/incident sev 1`."},
		{"sev 1 2", "Give one severity from 1 (worst) to 4, like this: `/incident sev 1`."},
		{"severity 5", "Severity must be 1, 2, 3 or 4, like this: `/incident sev 1`."},
		{"sev high", "Severity must be 1, 2, 3 or 4, like this: `/incident sev 1`."},
		{"sev --sev", "Severity must be 1, 2, 3 or 4, like this: `/incident sev 1`."},
		{"status now", "`/incident status` takes nothing after it."},
		{"reopen please", "`/incident reopen` takes nothing after it."},
		{"list all", "`/incident list` takes nothing after it."},
		{"commander", "Name the new commander with an @mention, like this: `/incident commander @alex`."},
		{"commander @alex", "Name the new commander with an @mention, like this: `/incident commander @alex`."},
		{"commander alex", "Name the new commander with an @mention, like this: `/incident commander @alex`."},
		{"commander &lt;@U123&gt;", "Name the new commander with an @mention, like this: `/incident commander @alex`."},
		{"commander <@U1|a> <@U2|b>", "Name the new commander with an @mention, like this: `/incident commander @alex`."},
		{"commander <@U1|a> now", "Name the new commander with an @mention, like this: `/incident commander @alex`."},
		{"commander <#C1|prod>", "Name the new commander with an @mention, like this: `/incident commander @alex`."},
		{"call <https://meet.google.com/abc-defg-hij>", notZoom},
		{"call https://zoom.us/my/alice", notZoom},
		{"call <https://zoom.us/s/81234567890?zak=x>", notZoom},
		{"call <https://evilzoom.us/j/81234567890>", notZoom},
		{"call <https://zoom.us.evil.example/j/81234567890>", notZoom},
		{"call zoom.us/j/", notZoom},
		{"call later", "I don't know `/incident call later`. Use `/incident call`, `/incident call new`, or `/incident call` followed by a Zoom link."},
		{"call new now", "I don't know `/incident call new now`. Use `/incident call`, `/incident call new`, or `/incident call` followed by a Zoom link."},
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
	for _, want := range []string{
		"/incident declare", "--sev", "--private", "/incident help", "/incident list",
		"/incident sev 1", "/incident status", "/incident resolve", "/incident reopen",
		"/incident commander", "/incident call", "/incident call new", "/incident zoom settings",
		"/incident followup", "/incident followup list", "/incident followup cancel 2",
	} {
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
		"declare <@U1|a> <@U1> --private x", "declare —private", "declare --private",
		"sev 1", "severity sev4", "status", "resolve <@U1|bob> fixed\n\nit", "reopen",
		"commander <@U123|alex>", "cmd <@W1>", "call", "call new", "list", "zoom settings",
		"call <https://zoom.us/j/81234567890?pwd=a|zoom.us/j/81234567890?pwd=a>",
		"call https://acme.zoom.us/j/1.", "call <https://evil.example|https://zoom.us/j/1>",
		"followup", "followup tomorrow 14:00 for 45m <@U1|ana> <@W2> Root cause &amp; fixes",
		"followup for 1h 30m in 2 days", "followup 2:30 pm <@U1|bob smith> x<@U1>y", "followup 25:00",
		"followup list", "followup cancel #2", "followup cancel 0", "followup in 99999999999999999999w",
		"followup for 99999999999h", "follow-up next sun 12 am", "followup help",
	} {
		f.Add(s)
	}
	userID := regexp.MustCompile(`^[UW][A-Z0-9]{1,39}$`)
	f.Fuzz(func(t *testing.T, text string) {
		cmd, err := commands.Parse(text)
		if err != nil {
			var ue *commands.UsageError
			if !errors.As(err, &ue) || ue.Message == "" || cmd != nil {
				t.Fatalf("Parse(%q) = %#v, %v; want nil and a *UsageError", text, cmd, err)
			}
			if !utf8.ValidString(ue.Message) {
				t.Fatalf("Parse(%q): message %q is not UTF-8", text, ue.Message)
			}
			return
		}
		switch c := cmd.(type) {
		case commands.Help, commands.ShowStatus, commands.Reopen, commands.ShowCall,
			commands.NewCall, commands.List, commands.ZoomSettings, commands.ZoomConnect,
			commands.ZoomStatus, commands.ZoomDisconnect:
		case commands.Declare:
			if c.Title == "" || strings.Join(strings.Fields(c.Title), " ") != c.Title {
				t.Fatalf("Parse(%q): title %q", text, c.Title)
			}
			if !utf8.ValidString(c.Title) {
				t.Fatalf("Parse(%q): title %q is not UTF-8", text, c.Title)
			}
			if !c.Severity.Valid() {
				t.Fatalf("Parse(%q): severity %d", text, c.Severity)
			}
			seen := map[string]bool{}
			for _, id := range c.Responders {
				if !userID.MatchString(id) || seen[id] {
					t.Fatalf("Parse(%q): responders %q", text, c.Responders)
				}
				seen[id] = true
			}
			short, _ := commands.ShortTitle(c.Title)
			if utf8.RuneCountInString(short) > commands.MaxTitle || !utf8.ValidString(short) {
				t.Fatalf("ShortTitle(%q) = %q", c.Title, short)
			}
		case commands.OpenDeclareModal:
			if !c.Severity.Valid() {
				t.Fatalf("Parse(%q): severity %d", text, c.Severity)
			}
		case commands.SetSeverity:
			if !c.Severity.Valid() {
				t.Fatalf("Parse(%q): severity %d", text, c.Severity)
			}
		case commands.SetCommander:
			if !userID.MatchString(c.UserID) {
				t.Fatalf("Parse(%q): commander %q", text, c.UserID)
			}
		case commands.Resolve:
			if !utf8.ValidString(c.Summary) || strings.TrimSpace(c.Summary) != c.Summary {
				t.Fatalf("Parse(%q): summary %q", text, c.Summary)
			}
			if strings.ContainsFunc(c.Summary, func(r rune) bool { return r != '\n' && unicode.IsControl(r) }) {
				t.Fatalf("Parse(%q): summary %q holds control characters", text, c.Summary)
			}
		case commands.AdoptCall:
			checkZoomLink(t, text, c.URL, c.MeetingID)
		case commands.Followup:
			if !c.At.IsZero() || strings.Join(strings.Fields(c.When), " ") != c.When {
				t.Fatalf("Parse(%q): when %q, at %v", text, c.When, c.At)
			}
			if c.Duration != 0 && (c.Duration < warroom.MinFollowupDuration || c.Duration > warroom.MaxFollowupDuration) {
				t.Fatalf("Parse(%q): duration %v", text, c.Duration)
			}
			seen := map[string]bool{}
			for _, id := range c.Invitees {
				if !userID.MatchString(id) || seen[id] {
					t.Fatalf("Parse(%q): invitees %q", text, c.Invitees)
				}
				seen[id] = true
			}
			if !utf8.ValidString(c.Topic) || strings.Join(strings.Fields(c.Topic), " ") != c.Topic ||
				strings.ContainsFunc(c.Topic, unicode.IsControl) {
				t.Fatalf("Parse(%q): topic %q", text, c.Topic)
			}
			// A time phrase Parse accepted is one ParseWhen reads (it may be past).
			if c.When != "" {
				now := time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)
				if _, err := commands.ParseWhen(c.When, now, time.UTC); err != nil &&
					err.Error() != "That time has already passed." && !strings.HasPrefix(err.Error(), "That is more than a year away") {
					t.Fatalf("Parse(%q): when %q: %v", text, c.When, err)
				}
			}
		case commands.FollowupList:
		case commands.FollowupCancel:
			if c.N < 1 {
				t.Fatalf("Parse(%q): cancel %d", text, c.N)
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

func TestZoomLink(t *testing.T) {
	tests := []struct {
		text string
		url  string
		id   int64
	}{
		// Slack's link forms, as message events and escaped commands carry them.
		{"<https://us05web.zoom.us/j/81234567890?pwd=aBcDeF.1|us05web.zoom.us/j/81234567890?pwd=aBcDeF.1>",
			"https://us05web.zoom.us/j/81234567890?pwd=aBcDeF.1", 81234567890},
		{"join here: <https://zoom.us/j/912345678> thanks", "https://zoom.us/j/912345678", 912345678},
		{"<https://fake.zoom.us/j/12345678901?pwd=p&amp;uname=Bob%20S>", "https://fake.zoom.us/j/12345678901?pwd=p&uname=Bob%20S", 12345678901},
		{"<https://ACME.Zoom.US/j/8123456789/>", "https://ACME.Zoom.US/j/8123456789/", 8123456789},
		{"<http://zoom.us/j/812345678#success|zoom.us/j/812345678>", "http://zoom.us/j/812345678#success", 812345678},
		// Bare links, with sentence punctuation after them.
		{"call is https://zoom.us/j/812345678?pwd=x.", "https://zoom.us/j/812345678?pwd=x", 812345678},
		{"(HTTPS://zoom.us/j/812345678)", "HTTPS://zoom.us/j/812345678", 812345678},
		// The first meeting link wins; other links are skipped.
		{"<https://google.com> then <https://zoom.us/my/alice> then <https://a.zoom.us/j/111111111> and <https://b.zoom.us/j/222222222>",
			"https://a.zoom.us/j/111111111", 111111111},
		{"<https://evil.example|https://zoom.us/j/666666666> <https://zoom.us/j/123456789|click>", "https://zoom.us/j/123456789", 123456789},
		{"<https://zoom.us/j/9223372036854775807>", "https://zoom.us/j/9223372036854775807", 9223372036854775807},
	}
	for _, tt := range tests {
		u, id, ok := commands.ZoomLink(tt.text)
		if !ok || u != tt.url || id != tt.id {
			t.Errorf("ZoomLink(%q) = %q, %d, %v; want %q, %d", tt.text, u, id, ok, tt.url, tt.id)
		}
	}
	for _, text := range []string{
		"",
		"no link here",
		"zoom.us/j/812345678",        // Slack would have linked it; bare text without a scheme is not a link
		"<https://zoom.us/my/alice>", // personal link
		"<https://zoom.us/s/812345678?zak=secret>",   // start link: hosting rights
		"<https://zoom.us/w/812345678>",              // webinar
		"<https://zoom.us/j/>",                       // no ID
		"<https://zoom.us/j/abc>",                    // not a number
		"<https://zoom.us/j/0>",                      // not an ID
		"<https://zoom.us/j/99999999999999999999>",   // beyond int64
		"<https://zoom.us/j/812345678/extra>",        // more path
		"<https://evilzoom.us/j/812345678>",          // not a Zoom host
		"<https://zoom.us.evil.example/j/812345678>", // not a Zoom host
		"<https://zoom.us:8443/j/812345678>",         // a port
		"<https://me@zoom.us/j/812345678>",           // user info
		"<https://zoom..us/j/812345678>",
		"<https://zoom_x.zoom.us/j/812345678>",
		"<ftp://zoom.us/j/812345678>",
		"<mailto:a@zoom.us>",
		"<https://zoom.us/j/8123%34>",
		"&lt;https://zoom.us/j/812345678?x=&lt;&gt;",
		"<https://evil.example|https://zoom.us/j/666666666>", // the label is not the link
	} {
		if u, id, ok := commands.ZoomLink(text); ok {
			t.Errorf("ZoomLink(%q) = %q, %d; want no link", text, u, id)
		}
	}
}

// checkZoomLink checks what ZoomLink promises about a link it returned.
func checkZoomLink(t *testing.T, text, link string, id int64) {
	t.Helper()
	if id <= 0 || !utf8.ValidString(link) || strings.ContainsFunc(link, unicode.IsSpace) || strings.ContainsAny(link, "<>|") {
		t.Fatalf("ZoomLink(%q) = %q, %d", text, link, id)
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		t.Fatalf("ZoomLink(%q) = %q: %v", text, link, err)
	}
	if host := strings.ToLower(u.Hostname()); host != "zoom.us" && !strings.HasSuffix(host, ".zoom.us") {
		t.Fatalf("ZoomLink(%q) = %q: host %q", text, link, host)
	}
	if digits, ok := strings.CutPrefix(strings.TrimSuffix(u.Path, "/"), "/j/"); !ok || digits != strconv.FormatInt(id, 10) {
		t.Fatalf("ZoomLink(%q) = %q, %d: path %q", text, link, id, u.Path)
	}
	// Posted again in Slack's form, the link reads the same.
	if again, againID, ok := commands.ZoomLink("<" + link + ">"); !ok || again != link || againID != id {
		t.Fatalf("ZoomLink(<%s>) = %q, %d, %v", link, again, againID, ok)
	}
}

// FuzzZoomLink checks that ZoomLink never panics and only ever returns a
// meeting link on a Zoom host, whose ID is the number in its path.
func FuzzZoomLink(f *testing.F) {
	for _, s := range []string{
		"<https://us05web.zoom.us/j/81234567890?pwd=aBc.1|us05web.zoom.us/j/81234567890?pwd=aBc.1>",
		"https://zoom.us/j/812345678.", "<https://zoom.us/my/x>", "<https://evil|https://zoom.us/j/1>",
		"<https://zoom.us/j/1?a=&amp;lt;>", "<<https://zoom.us/j/1>>", "https://zoom.us/j/00012",
		"<https://x.zoom.us/j/9223372036854775808>", "\xff<https://zoom.us/j/1\xff>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		link, id, ok := commands.ZoomLink(text)
		if !ok {
			if link != "" || id != 0 {
				t.Fatalf("ZoomLink(%q) = %q, %d, false", text, link, id)
			}
			return
		}
		checkZoomLink(t, text, link, id)
	})
}

package blocks_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"
	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

const joinURL = "https://us05web.zoom.us/j/81234567890?pwd=aBcDeFgHiJkLmNoP.1"

// incident returns a typical incident in the given call state.
func incident(call warroom.CallState) warroom.Incident {
	inc := warroom.Incident{
		ID:            42,
		Title:         "Checkout is down",
		FullTitle:     "Checkout is down",
		Severity:      warroom.SEV2,
		Status:        warroom.StatusActive,
		DeclaredBy:    "U024BE7LH",
		SourceChannel: "C0SRC",
		ChannelName:   "inc-20261123-checkout-is-down",
		ChannelID:     "C08ABCDEF12",
		Call:          call,
		CreatedAt:     time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC),
	}
	switch call {
	case warroom.CallReady:
		inc.Meeting = &warroom.Meeting{
			ID:        81234567890,
			UUID:      "4444AAAiAAAAAiAiAiiAii==",
			HostEmail: "warroom-bot@example.com",
			Topic:     "SEV2 Incident – Checkout is down",
			JoinURL:   joinURL,
			Password:  "482913",
		}
	case warroom.CallFailed:
		inc.CallError = "Zoom is rate limiting us (429 Too Many Requests)."
	}
	return inc
}

func with(inc warroom.Incident, f func(*warroom.Incident)) warroom.Incident {
	f(&inc)
	return inc
}

// message is what a golden file holds: the fallback text and the blocks.
type message struct {
	Text   string        `json:"text"`
	Blocks []slack.Block `json:"blocks,omitempty"`
}

func TestGolden(t *testing.T) {
	longTitle := strings.Repeat("Payments API returns 502 for EU customers ", 6) // 252 runes
	shortened := with(incident(warroom.CallReady), func(inc *warroom.Incident) {
		inc.FullTitle = strings.TrimSpace(longTitle)
		inc.Title = "Payments API returns 502 for EU customers Payments API returns 502 for EU customers Payments API returns 502 for EU customers Payments API returns 502…"
	})
	tests := map[string]func() message{
		"incident_ready":   func() message { return msg(blocks.IncidentMessage(incident(warroom.CallReady))) },
		"incident_pending": func() message { return msg(blocks.IncidentMessage(incident(warroom.CallPending))) },
		"incident_failed":  func() message { return msg(blocks.IncidentMessage(incident(warroom.CallFailed))) },
		"incident_failed_fallback": func() message {
			return msg(blocks.IncidentMessage(incident(warroom.CallFailed), blocks.WithFallbackCall("https://zoom.us/j/5550001111")))
		},
		"incident_pending_fallback": func() message {
			return msg(blocks.IncidentMessage(incident(warroom.CallPending), blocks.WithFallbackCall("https://zoom.us/j/5550001111")))
		},
		"incident_ready_fallback": func() message {
			return msg(blocks.IncidentMessage(incident(warroom.CallReady), blocks.WithFallbackCall("https://zoom.us/j/5550001111")))
		},
		"incident_removed": func() message {
			return msg(blocks.IncidentMessage(with(incident(warroom.CallRemoved), func(inc *warroom.Incident) {
				inc.CallError = "the Zoom connection was removed"
			})))
		},
		"incident_failed_no_reason": func() message {
			return msg(blocks.IncidentMessage(with(incident(warroom.CallFailed), func(inc *warroom.Incident) { inc.CallError = "" })))
		},
		"incident_ready_no_passcode": func() message {
			return msg(blocks.IncidentMessage(with(incident(warroom.CallReady), func(inc *warroom.Incident) {
				inc.Meeting.Password = ""
				inc.Meeting.ID = 912345678
				inc.Meeting.JoinURL = "https://zoom.us/j/912345678"
			})))
		},
		"incident_resolved": func() message {
			return msg(blocks.IncidentMessage(with(incident(warroom.CallReady), func(inc *warroom.Incident) {
				inc.Status = warroom.StatusResolved
				inc.Severity = warroom.SEV1
			})))
		},
		"incident_resolved_summary": func() message { return msg(blocks.IncidentMessage(resolvedIncident())) },
		"incident_resolved_failed": func() message {
			return msg(blocks.IncidentMessage(with(incident(warroom.CallFailed), func(inc *warroom.Incident) {
				inc.Status, inc.ResolvedAt = warroom.StatusResolved, resolvedAt
			})))
		},
		"incident_waiting": func() message {
			return msg(blocks.IncidentMessage(with(incident(warroom.CallReady), func(inc *warroom.Incident) { inc.Meeting.Status = warroom.MeetingWaiting })))
		},
		"incident_started": func() message { return msg(blocks.IncidentMessage(started(incident(warroom.CallReady)))) },
		"incident_meeting_ended": func() message {
			return msg(blocks.IncidentMessage(with(incident(warroom.CallReady), func(inc *warroom.Incident) { inc.Meeting.Status = warroom.MeetingEnded })))
		},
		"incident_commander": func() message {
			return msg(blocks.IncidentMessage(with(started(incident(warroom.CallReady)), func(inc *warroom.Incident) {
				inc.Commander = "U0COMMAND1"
				inc.Severity = warroom.SEV1
			})))
		},
		"incident_private":       func() message { return msg(blocks.IncidentMessage(private(incident(warroom.CallReady)))) },
		"declared_private":       func() message { return msg(blocks.Declared(private(incident(warroom.CallReady)))) },
		"declared_resolved":      func() message { return msg(blocks.Declared(resolvedIncident())) },
		"channel_topic_resolved": func() message { return message{Text: blocks.ChannelTopic(resolvedIncident())} },
		"incident_shortened":     func() message { return msg(blocks.IncidentMessage(shortened)) },
		"incident_mentions": func() message {
			return msg(blocks.IncidentMessage(with(incident(warroom.CallPending), func(inc *warroom.Incident) {
				inc.Title = "<!channel> <@U123|bob> says p99 > 2s & rising"
				inc.FullTitle = inc.Title
			})))
		},
		"declared_ready":   func() message { return msg(blocks.Declared(incident(warroom.CallReady))) },
		"declared_pending": func() message { return msg(blocks.Declared(incident(warroom.CallPending))) },
		"declared_failed":  func() message { return msg(blocks.Declared(incident(warroom.CallFailed))) },
		"declaring": func() message {
			return message{Text: blocks.Declaring("Checkout is down", warroom.SEV2, false)}
		},
		"declaring_shortened": func() message {
			return message{Text: blocks.Declaring(shortened.Title, warroom.SEV1, true)}
		},
		"usage": func() message {
			return msg(blocks.Usage("I don't know `/incident <!here>`.\n\n*How to use /incident*\n• `/incident help` shows this message."))
		},
		"usage_empty":           func() message { return msg(blocks.Usage("")) },
		"channel_topic_ready":   func() message { return message{Text: blocks.ChannelTopic(incident(warroom.CallReady))} },
		"channel_topic_pending": func() message { return message{Text: blocks.ChannelTopic(incident(warroom.CallPending))} },
		"channel_topic_long": func() message {
			return message{Text: blocks.ChannelTopic(with(incident(warroom.CallReady), func(inc *warroom.Incident) { inc.Title = longTitle }))}
		},
		"meeting_topic": func() message { return message{Text: blocks.MeetingTopic(incident(warroom.CallPending))} },
		"meeting_topic_long": func() message {
			return message{Text: blocks.MeetingTopic(with(incident(warroom.CallPending), func(inc *warroom.Incident) {
				inc.Title = "<@U123|bob> " + longTitle
			}))}
		},
	}
	for name, build := range newGoldens() {
		tests[name] = build
	}
	for name, build := range tests {
		t.Run(name, func(t *testing.T) {
			m := build()
			if m.Blocks != nil {
				checkMessage(t, m.Text, m.Blocks)
			}
			golden(t, name, marshal(t, m))
		})
	}
}

func msg(text string, b []slack.Block) message { return message{Text: text, Blocks: b} }

// golden compares got with testdata/name.golden, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); run go test -update if the change is meant:\n%s", path, diff)
	}
}

// titles are the ones every builder must survive: normal, far too long,
// and full of unicode and Slack markup.
func titles() map[string]string {
	markup := "<!channel> <@U123> <@U123|bob> <#C123|prod> <!here> <https://evil.example|click> & &amp; 日本語 Ünïcödé 🔥🚨 "
	return map[string]string{
		"normal":       "Checkout is down",
		"5000":         strings.Repeat("x", 5000),
		"5000 amp":     strings.Repeat("&", 5000),
		"words":        strings.Repeat("lorem ipsum ", 417),
		"markup":       strings.Repeat(markup, 5000/utf8.RuneCountInString(markup)+1),
		"short markup": "<!channel>",
	}
}

func callStates() map[string]warroom.Incident {
	return map[string]warroom.Incident{
		"ready":   incident(warroom.CallReady),
		"pending": incident(warroom.CallPending),
		"failed":  incident(warroom.CallFailed),
		"removed": incident(warroom.CallRemoved),
		"failed, long reason": with(incident(warroom.CallFailed), func(inc *warroom.Incident) {
			inc.CallError = strings.Repeat("<!channel> & ", 1000)
		}),
		"ready, odd meeting": with(incident(warroom.CallReady), func(inc *warroom.Incident) {
			inc.Meeting.JoinURL = "https://zoom.us/j/1?pwd=" + strings.Repeat("a", 2990)
			inc.Meeting.Password = strings.Repeat("<p&ss>", 100)
		}),
		"ready, unusable URL": with(incident(warroom.CallReady), func(inc *warroom.Incident) {
			inc.Meeting.JoinURL = "javascript:alert(1)"
		}),
		"ready, no meeting": with(incident(warroom.CallReady), func(inc *warroom.Incident) { inc.Meeting = nil }),
		"unknown state":     with(incident(""), func(inc *warroom.Incident) { inc.Status = "on-fire" }),
		"started":           started(incident(warroom.CallReady)),
		"private, started":  private(started(incident(warroom.CallReady))),
		"private, failed":   private(incident(warroom.CallFailed)),
		"resolved":          resolvedIncident(),
		"resolved, private": private(resolvedIncident()),
		"resolved, long summary": with(resolvedIncident(), func(inc *warroom.Incident) {
			inc.Summary = strings.Repeat("<!channel> & 日本 🔥\n", 400)
		}),
		"odd people": with(incident(warroom.CallReady), func(inc *warroom.Incident) {
			inc.Commander = "<!here>"
			inc.DeclaredBy = "&lt;@U1&gt;"
			inc.ChannelID = "<#C1>"
			inc.Meeting.Status = "<!channel>"
		}),
	}
}

// TestLimits renders every builder for every title and call state and
// checks the results against Slack's limits.
func TestLimits(t *testing.T) {
	for tname, title := range titles() {
		for cname, inc := range callStates() {
			t.Run(tname+"/"+cname, func(t *testing.T) {
				inc.FullTitle = title
				inc.Title = title
				checkAll(t, inc)
				inc.Title = "short"
				checkAll(t, inc)
			})
		}
	}
}

// checkAll runs every builder on inc and checks limits and escaping.
func checkAll(t *testing.T, inc warroom.Incident) {
	t.Helper()
	fallback, b := blocks.IncidentMessage(inc)
	checkMessage(t, fallback, b)
	checkNoUserMarkup(t, "incident message", fallback+string(marshal(t, b)))

	text, b := blocks.Declared(inc)
	checkMessage(t, text, b)
	checkNoUserMarkup(t, "declared", text+string(marshal(t, b)))

	for _, shortened := range []bool{false, true} {
		d := blocks.Declaring(inc.Title, inc.Severity, shortened)
		checkMessage(t, d, []slack.Block{slack.NewDividerBlock()})
		checkNoUserMarkup(t, "declaring", d)
		if n := len(marshal(t, message{Text: d})); n >= limitAckBytes {
			t.Errorf("declaring ack is %d bytes", n)
		}
	}

	text, b = blocks.Usage(inc.Title)
	checkMessage(t, text, b)
	checkNoUserMarkup(t, "usage", text+string(marshal(t, b)))

	text, b = blocks.Announcement(inc)
	checkMessage(t, text, b)
	checkNoUserMarkup(t, "announcement", text+string(marshal(t, b)))

	text, b = blocks.CallInfo(inc)
	checkMessage(t, text, b)
	checkNoUserMarkup(t, "call info", text+string(marshal(t, b)))
	checkAck(t, "call info", text, b)

	text, b = blocks.StatusReply(inc, now)
	checkMessage(t, text, b)
	checkNoUserMarkup(t, "status", text+string(marshal(t, b)))
	checkAck(t, "status", text, b)

	list := []warroom.Incident{inc, incident(warroom.CallReady), inc}
	text, b = blocks.IncidentList(list, now)
	checkMessage(t, text, b)
	checkNoUserMarkup(t, "list", withoutJoinLinks(t, list, text+string(marshal(t, b))))
	checkAck(t, "list", text, b)

	if inc.Meeting != nil {
		text, b = blocks.AdoptPrompt(inc.ID, inc.Meeting.JoinURL)
		checkMessage(t, text, b)
		checkNoUserMarkup(t, "adopt prompt", text+string(marshal(t, b)))
	}
	checkPrivacy(t, inc)
	if n := len(marshal(t, message{Text: text, Blocks: b})); n >= limitAckBytes {
		t.Errorf("usage ack is %d bytes", n)
	}

	topic := blocks.ChannelTopic(inc)
	if n := utf8.RuneCountInString(topic); n > 250 || n == 0 {
		t.Errorf("channel topic has %d characters: %q", n, topic)
	}
	checkNoUserMarkup(t, "channel topic", topic)

	for _, mt := range []string{
		blocks.MeetingTopic(inc),
		blocks.MeetingTopicFrom("", inc, "Bob"),
		blocks.MeetingTopicFrom("{{title}} {{title}} – {{ref}} {{declarer}} {{status}}", inc, inc.Title),
	} {
		if n := utf8.RuneCountInString(mt); n > 200 || n == 0 {
			t.Errorf("meeting topic has %d characters: %q", n, mt)
		}
		for _, ping := range []string{"<!channel>", "<@U123>", "<!here>"} {
			if strings.Contains(mt, ping) {
				t.Errorf("meeting topic holds %q: %q", ping, mt)
			}
		}
	}
	if ag := blocks.AgendaFrom(strings.Repeat("{{title}}\n", 3), inc, inc.Title); utf8.RuneCountInString(ag) > 2000 {
		t.Errorf("agenda has %d characters", utf8.RuneCountInString(ag))
	}
}

// TestNoPings checks that mentions typed in a title or a call error never
// reach Slack as live markup, in any builder.
func TestNoPings(t *testing.T) {
	title := "Ping <!channel> and <@U123> and <!here> and <#C999>"
	for cname, inc := range callStates() {
		inc.Title, inc.FullTitle = title, title+" (long)"
		inc.CallError = "<!channel> <@U123> broke it"
		inc.Summary = "<!here> <@U123> fixed it <#C999>"
		outputs := map[string]string{
			"declaring":     blocks.Declaring(title, inc.Severity, true),
			"channel topic": blocks.ChannelTopic(inc),
			"meeting topic": blocks.MeetingTopic(inc),
		}
		text, b := blocks.IncidentMessage(inc)
		outputs["incident message"] = text + string(marshal(t, b))
		text, b = blocks.Declared(inc)
		outputs["declared"] = text + string(marshal(t, b))
		text, b = blocks.Usage(title)
		outputs["usage"] = text + string(marshal(t, b))
		text, b = blocks.Announcement(inc)
		outputs["announcement"] = text + string(marshal(t, b))
		text, b = blocks.StatusReply(inc, now)
		outputs["status"] = text + string(marshal(t, b))
		text, b = blocks.CallInfo(inc)
		outputs["call info"] = text + string(marshal(t, b))
		text, b = blocks.IncidentList([]warroom.Incident{inc}, now)
		outputs["list"] = text + string(marshal(t, b))
		for what, out := range outputs {
			for _, ping := range []string{"<!channel>", "<@U123>", "<!here>", "<#C999>"} {
				if strings.Contains(out, ping) {
					t.Errorf("%s, %s: holds %q unescaped:\n%s", cname, what, ping, out)
				}
			}
		}
	}
}

func TestEscape(t *testing.T) {
	tests := map[string]string{
		"":                 "",
		"plain":            "plain",
		"<!channel>":       "&lt;!channel&gt;",
		"a & b":            "a &amp; b",
		"&amp;":            "&amp;amp;",
		"<@U123|bob> 日本 🔥": "&lt;@U123|bob&gt; 日本 🔥",
	}
	for in, want := range tests {
		if got := blocks.Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestJoinCallURL checks that the button carries Zoom's join URL byte for
// byte (the pwd parameter is what lets people in without a passcode), even
// on the wire through slack-go's own JSON encoding.
func TestJoinCallURL(t *testing.T) {
	for _, url := range []string{joinURL, "https://zoom.us/j/81234567890?pwd=a&b=<c>&uname=x%20y"} {
		inc := incident(warroom.CallReady)
		inc.Meeting.JoinURL = url
		_, b := blocks.IncidentMessage(inc)
		if got := joinButtonURL(t, b); got != url {
			t.Errorf("Join Call url = %q, want %q", got, url)
		}
		_, b = blocks.Declared(inc)
		if got := joinButtonURL(t, b); got != url {
			t.Errorf("declared Join Call url = %q, want %q", got, url)
		}
	}
}

// joinButtonURL finds the Join Call button after a JSON round trip through
// slack-go, as Slack would receive it.
func joinButtonURL(t *testing.T, b []slack.Block) string {
	t.Helper()
	wire, err := json.Marshal(slack.Blocks{BlockSet: b})
	if err != nil {
		t.Fatal(err)
	}
	var back slack.Blocks
	if err := json.Unmarshal(wire, &back); err != nil {
		t.Fatal(err)
	}
	found := ""
	for _, block := range back.BlockSet {
		a, ok := block.(*slack.ActionBlock)
		if !ok {
			continue
		}
		for _, e := range a.Elements.ElementSet {
			if btn, ok := e.(*slack.ButtonBlockElement); ok && btn.ActionID == blocks.ActionJoinCall {
				if found != "" {
					t.Fatal("two Join Call buttons")
				}
				if btn.Style != slack.StylePrimary || btn.Text.Text != "Join Call" {
					t.Errorf("Join Call button = %+v", btn)
				}
				found = btn.URL
			}
		}
	}
	if found == "" {
		t.Fatal("no Join Call button")
	}
	return found
}

func TestRetryButton(t *testing.T) {
	inc := incident(warroom.CallFailed)
	inc.ID = 9007199254740993 // beyond float64's exact integers
	_, b := blocks.IncidentMessage(inc)
	wire := marshal(t, b)
	if !bytes.Contains(wire, []byte(`"action_id": "retry_call"`)) || !bytes.Contains(wire, []byte(`"value": "9007199254740993"`)) {
		t.Errorf("no Retry button with the incident ID:\n%s", wire)
	}
}

func TestMeetingIDFormat(t *testing.T) {
	tests := map[int64]string{
		812345678:    "812 345 678",
		8123456789:   "812 345 6789",
		81234567890:  "812 3456 7890",
		12345:        "12345",
		812345678901: "812345678901",
	}
	for id, want := range tests {
		inc := incident(warroom.CallReady)
		inc.Meeting.ID = id
		_, b := blocks.IncidentMessage(inc)
		if wire := marshal(t, b); !bytes.Contains(wire, []byte("Meeting ID: "+want+" ")) {
			t.Errorf("meeting %d: want %q in\n%s", id, want, wire)
		}
	}
}

// FuzzIncidentMessage checks that no incident makes a builder panic or
// produce a message Slack would reject, or one that pings from user text.
func FuzzIncidentMessage(f *testing.F) {
	f.Add("Checkout is down", "Checkout is down", "ready", "active", "U024BE7LH", "C08ABCDEF12", "", joinURL, "482913", int64(42), int64(81234567890), 2)
	f.Add("<!channel>", "<!channel> long", "failed", "resolved", "<@U1>", "", "<!here> & co", "", "", int64(-1), int64(0), 0)
	f.Add(strings.Repeat("&", 200), "", "pending", "", "", "C1", strings.Repeat("x", 4000), "ftp://x", "<>", int64(1), int64(-5), 9)
	f.Add("\xff\xfe", "日本語🔥", "ready", "x", "u1", "not an id", "", "https://zoom.us/j/1?pwd="+strings.Repeat("a", 3000), "", int64(0), int64(1), 1)
	f.Fuzz(func(t *testing.T, title, fullTitle, call, status, declaredBy, channelID, callErr, url, password string, id, meetingID int64, sev int) {
		inc := warroom.Incident{
			ID: id, Title: title, FullTitle: fullTitle, Severity: warroom.Severity(sev),
			Status: warroom.Status(status), DeclaredBy: declaredBy, ChannelID: channelID,
			ChannelName: "inc-x", Call: warroom.CallState(call), CallError: callErr,
			// The odd fields vary with the others, so the fuzzer reaches them
			// without a signature too long to read.
			Private:    id%2 == 0,
			Commander:  password,
			Summary:    callErr + title,
			CreatedAt:  now.Add(-time.Duration(meetingID%1e6) * time.Second),
			ResolvedAt: now.Add(time.Duration(id%1e6) * time.Second),
		}
		if url != "" || meetingID != 0 {
			inc.Meeting = &warroom.Meeting{ID: meetingID, JoinURL: url, Password: password, Status: status}
		}
		checkAll(t, inc)
	})
}

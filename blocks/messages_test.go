package blocks_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"
	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
)

var (
	// now is 3h 12m after incident() was declared.
	now        = time.Date(2026, 11, 23, 12, 42, 0, 0, time.UTC)
	resolvedAt = time.Date(2026, 11, 23, 11, 5, 0, 0, time.UTC)
)

func started(inc warroom.Incident) warroom.Incident {
	if inc.Meeting != nil {
		m := *inc.Meeting
		m.Status = warroom.MeetingStarted
		inc.Meeting = &m
	}
	return inc
}

func private(inc warroom.Incident) warroom.Incident {
	inc.Private = true
	inc.ChannelName = "inc-20261123-payroll-leak"
	return inc
}

func resolvedIncident() warroom.Incident {
	return with(started(incident(warroom.CallReady)), func(inc *warroom.Incident) {
		inc.Status = warroom.StatusResolved
		inc.ResolvedAt = resolvedAt
		inc.Commander = "U0COMMAND1"
		inc.Summary = "Rolled back deploy 1234 & <@U024BE7LH> added an alert.\nRoot cause: a config typo."
	})
}

// mixedList is a list in every state, in no particular order.
func mixedList() []warroom.Incident {
	return []warroom.Incident{
		started(incident(warroom.CallReady)),
		with(private(incident(warroom.CallReady)), func(inc *warroom.Incident) {
			inc.ID, inc.Severity, inc.Title = 43, warroom.SEV1, "Payroll data exposed"
			inc.ChannelID = "C08PRIVATE1"
			inc.CreatedAt = now.Add(-42 * time.Minute)
		}),
		with(incident(warroom.CallFailed), func(inc *warroom.Incident) {
			inc.ID, inc.Severity, inc.Title = 44, warroom.SEV3, "Search is slow <sometimes> & flaky"
			inc.ChannelID = "C08SEARCH01"
			inc.CreatedAt = now.Add(-51*time.Hour - 7*time.Minute)
		}),
		with(incident(warroom.CallPending), func(inc *warroom.Incident) {
			inc.ID, inc.Title = 45, "Login errors"
			inc.ChannelID, inc.CreatedAt = "C08LOGIN001", now.Add(-30*time.Second)
		}),
		with(resolvedIncident(), func(inc *warroom.Incident) { inc.ID = 46 }),
		with(incident(warroom.CallRemoved), func(inc *warroom.Incident) {
			inc.ID, inc.Severity, inc.Title = 47, warroom.SEV4, "Docs site typo"
			inc.ChannelID, inc.CreatedAt = "C08DOCS0001", now.Add(-12*time.Minute)
		}),
	}
}

// longList is more open incidents than one message holds.
func longList(n int) []warroom.Incident {
	var out []warroom.Incident
	for i := range n {
		inc := started(incident(warroom.CallReady))
		inc.ID = int64(100 + i)
		inc.Severity = warroom.Severity(1 + i%4)
		inc.Title = strings.Repeat("Payments API returns 502 for EU customers ", 4)
		inc.ChannelID = fmt.Sprintf("C08LIST%04d", i)
		inc.Private = i%5 == 0
		inc.CreatedAt = now.Add(-time.Duration(i) * time.Minute)
		out = append(out, inc)
	}
	return out
}

// newGoldens are the golden messages of the builders added for the
// incident lifecycle; TestGolden runs them with its own.
func newGoldens() map[string]func() message {
	tooLong := "https://zoom.us/j/81234567890?pwd=" + strings.Repeat("a", 2000)
	return map[string]func() message{
		"alerts_first": func() message {
			return msg(blocks.AlertNoteMessage(incident(warroom.CallReady), blocks.AlertNote{First: true,
				Firing: []string{"HighLatency (instance=<a>)"}, Links: []warroom.Link{{Title: "Source", URL: "http://prom/graph?g0.expr=a&b=1"},
					{Title: "Runbook", URL: "https://runbooks/x"}, {Title: "bad", URL: "javascript:alert(1)"}}}))
		},
		"alerts_changed": func() message {
			return msg(blocks.AlertNoteMessage(incident(warroom.CallReady), blocks.AlertNote{Firing: []string{"B"}, Resolved: []string{"A", "C"}}))
		},
		"alerts_all_resolved": func() message {
			return msg(blocks.AlertNoteMessage(incident(warroom.CallReady), blocks.AlertNote{Resolved: []string{"A"}, AllResolved: true}))
		},
		"announcement_ready":            func() message { return msg(blocks.Announcement(incident(warroom.CallReady))) },
		"announcement_started":          func() message { return msg(blocks.Announcement(started(incident(warroom.CallReady)))) },
		"announcement_pending":          func() message { return msg(blocks.Announcement(incident(warroom.CallPending))) },
		"announcement_failed":           func() message { return msg(blocks.Announcement(incident(warroom.CallFailed))) },
		"announcement_resolved":         func() message { return msg(blocks.Announcement(resolvedIncident())) },
		"announcement_private":          func() message { return msg(blocks.Announcement(private(started(incident(warroom.CallReady))))) },
		"announcement_private_resolved": func() message { return msg(blocks.Announcement(private(resolvedIncident()))) },

		"call_info_ready":    func() message { return msg(blocks.CallInfo(incident(warroom.CallReady))) },
		"call_info_started":  func() message { return msg(blocks.CallInfo(started(incident(warroom.CallReady)))) },
		"call_info_private":  func() message { return msg(blocks.CallInfo(private(incident(warroom.CallReady)))) },
		"call_info_pending":  func() message { return msg(blocks.CallInfo(incident(warroom.CallPending))) },
		"call_info_failed":   func() message { return msg(blocks.CallInfo(incident(warroom.CallFailed))) },
		"call_info_removed":  func() message { return msg(blocks.CallInfo(incident(warroom.CallRemoved))) },
		"call_info_resolved": func() message { return msg(blocks.CallInfo(resolvedIncident())) },

		"adopt_prompt":          func() message { return msg(blocks.AdoptPrompt(42, joinURL)) },
		"adopt_prompt_too_long": func() message { return msg(blocks.AdoptPrompt(42, tooLong)) },
		"adopt_prompt_bad_url":  func() message { return msg(blocks.AdoptPrompt(42, "javascript:alert(1)")) },

		"list_empty":         func() message { return msg(blocks.IncidentList(nil, now)) },
		"list_only_resolved": func() message { return msg(blocks.IncidentList([]warroom.Incident{resolvedIncident()}, now)) },
		"list_one":           func() message { return msg(blocks.IncidentList([]warroom.Incident{incident(warroom.CallReady)}, now)) },
		"list_mixed":         func() message { return msg(blocks.IncidentList(mixedList(), now)) },
		"list_long":          func() message { return msg(blocks.IncidentList(longList(120), now)) },

		"status_active":   func() message { return msg(blocks.StatusReply(started(incident(warroom.CallReady)), now)) },
		"status_private":  func() message { return msg(blocks.StatusReply(private(started(incident(warroom.CallReady))), now)) },
		"status_failed":   func() message { return msg(blocks.StatusReply(incident(warroom.CallFailed), now)) },
		"status_resolved": func() message { return msg(blocks.StatusReply(resolvedIncident(), now)) },

		"meeting_topic_default": func() message {
			return message{Text: blocks.MeetingTopicFrom("", incident(warroom.CallPending), "Ana")}
		},
		"meeting_topic_template": func() message {
			return message{Text: blocks.MeetingTopicFrom("[{{ref}}] {{ Severity }} {{title}} ({{status}}, {{declarer}}) {{unknown}} {{", with(incident(warroom.CallPending), func(inc *warroom.Incident) {
				inc.Title = "<@U123|bob> broke {{ref}} & more"
			}), "Ana Lima")}
		},
		"meeting_topic_template_long": func() message {
			return message{Text: blocks.MeetingTopicFrom("{{severity}} – {{title}} – {{ref}}", with(incident(warroom.CallPending), func(inc *warroom.Incident) {
				inc.Title = strings.Repeat("Payments API returns 502 for EU customers ", 6)
			}), "Ana")}
		},
		"agenda_default": func() message {
			return message{Text: blocks.AgendaFrom(warroom.DefaultMeetingDefaults().AgendaTemplate, incident(warroom.CallPending), "Ana Lima")}
		},
		"agenda_multiline": func() message {
			return message{Text: blocks.AgendaFrom("{{ref}}: {{title}}\n\nDeclared by {{declarer}}.\r\nRunbook: https://wiki.example/runbook?a=1&b=2", with(incident(warroom.CallPending), func(inc *warroom.Incident) {
				inc.FullTitle = "Checkout is down for <!here> users & more"
			}), "")}
		},
	}
}

// checkAck fails if the reply would not fit a Socket Mode ack.
func checkAck(tb testing.TB, what, text string, b []slack.Block) {
	tb.Helper()
	ack := map[string]any{"envelope_id": strings.Repeat("e", 40), "payload": map[string]any{"response_type": "ephemeral", "text": text, "blocks": b}}
	wire, err := json.Marshal(ack) // HTML-escaped, as slack-go sends it
	if err != nil {
		tb.Fatal(err)
	}
	if len(wire) >= limitAckBytes {
		tb.Errorf("%s: the ack is %d bytes", what, len(wire))
	}
}

// ourJoinLink is the mrkdwn link IncidentList writes for a public call.
var ourJoinLink = regexp.MustCompile(`<https?://[^<>|\s]+\|Join the call>`)

// withoutJoinLinks removes the list's own call links, after checking they
// belong to public incidents of the list.
func withoutJoinLinks(tb testing.TB, list []warroom.Incident, s string) string {
	tb.Helper()
	return ourJoinLink.ReplaceAllStringFunc(s, func(link string) string {
		for _, inc := range list {
			if inc.Meeting != nil && !inc.Private && strings.Contains(link, strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "%7C").Replace(inc.Meeting.JoinURL)) {
				return ""
			}
		}
		tb.Fatalf("a call link of no public incident: %s", link)
		return ""
	})
}

// checkPrivacy: for a private incident, nothing shown outside its channel
// may carry a link: no URL button, no mrkdwn link (user text is escaped, so
// any "<http" is warroom's own).
func checkPrivacy(tb testing.TB, inc warroom.Incident) {
	tb.Helper()
	if !inc.Private {
		return
	}
	outside := map[string]func() (string, []slack.Block){
		"announcement": func() (string, []slack.Block) { return blocks.Announcement(inc) },
		"list":         func() (string, []slack.Block) { return blocks.IncidentList([]warroom.Incident{inc}, now) },
		"declared":     func() (string, []slack.Block) { return blocks.Declared(inc) },
		"status":       func() (string, []slack.Block) { return blocks.StatusReply(inc, now) },
	}
	for what, build := range outside {
		text, b := build()
		wire := text + string(marshal(tb, b))
		if strings.Contains(wire, `"url"`) || strings.Contains(wire, "<http") {
			tb.Fatalf("private incident, %s: holds a link:\n%s", what, wire)
		}
	}
}

// TestPrivateIncidentsHideTheCall searches what is shown outside a private
// incident's channel for its call, in every form.
func TestPrivateIncidentsHideTheCall(t *testing.T) {
	secrets := []string{joinURL, "81234567890", "812 3456 7890", "482913", "pwd="}
	for _, inc := range []warroom.Incident{
		private(incident(warroom.CallReady)),
		private(started(incident(warroom.CallReady))),
		private(resolvedIncident()),
	} {
		outside := map[string]func() (string, []slack.Block){
			"announcement": func() (string, []slack.Block) { return blocks.Announcement(inc) },
			"list": func() (string, []slack.Block) {
				return blocks.IncidentList([]warroom.Incident{inc, with(inc, func(i *warroom.Incident) { i.ID = 7 })}, now)
			},
			"declared": func() (string, []slack.Block) { return blocks.Declared(inc) },
			"status":   func() (string, []slack.Block) { return blocks.StatusReply(inc, now) },
		}
		for what, build := range outside {
			text, b := build()
			checkMessage(t, text, b)
			for _, wire := range []string{text + string(marshal(t, b)), string(mustJSON(t, b))} {
				for _, secret := range secrets {
					if strings.Contains(wire, secret) {
						t.Errorf("private %s %s: shows %q:\n%s", inc.Status, what, secret, wire)
					}
				}
			}
		}
		// The announcement says only that a private incident exists.
		text, b := blocks.Announcement(inc)
		wire := text + string(marshal(t, b))
		for _, secret := range []string{inc.Title, "Checkout", inc.ChannelID, inc.ChannelName, inc.DeclaredBy, "U0COMMAND1", inc.Ref(), "Rolled back"} {
			if strings.Contains(wire, secret) {
				t.Errorf("private announcement shows %q:\n%s", secret, wire)
			}
		}
		for _, want := range []string{"A private incident", inc.Severity.String(), map[warroom.Status]string{warroom.StatusActive: "Active", warroom.StatusResolved: "Resolved"}[inc.Status]} {
			if !strings.Contains(wire, want) {
				t.Errorf("private announcement lacks %q:\n%s", want, wire)
			}
		}
		// Inside the channel the call is there.
		for what, build := range map[string]func() (string, []slack.Block){
			"pinned":    func() (string, []slack.Block) { return blocks.IncidentMessage(inc) },
			"call info": func() (string, []slack.Block) { return blocks.CallInfo(inc) },
		} {
			text, b := build()
			if has := strings.Contains(string(marshal(t, b)), joinURL); has == (inc.Status == warroom.StatusResolved) {
				t.Errorf("private %s %s: join link shown = %v:\n%s%s", inc.Status, what, has, text, marshal(t, b))
			}
		}
	}
	// The same search finds the call of a public incident: it would catch a leak.
	pub := started(incident(warroom.CallReady))
	for what, build := range map[string]func() (string, []slack.Block){
		"announcement": func() (string, []slack.Block) { return blocks.Announcement(pub) },
		"list":         func() (string, []slack.Block) { return blocks.IncidentList([]warroom.Incident{pub}, now) },
		"declared":     func() (string, []slack.Block) { return blocks.Declared(pub) },
		"status":       func() (string, []slack.Block) { return blocks.StatusReply(pub, now) },
	} {
		_, b := build()
		if !strings.Contains(string(marshal(t, b)), joinURL) {
			t.Errorf("public %s: no join link", what)
		}
	}
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestCallState checks the Call field and the buttons of the pinned
// message in every state of the call and the incident.
func TestCallState(t *testing.T) {
	tests := []struct {
		name          string
		inc           warroom.Incident
		field         string
		join, retry   bool
		ended, ringer string
	}{
		{"ready, status unknown yet", incident(warroom.CallReady), "Waiting for people", true, false, "", ""},
		{"waiting", with(incident(warroom.CallReady), func(i *warroom.Incident) { i.Meeting.Status = warroom.MeetingWaiting }), "Waiting for people", true, false, "", ""},
		{"started", started(incident(warroom.CallReady)), "In progress", true, false, "", ""},
		{"started, people counted", with(started(incident(warroom.CallReady)), func(i *warroom.Incident) {
			i.Meeting.People, i.Meeting.StartedAt = 4, time.Date(2026, 11, 23, 14, 2, 0, 0, time.UTC)
		}), "In progress · 4 people · since <!date^1795442520^{time}|14:02 UTC>", true, false, "", ""},
		{"ended, lasted 52 min", with(incident(warroom.CallReady), func(i *warroom.Incident) {
			i.Meeting.Status = warroom.MeetingEnded
			i.Meeting.StartedAt = time.Date(2026, 11, 23, 14, 2, 0, 0, time.UTC)
			i.Meeting.EndedAt = i.Meeting.StartedAt.Add(52 * time.Minute)
		}), "Ended · 52 min", true, false, "", ""},
		{"meeting ended, incident open", with(incident(warroom.CallReady), func(i *warroom.Incident) { i.Meeting.Status = warroom.MeetingEnded }), "Ended", true, false, "", ""},
		{"odd meeting status", with(incident(warroom.CallReady), func(i *warroom.Incident) { i.Meeting.Status = "paused" }), "Ready", true, false, "", ""},
		{"pending", incident(warroom.CallPending), "Setting up", false, false, "", ""},
		{"failed", incident(warroom.CallFailed), "Failed, retrying", false, true, "", ""},
		{"removed", incident(warroom.CallRemoved), "Removed", false, false, "", ""},
		{"resolved while started", resolvedIncident(), "Ended", false, false, "📵 The call has ended (incident resolved <!date^1795431900^{date_short_pretty} {time}|2026-11-23 11:05 UTC>)", "Rolled back deploy 1234 &amp; &lt;@U024BE7LH&gt; added an alert."},
		{"resolved while failed", with(incident(warroom.CallFailed), func(i *warroom.Incident) { i.Status = warroom.StatusResolved }), "Ended", false, false, "📵 The call has ended (incident resolved)", ""},
		{"resolved while pending", with(incident(warroom.CallPending), func(i *warroom.Incident) {
			i.Status, i.ResolvedAt = warroom.StatusResolved, resolvedAt
		}), "Ended", false, false, "📵 The call has ended (incident resolved <!date^", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, b := blocks.IncidentMessage(tt.inc)
			wire := string(marshal(t, b))
			if !strings.Contains(wire, `"*Call*\n`+tt.field+`"`) {
				t.Errorf("Call field is not %q:\n%s", tt.field, wire)
			}
			if got := strings.Contains(wire, `"action_id": "join_call"`); got != tt.join {
				t.Errorf("Join Call button = %v, want %v", got, tt.join)
			}
			if got := strings.Contains(wire, `"action_id": "retry_call"`); got != tt.retry {
				t.Errorf("Retry button = %v, want %v", got, tt.retry)
			}
			if tt.ended != "" && !strings.Contains(wire, tt.ended) {
				t.Errorf("no %q:\n%s", tt.ended, wire)
			}
			if tt.ended == "" && strings.Contains(wire, "has ended") {
				t.Errorf("says the call has ended:\n%s", wire)
			}
			if tt.ringer != "" && !strings.Contains(wire, tt.ringer) {
				t.Errorf("no summary %q:\n%s", tt.ringer, wire)
			}
		})
	}
}

func TestCommanderField(t *testing.T) {
	for _, tt := range []struct {
		commander, want string
		declaredBy      bool
	}{
		{"", "*Commander*\\n<@U024BE7LH>", false},
		{"U024BE7LH", "*Commander*\\n<@U024BE7LH>", false},
		{"W0OTHER1", "*Commander*\\n<@W0OTHER1>", true},
	} {
		inc := incident(warroom.CallReady)
		inc.Commander = tt.commander
		for what, build := range map[string]func() (string, []slack.Block){
			"pinned":       func() (string, []slack.Block) { return blocks.IncidentMessage(inc) },
			"announcement": func() (string, []slack.Block) { return blocks.Announcement(inc) },
			"status":       func() (string, []slack.Block) { return blocks.StatusReply(inc, now) },
		} {
			_, b := build()
			wire := string(marshal(t, b))
			if !strings.Contains(wire, tt.want) {
				t.Errorf("commander %q, %s: no %q:\n%s", tt.commander, what, tt.want, wire)
			}
			if what == "pinned" && strings.Contains(wire, "Declared by") != tt.declaredBy {
				t.Errorf("commander %q: Declared by shown = %v", tt.commander, !tt.declaredBy)
			}
		}
	}
}

func TestAdoptValue(t *testing.T) {
	for _, url := range []string{
		joinURL,
		"https://fake.zoom.us/j/12345678901?pwd=x&uname=A%20B",
		"https://zoom.us/j/1?pwd=" + strings.Repeat("a", 2000-len("9007199254740993 https://zoom.us/j/1?pwd=")),
	} {
		for _, id := range []int64{1, 42, 9007199254740993} {
			text, b := blocks.AdoptPrompt(id, url)
			checkMessage(t, text, b)
			var value string
			for _, blk := range b {
				if a, ok := blk.(*slack.ActionBlock); ok {
					for _, e := range a.Elements.ElementSet {
						if btn, ok := e.(*slack.ButtonBlockElement); ok && btn.ActionID == blocks.ActionAdoptCall {
							value = btn.Value
							if btn.Style != slack.StylePrimary {
								t.Errorf("adopt button style %q", btn.Style)
							}
						}
					}
				}
			}
			if value == "" {
				t.Fatalf("AdoptPrompt(%d, %q): no button:\n%s", id, url, marshal(t, b))
			}
			gotID, gotURL, err := blocks.ParseAdoptValue(value)
			if err != nil || gotID != id || gotURL != url {
				t.Errorf("ParseAdoptValue(%q) = %d, %q, %v; want %d, %q", value, gotID, gotURL, err, id, url)
			}
			if strings.Contains(text, url) {
				t.Errorf("prompt text shows the link: %q", text)
			}
		}
	}
	// Past the button value's 2000 characters: no button, an explanation.
	long := "https://zoom.us/j/1?pwd=" + strings.Repeat("a", 2000)
	for _, url := range []string{long, "javascript:alert(1)", "https://zoom.us/j/1 x", ""} {
		text, b := blocks.AdoptPrompt(42, url)
		checkMessage(t, text, b)
		if wire := string(marshal(t, b)); strings.Contains(wire, blocks.ActionAdoptCall) || strings.Contains(wire, "aaaa") {
			t.Errorf("AdoptPrompt(%.40q…): a button or the link:\n%s", url, wire)
		}
	}
	for _, v := range []string{"", "42", "42 ", " https://zoom.us/j/1", "0 https://zoom.us/j/1", "-1 https://zoom.us/j/1",
		"x https://zoom.us/j/1", "42 javascript:alert(1)", "42 https://zoom.us/j/1 x", "99999999999999999999 https://zoom.us/j/1"} {
		if id, url, err := blocks.ParseAdoptValue(v); err == nil || warroom.ErrorCode(err) != warroom.EINVALID {
			t.Errorf("ParseAdoptValue(%q) = %d, %q, %v; want an EINVALID error", v, id, url, err)
		}
	}
}

func TestIncidentList(t *testing.T) {
	_, b := blocks.IncidentList(mixedList(), now)
	wire := string(marshal(t, b))
	// Worst first, oldest first within a severity; resolved ones left out.
	var order []string
	for _, m := range regexp.MustCompile(`\*INC-(\d+)\*`).FindAllStringSubmatch(wire, -1) {
		order = append(order, m[1])
	}
	if want := []string{"43", "42", "45", "44", "47"}; !slices.Equal(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
	for _, want := range []string{
		"*INC-42* · SEV2 · <#C08ABCDEF12> · 3h 12m\nCheckout is down\n📞 In progress · <" + joinURL + "|Join the call>",
		"*INC-43* · SEV1 · <#C08PRIVATE1> · 42m\n🔒 Private incident\n📞 Waiting for people\"",
		"*INC-44* · SEV3 · <#C08SEARCH01> · 2d 3h\nSearch is slow &lt;sometimes&gt; &amp; flaky\n📞 Failed, retrying\"",
		"*INC-45* · SEV2 · <#C08LOGIN001> · 0m\nLogin errors\n📞 Setting up\"",
		"*INC-47* · SEV4 · <#C08DOCS0001> · 12m",
	} {
		if !strings.Contains(wire, strings.ReplaceAll(want, "\n", `\n`)) {
			t.Errorf("list lacks %q:\n%s", want, wire)
		}
	}
	if strings.Contains(wire, "Payroll") {
		t.Errorf("list shows a private incident's title:\n%s", wire)
	}

	for _, n := range []int{1, 48, 49, 50, 51, 120, 500} {
		list := longList(n)
		text, b := blocks.IncidentList(list, now)
		checkMessage(t, text, b)
		checkAck(t, fmt.Sprintf("list of %d", n), text, b)
		checkNoUserMarkup(t, "list", withoutJoinLinks(t, list, text+string(marshal(t, b))))
		shown := strings.Count(string(marshal(t, b)), "*INC-")
		more := 0
		if m := regexp.MustCompile(`…and (\d+) more`).FindStringSubmatch(string(marshal(t, b))); m != nil {
			more, _ = strconv.Atoi(m[1])
		}
		if shown+more != n || shown == 0 || (more > 0) != (shown < n) {
			t.Errorf("%d incidents: %d shown, %d more", n, shown, more)
		}
		if !strings.HasPrefix(text, strconv.Itoa(n)+" open incident") {
			t.Errorf("%d incidents: text %q", n, text)
		}
	}
}

func TestMeetingTopicFrom(t *testing.T) {
	inc := incident(warroom.CallPending)
	tests := []struct {
		name, tmpl, title, declarer, want string
	}{
		{"default", "", "Checkout is down", "Ana", "SEV2 Incident – Checkout is down"},
		{"blank is default", "  \t", "Checkout is down", "Ana", "SEV2 Incident – Checkout is down"},
		{"all placeholders", "{{ref}} {{severity}} {{title}} by {{declarer}} ({{status}})", "Checkout is down", "Ana Lima", "INC-42 SEV2 Checkout is down by Ana Lima (Active)"},
		{"case and spaces", "{{ TITLE }}/{{Ref}}", "x", "", "x/INC-42"},
		{"unknown left as is", "{{team}} {{title}} {{ title } {{}}", "x", "", "{{team}} x {{ title } {{}}"},
		{"no re-expansion", "{{title}} by {{declarer}}", "{{ref}} & <b>", "{{severity}}", "{{ref}} & <b> by {{severity}}"},
		{"mentions as Slack shows them", "{{title}}", "<@U123|bob> <!channel> <#C1|prod> <@U9>", "", "@bob @channel #prod @U9"},
		{"declarer unknown", "by {{declarer}}", "x", "", "by @U024BE7LH"},
		{"one line", "{{title}}\n{{ref}}", "a\tb", "A\nB", "a b INC-42"},
		{"only the template", "Incident bridge", "x", "", "Incident bridge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inc := inc
			inc.Title = tt.title
			if got := blocks.MeetingTopicFrom(tt.tmpl, inc, tt.declarer); got != tt.want {
				t.Errorf("MeetingTopicFrom(%q) = %q, want %q", tt.tmpl, got, tt.want)
			}
		})
	}

	// Too long: the title is cut, the template's own words are kept.
	inc.Title = strings.Repeat("word ", 100)
	got := blocks.MeetingTopicFrom("{{severity}} – {{title}} – {{ref}}", inc, "")
	if n := utf8.RuneCountInString(got); n > 200 || !strings.HasPrefix(got, "SEV2 – word") || !strings.HasSuffix(got, "… – INC-42") {
		t.Errorf("long title: %q (%d characters)", got, n)
	}
	got = blocks.MeetingTopicFrom("{{title}} | {{title}}", inc, "")
	if n := utf8.RuneCountInString(got); n > 200 || strings.Count(got, "…") != 2 {
		t.Errorf("two long titles: %q (%d characters)", got, n)
	}
	// A template too long by itself is cut as a whole.
	got = blocks.MeetingTopicFrom(strings.Repeat("🔥", 150)+"{{title}}", inc, "")
	if n := chars(got); n > 200 || !strings.HasSuffix(got, "…") {
		t.Errorf("long template: %q (%d UTF-16 units)", got, n)
	}
}

func TestAgendaFrom(t *testing.T) {
	inc := incident(warroom.CallPending)
	inc.FullTitle = "Checkout is down" + strings.Repeat(" and more", 10)
	got := blocks.AgendaFrom("{{ref}}: {{title}}\nDeclared by {{declarer}}.", inc, "Ana")
	if want := "INC-42: " + strings.TrimSpace(inc.FullTitle) + "\nDeclared by Ana."; got != want {
		t.Errorf("AgendaFrom = %q, want %q", got, want)
	}
	if got := blocks.AgendaFrom("", inc, "Ana"); got != "" {
		t.Errorf("empty template: %q", got)
	}
	inc.FullTitle = strings.Repeat("x", 5000)
	if got := blocks.AgendaFrom("{{title}}\n{{ref}}", inc, ""); utf8.RuneCountInString(got) > 2000 || !strings.HasSuffix(got, "…\nINC-42") {
		t.Errorf("long agenda: %d characters, ends %q", utf8.RuneCountInString(got), got[len(got)-20:])
	}
}

// TestModals renders the modals with many defaults, checks them against
// Block Kit's limits and compares the usual ones with golden files.
func TestModals(t *testing.T) {
	custom := warroom.MeetingDefaults{
		TopicTemplate:  "[{{ref}}] {{title}}",
		AgendaTemplate: "Runbook: https://wiki.example/incidents\n\nCommander: {{declarer}}",
		WaitingRoom:    true,
		MuteOnEntry:    true,
		AutoRecording:  "cloud",
		EndOnResolve:   true,
	}
	goldens := map[string]slack.ModalViewRequest{
		"modal_declare": blocks.DeclareModal(blocks.DeclareDefaults{}),
		"modal_declare_prefilled": blocks.DeclareModal(blocks.DeclareDefaults{
			Title: "Checkout is down", Severity: warroom.SEV1, Private: true, ChannelID: "C0SRC",
		}),
		"modal_zoom_settings":        blocks.ZoomSettingsModal(warroom.DefaultMeetingDefaults()),
		"modal_zoom_settings_custom": blocks.ZoomSettingsModal(custom),
		"modal_zoom_settings_empty":  blocks.ZoomSettingsModal(warroom.MeetingDefaults{}),
	}
	for name, view := range goldens {
		t.Run(name, func(t *testing.T) {
			checkModal(t, view)
			golden(t, name, marshal(t, view))
		})
	}
	for tname, title := range titles() {
		for _, sev := range []warroom.Severity{0, 1, 4, 9} {
			for _, ch := range []string{"", "C0SRC", strings.Repeat("C", 4000), "<!here>"} {
				checkModal(t, blocks.DeclareModal(blocks.DeclareDefaults{Title: title, Severity: sev, Private: sev == 1, ChannelID: ch}))
			}
		}
		checkModal(t, blocks.ZoomSettingsModal(warroom.MeetingDefaults{
			TopicTemplate: title, AgendaTemplate: title + "\n" + title, AutoRecording: tname,
			JoinBeforeHost: true, WaitingRoom: true,
		}))
	}
}

// submitted is the view Slack sends with view_submission when a person
// submits modal: the view as Slack stores it (a JSON round trip through
// slack-go, which must be able to read our blocks back) and its state, each
// input holding its initial value unless answers gives another. An answer
// for an input the modal does not have, or of the wrong kind, fails.
func submitted(tb testing.TB, modal slack.ModalViewRequest, answers map[string]slack.BlockAction) slack.View {
	tb.Helper()
	var view slack.View
	if err := json.Unmarshal(mustJSON(tb, modal), &view); err != nil {
		tb.Fatalf("slack-go cannot read the modal back: %v", err)
	}
	view.State = &slack.ViewState{Values: map[string]map[string]slack.BlockAction{}}
	used := map[string]bool{}
	for _, blk := range view.Blocks.BlockSet {
		in, ok := blk.(*slack.InputBlock)
		if !ok {
			continue
		}
		var a slack.BlockAction
		var actionID string
		var options []*slack.OptionBlockObject
		switch e := in.Element.(type) {
		case *slack.PlainTextInputBlockElement:
			actionID = e.ActionID
			a = slack.BlockAction{Type: "plain_text_input", Value: e.InitialValue}
		case *slack.SelectBlockElement:
			actionID, options = e.ActionID, e.Options
			a = slack.BlockAction{Type: slack.ActionType(e.Type)}
			if e.InitialOption != nil {
				a.SelectedOption = *e.InitialOption
			}
		case *slack.MultiSelectBlockElement:
			actionID = e.ActionID
			a = slack.BlockAction{Type: slack.ActionType(e.Type), SelectedUsers: e.InitialUsers}
		case *slack.CheckboxGroupsBlockElement:
			actionID, options = e.ActionID, e.Options
			a = slack.BlockAction{Type: "checkboxes"}
			for _, o := range e.InitialOptions {
				a.SelectedOptions = append(a.SelectedOptions, *o)
			}
		case *slack.RadioButtonsBlockElement:
			actionID, options = e.ActionID, e.Options
			a = slack.BlockAction{Type: "radio_buttons"}
			if e.InitialOption != nil {
				a.SelectedOption = *e.InitialOption
			}
		default:
			tb.Fatalf("input %s: element %T", in.BlockID, in.Element)
		}
		if answer, ok := answers[in.BlockID]; ok {
			used[in.BlockID] = true
			if answer.Type != "" && answer.Type != a.Type {
				tb.Fatalf("answer for %s is a %s, the input a %s", in.BlockID, answer.Type, a.Type)
			}
			answer.Type = a.Type
			for _, o := range append([]slack.OptionBlockObject{answer.SelectedOption}, answer.SelectedOptions...) {
				if o.Value != "" && !slices.ContainsFunc(options, func(opt *slack.OptionBlockObject) bool { return opt.Value == o.Value }) &&
					!strings.HasPrefix(o.Value, "forged") {
					tb.Fatalf("answer for %s chooses %q, not an option", in.BlockID, o.Value)
				}
			}
			a = answer
		}
		a.BlockID, a.ActionID = in.BlockID, actionID
		view.State.Values[in.BlockID] = map[string]slack.BlockAction{actionID: a}
	}
	for id := range answers {
		if !used[id] {
			tb.Fatalf("answer for %s: the modal has no such input", id)
		}
	}
	return view
}

func inputBlockIDs(modal slack.ModalViewRequest) map[string]bool {
	out := map[string]bool{}
	for _, b := range modal.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok {
			out[in.BlockID] = true
		}
	}
	return out
}

func TestDeclareSubmission(t *testing.T) {
	for _, d := range []blocks.DeclareDefaults{
		{Title: "Checkout is down", Severity: warroom.SEV1, Private: true, ChannelID: "C0SRC"},
		{Title: "  spaced \t out  ", Severity: warroom.SEV4},
		{Title: strings.Repeat("日本", 100), Severity: warroom.SEV3, ChannelID: "not an id"},
	} {
		modal := blocks.DeclareModal(d)
		if modal.CallbackID != blocks.CallbackDeclare {
			t.Errorf("callback_id %q", modal.CallbackID)
		}
		got, errs := blocks.ParseDeclareSubmission(submitted(t, modal, nil))
		want := blocks.DeclareSubmission{
			Title: strings.Join(strings.Fields(d.Title), " "), Severity: d.Severity, Private: d.Private, ChannelID: d.ChannelID,
		}
		if utf8.RuneCountInString(want.Title) > 150 {
			want.Title = string([]rune(want.Title)[:150])
		}
		if want.ChannelID == "not an id" {
			want.ChannelID = ""
		}
		if diff := cmp.Diff(want, got); diff != "" || len(errs) != 0 {
			t.Errorf("submitting DeclareModal(%+v) unchanged (-want +got):\n%s\nerrors: %v", d, diff, errs)
		}
	}

	modal := blocks.DeclareModal(blocks.DeclareDefaults{ChannelID: "C0SRC"})
	got, errs := blocks.ParseDeclareSubmission(submitted(t, modal, map[string]slack.BlockAction{
		blocks.BlockDeclareTitle:      {Value: " DB\nfailover  stuck "},
		blocks.BlockDeclareSeverity:   {SelectedOption: slack.OptionBlockObject{Value: "3"}},
		blocks.BlockDeclarePrivate:    {SelectedOptions: []slack.OptionBlockObject{{Value: "private"}}},
		blocks.BlockDeclareResponders: {SelectedUsers: []string{"U1", "W2", "U1", "<!here>"}},
	}))
	want := blocks.DeclareSubmission{Title: "DB failover stuck", Severity: warroom.SEV3, Private: true, Responders: []string{"U1", "W2"}, ChannelID: "C0SRC"}
	if diff := cmp.Diff(want, got); diff != "" || len(errs) != 0 {
		t.Errorf("submission (-want +got):\n%s\nerrors: %v", diff, errs)
	}

	inputs := inputBlockIDs(modal)
	for name, tt := range map[string]struct {
		answers map[string]slack.BlockAction
		block   string
	}{
		"empty title":     {map[string]slack.BlockAction{blocks.BlockDeclareTitle: {Value: ""}}, blocks.BlockDeclareTitle},
		"blank title":     {map[string]slack.BlockAction{blocks.BlockDeclareTitle: {Value: " \n\t "}}, blocks.BlockDeclareTitle},
		"long title":      {map[string]slack.BlockAction{blocks.BlockDeclareTitle: {Value: strings.Repeat("x", 151)}}, blocks.BlockDeclareTitle},
		"forged severity": {map[string]slack.BlockAction{blocks.BlockDeclareTitle: {Value: "x"}, blocks.BlockDeclareSeverity: {SelectedOption: slack.OptionBlockObject{Value: "forged9"}}}, blocks.BlockDeclareSeverity},
	} {
		_, errs := blocks.ParseDeclareSubmission(submitted(t, modal, tt.answers))
		if len(errs) != 1 || errs[tt.block] == "" || !inputs[tt.block] {
			t.Errorf("%s: errors %v, want one on %s", name, errs, tt.block)
		}
	}
	if _, errs := blocks.ParseDeclareSubmission(slack.View{}); errs[blocks.BlockDeclareTitle] == "" {
		t.Errorf("a view without state: errors %v", errs)
	}
}

func TestZoomSettingsSubmission(t *testing.T) {
	for _, d := range []warroom.MeetingDefaults{
		warroom.DefaultMeetingDefaults(),
		{TopicTemplate: "[{{ref}}] {{title}}", AgendaTemplate: "Line 1\n\nLine 3", WaitingRoom: true, MuteOnEntry: true, AutoRecording: "cloud", EndOnResolve: true},
		{TopicTemplate: "x", JoinBeforeHost: true, AutoRecording: "local"},
		{TopicTemplate: "x", AutoRecording: "none"},
	} {
		modal := blocks.ZoomSettingsModal(d)
		if modal.CallbackID != blocks.CallbackZoomSettings {
			t.Errorf("callback_id %q", modal.CallbackID)
		}
		got, errs := blocks.ParseZoomSettings(submitted(t, modal, nil))
		if diff := cmp.Diff(d, got); diff != "" || len(errs) != 0 {
			t.Errorf("submitting ZoomSettingsModal(%+v) unchanged (-want +got):\n%s\nerrors: %v", d, diff, errs)
		}
	}
	// Empty defaults open with Zoom's default topic and no recording.
	got, errs := blocks.ParseZoomSettings(submitted(t, blocks.ZoomSettingsModal(warroom.MeetingDefaults{}), nil))
	if want := (warroom.MeetingDefaults{TopicTemplate: warroom.DefaultMeetingDefaults().TopicTemplate, AutoRecording: "none"}); got != want || len(errs) != 0 {
		t.Errorf("empty defaults: %+v, %v; want %+v", got, errs, want)
	}

	modal := blocks.ZoomSettingsModal(warroom.DefaultMeetingDefaults())
	got, errs = blocks.ParseZoomSettings(submitted(t, modal, map[string]slack.BlockAction{
		blocks.BlockTopicTemplate:  {Value: "  {{severity}}: {{title}}  "},
		blocks.BlockAgendaTemplate: {Value: " a\r\nb\x00c "},
		blocks.BlockMeetingOptions: {SelectedOptions: []slack.OptionBlockObject{
			{Value: "mute_on_entry"}, {Value: "end_on_resolve"}, {Value: "join_before_host"}, {Value: "auto_summary"},
		}},
		blocks.BlockAutoRecording: {SelectedOption: slack.OptionBlockObject{Value: "local"}},
	}))
	want := warroom.MeetingDefaults{TopicTemplate: "{{severity}}: {{title}}", AgendaTemplate: "a\nb c", JoinBeforeHost: true, MuteOnEntry: true, AutoRecording: "local", EndOnResolve: true,
		AutoSummary: true}
	if got != want || len(errs) != 0 {
		t.Errorf("submission: %+v, %v; want %+v", got, errs, want)
	}

	inputs := inputBlockIDs(modal)
	for name, tt := range map[string]struct {
		answers map[string]slack.BlockAction
		block   string
		says    string
	}{
		"empty topic":   {map[string]slack.BlockAction{blocks.BlockTopicTemplate: {Value: "  "}}, blocks.BlockTopicTemplate, "topic"},
		"long topic":    {map[string]slack.BlockAction{blocks.BlockTopicTemplate: {Value: strings.Repeat("x", 201)}}, blocks.BlockTopicTemplate, "200"},
		"long agenda":   {map[string]slack.BlockAction{blocks.BlockAgendaTemplate: {Value: strings.Repeat("x", 2001)}}, blocks.BlockAgendaTemplate, "2,000"},
		"bad recording": {map[string]slack.BlockAction{blocks.BlockAutoRecording: {SelectedOption: slack.OptionBlockObject{Value: "forged"}}}, blocks.BlockAutoRecording, "record"},
		"waiting room and join before host": {map[string]slack.BlockAction{blocks.BlockMeetingOptions: {SelectedOptions: []slack.OptionBlockObject{
			{Value: "waiting_room"}, {Value: "join_before_host"},
		}}}, blocks.BlockMeetingOptions, "wait forever"},
	} {
		_, errs := blocks.ParseZoomSettings(submitted(t, modal, tt.answers))
		if len(errs) != 1 || !strings.Contains(errs[tt.block], tt.says) || !inputs[tt.block] {
			t.Errorf("%s: errors %v, want one on %s saying %q", name, errs, tt.block, tt.says)
		}
	}
}

// TestModalErrorsFitTheWire checks the errors a submission may get back fit
// Slack's response (keys are input block_ids, messages are short).
func TestModalErrorsFitTheWire(t *testing.T) {
	_, errs := blocks.ParseZoomSettings(slack.View{})
	for k, v := range errs {
		if k == "" || utf8.RuneCountInString(v) > 300 || bytes.ContainsAny([]byte(v), "<>&") {
			t.Errorf("error %q: %q", k, v)
		}
	}
}

// FuzzAdoptValue checks that a prompt's button value reads back as the
// incident and link it was made for, and that no value panics the reader.
func FuzzAdoptValue(f *testing.F) {
	f.Add(int64(42), joinURL)
	f.Add(int64(-1), "https://zoom.us/j/1 x")
	f.Add(int64(9007199254740993), "https://zoom.us/j/1?pwd="+strings.Repeat("a", 1990))
	f.Add(int64(1), "\xff")
	f.Fuzz(func(t *testing.T, id int64, url string) {
		text, b := blocks.AdoptPrompt(id, url)
		checkMessage(t, text, b)
		checkNoUserMarkup(t, "adopt prompt", text+string(marshal(t, b)))
		for _, blk := range b {
			a, ok := blk.(*slack.ActionBlock)
			if !ok {
				continue
			}
			for _, e := range a.Elements.ElementSet {
				btn := e.(*slack.ButtonBlockElement)
				gotID, gotURL, err := blocks.ParseAdoptValue(btn.Value)
				if id > 0 && (err != nil || gotID != id || gotURL != url) {
					t.Fatalf("ParseAdoptValue(%q) = %d, %q, %v; want %d, %q", btn.Value, gotID, gotURL, err, id, url)
				}
			}
		}
		if gotID, gotURL, err := blocks.ParseAdoptValue(url); err == nil && (gotID <= 0 || gotURL == "") {
			t.Fatalf("ParseAdoptValue(%q) = %d, %q", url, gotID, gotURL)
		}
	})
}

// FuzzMeetingTemplates checks that any template and title render within
// Zoom's limits as tidy plain text.
func FuzzMeetingTemplates(f *testing.F) {
	f.Add("{{severity}} Incident – {{title}}", "Checkout is down", "Ana")
	f.Add("{{title}}", "", "")
	f.Add("{{title}}{{title}}{{TITLE}}", strings.Repeat("🔥", 300), "<!channel>")
	f.Add(strings.Repeat("{{ref}}", 100), "<@U1|x>\n\x00", "\xff")
	f.Fuzz(func(t *testing.T, tmpl, title, declarer string) {
		inc := incident(warroom.CallPending)
		inc.Title, inc.FullTitle = title, title+title
		topic := blocks.MeetingTopicFrom(tmpl, inc, declarer)
		agenda := blocks.AgendaFrom(tmpl, inc, declarer)
		if topic == "" || chars(topic) > 200 || chars(agenda) > 2000 {
			t.Fatalf("topic %d, agenda %d characters", chars(topic), chars(agenda))
		}
		for _, s := range []string{topic, agenda} {
			if !utf8.ValidString(s) || strings.TrimSpace(s) != s {
				t.Fatalf("not tidy plain text: %q", s)
			}
		}
		if strings.ContainsFunc(topic, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			t.Fatalf("topic has control characters: %q", topic)
		}
	})
}

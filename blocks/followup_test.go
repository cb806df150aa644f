package blocks_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
)

const (
	reviewURL = "https://us05web.zoom.us/j/85551234567?pwd=rEvIeW.1"
	shareURL  = "https://us05web.zoom.us/rec/share/Xy7_aBcD-eF.gHiJ"
)

// reviewAt is two days after resolvedAt, in the afternoon UTC.
var reviewAt = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

// followup returns a typical follow-up: "ready" (its meeting exists),
// "pending" (Zoom has not made it yet) or "cancelled".
func followup(state string) warroom.Followup {
	f := warroom.Followup{
		ID: 7, IncidentID: 42, N: 1,
		Topic:    "Checkout root cause & the retry storm",
		Start:    reviewAt,
		Duration: 45 * time.Minute,
		Invitees: []string{"U024BE7LH", "U0COMMAND1"},
	}
	if state != "pending" {
		f.Meeting = &warroom.Meeting{ID: 85551234567, JoinURL: reviewURL, Password: "739201", Topic: "Post-incident review – INC-42"}
	}
	f.Cancelled = state == "cancelled"
	return f
}

func withFollowup(f warroom.Followup, change func(*warroom.Followup)) warroom.Followup {
	if f.Meeting != nil {
		m := *f.Meeting
		f.Meeting = &m
	}
	change(&f)
	return f
}

func followupList() []warroom.Followup {
	return []warroom.Followup{
		withFollowup(followup("pending"), func(f *warroom.Followup) {
			f.ID, f.N, f.Topic, f.Duration, f.Invitees = 9, 3, "", 0, nil
			f.Start = reviewAt.Add(7 * 24 * time.Hour)
		}),
		followup("ready"),
		withFollowup(followup("cancelled"), func(f *warroom.Followup) {
			f.ID, f.N, f.Topic, f.Duration = 8, 2, "Vendor <b>call</b>", 90*time.Minute
			f.Start = reviewAt.Add(26 * time.Hour)
		}),
	}
}

func people(n int) []blocks.Attendee {
	var out []blocks.Attendee
	for i := range n {
		out = append(out, blocks.Attendee{
			Name:     fmt.Sprintf("Responder Number %03d", i),
			Email:    fmt.Sprintf("responder%03d@example.com", i),
			Duration: time.Duration(i%90) * time.Minute,
		})
	}
	return out
}

func recording(display warroom.PasscodeDisplay) blocks.RecordingPost {
	return blocks.RecordingPost{
		MeetingLabel:  "the incident call",
		ShareURL:      shareURL,
		Passcode:      "k7*Q_2@x",
		Display:       display,
		TranscriptURL: "https://us05web.zoom.us/rec/play/transcript-1?type=vtt&x=1",
		Duration:      47*time.Minute + 20*time.Second,
	}
}

func TestFollowupGolden(t *testing.T) {
	inc := resolvedIncident()
	tests := map[string]func() message{
		"followup_posted":         func() message { return msg(blocks.FollowupPosted(inc, followup("ready"))) },
		"followup_posted_pending": func() message { return msg(blocks.FollowupPosted(inc, followup("pending"))) },
		"followup_posted_default": func() message {
			return msg(blocks.FollowupPosted(inc, withFollowup(followup("ready"), func(f *warroom.Followup) {
				f.Topic, f.Duration, f.Invitees = "", 0, nil
			})))
		},
		"followup_posted_bad_url": func() message {
			return msg(blocks.FollowupPosted(inc, withFollowup(followup("ready"), func(f *warroom.Followup) { f.Meeting.JoinURL = "zoommtg://join?x" })))
		},
		"followup_posted_cancelled": func() message { return msg(blocks.FollowupPosted(inc, followup("cancelled"))) },
		"followup_reminder":         func() message { return msg(blocks.FollowupReminder(inc, followup("ready"))) },
		"followup_reminder_pending": func() message { return msg(blocks.FollowupReminder(inc, followup("pending"))) },
		"followup_cancelled":        func() message { return msg(blocks.FollowupCancelled(inc, followup("cancelled"), "U0COMMAND1")) },
		"followup_cancelled_by_warroom": func() message {
			return msg(blocks.FollowupCancelled(inc, followup("cancelled"), ""))
		},
		"followup_list":       func() message { return msg(blocks.FollowupList(inc, followupList())) },
		"followup_list_empty": func() message { return msg(blocks.FollowupList(inc, nil)) },
		"followup_list_long": func() message {
			var fs []warroom.Followup
			for i := range 120 {
				fs = append(fs, withFollowup(followup("ready"), func(f *warroom.Followup) {
					f.N, f.Start, f.Cancelled = i+1, reviewAt.Add(time.Duration(i)*time.Hour), i%3 == 0
				}))
			}
			return msg(blocks.FollowupList(inc, fs))
		},
		"followup_topic": func() message { return message{Text: blocks.FollowupTopic(inc, followup("ready"))} },
		"followup_topic_long": func() message {
			return message{Text: blocks.FollowupTopic(inc, withFollowup(followup("ready"), func(f *warroom.Followup) { f.Topic = "<@U1|bob> " + strings.Repeat("retry storm ", 30) }))}
		},

		"recording_inline":   func() message { return msg(blocks.Recording(inc, recording(warroom.PasscodeInline))) },
		"recording_separate": func() message { return msg(blocks.Recording(inc, recording(warroom.PasscodeSeparate))) },
		"recording_hidden":   func() message { return msg(blocks.Recording(inc, recording(warroom.PasscodeHidden))) },
		"recording_review": func() message {
			r := recording(warroom.PasscodeInline)
			r.MeetingLabel, r.TranscriptURL, r.Passcode, r.Duration = "the post-incident review", "", "", 72*time.Minute
			r.ShareURL += "?startTime=1795700000000"
			return msg(blocks.Recording(inc, r))
		},
		"recording_bad_url": func() message {
			r := recording(warroom.PasscodeSeparate)
			r.ShareURL, r.TranscriptURL = "", ""
			return msg(blocks.Recording(inc, r))
		},

		"attendance": func() message {
			return msg(blocks.Attendance(inc, "the incident call", []blocks.Attendee{
				{Name: "Ana Lima", Email: "ana@example.com", Duration: 41 * time.Minute},
				{Name: "Raj <on call>", Email: "raj@example.com", Duration: 12 * time.Minute},
				{Name: "Ana Lima", Email: "ANA@example.com", Duration: 6 * time.Minute},
				{Name: "Dial-in +1 555", Duration: 30 * time.Second},
				{Name: "Raj <on call>", Duration: 3 * time.Minute},
				{Email: "cy@example.com", Duration: 58 * time.Minute},
			}))
		},
		"attendance_empty": func() message { return msg(blocks.Attendance(inc, "the post-incident review", nil)) },
		"attendance_long":  func() message { return msg(blocks.Attendance(inc, "", people(250))) },
	}
	for name, build := range tests {
		t.Run(name, func(t *testing.T) {
			m := build()
			if m.Blocks != nil {
				checkMessage(t, m.Text, m.Blocks)
				checkNoUserMarkup(t, name, withoutReviewLinks(t, m.Text+string(marshal(t, m.Blocks))))
			}
			golden(t, name, marshal(t, m))
		})
	}
}

// ourReviewLink is the mrkdwn link FollowupList writes for a review.
var ourReviewLink = regexp.MustCompile(`<https?://[^<>|\s]+\|Join the review>`)

// withoutReviewLinks removes the list's own Join links.
func withoutReviewLinks(tb testing.TB, s string) string {
	tb.Helper()
	return ourReviewLink.ReplaceAllString(s, "")
}

func TestSlackDate(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	for _, tt := range []struct {
		t    time.Time
		want string
	}{
		{reviewAt, "<!date^1795618800^{date_short_pretty} at {time}|2026-11-25 15:00 UTC>"},
		{reviewAt.In(ny), "<!date^1795618800^{date_short_pretty} at {time}|2026-11-25 15:00 UTC>"},
		{time.Date(2026, 3, 8, 3, 30, 0, 0, ny), "<!date^1772955000^{date_short_pretty} at {time}|2026-03-08 07:30 UTC>"},
	} {
		if got := blocks.SlackDate(tt.t); got != tt.want {
			t.Errorf("SlackDate(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}

// buttons finds the URL buttons of a message after a JSON round trip
// through slack-go, as Slack would receive them: action_id → button.
func buttons(t *testing.T, b []slack.Block) map[string]*slack.ButtonBlockElement {
	t.Helper()
	var back slack.Blocks
	if err := json.Unmarshal(mustJSON(t, slack.Blocks{BlockSet: b}), &back); err != nil {
		t.Fatal(err)
	}
	out := map[string]*slack.ButtonBlockElement{}
	for _, block := range back.BlockSet {
		if a, ok := block.(*slack.ActionBlock); ok {
			for _, e := range a.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok {
					if out[btn.ActionID] != nil {
						t.Fatalf("two %s buttons", btn.ActionID)
					}
					out[btn.ActionID] = btn
				}
			}
		}
	}
	return out
}

func TestFollowupJoinButton(t *testing.T) {
	inc := resolvedIncident()
	for _, url := range []string{reviewURL, "https://zoom.us/j/85551234567?pwd=a&b=<c>&uname=x%20y|z"} {
		f := withFollowup(followup("ready"), func(f *warroom.Followup) { f.Meeting.JoinURL = url })
		for what, build := range map[string]func() (string, []slack.Block){
			"posted":   func() (string, []slack.Block) { return blocks.FollowupPosted(inc, f) },
			"reminder": func() (string, []slack.Block) { return blocks.FollowupReminder(inc, f) },
		} {
			_, b := build()
			btn := buttons(t, b)[blocks.ActionJoinFollowup]
			if btn == nil || btn.URL != url || btn.Style != slack.StylePrimary || btn.Text.Text != "Join Review" {
				t.Errorf("%s: Join button %+v, want url %q", what, btn, url)
			}
			if blocks.ActionJoinFollowup != "join_followup" {
				t.Errorf("ActionJoinFollowup = %q", blocks.ActionJoinFollowup)
			}
		}
		// The list links it as mrkdwn: & < > escaped, | no longer ending the target.
		_, b := blocks.FollowupList(inc, []warroom.Followup{f})
		wire := string(marshal(t, b))
		if want := "<" + strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "%7C").Replace(url) + "|Join the review>"; !strings.Contains(wire, want) {
			t.Errorf("list lacks %q:\n%s", want, wire)
		}
	}
	// No meeting, a cancelled review, an unusable link: no button.
	for name, f := range map[string]warroom.Followup{
		"pending":   followup("pending"),
		"cancelled": followup("cancelled"),
		"bad url":   withFollowup(followup("ready"), func(f *warroom.Followup) { f.Meeting.JoinURL = "javascript:alert(1)" }),
		"no host":   withFollowup(followup("ready"), func(f *warroom.Followup) { f.Meeting.JoinURL = "https:///j/1" }),
		"long url":  withFollowup(followup("ready"), func(f *warroom.Followup) { f.Meeting.JoinURL = "https://zoom.us/j/1?pwd=" + strings.Repeat("a", 3000) }),
	} {
		for what, build := range map[string]func() (string, []slack.Block){
			"posted":   func() (string, []slack.Block) { return blocks.FollowupPosted(inc, f) },
			"reminder": func() (string, []slack.Block) { return blocks.FollowupReminder(inc, f) },
		} {
			text, b := build()
			checkMessage(t, text, b)
			if btn := buttons(t, b)[blocks.ActionJoinFollowup]; btn != nil {
				t.Errorf("%s %s: a Join button %+v", name, what, btn)
			}
		}
	}
	text, _ := blocks.FollowupPosted(inc, followup("pending"))
	if !strings.Contains(text, "being scheduled") {
		t.Errorf("pending: %q does not say the meeting is being scheduled", text)
	}
}

func TestFollowupTexts(t *testing.T) {
	inc := resolvedIncident()
	date := blocks.SlackDate(reviewAt)
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "(30 min)"}, {45 * time.Minute, "(45 min)"}, {time.Hour, "(1 hour)"},
		{90 * time.Minute, "(1 h 30 min)"}, {2 * time.Hour, "(2 hours)"}, {5 * time.Minute, "(5 min)"},
	} {
		f := withFollowup(followup("ready"), func(f *warroom.Followup) { f.Duration = tt.d })
		text, _ := blocks.FollowupPosted(inc, f)
		if want := "📅 Post-incident review for INC-42: " + date + " " + tt.want; text != want {
			t.Errorf("posted, %v: %q, want %q", tt.d, text, want)
		}
		text, _ = blocks.FollowupReminder(inc, f)
		if want := "⏰ The post-incident review starts " + date + " " + tt.want; text != want {
			t.Errorf("reminder, %v: %q, want %q", tt.d, text, want)
		}
	}
	text, b := blocks.FollowupCancelled(inc, followup("cancelled"), "U0COMMAND1")
	if want := "❌ The post-incident review #1 for INC-42 on " + date + " was cancelled by <@U0COMMAND1>."; text != want {
		t.Errorf("cancelled: %q, want %q", text, want)
	}
	if wire := string(marshal(t, b)); strings.Contains(wire, `"url"`) {
		t.Errorf("cancelled: a link:\n%s", wire)
	}
	text, _ = blocks.FollowupCancelled(inc, followup("cancelled"), "<!channel>")
	if strings.Contains(text, "<!channel>") {
		t.Errorf("cancelled by a forged ID: %q", text)
	}
	// Invitees are mentioned (they are notified by the reminder), each once.
	f := withFollowup(followup("ready"), func(f *warroom.Followup) { f.Invitees = []string{"U1", "W2", "U1"} })
	_, b = blocks.FollowupReminder(inc, f)
	if wire := string(marshal(t, b)); strings.Count(wire, "<@U1>") != 1 || !strings.Contains(wire, "<@U1> <@W2>") {
		t.Errorf("reminder invitees:\n%s", wire)
	}
	// The topic falls back on the incident's title, escaped.
	inc.Title = "Search <slow> & flaky"
	_, b = blocks.FollowupPosted(inc, withFollowup(followup("ready"), func(f *warroom.Followup) { f.Topic = "  " }))
	if wire := string(marshal(t, b)); !strings.Contains(wire, "*Topic:* Search &lt;slow&gt; &amp; flaky") {
		t.Errorf("default topic:\n%s", wire)
	}
}

func TestFollowupList(t *testing.T) {
	inc := resolvedIncident()
	text, b := blocks.FollowupList(inc, followupList())
	wire := string(marshal(t, b))
	if text != "3 follow-up meetings for INC-42 (1 cancelled)." {
		t.Errorf("text %q", text)
	}
	var order []string
	for _, m := range regexp.MustCompile(`\*#(\d+)\*`).FindAllStringSubmatch(wire, -1) {
		order = append(order, m[1])
	}
	if strings.Join(order, ",") != "1,2,3" {
		t.Errorf("order %v, want by number", order)
	}
	for _, want := range []string{
		"*#1* · " + blocks.SlackDate(reviewAt) + " · 45 min\nCheckout root cause &amp; the retry storm\n📅 Scheduled · <" + strings.ReplaceAll(reviewURL, "&", "&amp;") + "|Join the review>",
		"*#2* · " + blocks.SlackDate(reviewAt.Add(26*time.Hour)) + " · 1 h 30 min\nVendor &lt;b&gt;call&lt;/b&gt;\n❌ Cancelled",
		"*#3* · " + blocks.SlackDate(reviewAt.Add(7*24*time.Hour)) + " · 30 min\nCheckout is down\n📅 Scheduled · the Zoom meeting is being set up",
		"`/incident followup cancel 1` cancels number 1.",
	} {
		if !strings.Contains(wire, strings.ReplaceAll(want, "\n", `\n`)) {
			t.Errorf("list lacks %q:\n%s", want, wire)
		}
	}
	// The caller's slice keeps its order.
	if fs := followupList(); fs[0].N != 3 {
		t.Fatal("fixture changed")
	}

	text, b = blocks.FollowupList(inc, nil)
	if !strings.HasPrefix(text, "No follow-up meetings scheduled") || !strings.Contains(string(marshal(t, b)), "/incident followup tomorrow 14:00") {
		t.Errorf("empty: %q\n%s", text, marshal(t, b))
	}

	for _, n := range []int{1, 47, 48, 49, 50, 120, 500} {
		var fs []warroom.Followup
		for i := range n {
			fs = append(fs, withFollowup(followup("ready"), func(f *warroom.Followup) {
				f.N, f.Topic = i+1, strings.Repeat("<&> ", 100)
				f.Meeting.JoinURL = "https://zoom.us/j/1?pwd=" + strings.Repeat("a", 400)
			}))
		}
		text, b := blocks.FollowupList(inc, fs)
		checkMessage(t, text, b)
		checkAck(t, fmt.Sprintf("list of %d", n), text, b)
		checkNoUserMarkup(t, "list", withoutReviewLinks(t, text+string(marshal(t, b))))
		wire := string(marshal(t, b))
		shown, more := strings.Count(wire, "*#"), 0
		if m := regexp.MustCompile(`…and (\d+) more`).FindStringSubmatch(wire); m != nil {
			fmt.Sscan(m[1], &more)
		}
		if shown+more != n || shown == 0 || (more > 0) != (shown < n) {
			t.Errorf("%d follow-ups: %d shown, %d more", n, shown, more)
		}
	}
}

func TestRecording(t *testing.T) {
	inc := resolvedIncident()
	const pass = "k7*Q_2@x"
	tests := []struct {
		name    string
		share   string
		pass    string
		display warroom.PasscodeDisplay
		url     string // the Watch button's link; "" for none
		line    string // the passcode line, "" for none
	}{
		{"inline", shareURL, pass, warroom.PasscodeInline, shareURL + "?pwd=k7%2AQ_2%40x", ""},
		{"inline, default", shareURL, pass, "", shareURL + "?pwd=k7%2AQ_2%40x", ""},
		{"inline after a query", shareURL + "?startTime=1795700000000", pass, warroom.PasscodeInline, shareURL + "?startTime=1795700000000&pwd=k7%2AQ_2%40x", ""},
		{"inline after an empty query", shareURL + "?", pass, warroom.PasscodeInline, shareURL + "?pwd=k7%2AQ_2%40x", ""},
		{"inline after a trailing &", shareURL + "?a=1&", pass, warroom.PasscodeInline, shareURL + "?a=1&pwd=k7%2AQ_2%40x", ""},
		{"inline before a fragment", shareURL + "?a=1#t=30", pass, warroom.PasscodeInline, shareURL + "?a=1&pwd=k7%2AQ_2%40x#t=30", ""},
		{"inline, pwd already there", shareURL + "?pwd=OTHER", pass, warroom.PasscodeInline, shareURL + "?pwd=OTHER", ""},
		{"inline, no passcode", shareURL, "", warroom.PasscodeInline, shareURL, ""},
		{"inline, too long for a button", "https://zoom.us/rec/share/" + strings.Repeat("a", 2960), pass, warroom.PasscodeInline,
			"https://zoom.us/rec/share/" + strings.Repeat("a", 2960), "🔑 Passcode: `k7*Q_2@x`"},
		{"separate", shareURL, pass, warroom.PasscodeSeparate, shareURL, "🔑 Passcode: `k7*Q_2@x`"},
		{"separate, markup", shareURL, "<!here>&", warroom.PasscodeSeparate, shareURL, "🔑 Passcode: `&lt;!here&gt;&amp;`"},
		{"separate, a backtick", shareURL, "a`b", warroom.PasscodeSeparate, shareURL, "🔑 Passcode: a`b"},
		{"separate, no passcode", shareURL, "", warroom.PasscodeSeparate, shareURL, ""},
		{"hidden", shareURL, pass, warroom.PasscodeHidden, shareURL, "🔒 The recording has a passcode: ask the meeting host for it."},
		{"hidden, no passcode", shareURL, "", warroom.PasscodeHidden, shareURL, ""},
		{"unknown display is hidden", shareURL, pass, "shown", shareURL, "🔒 The recording has a passcode: ask the meeting host for it."},
		{"no link", "", pass, warroom.PasscodeSeparate, "", "Its link cannot be shown here; the meeting host can share it from Zoom."},
		{"no host", "http://", pass, warroom.PasscodeInline, "", "Its link cannot be shown here; the meeting host can share it from Zoom."},
		{"unusable link", "zoommtg://x", pass, warroom.PasscodeInline, "", "Its link cannot be shown here; the meeting host can share it from Zoom."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := blocks.RecordingPost{ShareURL: tt.share, Passcode: tt.pass, Display: tt.display, Duration: 47 * time.Minute}
			text, b := blocks.Recording(inc, r)
			checkMessage(t, text, b)
			checkNoUserMarkup(t, "recording", text+string(marshal(t, b)))
			if text != "🎥 The recording of the incident call is ready (47 min)" {
				t.Errorf("text %q", text)
			}
			btn := buttons(t, b)[blocks.ActionWatchRecording]
			switch {
			case tt.url == "" && btn != nil:
				t.Errorf("a Watch button: %+v", btn)
			case tt.url != "" && (btn == nil || btn.URL != tt.url || btn.Text.Text != "Watch recording"):
				t.Errorf("Watch button %+v, want url %q", btn, tt.url)
			}
			wire := string(mustJSON(t, b))
			var notes []string
			for _, blk := range b {
				if c, ok := blk.(*slack.ContextBlock); ok {
					notes = append(notes, c.ContextElements.Elements[0].(*slack.TextBlockObject).Text)
				}
			}
			if got := strings.Join(notes, "\n"); got != tt.line {
				t.Errorf("notes %q, want %q", got, tt.line)
			}
			// Hidden means hidden: the passcode is nowhere in the message.
			if tt.display == warroom.PasscodeHidden || tt.display == "shown" {
				if strings.Contains(wire, tt.pass) && tt.pass != "" {
					t.Errorf("hidden passcode shown:\n%s", wire)
				}
			}
		})
	}
	// The transcript, when there is a usable link, is its own button.
	r := recording(warroom.PasscodeInline)
	_, b := blocks.Recording(inc, r)
	if btn := buttons(t, b)[blocks.ActionOpenTranscript]; btn == nil || btn.URL != r.TranscriptURL {
		t.Errorf("transcript button %+v", btn)
	}
	for _, bad := range []string{"", "file:///etc/passwd", "https://x/" + strings.Repeat("a", 3000)} {
		r.TranscriptURL = bad
		_, b := blocks.Recording(inc, r)
		if btn := buttons(t, b)[blocks.ActionOpenTranscript]; btn != nil {
			t.Errorf("transcript %.30q: button %+v", bad, btn)
		}
	}
	// Labels and durations.
	for _, tt := range []struct {
		label string
		d     time.Duration
		want  string
	}{
		{"", 0, "🎥 The recording of the incident call is ready"},
		{"the post-incident review", 72 * time.Minute, "🎥 The recording of the post-incident review is ready (1 h 12 min)"},
		{"<!channel>", 29 * time.Second, "🎥 The recording of &lt;!channel&gt; is ready"},
		{"x", 30 * time.Second, "🎥 The recording of x is ready (1 min)"},
	} {
		if text, _ := blocks.Recording(inc, blocks.RecordingPost{MeetingLabel: tt.label, Duration: tt.d, ShareURL: shareURL}); text != tt.want {
			t.Errorf("Recording(%q, %v) = %q, want %q", tt.label, tt.d, text, tt.want)
		}
	}
}

func TestAttendance(t *testing.T) {
	inc := resolvedIncident()
	text, b := blocks.Attendance(inc, "the incident call", []blocks.Attendee{
		{Name: "Ana Lima", Email: "ana@example.com", Duration: 10 * time.Minute},
		{Name: "Bob", Duration: 20 * time.Minute},
		{Name: "ana lima", Email: "ANA@example.com ", Duration: 5 * time.Minute}, // rejoined: same email
		{Name: " Bob ", Duration: 3 * time.Minute},                               // rejoined: same name
		{Name: "Cy Smith", Email: "cy@example.com", Duration: 30 * time.Minute},
		{Name: "Cy  Smith", Duration: 2 * time.Minute}, // rejoined without an email
		{Duration: time.Minute},                        // two people Zoom knows nothing about
		{Duration: 2 * time.Minute},
		{Email: "dee@example.com", Duration: 15 * time.Minute},
		{Name: "<!channel>", Email: "eve@example.com", Duration: -time.Minute},
		{Name: "Fay", Email: "fay@example.com", Duration: 15 * time.Minute},
	})
	checkMessage(t, text, b)
	checkNoUserMarkup(t, "attendance", text+string(marshal(t, b)))
	if text != "👥 8 people attended the incident call" {
		t.Errorf("text %q", text)
	}
	var lines []string
	for _, blk := range b[1:] {
		lines = append(lines, strings.Split(blk.(*slack.SectionBlock).Text.Text, "\n")...)
	}
	want := []string{
		"• Cy Smith · 32 min",
		"• Bob · 23 min",
		"• Ana Lima · 15 min", // ties by name
		"• dee@example.com · 15 min",
		"• Fay · 15 min",
		"• Someone without a name · 2 min",
		"• Someone without a name · 1 min",
		"• &lt;!channel&gt; · under a minute",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}

	text, b = blocks.Attendance(inc, "", nil)
	if text != "👥 Nobody joined the incident call." {
		t.Errorf("nobody: %q", text)
	}
	checkMessage(t, text, b)

	for _, n := range []int{1, 99, 100, 101, 1000} {
		text, b := blocks.Attendance(inc, "the incident call", people(n))
		checkMessage(t, text, b)
		wire := string(marshal(t, b))
		shown, more := strings.Count(wire, "• Responder"), 0
		if m := regexp.MustCompile(`…and (\d+) more`).FindStringSubmatch(wire); m != nil {
			fmt.Sscan(m[1], &more)
		}
		if shown+more != n || shown > 100 || (more > 0) != (n > 100) {
			t.Errorf("%d people: %d shown, %d more", n, shown, more)
		}
		if n == 1 && text != "👥 1 person attended the incident call" {
			t.Errorf("one: %q", text)
		}
	}
	// Long names are cut; the sections stay within limits.
	var long []blocks.Attendee
	for i := range 100 {
		long = append(long, blocks.Attendee{Name: fmt.Sprintf("%d %s", i, strings.Repeat("&", 500)), Duration: time.Minute})
	}
	text, b = blocks.Attendance(inc, strings.Repeat("<label> ", 100), long)
	checkMessage(t, text, b)
	checkNoUserMarkup(t, "attendance", text+string(marshal(t, b)))
}

func TestFollowupTopic(t *testing.T) {
	inc := resolvedIncident()
	for _, tt := range []struct{ topic, title, want string }{
		{"", "Checkout is down", "Post-incident review – INC-42: Checkout is down"},
		{"Root cause <@U1|bob> & <!here>", "x", "Post-incident review – INC-42: Root cause @bob & @here"},
		{" \t ", "multi\nline", "Post-incident review – INC-42: multi line"},
		{"", "", "Post-incident review – INC-42"},
	} {
		inc.Title = tt.title
		if got := blocks.FollowupTopic(inc, warroom.Followup{Topic: tt.topic}); got != tt.want {
			t.Errorf("FollowupTopic(%q, %q) = %q, want %q", tt.topic, tt.title, got, tt.want)
		}
	}
	for _, topic := range []string{strings.Repeat("🔥", 300), strings.Repeat("word ", 100), strings.Repeat("&", 500)} {
		got := blocks.FollowupTopic(inc, warroom.Followup{Topic: topic})
		if chars(got) > 200 || !strings.HasSuffix(got, "…") || !strings.HasPrefix(got, "Post-incident review – INC-42: ") || !utf8.ValidString(got) {
			t.Errorf("long topic: %q (%d characters)", got, chars(got))
		}
	}
}

// followupVariants are the follow-ups every builder must survive.
func followupVariants() map[string]warroom.Followup {
	return map[string]warroom.Followup{
		"ready":     followup("ready"),
		"pending":   followup("pending"),
		"cancelled": followup("cancelled"),
		"zero":      {},
		"odd": withFollowup(followup("ready"), func(f *warroom.Followup) {
			f.N = -1
			f.Duration = -time.Hour
			f.Invitees = []string{"<!here>", "", "&lt;@U1&gt;", "U1"}
			f.Meeting.JoinURL = "https://zoom.us/j/1?pwd=" + strings.Repeat("<&>", 1000)
			f.Meeting.Password = strings.Repeat("<p&ss>", 100)
		}),
		"crowd": withFollowup(followup("ready"), func(f *warroom.Followup) {
			for i := range 1000 {
				f.Invitees = append(f.Invitees, fmt.Sprintf("U%08d", i))
			}
		}),
		"long topic": withFollowup(followup("ready"), func(f *warroom.Followup) {
			f.Topic = strings.Repeat("<!channel> & 日本 🔥 ", 400)
		}),
	}
}

// TestFollowupLimits renders every follow-up builder for every title and
// follow-up and checks the results against Slack's limits and escaping.
func TestFollowupLimits(t *testing.T) {
	for tname, title := range titles() {
		for fname, f := range followupVariants() {
			t.Run(tname+"/"+fname, func(t *testing.T) {
				inc := resolvedIncident()
				inc.Title, inc.FullTitle = title, title
				checkFollowupBuilders(t, inc, f, title)
			})
		}
	}
}

func joinURLOf(f warroom.Followup) string {
	if f.Meeting == nil {
		return ""
	}
	return f.Meeting.JoinURL
}

func checkFollowupBuilders(t *testing.T, inc warroom.Incident, f warroom.Followup, text string) {
	t.Helper()
	for what, build := range map[string]func() (string, []slack.Block){
		"posted":    func() (string, []slack.Block) { return blocks.FollowupPosted(inc, f) },
		"reminder":  func() (string, []slack.Block) { return blocks.FollowupReminder(inc, f) },
		"cancelled": func() (string, []slack.Block) { return blocks.FollowupCancelled(inc, f, text) },
		"list":      func() (string, []slack.Block) { return blocks.FollowupList(inc, []warroom.Followup{f, f, f}) },
		"recording": func() (string, []slack.Block) {
			return blocks.Recording(inc, blocks.RecordingPost{MeetingLabel: text, ShareURL: joinURLOf(f), Passcode: text, Display: warroom.PasscodeSeparate, TranscriptURL: text, Duration: f.Duration})
		},
		"attendance": func() (string, []slack.Block) {
			return blocks.Attendance(inc, text, []blocks.Attendee{{Name: text, Email: text, Duration: f.Duration}, {Name: f.Topic}, {Email: text + "x"}})
		},
	} {
		fallback, b := build()
		checkMessage(t, fallback, b)
		wire := fallback + string(marshal(t, b))
		checkNoUserMarkup(t, what, withoutReviewLinks(t, wire))
		if what == "list" {
			checkAck(t, what, fallback, b)
		}
		for _, ping := range []string{"<!channel>", "<!here>", "<@U123>", "<#C123|prod>", "<https://evil"} {
			if strings.Contains(wire, ping) {
				t.Fatalf("%s holds %q unescaped:\n%s", what, ping, wire)
			}
		}
	}
	if topic := blocks.FollowupTopic(inc, f); chars(topic) > 200 || topic == "" || strings.Contains(topic, "<!channel>") {
		t.Errorf("Zoom topic %q", topic)
	}
}

// FuzzFollowupMessages checks that no follow-up, recording or attendee
// makes a builder panic or produce a message Slack would reject or that
// pings from user text.
func FuzzFollowupMessages(f *testing.F) {
	f.Add("Checkout is down", "Root cause", reviewURL, "739201", "U024BE7LH", "inline", 1, int64(45), int64(1795618800))
	f.Add("<!channel>", "<@U1|x> &amp;", "javascript:x", "<p&ss>", "<!here>", "hidden", -3, int64(-5), int64(0))
	f.Add(strings.Repeat("&", 300), strings.Repeat("🔥", 2000), "https://zoom.us/j/1?pwd="+strings.Repeat("a", 3000), "a`b", "", "separate", 0, int64(100000), int64(-62135596800))
	f.Add("\xff\xfe", "\n\t", "https://x?y#z", "", "W1", "bogus", 1<<30, int64(480), int64(253402300799))
	f.Fuzz(func(t *testing.T, title, topic, url, passcode, invitee, display string, n int, mins, unix int64) {
		inc := resolvedIncident()
		inc.Title, inc.FullTitle = title, title
		fu := warroom.Followup{
			N: n, Topic: topic, Duration: time.Duration(mins%100000) * time.Minute,
			Start: time.Unix(max(unix, -unix)%253402300799, 0), Invitees: []string{invitee, invitee, "U1"},
			Cancelled: n%2 == 0,
		}
		if url != "" {
			fu.Meeting = &warroom.Meeting{ID: mins, JoinURL: url, Password: passcode}
		}
		checkFollowupBuilders(t, inc, fu, topic)
		for _, d := range []warroom.PasscodeDisplay{warroom.PasscodeDisplay(display), warroom.PasscodeInline, warroom.PasscodeSeparate, warroom.PasscodeHidden} {
			r := blocks.RecordingPost{MeetingLabel: topic, ShareURL: url, Passcode: passcode, Display: d, TranscriptURL: topic, Duration: fu.Duration}
			text, b := blocks.Recording(inc, r)
			checkMessage(t, text, b)
			checkNoUserMarkup(t, "recording", text+string(marshal(t, b)))
			if d == warroom.PasscodeHidden && strings.Contains(string(mustJSON(t, b)), "Passcode:") {
				t.Fatalf("hidden passcode %q shown", passcode)
			}
		}
	})
}

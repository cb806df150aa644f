package blocks

import (
	"cmp"
	"fmt"
	neturl "net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/warroom-dev/warroom"
)

// Action IDs of the follow-up and recording buttons. All are URL buttons:
// Slack opens the link and sends block_actions, which the bot only
// acknowledges.
const (
	ActionJoinFollowup   = "join_followup"
	ActionWatchRecording = "watch_recording"
	ActionOpenTranscript = "open_transcript"
)

const (
	// maxTopicShown bounds a follow-up topic in messages; the Zoom meeting
	// and the store keep it whole.
	maxTopicShown = 300
	// maxInvitees bounds the mentions of invitees, in characters.
	maxInvitees = 2000
	// maxAttendees is how many attendees are listed before "…and N more".
	maxAttendees  = 100
	maxPersonName = 80
)

// SlackDate is a date Slack shows in each reader's time zone and language
// ("Tomorrow at 2:00 PM"), with a UTC fallback for clients that can't.
func SlackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

// minutes is a length as people say it: "45 min", "1 hour", "1 h 30 min".
func minutes(d time.Duration) string {
	m := int64(d.Round(time.Minute) / time.Minute)
	switch {
	case m < 1:
		return "under a minute"
	case m < 60:
		return strconv.FormatInt(m, 10) + " min"
	case m == 60:
		return "1 hour"
	case m%60 == 0:
		return strconv.FormatInt(m/60, 10) + " hours"
	}
	return fmt.Sprintf("%d h %d min", m/60, m%60)
}

// followupWhen is the follow-up's start as a Slack date.
func followupWhen(f warroom.Followup) string {
	if f.Start.IsZero() {
		return "a time still to be set"
	}
	return SlackDate(f.Start)
}

// followupTopic is what the review is about: its topic, or the incident's
// title when the scheduler gave none. Escaped.
func followupTopic(inc warroom.Incident, f warroom.Followup) string {
	if t := strings.TrimSpace(f.Topic); t != "" {
		s, _ := clip(t, maxTopicShown)
		return s
	}
	s, _ := clip(inc.Title, maxTopicShown)
	return s
}

// followupJoin is the Join button of a follow-up with a usable link, or a
// line saying why there is none.
func followupJoin(f warroom.Followup) (b slack.Block, ok bool) {
	if f.Meeting == nil {
		return note("📞 The Zoom meeting is being scheduled; its Join button follows once it is ready."), false
	}
	if !linkable(f.Meeting.JoinURL) {
		return note("📞 The Zoom meeting is ready, but its join link cannot be shown; join it with the meeting ID."), false
	}
	button := slack.NewButtonBlockElement(ActionJoinFollowup, "", textObj(plainText, "Join Review")).
		WithURL(f.Meeting.JoinURL).
		WithStyle(slack.StylePrimary)
	return slack.NewActionBlock("", button), true
}

// followupMeetingBlocks are the Join button (or why there is none) and the
// meeting ID and passcode.
func followupMeetingBlocks(f warroom.Followup) []slack.Block {
	join, _ := followupJoin(f)
	out := []slack.Block{join}
	if f.Meeting != nil {
		if details := meetingDetails(f.Meeting); details != "" {
			out = append(out, note(details))
		}
	}
	return out
}

// mentionList mentions each person once, within max characters, ending
// "and N more" when cut.
func mentionList(ids []string, max int) string {
	var refs []string
	seen := map[string]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			refs = append(refs, userRef(id))
		}
	}
	var b strings.Builder
	for i, r := range refs {
		left := len(refs) - i
		// Room for this one and, unless it is the last, for saying more follow.
		need := chars(b.String()) + 1 + chars(r)
		if left > 1 {
			need += chars(fmt.Sprintf(" and %d more", left-1))
		}
		if need > max {
			fmt.Fprintf(&b, " and %d more", left)
			break
		}
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(r)
	}
	return strings.TrimSpace(b.String())
}

// FollowupPosted announces a scheduled post-incident review in the
// incident channel: when (in each reader's time zone), how long, the topic,
// the Join button (ActionJoinFollowup) with the meeting ID and passcode,
// and who is invited. Without a meeting (Zoom failed or is slow) it says the
// meeting is being scheduled; a cancelled review says so and offers nothing
// to join, for when the message is updated.
func FollowupPosted(inc warroom.Incident, f warroom.Followup) (text string, blocks []slack.Block) {
	ref, when, length := inc.Ref(), followupWhen(f), minutes(f.Length())
	if f.Cancelled {
		text = fmt.Sprintf("❌ The post-incident review for %s on %s was cancelled.", ref, when)
		return text, []slack.Block{
			section(fmt.Sprintf("❌ *The post-incident review for %s on %s was cancelled.*\n*Topic:* %s", ref, when, followupTopic(inc, f))),
		}
	}
	text = fmt.Sprintf("📅 Post-incident review for %s: %s (%s)", ref, when, length)
	if f.Meeting == nil {
		text += " · The Zoom meeting is being scheduled."
	}
	blocks = append(blocks, section(fmt.Sprintf("📅 *Post-incident review for %s:* %s (%s)\n*Topic:* %s", ref, when, length, followupTopic(inc, f))))
	blocks = append(blocks, followupMeetingBlocks(f)...)
	if len(f.Invitees) > 0 {
		blocks = append(blocks, note("Invited: "+mentionList(f.Invitees, maxInvitees)))
	}
	hint := "A reminder with the Join button is posted here shortly before it starts."
	if f.N > 0 {
		hint += fmt.Sprintf(" `/incident followup cancel %d` cancels it.", f.N)
	}
	blocks = append(blocks, note(hint))
	return text, blocks
}

// FollowupReminder is posted shortly before the review starts: when, the
// Join button, and the invitees mentioned so they are notified.
func FollowupReminder(inc warroom.Incident, f warroom.Followup) (text string, blocks []slack.Block) {
	if f.Cancelled {
		return FollowupPosted(inc, f)
	}
	when, length := followupWhen(f), minutes(f.Length())
	text = fmt.Sprintf("⏰ The post-incident review starts %s (%s)", when, length)
	head := fmt.Sprintf("⏰ *The post-incident review for %s starts %s* (%s)\n*Topic:* %s", inc.Ref(), when, length, followupTopic(inc, f))
	if len(f.Invitees) > 0 {
		head += "\n" + mentionList(f.Invitees, maxInvitees)
	}
	blocks = append(blocks, section(head))
	blocks = append(blocks, followupMeetingBlocks(f)...)
	return text, blocks
}

// FollowupCancelled tells the channel a review was cancelled, and by whom
// (a Slack user ID; empty when warroom itself cancelled it).
func FollowupCancelled(inc warroom.Incident, f warroom.Followup, by string) (text string, blocks []slack.Block) {
	who := ""
	if by != "" {
		who = " by " + userRef(by)
	}
	n := ""
	if f.N > 0 {
		n = fmt.Sprintf(" #%d", f.N)
	}
	text = fmt.Sprintf("❌ The post-incident review%s for %s on %s was cancelled%s.", n, inc.Ref(), followupWhen(f), who)
	return text, []slack.Block{
		section(fmt.Sprintf("❌ *The post-incident review%s for %s on %s was cancelled%s.*\n*Topic:* %s", n, inc.Ref(), followupWhen(f), who, followupTopic(inc, f))),
		note("`/incident followup` schedules another."),
	}
}

// FollowupRemoved replaces a follow-up's post when the Zoom account that
// hosted its meeting was disconnected: the link no longer works.
func FollowupRemoved(inc warroom.Incident, f warroom.Followup) (text string, blocks []slack.Block) {
	n := ""
	if f.N > 0 {
		n = fmt.Sprintf(" #%d", f.N)
	}
	text = fmt.Sprintf("❌ The Zoom meeting of the post-incident review%s for %s on %s was removed with the Zoom account that hosted it.", n, inc.Ref(), followupWhen(f))
	return text, []slack.Block{
		section(fmt.Sprintf("❌ *The Zoom meeting of the post-incident review%s for %s on %s was removed* with the Zoom account that hosted it.\n*Topic:* %s", n, inc.Ref(), followupWhen(f), followupTopic(inc, f))),
		note("`/incident followup` schedules another once a Zoom account is connected."),
	}
}

// FollowupList answers /incident followup list: the incident's follow-ups
// by number (the N people type in "/incident followup cancel <n>"), each
// with its time, length, topic and state, cancelled ones marked. It stays
// within 50 blocks and a Socket Mode ack, ending "…and N more" when cut.
func FollowupList(inc warroom.Incident, fs []warroom.Followup) (text string, blocks []slack.Block) {
	ref := inc.Ref()
	if len(fs) == 0 {
		text = "No follow-up meetings scheduled for " + ref + "."
		return text, []slack.Block{section("📅 No follow-up meetings scheduled for " + ref + ". " +
			"`/incident followup tomorrow 14:00` schedules one; `/incident followup help` shows the times it understands.")}
	}
	fs = slices.Clone(fs)
	slices.SortStableFunc(fs, func(a, b warroom.Followup) int {
		return cmp.Or(cmp.Compare(a.N, b.N), a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID))
	})
	active := 0
	firstActive := 0
	for _, f := range fs {
		if !f.Cancelled && !f.Removed {
			active++
			if firstActive == 0 {
				firstActive = f.N
			}
		}
	}
	text = fmt.Sprintf("%s for %s (%d cancelled).", plural(len(fs), "follow-up meeting"), ref, len(fs)-active)
	if active == len(fs) {
		text = fmt.Sprintf("%s for %s.", plural(len(fs), "follow-up meeting"), ref)
	}
	head := section("*" + plural(len(fs), "follow-up meeting") + " for " + ref + "*")
	var foot slack.Block
	if firstActive > 0 {
		foot = note(fmt.Sprintf("`/incident followup cancel %d` cancels number %d.", firstActive, firstActive))
	}
	blocks = []slack.Block{head}
	used := encodedSize(head)
	if foot != nil {
		used += encodedSize(foot)
	}
	for i, f := range fs {
		left := len(fs) - i
		line := section(followupLine(inc, f))
		size := encodedSize(line)
		reserveBlocks, reserveBytes := 0, 0
		if foot != nil {
			reserveBlocks = 1
		}
		if left > 1 {
			reserveBlocks, reserveBytes = reserveBlocks+1, reserveBytes+300
		}
		if len(blocks)+1+reserveBlocks > maxBlocks || used+size+reserveBytes > maxListBytes {
			blocks = append(blocks, note(fmt.Sprintf("…and %d more.", left)))
			break
		}
		blocks = append(blocks, line)
		used += size
	}
	if foot != nil {
		blocks = append(blocks, foot)
	}
	return text, blocks
}

// followupLine is one follow-up in the list.
func followupLine(inc warroom.Incident, f warroom.Followup) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*#%d* · %s · %s\n%s\n", f.N, followupWhen(f), minutes(f.Length()), followupTopic(inc, f))
	switch {
	case f.Cancelled:
		b.WriteString("❌ Cancelled")
	case f.Removed:
		b.WriteString("❌ Its Zoom meeting was removed with the Zoom account that hosted it")
	case f.Meeting == nil:
		b.WriteString("📅 Scheduled · the Zoom meeting is being set up")
	default:
		b.WriteString("📅 Scheduled")
		if u := f.Meeting.JoinURL; linkable(u) && len(u) <= maxListURL {
			b.WriteString(" · <" + linkTarget(u) + "|Join the review>")
		}
	}
	return b.String()
}

// FollowupTopic is the Zoom topic of a follow-up meeting, plain text within
// Zoom's 200 characters: "Post-incident review – INC-42: Checkout is down"
// (the follow-up's topic when it has one, else the incident's title).
func FollowupTopic(inc warroom.Incident, f warroom.Followup) string {
	head := "Post-incident review – " + inc.Ref()
	about := strings.TrimSpace(f.Topic)
	if about == "" {
		about = inc.Title
	}
	about = strings.TrimSpace(zoomText(plainRefs(about), false))
	if about == "" {
		return head
	}
	head += ": "
	about, cut := fit(about, maxMeetingTopic-chars(head), width)
	if cut {
		about += "…"
	}
	return head + about
}

// RecordingPost is what a recording message shows.
type RecordingPost struct {
	MeetingLabel  string // "the incident call" or "the post-incident review"; empty: the former
	ShareURL      string // Zoom's share_url
	Passcode      string // recording_play_passcode, if any
	Display       warroom.PasscodeDisplay
	TranscriptURL string // empty when there is no transcript
	Duration      time.Duration
}

// Recording announces a meeting's cloud recording in the incident channel:
// a "Watch recording" button (ActionWatchRecording) on the share link, the
// passcode as Display says (an unknown display shows none), the transcript
// when there is one (ActionOpenTranscript) and how long the meeting was.
func Recording(inc warroom.Incident, r RecordingPost) (text string, blocks []slack.Block) {
	label := strings.TrimSpace(r.MeetingLabel)
	if label == "" {
		label = "the incident call"
	}
	label, _ = clip(label, 200)
	length := ""
	if r.Duration >= 30*time.Second {
		length = " (" + minutes(r.Duration) + ")"
	}
	text = "🎥 The recording of " + label + " is ready" + length
	blocks = append(blocks, section("🎥 *The recording of "+label+" is ready*"+length+" · "+inc.Ref()))

	display := r.Display
	if display == "" {
		display = warroom.DefaultPasscodeDisplay
	}
	if !display.Valid() {
		display = warroom.PasscodeHidden
	}
	var buttons []slack.BlockElement
	if linkable(r.ShareURL) {
		link := r.ShareURL
		if display == warroom.PasscodeInline && r.Passcode != "" {
			if withPwd := withPasscode(r.ShareURL, r.Passcode); linkable(withPwd) {
				link = withPwd
			} else {
				display = warroom.PasscodeSeparate // too long for a button: say it instead
			}
		}
		buttons = append(buttons, slack.NewButtonBlockElement(ActionWatchRecording, "", textObj(plainText, "Watch recording")).
			WithURL(link).WithStyle(slack.StylePrimary))
	}
	if linkable(r.TranscriptURL) {
		buttons = append(buttons, slack.NewButtonBlockElement(ActionOpenTranscript, "", textObj(plainText, "Open transcript")).
			WithURL(r.TranscriptURL))
	}
	if len(buttons) > 0 {
		blocks = append(blocks, slack.NewActionBlock("", buttons...))
	}
	if !linkable(r.ShareURL) {
		blocks = append(blocks, note("Its link cannot be shown here; the meeting host can share it from Zoom."))
		return text, blocks
	}
	if r.Passcode != "" {
		switch display {
		case warroom.PasscodeSeparate:
			blocks = append(blocks, note("🔑 Passcode: "+passcodeText(r.Passcode)))
		case warroom.PasscodeHidden:
			blocks = append(blocks, note("🔒 The recording has a passcode: ask the meeting host for it."))
		}
	}
	return text, blocks
}

// linkable is usableURL for links warroom did not make itself (share and
// transcript links, follow-up meetings): also a URL with a host, so Slack
// does not refuse the whole message over one button.
func linkable(u string) bool {
	if !usableURL(u) {
		return false
	}
	parsed, err := neturl.Parse(u)
	return err == nil && parsed.Host != ""
}

// withPasscode adds ?pwd=<passcode> to a share link, after any query it
// has and before any fragment; a link that carries a pwd already is kept.
func withPasscode(link, passcode string) string {
	base, fragment, hasFragment := strings.Cut(link, "#")
	_, query, hasQuery := strings.Cut(base, "?")
	for _, kv := range strings.Split(query, "&") {
		if k, _, _ := strings.Cut(kv, "="); k == "pwd" {
			return link
		}
	}
	param := "pwd=" + neturl.QueryEscape(passcode)
	switch {
	case !hasQuery:
		base += "?" + param
	case query == "" || strings.HasSuffix(query, "&"):
		base += param
	default:
		base += "&" + param
	}
	if hasFragment {
		base += "#" + fragment
	}
	return base
}

// passcodeText shows a passcode as code, so characters like * and _ stay
// as typed; escaped, and plain when a backtick would end the code early.
func passcodeText(p string) string {
	s, _ := clip(p, 100)
	if strings.Contains(p, "`") {
		return s
	}
	return "`" + s + "`"
}

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

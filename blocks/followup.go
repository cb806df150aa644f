package blocks

import (
	"fmt"
	"strings"

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
)

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

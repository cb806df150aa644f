package blocks

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/slack-go/slack"
	"github.com/warroom-dev/warroom"
)

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
	active, firstActive := activeFollowups(fs)
	text = fmt.Sprintf("%s for %s (%d cancelled).", plural(len(fs), "follow-up meeting"), ref, len(fs)-active)
	if active == len(fs) {
		text = fmt.Sprintf("%s for %s.", plural(len(fs), "follow-up meeting"), ref)
	}
	head := section("*" + plural(len(fs), "follow-up meeting") + " for " + ref + "*")
	var foot slack.Block
	if firstActive > 0 {
		foot = note(fmt.Sprintf("`/incident followup cancel %d` cancels number %d.", firstActive, firstActive))
	}
	return text, followupListBlocks(inc, fs, head, foot)
}

// activeFollowups counts the follow-ups neither cancelled nor removed, and
// gives the first one's number for the cancel hint (0: none to cancel).
func activeFollowups(fs []warroom.Followup) (n, first int) {
	for _, f := range fs {
		if !f.Cancelled && !f.Removed {
			n++
			if first == 0 {
				first = f.N
			}
		}
	}
	return n, first
}

// followupListBlocks is head, as many of fs as fit, and foot (if any).
// While cutting it keeps room for foot and for the "…and N more" note, so
// neither is what pushes the list over Slack's limits.
func followupListBlocks(inc warroom.Incident, fs []warroom.Followup, head, foot slack.Block) []slack.Block {
	blocks := []slack.Block{head}
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
	return blocks
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

package blocks

import (
	"strconv"

	"github.com/slack-go/slack"
)

// Message is a Slack message: a plain-text fallback (notifications and
// screen readers use it) and its blocks.
type Message struct {
	Text   string
	Blocks []slack.Block
}

// Content is the message's fallback text and blocks, as the Slack
// adapter posts them.
func (m Message) Content() (string, []slack.Block) { return m.Text, m.Blocks }

// Tag tags the message's first block (see Tag). The blocks are shared
// with every copy of the message, which carries the tag too.
func (m Message) Tag(id string) { Tag(m.Blocks, id) }

// Msg pairs what a renderer returns into a Message.
func Msg(text string, blks []slack.Block) Message { return Message{Text: text, Blocks: blks} }

// Reply is warroom's answer to a person's command or click. It is seen
// by that person only, unless InChannel.
type Reply struct {
	Message
	InChannel bool
	// ReplaceOriginal replaces the message the click came from.
	ReplaceOriginal bool
}

// Audience says who sees the reply, and whether it replaces the message
// that was clicked.
func (r Reply) Audience() (inChannel, replaceOriginal bool) { return r.InChannel, r.ReplaceOriginal }

// Ephemeral is a reply only its reader sees.
func Ephemeral(text string, blks ...slack.Block) Reply {
	return Reply{Message: Message{Text: text, Blocks: blks}}
}

// InChannel is a reply everyone in the channel sees.
func InChannel(text string) Reply {
	return Reply{Message: Message{Text: text}, InChannel: true}
}

// ReplyOf makes a renderer's output an ephemeral reply.
func ReplyOf(text string, blks []slack.Block) Reply { return Ephemeral(text, blks...) }

// Tag sets the block_id of a message's first block: the tag by which a
// message warroom posted is found again after an answer was lost.
func Tag(blks []slack.Block, id string) {
	if len(blks) == 0 {
		return
	}
	switch b := blks[0].(type) {
	case *slack.HeaderBlock:
		b.BlockID = id
	case *slack.SectionBlock:
		b.BlockID = id
	case *slack.ContextBlock:
		b.BlockID = id
	case *slack.ActionBlock:
		b.BlockID = id
	}
}

// IncidentBlockID tags an incident's pinned message. These tags (block
// IDs) are how warroom finds a message it posted again.
func IncidentBlockID(incidentID int64) string { return "warroom-incident-" + itoa(incidentID) }

// AnnounceBlockID tags an incident's announcement.
func AnnounceBlockID(incidentID int64) string { return "warroom-announce-" + itoa(incidentID) }

// FollowupBlockID tags a follow-up's post.
func FollowupBlockID(followupID int64) string { return "warroom-followup-" + itoa(followupID) }

// ReminderBlockID tags a follow-up's reminder.
func ReminderBlockID(followupID int64) string { return "warroom-reminder-" + itoa(followupID) }

// RecordingBlockID tags a recording's post.
func RecordingBlockID(watchID int64) string { return "warroom-recording-" + itoa(watchID) }

// AttendanceBlockID tags a meeting's attendance post.
func AttendanceBlockID(watchID int64) string { return "warroom-attendance-" + itoa(watchID) }

// RetiredBlockID tags the note about a replaced call left running.
func RetiredBlockID(retiredID int64) string { return "warroom-retired-" + itoa(retiredID) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

package blocks

import (
	"github.com/slack-go/slack"
)

// MeetingNumber is a Zoom meeting ID as people read it ("812 3456 7890"),
// as the pinned message shows it.
func MeetingNumber(id int64) string { return meetingID(id) }

// SlackCallBlockID tags the message that shows a Slack Call.
func SlackCallBlockID(rowID int64) string { return "warroom-slackcall-" + itoa(rowID) }

// CallMessage shows a Slack Call (calls.add) in a channel: Slack draws it
// with who is in it and a Join button. It is a message of its own: Slack
// documents the call block alone in its message, and the pinned incident
// message is edited often, which a Call need not follow.
type CallMessage struct {
	Text  string
	Block *slack.CallBlock
}

// SlackCallMessage is the message showing the Slack Call callID.
func SlackCallMessage(callID string) CallMessage {
	return CallMessage{Text: "The incident call", Block: slack.NewCallBlock(callID)}
}

// Content is the message's fallback text and its one block.
func (m CallMessage) Content() (string, []slack.Block) { return m.Text, []slack.Block{m.Block} }

// Tag sets the call block's block_id, by which the message is found again.
func (m CallMessage) Tag(id string) { m.Block.BlockID = id }

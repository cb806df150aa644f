package blocks

import (
	"fmt"

	"github.com/slack-go/slack"

	"github.com/warroom-dev/warroom"
)

// ReplacedCallStillRunning tells the incident channel that a call replaced
// by /incident call new had people in it, so warroom left it running at
// Zoom rather than cut them off; the pinned Join Call goes to the new one.
func ReplacedCallStillRunning(inc warroom.Incident, id int64) (text string, blocks []slack.Block) {
	text = fmt.Sprintf("⚠️ The replaced Zoom call (meeting %s) still has people in it, so warroom left it running. The pinned Join Call button goes to %s's new call: please move there.",
		meetingID(id), inc.Ref())
	return text, []slack.Block{section(text)}
}

package blocks_test

import (
	"strings"
	"testing"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
)

// /incident call says who has host controls of the call, or why nobody.
func TestCallInfoSaysWhoHasHostControls(t *testing.T) {
	inc := incident(warroom.CallReady)
	text, _ := blocks.CallInfo(inc, blocks.HostControls{User: "U1", Email: "alice@example.com"})
	if !strings.Contains(text, "🎛 Host controls: <@U1> (alice@example.com in Zoom)") {
		t.Errorf("granted: %q", text)
	}
	text, _ = blocks.CallInfo(inc, blocks.HostControls{User: "U2", Note: "bob@example.com is not a licensed user of the Zoom account that hosts the call"})
	if !strings.Contains(text, "🎛 Nobody has host controls: bob@example.com is not a licensed user of the Zoom account that hosts the call.") {
		t.Errorf("refused: %q", text)
	}
	if text, _ = blocks.CallInfo(inc); strings.Contains(text, "host controls") {
		t.Errorf("nothing known yet, yet: %q", text)
	}
}

// The summary post escapes what Zoom wrote and lists the next steps.
func TestMeetingSummaryEscapes(t *testing.T) {
	_, b := blocks.MeetingSummary(incident(warroom.CallReady), "<!channel> rolled back & fine", []string{"Add <alert>", " "})
	wire := string(marshal(t, b))
	if strings.Contains(wire, "<!channel>") || !strings.Contains(wire, "&lt;!channel&gt;") || !strings.Contains(wire, "• Add &lt;alert&gt;") {
		t.Errorf("summary blocks: %s", wire)
	}
}

package blocks_test

import (
	"strings"
	"testing"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
)

var (
	notLicensed = blocks.HostControlsWhy(warroom.HostControlsProblem{Code: warroom.HostControlsNotLicensed, Email: "bob@example.com"}, false)
	running     = blocks.HostControlsWhy(warroom.HostControlsProblem{Code: warroom.HostControlsRunning, Email: "carol@example.com"}, true)
)

// The channel is told who has host controls after command changed hands:
// the new commander, nobody (and why), or the one Zoom lets keep them.
func TestHostControlsChangedGolden(t *testing.T) {
	inc := started(incident(warroom.CallReady))
	for name, c := range map[string]blocks.HostControlsChange{
		"host_controls_moved": {Commander: "U0CAROL", Holder: "U0CAROL", Email: "carol@example.com", Before: "U0ALICE"},
		"host_controls_gone":  {Commander: "U0BOB", Note: notLicensed, Before: "U0ALICE"},
		"host_controls_kept":  {Commander: "U0CAROL", Holder: "U0ALICE", Email: "alice@example.com", Note: running, Before: "U0ALICE"},
		"host_controls_kept_not_licensed": {Commander: "U0BOB", Holder: "U0ALICE", Email: "alice@example.com", Before: "U0ALICE",
			Note: blocks.HostControlsWhy(warroom.HostControlsProblem{Code: warroom.HostControlsNotLicensed, Email: "bob@example.com"}, true)},
		"host_controls_refused": {Commander: "U0BOB", Before: "U0ALICE", Note: blocks.HostControlsWhy(warroom.HostControlsProblem{
			Code: warroom.HostControlsRefused, Email: "bob@<evil>.example", Zoom: "Invalid alternative host: <!channel>."}, false)},
	} {
		t.Run(name, func(t *testing.T) {
			m := msg(blocks.HostControlsChanged(inc, c))
			checkMessage(t, m.Text, m.Blocks)
			golden(t, name, marshal(t, m))
		})
	}
}

func TestHostControlsChangedSaysWho(t *testing.T) {
	inc := incident(warroom.CallReady)
	for _, tc := range []struct {
		c    blocks.HostControlsChange
		want string
	}{
		{blocks.HostControlsChange{Commander: "U2", Note: notLicensed, Before: "U1"},
			"🎛 Host controls of INC-42's call: <@U2> cannot have them (bob@example.com is not a licensed user of the Zoom account " +
				"that hosts the call); <@U1> no longer has them."},
		{blocks.HostControlsChange{Commander: "U3", Holder: "U1", Email: "alice@example.com", Note: running, Before: "U1"},
			"🎛 Host controls of INC-42's call: <@U1> keeps them (alice@example.com in Zoom), not <@U3>: Zoom does not change the hosts " +
				"of a meeting that is running; `/incident call new` makes a call with the commander as its alternative host."},
		{blocks.HostControlsChange{Commander: "U3", Holder: "U3", Email: "carol@example.com", Before: "U1"},
			"🎛 Host controls of INC-42's call: <@U3> has them now (carol@example.com in Zoom); <@U1> no longer has them."},
		{blocks.HostControlsChange{Commander: "U3", Holder: "U3", Email: "carol@example.com"},
			"🎛 Host controls of INC-42's call: <@U3> has them now (carol@example.com in Zoom)."},
	} {
		if text, _ := blocks.HostControlsChanged(inc, tc.c); text != tc.want {
			t.Errorf("%+v:\n got %q\nwant %q", tc.c, text, tc.want)
		}
	}
}

// /incident call says who Zoom holds as alternative host, and why the
// commander is not, when they are not the same person.
func TestCallInfoSaysWhoKeepsHostControls(t *testing.T) {
	inc := incident(warroom.CallReady)
	inc.HostControlsHolder = "U1"
	text, _ := blocks.CallInfo(inc, blocks.HostControls{User: "U3", Email: "alice@example.com", Note: running})
	if want := "🎛 Host controls: <@U1> keeps them (alice@example.com in Zoom), not <@U3>: Zoom does not change the hosts of a meeting " +
		"that is running; `/incident call new` makes a call with the commander as its alternative host."; !strings.Contains(text, want) {
		t.Errorf("kept:\n got %q\nwant it to contain %q", text, want)
	}
	inc.HostControlsHolder = ""
	text, _ = blocks.CallInfo(inc, blocks.HostControls{User: "U2", Note: notLicensed})
	if want := "🎛 Nobody has host controls: bob@example.com is not a licensed user of the Zoom account that hosts the call."; !strings.Contains(text, want) {
		t.Errorf("gone: %q", text)
	}
	inc.HostControlsHolder = "U3"
	text, _ = blocks.CallInfo(inc, blocks.HostControls{User: "U3", Email: "carol@example.com"})
	if !strings.Contains(text, "🎛 Host controls: <@U3> (carol@example.com in Zoom)") || strings.Contains(text, "keeps") {
		t.Errorf("granted: %q", text)
	}
}

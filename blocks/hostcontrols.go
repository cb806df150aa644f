package blocks

import (
	"strings"

	"github.com/slack-go/slack"
	"github.com/warroom-dev/warroom"
)

// HostControls is who can mute, admit and record in the incident's call,
// whose robot host never joins: User is the commander warroom last tried
// to give them, Email the alternative host Zoom holds (the incident's
// HostControlsHolder), Note why User has them not.
type HostControls struct {
	User, Email, Note string
}

// line is /incident call's sentence about host controls; holder is who
// Zoom holds as alternative host.
func (hc HostControls) line(holder string) string {
	e, _ := clip(hc.Email, 254)
	n, _ := clip(strings.TrimRight(hc.Note, "."), maxCallError)
	switch {
	case hc.Email != "" && holder != "" && holder != hc.User:
		line := "🎛 Host controls: " + userRef(holder) + " keeps them (" + e + " in Zoom), not " + userRef(hc.User)
		if n == "" {
			return line + "."
		}
		return line + ": " + n + "."
	case hc.Email != "":
		return "🎛 Host controls: " + userRef(hc.User) + " (" + e + " in Zoom)"
	case hc.Note != "":
		return "🎛 Nobody has host controls: " + n + "."
	}
	return ""
}

// HostControlsWhy says why the commander has no host controls of the
// call. kept: whoever had them keeps them, since Zoom refused to take them
// from a meeting that is running. It is plain text, escaped where shown.
func HostControlsWhy(p warroom.HostControlsProblem, kept bool) string {
	const running = "Zoom does not change the hosts of a meeting that is running"
	var why string
	switch p.Code {
	case warroom.HostControlsRunning:
		return running + "; `/incident call new` makes a call with the commander as its alternative host"
	case warroom.HostControlsNoEmail:
		why = "warroom cannot see the commander's email address in Slack"
	case warroom.HostControlsNoLookup:
		why = "host controls need a Server-to-Server host, which can look up the account's users"
	case warroom.HostControlsNotLicensed:
		why = p.Email + " is not a licensed user of the Zoom account that hosts the call"
	case warroom.HostControlsRefused:
		why = "Zoom refused " + p.Email + " as alternative host (" + strings.TrimRight(p.Zoom, ".") + ")"
	default:
		why = "Zoom did not make them its alternative host"
	}
	if kept {
		why += ", and " + running
	}
	return why
}

// HostControlsChange is a change of who has host controls of the call:
// Commander was tried, Holder (with Email) has them now, Before had them,
// Note says why Commander has them not.
type HostControlsChange struct {
	Commander, Holder, Email, Note, Before string
}

// HostControlsChanged tells the incident's channel, once, who has host
// controls of the call after command changed hands: the role and the
// controls go together, and when they cannot, people must know who can
// mute, admit and record.
func HostControlsChanged(inc warroom.Incident, c HostControlsChange) (text string, blocks []slack.Block) {
	n, _ := clip(strings.TrimRight(c.Note, "."), maxCallError)
	e, _ := clip(c.Email, 254)
	gone := ""
	if c.Before != "" && c.Before != c.Holder {
		gone = "; " + userRef(c.Before) + " no longer has them"
	}
	text = "🎛 Host controls of " + inc.Ref() + "'s call: "
	switch {
	case c.Holder != "" && c.Holder == c.Commander:
		text += userRef(c.Holder) + " has them now (" + e + " in Zoom)" + gone + "."
	case c.Holder != "":
		text += userRef(c.Holder) + " keeps them (" + e + " in Zoom), not " + userRef(c.Commander)
		if n != "" {
			text += ": " + n
		}
		text += "."
	default:
		text += userRef(c.Commander) + " cannot have them"
		if n != "" {
			text += " (" + n + ")"
		}
		text += gone + "."
	}
	return text, []slack.Block{section(text)}
}

// HostControlsBlockID tags the incident's n-th host controls notice, so it
// is posted once.
func HostControlsBlockID(incidentID int64, n int) string {
	return "warroom-hostcontrols-" + itoa(incidentID) + "-" + itoa(int64(n))
}

package blocks

import (
	"fmt"

	"github.com/slack-go/slack"
	"github.com/warroom-dev/warroom"
)

// Declaring is the ack reply to the declarer (ephemeral).
func Declaring(title string, sev warroom.Severity, shortened bool) (text string) {
	t, _ := clip(title, maxFallbackTitle)
	text = fmt.Sprintf("Declaring a %s incident: *%s*. The channel and the Zoom call are on their way.", sev, t)
	if shortened {
		text += " The title is long, so the channel and the pinned message show a shortened one."
	}
	return text
}

// Declared is the confirmation sent to the declarer when the channel exists (links <#Cxxx>).
//
// It is shown where the declarer typed the command, outside the incident
// channel: for a private incident it carries no Join button, only the way in.
func Declared(inc warroom.Incident) (text string, blocks []slack.Block) {
	title, _ := clip(inc.Title, maxFallbackTitle)
	text = fmt.Sprintf("🚨 %s (%s) is open in %s: %s · %s", inc.Ref(), inc.Severity, channelRef(inc), title, callSentence(inc))

	blocks = []slack.Block{section(fmt.Sprintf("🚨 *%s* (%s) is open in %s: *%s*", inc.Ref(), inc.Severity, channelRef(inc), title))}
	if url, ok := joinable(inc); ok && !inc.Private {
		blocks = append(blocks, slack.NewActionBlock("", joinButton(url)))
	} else if ok {
		blocks = append(blocks, note("🔒 A private incident: the Zoom call is in "+channelRef(inc)+"."))
	} else {
		blocks = append(blocks, note(callSentence(inc)))
	}
	return text, blocks
}

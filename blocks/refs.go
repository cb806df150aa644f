package blocks

import (
	"regexp"
	"strings"

	"github.com/warroom-dev/warroom"
)

// slackID matches user and conversation IDs (U123ABC, W…, C…, G…): only
// these are turned into live <@…> and <#…> references; anything else is shown
// as escaped text so a corrupt field cannot inject markup.
var slackID = regexp.MustCompile(`^[A-Z0-9]{2,40}$`)

// slackRef matches a mention or channel reference as Slack sends it in text:
// <@U123>, <@U123|bob>, <#C123|prod>, <!channel>, <!subteam^S1|@oncall>.
var slackRef = regexp.MustCompile(`<([@#!])([^<>|]*)(?:\|([^<>]*))?>`)

// userRef mentions a user by ID; <@U…> renders as their name without
// notifying anyone beyond the mention itself.
func userRef(id string) string {
	if slackID.MatchString(id) {
		return "<@" + id + ">"
	}
	if id == "" {
		return "unknown"
	}
	t, _ := clip(id, 100)
	return t
}

// channelRef links the incident channel once it exists, else names it.
func channelRef(inc warroom.Incident) string {
	if slackID.MatchString(inc.ChannelID) {
		return "<#" + inc.ChannelID + ">"
	}
	if inc.ChannelName != "" {
		name, _ := clip(inc.ChannelName, 100)
		return "#" + name
	}
	return "its channel"
}

// plainRefs rewrites Slack references in s as the text Slack shows for them.
func plainRefs(s string) string {
	return slackRef.ReplaceAllStringFunc(s, func(ref string) string {
		m := slackRef.FindStringSubmatch(ref)
		sigil, id, label := m[1], m[2], m[3]
		if sigil == "!" {
			sigil = "@" // <!channel>, <!here>, <!subteam^S1|@oncall>
		}
		if label == "" {
			label = id
		}
		if strings.HasPrefix(label, "@") || strings.HasPrefix(label, "#") {
			return label
		}
		return sigil + label
	})
}

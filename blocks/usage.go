package blocks

import (
	"strings"

	"github.com/slack-go/slack"
)

// Usage wraps an error/usage sentence for an ephemeral reply.
//
// message is mrkdwn for its formatting (*bold*, `code`) but carries no links
// or mentions, and may quote what a person typed: it is escaped here.
func Usage(message string) (text string, blocks []slack.Block) {
	if strings.TrimSpace(message) == "" {
		message = "Type `/incident help` to see what warroom can do."
	}
	text, _ = clip(message, maxSectionText)
	return text, []slack.Block{section(text)}
}

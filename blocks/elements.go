package blocks

import "github.com/slack-go/slack"

const (
	mrkdwn    = slack.MarkdownType
	plainText = slack.PlainTextType
)

func textObj(kind, s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(kind, s, kind == plainText, false)
}

func section(mrkdwnText string) *slack.SectionBlock {
	return slack.NewSectionBlock(textObj(mrkdwn, mrkdwnText), nil, nil)
}

func field(name, value string) *slack.TextBlockObject {
	// Values are short by construction (a severity, a state, a mention), far
	// under the 2000-character field limit.
	return textObj(mrkdwn, "*"+name+"*\n"+value)
}

func note(mrkdwnText string) *slack.ContextBlock {
	return slack.NewContextBlock("", textObj(mrkdwn, mrkdwnText))
}

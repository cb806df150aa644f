package slackapi

import (
	"context"

	"github.com/slack-go/slack"
)

// CanvasUnavailable reports whether err says the workspace will not have
// a channel canvas from this app: its plan has none, or the app lacks the
// scope until it is reinstalled. Nothing but a change of plan or a
// reinstall changes that, so retrying is pointless.
func CanvasUnavailable(err error) bool {
	switch Code(err) {
	case "team_tier_cannot_create_channel_canvases", "missing_scope", "canvas_disabled_user_team",
		"free_teams_cannot_edit_standalone_canvases", "not_allowed_token_type":
		return true
	}
	return false
}

// CreateChannelCanvas makes channel's canvas with markdown as its
// document and returns its ID. Slack has no idempotency key for it: a
// second call answers channel_canvas_already_exists, and ChannelCanvas
// finds the first.
func (c *Client) CreateChannelCanvas(ctx context.Context, channel, markdown string) (string, error) {
	id, err := c.api.CreateChannelCanvasContext(ctx, channel, slack.DocumentContent{Type: "markdown", Markdown: markdown})
	if err != nil {
		return "", wrap("conversations.canvases.create", err)
	}
	return id, nil
}

// ChannelCanvas returns the ID of channel's canvas ("" if it has none),
// as conversations.info shows it in the channel's properties.
func (c *Client) ChannelCanvas(ctx context.Context, channel string) (string, error) {
	ch, err := c.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
	if err != nil {
		return "", wrap("conversations.info", err)
	}
	if ch.Properties == nil {
		return "", nil
	}
	return ch.Properties.Canvas.FileId, nil
}

// ReplaceCanvas replaces the whole document of a canvas with markdown (a
// replace without a section): what it showed before does not matter,
// so an edit lost or repeated leaves it right.
func (c *Client) ReplaceCanvas(ctx context.Context, canvasID, markdown string) error {
	err := c.api.EditCanvasContext(ctx, slack.EditCanvasParams{CanvasID: canvasID, Changes: []slack.CanvasChange{{
		Operation: "replace", DocumentContent: slack.DocumentContent{Type: "markdown", Markdown: markdown},
	}}})
	return wrap("canvases.edit", err)
}

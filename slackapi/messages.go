package slackapi

import (
	"context"

	"github.com/slack-go/slack"
)

// Message is what warroom posts: a plain-text fallback (for
// notifications and screen readers) and its Block Kit blocks. The
// renderer's blocks.Message is one; the adapter asks no more of it, and
// so does not depend on the renderer.
type Message interface {
	Content() (text string, blks []slack.Block)
}

// TaggedMessage is a message PostOnce can tag: Tag sets the block_id of
// its first block, by which it is found again after an answer was lost.
type TaggedMessage interface {
	Message
	Tag(blockID string)
}

// Reply is an answer through a response_url: a message, seen by everyone
// in the channel or by its reader only, and maybe replacing the message
// that was clicked.
type Reply interface {
	Message
	Audience() (inChannel, replaceOriginal bool)
}

func options(m Message) []slack.MsgOption {
	text, blks := m.Content()
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if len(blks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blks...))
	}
	return opts
}

// Post posts a message and returns the channel (as Slack names it) and its
// timestamp. chat.postMessage has no idempotency key: see PostOnce.
func (c *Client) Post(ctx context.Context, channel string, m Message) (string, string, error) {
	ch, ts, err := c.api.PostMessageContext(ctx, channel, options(m)...)
	return ch, ts, wrap("chat.postMessage", err)
}

// Update replaces a posted message.
func (c *Client) Update(ctx context.Context, channel, ts string, m Message) error {
	_, _, _, err := c.api.UpdateMessageContext(ctx, channel, ts, options(m)...)
	return wrap("chat.update", err)
}

// Pin pins a message; already pinned is fine.
func (c *Client) Pin(ctx context.Context, channel, ts string) error {
	err := c.api.AddPinContext(ctx, channel, slack.ItemRef{Channel: channel, Timestamp: ts})
	if Code(wrap("", err)) == "already_pinned" {
		return nil
	}
	return wrap("pins.add", err)
}

// PostEphemeral shows a message to one person in a channel.
func (c *Client) PostEphemeral(ctx context.Context, channel, user string, m Message) error {
	_, err := c.api.PostEphemeralContext(ctx, channel, user, options(m)...)
	return wrap("chat.postEphemeral", err)
}

// DM sends a person a direct message.
func (c *Client) DM(ctx context.Context, user string, m Message) error {
	_, _, err := c.api.PostMessageContext(ctx, user, options(m)...)
	return wrap("chat.postMessage", err)
}

// FindTagged looks through a channel's history for the message whose first
// block has blockID; it returns the channel as Slack names it and the
// message's timestamp, or "" if there is none.
func (c *Client) FindTagged(ctx context.Context, channel, blockID string) (string, string, error) {
	params := &slack.GetConversationHistoryParameters{ChannelID: channel, Limit: 200}
	for {
		hist, err := c.api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return "", "", wrap("conversations.history", err)
		}
		for _, m := range hist.Messages {
			for _, blk := range m.Blocks.BlockSet {
				if blk.ID() == blockID {
					ch := m.Channel
					if ch == "" {
						ch = channel
					}
					return ch, m.Timestamp, nil
				}
			}
		}
		if !hist.HasMore || hist.ResponseMetaData.NextCursor == "" {
			return "", "", nil
		}
		params.Cursor = hist.ResponseMetaData.NextCursor
	}
}

// PostOnce posts m, tagged with blockID, unless an earlier run did. The
// caller records its intent (mark) before the post and tells whether an
// earlier run had (intended); a run that finds the intent looks for the
// message first. So a crash between posting and recording the post never
// posts twice. A mark that fails (a cancelled follow-up, a lost lease)
// posts nothing.
func (c *Client) PostOnce(ctx context.Context, channel, blockID string, intended bool, mark func() error, m TaggedMessage) (string, string, error) {
	if intended {
		if ch, ts, err := c.FindTagged(ctx, channel, blockID); err != nil || ts != "" {
			return ch, ts, err
		}
	} else if err := mark(); err != nil {
		return "", "", err
	}
	m.Tag(blockID)
	return c.Post(ctx, channel, m)
}

// OpenView opens a modal for a trigger_id (valid for 3 s after the click
// or command).
func (c *Client) OpenView(ctx context.Context, triggerID string, view slack.ModalViewRequest) error {
	_, err := c.api.OpenViewContext(ctx, triggerID, view)
	return wrap("views.open", err)
}

// Respond answers through a slash command's or interaction's response_url.
func (c *Client) Respond(ctx context.Context, responseURL string, r Reply) error {
	if responseURL == "" {
		return nil
	}
	text, blks := r.Content()
	inChannel, replace := r.Audience()
	msg := &slack.WebhookMessage{Text: text, ReplaceOriginal: replace, ResponseType: slack.ResponseTypeEphemeral}
	if inChannel {
		msg.ResponseType = slack.ResponseTypeInChannel
	}
	if len(blks) > 0 {
		msg.Blocks = &slack.Blocks{BlockSet: blks}
	}
	return slack.PostWebhookCustomHTTPContext(ctx, responseURL, c.cfg.HTTP, msg)
}

package slackapi

import (
	"context"

	"github.com/slack-go/slack"
)

// Permalink is a message's link, as people share it.
func (c *Client) Permalink(ctx context.Context, channel, ts string) (string, error) {
	link, err := c.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: channel, Ts: ts})
	return link, wrap("chat.getPermalink", err)
}

// ReplyOnce posts m in the thread of threadTS, tagged with blockID,
// unless an earlier run did: PostOnce for a thread, whose replies
// conversations.history does not list.
func (c *Client) ReplyOnce(ctx context.Context, channel, threadTS, blockID string, intended bool, mark func() error, m TaggedMessage) (string, error) {
	if intended {
		if ts, err := c.findTaggedReply(ctx, channel, threadTS, blockID); err != nil || ts != "" {
			return ts, err
		}
	} else if err := mark(); err != nil {
		return "", err
	}
	m.Tag(blockID)
	_, ts, err := c.api.PostMessageContext(ctx, channel, append(options(m), slack.MsgOptionTS(threadTS))...)
	return ts, wrap("chat.postMessage", err)
}

func (c *Client) findTaggedReply(ctx context.Context, channel, threadTS, blockID string) (string, error) {
	params := &slack.GetConversationRepliesParameters{ChannelID: channel, Timestamp: threadTS, Limit: 200}
	for {
		msgs, hasMore, next, err := c.api.GetConversationRepliesContext(ctx, params)
		if err != nil {
			return "", wrap("conversations.replies", err)
		}
		for _, m := range msgs {
			for _, blk := range m.Blocks.BlockSet {
				if blk.ID() == blockID {
					return m.Timestamp, nil
				}
			}
		}
		if !hasMore || next == "" {
			return "", nil
		}
		params.Cursor = next
	}
}

// CompleteFunction ends a Workflow Builder step's run: with its outputs,
// or, when failure is not "", with that sentence for the person who runs
// the workflow.
func (c *Client) CompleteFunction(ctx context.Context, executionID string, outputs map[string]string, failure string) error {
	if failure != "" {
		return wrap("functions.completeError", c.api.FunctionCompleteErrorContext(ctx, executionID, failure))
	}
	err := c.api.FunctionCompleteSuccessContext(ctx, executionID, slack.FunctionCompleteSuccessRequestOptionOutput(outputs))
	return wrap("functions.completeSuccess", err)
}

package slackapi

import (
	"context"

	"github.com/slack-go/slack"
)

// PublishHome publishes userID's App Home view. hash is the hash of the
// view this one replaces ("" for none): Slack refuses it with
// hash_conflict when another publish came in between. It returns the
// new view's hash.
func (c *Client) PublishHome(ctx context.Context, userID string, blks []slack.Block, hash string) (string, error) {
	req := slack.PublishViewContextRequest{UserID: userID, View: slack.HomeTabViewRequest{Type: slack.VTHomeTab,
		Blocks: slack.Blocks{BlockSet: blks}}}
	if hash != "" {
		req.Hash = &hash
	}
	resp, err := c.api.PublishViewContext(ctx, req)
	if err != nil {
		return "", wrap("views.publish", err)
	}
	return resp.Hash, nil
}

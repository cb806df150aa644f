package main

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"
)

// resolveChannel turns WARROOM_ANNOUNCE_CHANNEL into a channel ID. IDs pass
// through; a name is looked up among the channels the bot can see, because
// Slack's conversations.* methods take IDs only, and the bot needs one to
// join the channel or find its message there after a restart.
func resolveChannel(ctx context.Context, api *slack.Client, nameOrID string) (string, error) {
	if _, ok := channelID(nameOrID); ok {
		return nameOrID, nil
	}
	params := &slack.GetConversationsParameters{
		Types:           []string{"public_channel", "private_channel"},
		ExcludeArchived: true,
		Limit:           1000,
	}
	for {
		chans, cursor, err := api.GetConversationsContext(ctx, params)
		if err != nil {
			return "", fmt.Errorf("WARROOM_ANNOUNCE_CHANNEL #%s could not be looked up: %w", nameOrID, err)
		}
		for _, ch := range chans {
			if ch.Name == nameOrID {
				return ch.ID, nil
			}
		}
		if cursor == "" {
			return "", &ConfigError{"WARROOM_ANNOUNCE_CHANNEL", fmt.Sprintf("names #%s, which the bot cannot see: check the name, or invite @warroom to the private channel.", nameOrID)}
		}
		params.Cursor = cursor
	}
}

// channelID reports whether v looks like a Slack channel ID (C… or G…).
func channelID(v string) (string, bool) {
	if len(v) < 9 || len(v) > 15 || (v[0] != 'C' && v[0] != 'G') {
		return "", false
	}
	for _, r := range v {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return "", false
		}
	}
	return v, true
}

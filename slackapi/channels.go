package slackapi

import (
	"context"
	"slices"

	"github.com/slack-go/slack"

	"github.com/warroom-dev/warroom"
)

// Channel is a conversation as warroom needs it.
type Channel struct {
	ID, Name, Creator string
}

// CreateChannel makes a channel. Slack's name_taken comes back as an *Error
// with that code.
func (c *Client) CreateChannel(ctx context.Context, name string, private bool) (Channel, error) {
	ch, err := c.api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: name, IsPrivate: private})
	if err != nil {
		return Channel{}, wrap("conversations.create", err)
	}
	return Channel{ID: ch.ID, Name: ch.Name, Creator: ch.Creator}, nil
}

// FindChannel looks for a channel by name among those the bot can see; ok
// is false when there is none. creator, if set, must have made it.
func (c *Client) FindChannel(ctx context.Context, name, creator string) (Channel, bool, error) {
	params := &slack.GetConversationsParameters{Types: []string{"public_channel", "private_channel"}, Limit: 1000}
	for {
		chans, cursor, err := c.api.GetConversationsContext(ctx, params)
		if err != nil {
			return Channel{}, false, wrap("conversations.list", err)
		}
		for _, ch := range chans {
			if ch.Name == name && (creator == "" || ch.Creator == creator) {
				return Channel{ID: ch.ID, Name: ch.Name, Creator: ch.Creator}, true, nil
			}
		}
		if cursor == "" {
			return Channel{}, false, nil
		}
		params.Cursor = cursor
	}
}

// Join makes the bot a member of a channel (already a member is fine).
func (c *Client) Join(ctx context.Context, channel string) error {
	_, _, _, err := c.api.JoinConversationContext(ctx, channel)
	return wrap("conversations.join", err)
}

// Invite adds people to a channel. Those already in it, or the bot itself,
// are not an error; nor are people Slack will never let in (unknown,
// guests): skipped reports them.
func (c *Client) Invite(ctx context.Context, channel string, users ...string) (skipped bool, err error) {
	var who []string
	for _, u := range users {
		if u != "" && !slices.Contains(who, u) {
			who = append(who, u)
		}
	}
	if len(who) == 0 {
		return false, nil
	}
	_, err = c.api.InviteUsersToConversationContext(ctx, channel, who...)
	switch Code(err) {
	case "", "already_in_channel", "cant_invite_self":
		return false, nil
	case "user_not_found", "user_is_restricted", "user_is_ultra_restricted", "cant_invite":
		return true, nil
	}
	return false, wrap("conversations.invite", err)
}

// SetTopic sets a channel's topic.
func (c *Client) SetTopic(ctx context.Context, channel, topic string) error {
	_, err := c.api.SetTopicOfConversationContext(ctx, channel, topic)
	return wrap("conversations.setTopic", err)
}

// Bookmark is a channel bookmark.
type Bookmark struct{ ID, Title, Link string }

// Bookmarks lists a channel's bookmarks.
func (c *Client) Bookmarks(ctx context.Context, channel string) ([]Bookmark, error) {
	marks, err := c.api.ListBookmarksContext(ctx, channel)
	if err != nil {
		return nil, wrap("bookmarks.list", err)
	}
	out := make([]Bookmark, 0, len(marks))
	for _, m := range marks {
		out = append(out, Bookmark{ID: m.ID, Title: m.Title, Link: m.Link})
	}
	return out, nil
}

// AddBookmark adds a link bookmark. bookmarks.add has no idempotency key:
// callers record their intent and look with Bookmarks after a lost answer.
func (c *Client) AddBookmark(ctx context.Context, channel, title, link, emoji string) error {
	_, err := c.api.AddBookmarkContext(ctx, channel, slack.AddBookmarkParameters{Title: title, Type: "link", Link: link, Emoji: emoji})
	return wrap("bookmarks.add", err)
}

// RemoveBookmarks removes every bookmark of the channel that points to link.
func (c *Client) RemoveBookmarks(ctx context.Context, channel, link string) error {
	marks, err := c.Bookmarks(ctx, channel)
	if err != nil {
		return err
	}
	for _, m := range marks {
		if m.Link != link {
			continue
		}
		if err := c.api.RemoveBookmarkContext(ctx, channel, m.ID); err != nil && Code(wrap("", err)) != "not_found" {
			return wrap("bookmarks.remove", err)
		}
	}
	return nil
}

// ChannelID resolves a channel name (without '#') to its ID; IDs pass
// through. ok is false when the bot cannot see a channel of that name.
func (c *Client) ChannelID(ctx context.Context, nameOrID string) (string, bool, error) {
	if warroom.LooksLikeChannelID(nameOrID) {
		return nameOrID, true, nil
	}
	ch, ok, err := c.FindChannel(ctx, nameOrID, "")
	return ch.ID, ok, err
}

// ChannelInfo is what warroom doctor checks of a channel.
type ChannelInfo struct {
	ID, Name                        string
	IsArchived, IsPrivate, IsMember bool
}

// ChannelInfo reads a channel.
func (c *Client) ChannelInfo(ctx context.Context, id string) (ChannelInfo, error) {
	ch, err := c.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: id})
	if err != nil {
		return ChannelInfo{}, wrap("conversations.info", err)
	}
	return ChannelInfo{ID: ch.ID, Name: ch.Name, IsArchived: ch.IsArchived, IsPrivate: ch.IsPrivate, IsMember: ch.IsMember}, nil
}

package slackfake

import (
	"encoding/json"
	"fmt"
	"slices"
)

// The workspace as users see it: read-back for tests, actions of humans,
// and the state helpers the Web API handlers share.

// channel is the fake's state for one conversation.
type channel struct {
	Channel
	topicCreator, purposeCreator string
	topicSet, purposeSet         int64
	updated                      int64      // Unix milliseconds of the last change to the channel itself
	messages                     []*message // ts order
	pins                         []string   // message ts, pin order
	bookmarks                    []Bookmark
	canvasID                     string // its channel canvas, once made
}

type message struct {
	Message
	editedTS string
}

// Channels lists every channel, in creation order, #general first.
func (s *Server) Channels() []Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Channel, 0, len(s.channelOrder))
	for _, id := range s.channelOrder {
		out = append(out, s.channels[id].snapshot())
	}
	return out
}

// ChannelByName finds a channel, archived or not, by its name (without "#").
func (s *Server) ChannelByName(name string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch := s.channelNamed(name); ch != nil {
		return ch.snapshot(), true
	}
	return Channel{}, false
}

// Channel finds a channel by ID.
func (s *Server) Channel(id string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch := s.channels[id]; ch != nil {
		return ch.snapshot(), true
	}
	return Channel{}, false
}

// Messages lists a channel's messages, thread replies included, in ts order.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channels[channelID]
	if ch == nil {
		return nil
	}
	out := make([]Message, 0, len(ch.messages))
	for _, m := range ch.messages {
		out = append(out, ch.messageSnapshot(m))
	}
	return out
}

// Pins lists a channel's pinned messages in the order they were pinned.
func (s *Server) Pins(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channels[channelID]
	if ch == nil {
		return nil
	}
	out := make([]Message, 0, len(ch.pins))
	for _, ts := range ch.pins {
		if m := ch.message(ts); m != nil {
			out = append(out, ch.messageSnapshot(m))
		}
	}
	return out
}

// Bookmarks lists a channel's bookmarks in the order they were added.
func (s *Server) Bookmarks(channelID string) []Bookmark {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch := s.channels[channelID]; ch != nil {
		return slices.Clone(ch.bookmarks)
	}
	return nil
}

// Ephemerals lists what only userID saw, oldest first: slash command ack
// payloads, response_url posts and chat.postEphemeral messages.
func (s *Server) Ephemerals(userID string) []Ephemeral {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Ephemeral
	for _, e := range s.ephemerals {
		if e.User == userID {
			out = append(out, e)
		}
	}
	return out
}

// Calls is the log of Web API calls and response_url posts, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Views lists the modals the app opened, in the order they were opened.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]View, 0, len(s.viewOrder))
	for _, id := range s.viewOrder {
		out = append(out, *s.views[id])
	}
	return out
}

// Pongs counts the pongs clients sent back to the server's pings.
func (s *Server) Pongs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pongs
}

// CreateChannelAs has a human create a public channel, as in Slack's UI. The
// bot is not a member; a channel_created event goes to the socket (or waits
// for one). Name errors are Slack's (*Error).
func (s *Server) CreateChannelAs(userID, name string) (Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[userID] == nil {
		return Channel{}, &Error{Code: "user_not_found"}
	}
	if code := checkChannelName(name); code != "" {
		return Channel{}, &Error{Code: code}
	}
	if s.channelNamed(name) != nil {
		return Channel{}, &Error{Code: "name_taken"}
	}
	return s.createChannel(name, userID, false).snapshot(), nil
}

// PostMessageAs has a human post text in a channel they belong to. If the bot
// is a member too, it gets the message event (message.channels).
func (s *Server) PostMessageAs(userID, channelID, text string) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channels[channelID]
	switch {
	case s.users[userID] == nil:
		return Message{}, &Error{Code: "user_not_found"}
	case ch == nil:
		return Message{}, &Error{Code: "channel_not_found"}
	case ch.IsArchived:
		return Message{}, &Error{Code: "is_archived"}
	case !ch.isMember(userID):
		return Message{}, &Error{Code: "not_in_channel"}
	}
	m := s.appendMessage(ch, userID, text, nil, "")
	if ch.isMember(s.cfg.BotUserID) {
		channelType := "channel"
		if ch.IsPrivate {
			channelType = "group"
		}
		s.enqueueEvent(map[string]any{
			"type": "message", "user": userID, "text": text, "ts": m.TS,
			"channel": ch.ID, "channel_type": channelType, "event_ts": m.TS, "team": s.cfg.TeamID,
		})
	}
	return ch.messageSnapshot(m), nil
}

// The helpers below run with s.mu held.

func (s *Server) addChannel(id, name, creator string, private bool) *channel {
	ch := &channel{Channel: Channel{
		ID: id, Name: name, Creator: creator, IsPrivate: private,
		Created: s.cfg.Now().Unix(), Members: []string{creator},
	}, updated: s.cfg.Now().UnixMilli()}
	s.channels[id] = ch
	s.channelNames[name] = ch
	s.channelOrder = append(s.channelOrder, id)
	return ch
}

// createChannel makes a channel and, for public ones, tells the app:
// Slack sends channel_created even for channels the app made itself.
func (s *Server) createChannel(name, creator string, private bool) *channel {
	ch := s.addChannel(s.newID("C"), name, creator, private)
	if !private {
		s.enqueueEvent(map[string]any{
			"type": "channel_created",
			"channel": map[string]any{
				"id": ch.ID, "name": ch.Name, "name_normalized": ch.Name, "is_channel": true,
				"is_private": false, "is_archived": false, "is_general": false, "is_im": false, "is_mpim": false,
				"is_group": false, "is_member": ch.Creator == s.cfg.BotUserID, "is_ext_shared": false,
				"is_pending_ext_shared": false, "created": ch.Created, "updated": ch.updatedMilli(),
				"creator": ch.Creator, "is_shared": false, "is_org_shared": false,
				"context_team_id": s.cfg.TeamID, "shared_team_ids": []string{s.cfg.TeamID},
			},
			"event_ts": s.eventTS(),
		})
	}
	return ch
}

func (s *Server) channelNamed(name string) *channel { return s.channelNames[name] }

// updatedMilli is the channel's "updated": when it last changed (its
// topic, purpose, archiving), in Unix milliseconds, its creation at first.
func (ch *channel) updatedMilli() int64 {
	if ch.updated == 0 {
		return ch.Created * 1000
	}
	return ch.updated
}

func (s *Server) appendMessage(ch *channel, user, text string, blocks json.RawMessage, threadTS string) *message {
	m := &message{Message: Message{
		TS: s.newTS(), Channel: ch.ID, User: user, Text: text, ThreadTS: threadTS, Blocks: blocks,
	}}
	ch.messages = append(ch.messages, m)
	return m
}

// newTS hands out message timestamps: unique and increasing across the
// workspace even when Now stands still, in Slack's "seconds.micros" form.
func (s *Server) newTS() string {
	us := s.cfg.Now().UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// eventTS is an event_ts: a timestamp that is not a message.
func (s *Server) eventTS() string {
	now := s.cfg.Now().UnixMicro()
	return fmt.Sprintf("%d.%06d", now/1e6, now%1e6)
}

// newID returns prefix followed by a counter, e.g. "C00000001": readable in
// test failures and stable from run to run.
func (s *Server) newID(prefix string) string {
	s.seq[prefix]++
	return fmt.Sprintf("%s%08d", prefix, s.seq[prefix])
}

func (ch *channel) isMember(user string) bool { return slices.Contains(ch.Members, user) }

func (ch *channel) message(ts string) *message {
	for _, m := range ch.messages {
		if m.TS == ts {
			return m
		}
	}
	return nil
}

func (ch *channel) snapshot() Channel {
	c := ch.Channel
	c.Members = slices.Clone(ch.Members)
	return c
}

func (ch *channel) messageSnapshot(m *message) Message {
	out := m.Message
	out.Blocks = slices.Clone(m.Blocks)
	out.Pinned = slices.Contains(ch.pins, m.TS)
	return out
}

// User returns a workspace user (the bot included) by ID.
func (s *Server) User(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// DirectMessages returns what the bot said to a user in their direct
// messages with it.
func (s *Server) DirectMessages(userID string) []Message {
	return s.Messages("D" + userID)
}

// ArchiveChannelAs has a person archive a channel, as from Slack's own
// menu: the bot's later posts, pins and topic changes there are refused
// with is_archived.
func (s *Server) ArchiveChannelAs(userID, channelID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channels[channelID]
	switch {
	case s.users[userID] == nil:
		return &Error{Code: "user_not_found"}
	case ch == nil:
		return &Error{Code: "channel_not_found"}
	case ch.IsArchived:
		return &Error{Code: "already_archived"}
	case ch.ID == generalID:
		return &Error{Code: "cant_archive_general"}
	}
	ch.IsArchived, ch.updated = true, s.cfg.Now().UnixMilli()
	return nil
}

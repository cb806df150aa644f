package slackfake

import (
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// The chat.*, pins.* and bookmarks.* methods. Handlers run with s.mu held.

// postableChannel finds where the bot may post. chat.postMessage also takes
// a channel name ("#general" or "general"), as Slack does.
func (s *Server) postableChannel(ref string) (*channel, string) {
	if u := s.users[ref]; u != nil && !u.IsBot {
		return s.directChannel(ref), ""
	}
	id := ref
	if s.channels[ref] == nil {
		if ch := s.channelNamed(strings.TrimPrefix(ref, "#")); ch != nil {
			id = ch.ID
		}
	}
	return s.memberChannel(id)
}

// directChannel is the bot's direct-message conversation with a user,
// opened on first use: posting to a user ID lands there, as in Slack. It is
// not listed among the workspace's channels.
func (s *Server) directChannel(userID string) *channel {
	id := "D" + userID
	if ch := s.channels[id]; ch != nil {
		return ch
	}
	ch := &channel{Channel: Channel{ID: id, Creator: s.cfg.BotUserID, IsPrivate: true, Created: s.cfg.Now().Unix(),
		Members: []string{s.cfg.BotUserID, userID}}}
	s.channels[id] = ch
	return ch
}

// messageContent reads text and blocks; it fails the way chat.postMessage
// does on bad blocks or no content at all.
func (s *Server) messageContent(p params) (text string, blocks blockResult, errBody map[string]any, code string) {
	text = p.get("text")
	blocks = checkBlocks(p.raw("blocks"), maxMessageBlocks)
	switch {
	case blocks.code != "":
		return "", blocks, blocks.errorBody(), blocks.code
	case text == "" && blocks.blocks == nil && p.get("attachments") == "":
		return "", blocks, nil, "no_text"
	case utf8.RuneCountInString(text) > 40000:
		return "", blocks, nil, "msg_too_long"
	}
	return text, blocks, nil, ""
}

func (s *Server) chatPostMessage(p params) (map[string]any, string) {
	ch, code := s.postableChannel(p.get("channel"))
	if code != "" {
		return nil, code
	}
	text, blocks, errBody, code := s.messageContent(p)
	if code != "" {
		return errBody, code
	}
	m := s.appendMessage(ch, s.cfg.BotUserID, text, blocks.blocks, p.get("thread_ts"))
	return map[string]any{"channel": ch.ID, "ts": m.TS, "message": s.messageJSON(ch, m)}, ""
}

func (s *Server) chatUpdate(p params) (map[string]any, string) {
	ch, code := s.visibleChannel(p.get("channel"))
	if code != "" {
		return nil, code
	}
	m := ch.message(p.get("ts"))
	switch {
	case m == nil:
		return nil, "message_not_found"
	case m.User != s.cfg.BotUserID:
		return nil, "cant_update_message"
	case ch.IsArchived:
		return nil, "is_archived"
	}
	// Slack keeps what the update leaves out; "blocks=[]" clears blocks.
	text, blocks := m.Text, m.Blocks
	if p.has("text") {
		text = p.get("text")
	}
	if p.has("blocks") {
		res := checkBlocks(p.raw("blocks"), maxMessageBlocks)
		if res.code != "" {
			return res.errorBody(), res.code
		}
		blocks = res.blocks
	}
	if text == "" && blocks == nil {
		return nil, "no_text"
	}
	m.Text, m.Blocks, m.Edited, m.editedTS = text, blocks, true, s.newTS()
	return map[string]any{"channel": ch.ID, "ts": m.TS, "text": m.Text, "message": s.messageJSON(ch, m)}, ""
}

func (s *Server) chatDelete(p params) (map[string]any, string) {
	ch, code := s.visibleChannel(p.get("channel"))
	if code != "" {
		return nil, code
	}
	m := ch.message(p.get("ts"))
	switch {
	case m == nil:
		return nil, "message_not_found"
	case m.User != s.cfg.BotUserID:
		return nil, "cant_delete_message"
	}
	ch.deleteMessage(m.TS)
	return map[string]any{"channel": ch.ID, "ts": m.TS}, ""
}

func (ch *channel) deleteMessage(ts string) {
	ch.messages = slices.DeleteFunc(ch.messages, func(m *message) bool { return m.TS == ts })
	ch.pins = slices.DeleteFunc(ch.pins, func(p string) bool { return p == ts })
}

func (s *Server) chatPostEphemeral(p params) (map[string]any, string) {
	ch, code := s.memberChannel(p.get("channel"))
	if code != "" {
		return nil, code
	}
	user := p.get("user")
	if !ch.isMember(user) {
		return nil, "user_not_in_channel"
	}
	text, blocks, errBody, code := s.messageContent(p)
	if code != "" {
		return errBody, code
	}
	s.ephemerals = append(s.ephemerals, Ephemeral{
		Channel: ch.ID, User: user, Text: text, Blocks: blocks.blocks, Via: "chat.postEphemeral",
	})
	return map[string]any{"message_ts": s.newTS()}, ""
}

func (s *Server) chatGetPermalink(p params) (map[string]any, string) {
	ch, code := s.visibleChannel(p.get("channel"))
	if code != "" {
		return nil, code
	}
	ts := p.get("message_ts")
	if ch.message(ts) == nil {
		return nil, "message_not_found"
	}
	link := "https://" + teamDomain + ".slack.com/archives/" + ch.ID + "/p" + strings.ReplaceAll(ts, ".", "")
	return map[string]any{"channel": ch.ID, "permalink": link}, ""
}

// messageJSON renders a message as chat.* and pins.list return it.
func (s *Server) messageJSON(ch *channel, m *message) map[string]any {
	out := map[string]any{"type": "message", "text": m.Text, "user": m.User, "ts": m.TS, "team": s.cfg.TeamID}
	if m.User == s.cfg.BotUserID {
		out["bot_id"] = botID
		out["app_id"] = appID
		out["bot_profile"] = map[string]any{"id": botID, "app_id": appID, "name": "warroom", "team_id": s.cfg.TeamID}
	}
	if m.Blocks != nil {
		out["blocks"] = m.Blocks
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if m.Edited {
		out["edited"] = map[string]any{"user": m.User, "ts": m.editedTS}
	}
	if slices.Contains(ch.pins, m.TS) {
		out["pinned_to"] = []string{ch.ID}
	}
	return out
}

// Slack caps pins and bookmarks per channel.
const (
	maxPins      = 100
	maxBookmarks = 100
)

func (s *Server) pinsAdd(p params) (map[string]any, string) {
	ch, code := s.memberChannel(p.get("channel"))
	if code != "" {
		return nil, code
	}
	ts := p.get("timestamp")
	switch {
	case ts == "":
		return nil, "no_item_specified"
	case ch.message(ts) == nil:
		return nil, "message_not_found"
	case slices.Contains(ch.pins, ts):
		return nil, "already_pinned"
	case len(ch.pins) >= maxPins:
		return nil, "too_many_pins"
	}
	ch.pins = append(ch.pins, ts)
	return map[string]any{}, ""
}

func (s *Server) pinsRemove(p params) (map[string]any, string) {
	ch, code := s.memberChannel(p.get("channel"))
	if code != "" {
		return nil, code
	}
	ts := p.get("timestamp")
	if !slices.Contains(ch.pins, ts) {
		return nil, "no_pin"
	}
	ch.pins = slices.DeleteFunc(ch.pins, func(p string) bool { return p == ts })
	return map[string]any{}, ""
}

func (s *Server) pinsList(p params) (map[string]any, string) {
	ch, code := s.visibleChannel(p.get("channel"))
	if code != "" {
		return nil, code
	}
	items := []any{}
	for _, ts := range ch.pins {
		if m := ch.message(ts); m != nil {
			items = append(items, map[string]any{
				"type": "message", "channel": ch.ID, "message": s.messageJSON(ch, m),
				"created": s.cfg.Now().Unix(), "created_by": s.cfg.BotUserID,
			})
		}
	}
	return map[string]any{"items": items}, ""
}

func (s *Server) bookmarksAdd(p params) (map[string]any, string) {
	ch, code := s.memberChannel(p.get("channel_id"))
	if code != "" {
		return nil, code
	}
	title, typ, link := p.get("title"), p.get("type"), p.get("link")
	switch {
	case title == "":
		return nil, "invalid_title"
	case typ != "link":
		return nil, "invalid_bookmark_type"
	case !httpURL(link):
		return nil, "invalid_link"
	case len(ch.bookmarks) >= maxBookmarks:
		return nil, "too_many_bookmarks"
	}
	b := Bookmark{ID: s.newID("Bk"), ChannelID: ch.ID, Title: title, Type: typ, Link: link}
	ch.bookmarks = append(ch.bookmarks, b)
	return map[string]any{"bookmark": s.bookmarkJSON(b, p.get("emoji"))}, ""
}

func httpURL(link string) bool {
	u, err := url.Parse(link)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func (s *Server) bookmarksRemove(p params) (map[string]any, string) {
	ch, code := s.memberChannel(p.get("channel_id"))
	if code != "" {
		return nil, code
	}
	id := p.get("bookmark_id")
	n := len(ch.bookmarks)
	ch.bookmarks = slices.DeleteFunc(ch.bookmarks, func(b Bookmark) bool { return b.ID == id })
	if len(ch.bookmarks) == n {
		return nil, "not_found"
	}
	return map[string]any{}, ""
}

func (s *Server) bookmarksList(p params) (map[string]any, string) {
	ch, code := s.visibleChannel(p.get("channel_id"))
	if code != "" {
		return nil, code
	}
	out := []any{}
	for _, b := range ch.bookmarks {
		out = append(out, s.bookmarkJSON(b, ""))
	}
	return map[string]any{"bookmarks": out}, ""
}

func (s *Server) bookmarkJSON(b Bookmark, emoji string) map[string]any {
	now := s.cfg.Now().Unix()
	return map[string]any{
		"id": b.ID, "channel_id": b.ChannelID, "title": b.Title, "link": b.Link, "emoji": emoji,
		"icon_url": "", "type": b.Type, "entity_id": nil, "date_created": now, "date_updated": now,
		"rank": "U", "last_updated_by_user_id": s.cfg.BotUserID, "last_updated_by_team_id": s.cfg.TeamID,
		"shortcut_id": nil, "app_id": appID,
	}
}

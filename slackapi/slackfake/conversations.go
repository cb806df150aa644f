package slackfake

import (
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The conversations.* methods. Handlers run with s.mu held.

// checkChannelName applies Slack's channel name rules and returns the error
// Slack would give, or "".
func checkChannelName(name string) string {
	switch {
	case name == "":
		return "invalid_name_required"
	case utf8.RuneCountInString(name) > 80:
		return "invalid_name_maxlength"
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return "invalid_name_specials"
		}
	}
	if strings.Trim(name, "-_") == "" {
		return "invalid_name_punctuation"
	}
	return ""
}

func (s *Server) conversationsCreate(p params) (map[string]any, string) {
	name := p.get("name")
	if code := checkChannelName(name); code != "" {
		return nil, code
	}
	// Archived channels keep their names, so they count here too.
	if s.channelNamed(name) != nil {
		return nil, "name_taken"
	}
	ch := s.createChannel(name, s.cfg.BotUserID, p.bool("is_private"))
	return map[string]any{"channel": s.channelJSON(ch)}, ""
}

// visibleChannel finds a channel the bot can see: Slack answers
// channel_not_found for private channels it is not in.
func (s *Server) visibleChannel(id string) (*channel, string) {
	ch := s.channels[id]
	if ch == nil || ch.IsPrivate && !ch.isMember(s.cfg.BotUserID) {
		return nil, "channel_not_found"
	}
	return ch, ""
}

// memberChannel finds a live channel the bot belongs to, for methods that
// change it.
func (s *Server) memberChannel(id string) (*channel, string) {
	ch, code := s.visibleChannel(id)
	switch {
	case code != "":
		return nil, code
	case ch.IsArchived:
		return nil, "is_archived"
	case !ch.isMember(s.cfg.BotUserID):
		return nil, "not_in_channel"
	}
	return ch, ""
}

func (s *Server) conversationsInvite(p params) (map[string]any, string) {
	ch, code := s.memberChannel(p.get("channel"))
	if code != "" {
		return nil, code
	}
	var users []string
	for _, u := range strings.Split(p.get("users"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			users = append(users, u)
		}
	}
	switch {
	case len(users) == 0:
		return nil, "no_user"
	case len(users) > 100:
		return nil, "too_many_users"
	}
	for _, u := range users {
		if u == s.cfg.BotUserID {
			return nil, "cant_invite_self"
		}
		if s.users[u] == nil {
			return nil, "user_not_found"
		}
	}
	added := 0
	for _, u := range users {
		if !ch.isMember(u) {
			ch.Members = append(ch.Members, u)
			added++
		}
	}
	if added == 0 {
		return nil, "already_in_channel"
	}
	return map[string]any{"channel": s.channelJSON(ch)}, ""
}

func (s *Server) conversationsJoin(p params) (map[string]any, string) {
	ch, code := s.visibleChannel(p.get("channel"))
	switch {
	case code != "":
		return nil, code
	case ch.IsPrivate:
		return nil, "method_not_supported_for_channel_type"
	case ch.IsArchived:
		return nil, "is_archived"
	case ch.isMember(s.cfg.BotUserID):
		return map[string]any{
			"channel":           s.channelJSON(ch),
			"warning":           "already_in_channel",
			"response_metadata": map[string]any{"warnings": []string{"already_in_channel"}},
		}, ""
	}
	ch.Members = append(ch.Members, s.cfg.BotUserID)
	return map[string]any{"channel": s.channelJSON(ch)}, ""
}

func (s *Server) conversationsInfo(p params) (map[string]any, string) {
	ch, code := s.visibleChannel(p.get("channel"))
	if code != "" {
		return nil, code
	}
	return map[string]any{"channel": s.channelJSON(ch)}, ""
}

// conversationsList pages through channels in creation order. The cursor is
// opaque to clients, like Slack's: base64 of the next channel's ID.
func (s *Server) conversationsList(p params) (map[string]any, string) {
	types := p.get("types")
	if types == "" {
		types = "public_channel"
	}
	var public, private bool
	for _, t := range strings.Split(types, ",") {
		switch strings.TrimSpace(t) {
		case "public_channel":
			public = true
		case "private_channel":
			private = true
		case "im", "mpim":
			// The fake has no DMs.
		default:
			return nil, "invalid_types"
		}
	}
	excludeArchived := p.bool("exclude_archived")
	limit, code := pageLimit(p)
	if code != "" {
		return nil, code
	}
	var matching []*channel
	for _, id := range s.channelOrder {
		ch := s.channels[id]
		switch {
		case excludeArchived && ch.IsArchived:
		case ch.IsPrivate && (!private || !ch.isMember(s.cfg.BotUserID)):
		case !ch.IsPrivate && !public:
		default:
			matching = append(matching, ch)
		}
	}
	start, code := cursorStart(p.get("cursor"), len(matching), func(i int) string { return matching[i].ID })
	if code != "" {
		return nil, code
	}
	end := min(start+limit, len(matching))
	page := make([]any, 0, end-start)
	for _, ch := range matching[start:end] {
		page = append(page, s.channelJSON(ch))
	}
	next := ""
	if end < len(matching) {
		next = encodeCursor(matching[end].ID)
	}
	return map[string]any{"channels": page, "response_metadata": map[string]any{"next_cursor": next}}, ""
}

func (s *Server) conversationsMembers(p params) (map[string]any, string) {
	ch, code := s.visibleChannel(p.get("channel"))
	if code != "" {
		return nil, code
	}
	limit, code := pageLimit(p)
	if code != "" {
		return nil, code
	}
	start, code := cursorStart(p.get("cursor"), len(ch.Members), func(i int) string { return ch.Members[i] })
	if code != "" {
		return nil, code
	}
	end := min(start+limit, len(ch.Members))
	next := ""
	if end < len(ch.Members) {
		next = encodeCursor(ch.Members[end])
	}
	return map[string]any{
		"members":           append([]string{}, ch.Members[start:end]...),
		"response_metadata": map[string]any{"next_cursor": next},
	}, ""
}

// conversationsHistory lists a channel's messages, newest first, paged
// with a cursor as Slack does.
func (s *Server) conversationsHistory(p params) (map[string]any, string) {
	ch, code := s.memberChannel(p.get("channel"))
	if code != "" {
		return nil, code
	}
	limit, code := pageLimit(p)
	if code != "" {
		return nil, code
	}
	newest := make([]*message, 0, len(ch.messages))
	for i := len(ch.messages) - 1; i >= 0; i-- {
		if ch.messages[i].ThreadTS == "" || ch.messages[i].ThreadTS == ch.messages[i].TS {
			newest = append(newest, ch.messages[i])
		}
	}
	start, code := cursorStart(p.get("cursor"), len(newest), func(i int) string { return newest[i].TS })
	if code != "" {
		return nil, code
	}
	end := min(start+limit, len(newest))
	msgs := make([]map[string]any, 0, end-start)
	for _, m := range newest[start:end] {
		msgs = append(msgs, s.messageJSON(ch, m))
	}
	next := ""
	if end < len(newest) {
		next = encodeCursor(newest[end].TS)
	}
	return map[string]any{
		"messages":          msgs,
		"has_more":          next != "",
		"pin_count":         len(ch.pins),
		"response_metadata": map[string]any{"next_cursor": next},
	}, ""
}

// pageLimit reads limit: Slack's default is 100 and it caps at 1000.
func pageLimit(p params) (int, string) {
	v := p.get("limit")
	if v == "" || v == "0" {
		return 100, ""
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, "invalid_limit"
	}
	return min(n, 1000), ""
}

func encodeCursor(id string) string {
	return base64.StdEncoding.EncodeToString([]byte("next:" + id))
}

// cursorStart finds where a page starts: the item whose ID the cursor names.
func cursorStart(cursor string, n int, idAt func(int) string) (int, string) {
	if cursor == "" {
		return 0, ""
	}
	raw, err := base64.StdEncoding.DecodeString(cursor)
	id, ok := strings.CutPrefix(string(raw), "next:")
	if err != nil || !ok {
		return 0, "invalid_cursor"
	}
	for i := range n {
		if idAt(i) == id {
			return i, ""
		}
	}
	return 0, "invalid_cursor"
}

func (s *Server) conversationsSetTopic(p params) (map[string]any, string) {
	ch, code := s.memberChannel(p.get("channel"))
	if code != "" {
		return nil, code
	}
	topic := p.get("topic")
	if utf8.RuneCountInString(topic) > 250 {
		return nil, "too_long"
	}
	ch.Topic, ch.topicCreator, ch.topicSet = topic, s.cfg.BotUserID, s.cfg.Now().Unix()
	ch.updated = s.cfg.Now().UnixMilli()
	return map[string]any{"channel": s.channelJSON(ch)}, ""
}

func (s *Server) conversationsSetPurpose(p params) (map[string]any, string) {
	ch, code := s.memberChannel(p.get("channel"))
	if code != "" {
		return nil, code
	}
	purpose := p.get("purpose")
	if utf8.RuneCountInString(purpose) > 250 {
		return nil, "too_long"
	}
	ch.Purpose, ch.purposeCreator, ch.purposeSet = purpose, s.cfg.BotUserID, s.cfg.Now().Unix()
	ch.updated = s.cfg.Now().UnixMilli()
	return map[string]any{"channel": s.channelJSON(ch)}, ""
}

func (s *Server) conversationsArchive(p params) (map[string]any, string) {
	ch, code := s.visibleChannel(p.get("channel"))
	switch {
	case code != "":
		return nil, code
	case ch.IsArchived:
		return nil, "already_archived"
	case ch.ID == generalID:
		return nil, "cant_archive_general"
	case !ch.isMember(s.cfg.BotUserID):
		return nil, "not_in_channel"
	}
	ch.IsArchived, ch.updated = true, s.cfg.Now().UnixMilli()
	return map[string]any{}, ""
}

func (s *Server) conversationsUnarchive(p params) (map[string]any, string) {
	ch, code := s.visibleChannel(p.get("channel"))
	switch {
	case code != "":
		return nil, code
	case !ch.IsArchived:
		return nil, "not_archived"
	}
	ch.IsArchived, ch.updated = false, s.cfg.Now().UnixMilli()
	return map[string]any{}, ""
}

// channelJSON renders a channel the way conversations.* return it, with
// the fields Slack's conversation object always carries, Slack Connect's
// included (empty here: the fake shares no channel with another
// workspace).
func (s *Server) channelJSON(ch *channel) map[string]any {
	m := map[string]any{
		"id":                         ch.ID,
		"name":                       ch.Name,
		"name_normalized":            ch.Name,
		"created":                    ch.Created,
		"creator":                    ch.Creator,
		"is_channel":                 true,
		"is_group":                   false,
		"is_im":                      false,
		"is_mpim":                    false,
		"is_private":                 ch.IsPrivate,
		"is_archived":                ch.IsArchived,
		"is_general":                 ch.ID == generalID,
		"is_shared":                  false,
		"is_ext_shared":              false,
		"is_org_shared":              false,
		"is_pending_ext_shared":      false,
		"is_frozen":                  false,
		"pending_shared":             []string{},
		"pending_connected_team_ids": []string{},
		"parent_conversation":        nil,
		"updated":                    ch.updatedMilli(),
		"is_member":                  ch.isMember(s.cfg.BotUserID),
		"unlinked":                   0,
		"context_team_id":            s.cfg.TeamID,
		"shared_team_ids":            []string{s.cfg.TeamID},
		"previous_names":             []string{},
		"num_members":                len(ch.Members),
		"topic":                      map[string]any{"value": ch.Topic, "creator": ch.topicCreator, "last_set": ch.topicSet},
		"purpose":                    map[string]any{"value": ch.Purpose, "creator": ch.purposeCreator, "last_set": ch.purposeSet},
	}
	if ch.canvasID != "" {
		// Slack shows the channel's canvas among the channel's properties.
		m["properties"] = map[string]any{"canvas": map[string]any{"file_id": ch.canvasID, "is_empty": false,
			"quip_thread_id": "TQ" + ch.canvasID}}
	}
	return m
}

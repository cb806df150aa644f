package slackfake

import (
	"encoding/json"
	"slices"
	"strconv"
)

// SlackCall is a Call registered through Slack's Calls API (calls.add), as
// Slack keeps it. (Calls, the API call log, already has the name Call.)
type SlackCall struct {
	ID                string
	ExternalUniqueID  string
	JoinURL           string
	ExternalDisplayID string
	Title             string
	CreatedBy         string
	DateStart         int64 // Unix seconds
	// Participants are the people in the call now, in the order they came.
	Participants []CallUser
	// Ended says calls.end was called; Duration is the seconds it gave.
	Ended    bool
	Duration int64
	// Adds and Removes count the calls.participants.add and .remove calls
	// that changed something.
	Adds, Removes int
}

// CallUser is a participant: a Slack user (SlackID) or someone outside
// Slack (ExternalID and DisplayName).
type CallUser struct {
	SlackID     string `json:"slack_id,omitempty"`
	ExternalID  string `json:"external_id,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	AvatarURL   string `json:"avatar_url,omitempty"`
}

func (u CallUser) key() string {
	if u.SlackID != "" {
		return "slack:" + u.SlackID
	}
	return "external:" + u.ExternalID
}

// SlackCalls lists the Calls the app registered, in the order they were
// added.
func (s *Server) SlackCalls() []SlackCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SlackCall, 0, len(s.slackCalls))
	for _, c := range s.slackCalls {
		cp := *c
		cp.Participants = slices.Clone(c.Participants)
		out = append(out, cp)
	}
	return out
}

// SlackCall returns the Call with Slack's ID id.
func (s *Server) SlackCall(id string) (SlackCall, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.slackCalls {
		if c.ID == id {
			cp := *c
			cp.Participants = slices.Clone(c.Participants)
			return cp, true
		}
	}
	return SlackCall{}, false
}

func (s *Server) slackCall(id string) *SlackCall {
	for _, c := range s.slackCalls {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func (c *SlackCall) json() map[string]any {
	users := c.Participants
	if users == nil {
		users = []CallUser{}
	}
	out := map[string]any{"id": c.ID, "external_unique_id": c.ExternalUniqueID, "join_url": c.JoinURL,
		"external_display_id": c.ExternalDisplayID, "title": c.Title, "date_start": c.DateStart, "users": users}
	if c.Ended {
		out["date_end"] = c.DateStart + c.Duration
	}
	return out
}

// callUsers reads a users parameter: a JSON array of participants, each a
// Slack user of the workspace or an external one with a display name.
func (s *Server) callUsers(p params) ([]CallUser, string) {
	raw := p.raw("users")
	if len(raw) == 0 {
		return nil, "invalid_arguments"
	}
	var users []CallUser
	if json.Unmarshal(raw, &users) != nil {
		return nil, "invalid_users"
	}
	for _, u := range users {
		switch {
		case u.SlackID != "":
			if s.users[u.SlackID] == nil {
				return nil, "invalid_users"
			}
		case u.ExternalID == "" || u.DisplayName == "":
			return nil, "invalid_users"
		}
	}
	return users, ""
}

// callsAdd serves calls.add. Slack asks that external_unique_id be
// unique, but does not say it dedupes on it: the fake registers a second
// Call with the same one, so a caller that sends it twice sees two.
func (s *Server) callsAdd(p params) (map[string]any, string) {
	if p.get("external_unique_id") == "" || p.get("join_url") == "" {
		return nil, "invalid_arguments"
	}
	// A bot token must say who created the Call.
	createdBy := p.get("created_by")
	if createdBy == "" || s.users[createdBy] == nil {
		return nil, "not_authed"
	}
	c := &SlackCall{ID: s.newID("R"), ExternalUniqueID: p.get("external_unique_id"), JoinURL: p.get("join_url"),
		ExternalDisplayID: p.get("external_display_id"), Title: p.get("title"), CreatedBy: createdBy,
		DateStart: s.cfg.Now().Unix()}
	if v := p.get("date_start"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, "invalid_arguments"
		}
		c.DateStart = n
	}
	if p.has("users") {
		users, code := s.callUsers(p)
		if code != "" {
			return nil, code
		}
		c.Participants = users
	}
	s.slackCalls = append(s.slackCalls, c)
	return map[string]any{"call": c.json()}, ""
}

func (s *Server) callsInfo(p params) (map[string]any, string) {
	c := s.slackCall(p.get("id"))
	if c == nil {
		return nil, "invalid_call_id"
	}
	return map[string]any{"call": c.json()}, ""
}

func (s *Server) callsUpdate(p params) (map[string]any, string) {
	c, code := s.activeCall(p)
	if code != "" {
		return nil, code
	}
	if v := p.get("join_url"); v != "" {
		c.JoinURL = v
	}
	if v := p.get("title"); v != "" {
		c.Title = v
	}
	return map[string]any{"call": c.json()}, ""
}

func (s *Server) callsEnd(p params) (map[string]any, string) {
	c, code := s.activeCall(p)
	if code != "" {
		return nil, code
	}
	if v := p.get("duration"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return nil, "invalid_arguments"
		}
		c.Duration = n
	}
	c.Ended, c.Participants = true, nil
	return map[string]any{}, ""
}

// callsParticipants serves calls.participants.add and .remove: bad_users
// when one of the users is already in the Call (add) or not in it
// (remove), and then nothing changes.
func callsParticipants(add bool) handler {
	return func(s *Server, p params) (map[string]any, string) {
		c := s.slackCall(p.get("id"))
		switch {
		case c == nil:
			return nil, "invalid_call_id"
		case c.Ended:
			return nil, "inactive_call"
		}
		users, code := s.callUsers(p)
		if code != "" {
			return nil, code
		}
		in := func(u CallUser) bool {
			return slices.ContainsFunc(c.Participants, func(x CallUser) bool { return x.key() == u.key() })
		}
		for _, u := range users {
			if in(u) == add {
				return nil, "bad_users"
			}
		}
		if add {
			c.Participants = append(c.Participants, users...)
			c.Adds++
		} else {
			c.Participants = slices.DeleteFunc(c.Participants, func(x CallUser) bool {
				return slices.ContainsFunc(users, func(u CallUser) bool { return u.key() == x.key() })
			})
			c.Removes++
		}
		return map[string]any{}, ""
	}
}

// ShowsCall is the call_id of the message's call block: "" for a message
// that shows no Slack Call.
func (m Message) ShowsCall() string {
	var bs []struct {
		Type   string `json:"type"`
		CallID string `json:"call_id"`
	}
	_ = json.Unmarshal(m.Blocks, &bs)
	for _, b := range bs {
		if b.Type == "call" {
			return b.CallID
		}
	}
	return ""
}

// SplitCalls parts a channel's messages into those that show a Slack Call
// and the others.
func SplitCalls(msgs []Message) (others, calls []Message) {
	for _, m := range msgs {
		if m.ShowsCall() != "" {
			calls = append(calls, m)
		} else {
			others = append(others, m)
		}
	}
	return others, calls
}

// activeCall is the call a calls.* method names by id, unless it is not
// there or has ended.
func (s *Server) activeCall(p params) (*SlackCall, string) {
	c := s.slackCall(p.get("id"))
	switch {
	case c == nil:
		return nil, "invalid_call_id"
	case c.Ended:
		return nil, "inactive_call"
	}
	return c, ""
}

package slackfake

import (
	"slices"
	"strings"
)

// Scopes: every Web API method needs one of its scopes on the bot token,
// as Slack documents them, and the fake refuses a call without one as
// Slack does — so a scope missing from the app's manifest fails the tests,
// not production.

// methodScopes are the bot scopes each method accepts, in the order of
// Slack's method reference; a method missing here needs none (auth.test,
// chat.getPermalink, views.*). A conversation method accepts, for a
// conversation, any one of the scopes of its kind, which the scope's
// prefix names: channels: for public channels, groups: for private ones,
// im: and mpim: for direct messages. The others (chat:write, pins:write…)
// do for any conversation.
var methodScopes = map[string][]string{
	"apps.connections.open":         {"connections:write"}, // the app-level token's
	"conversations.create":          {"channels:manage", "channels:write", "groups:write", "im:write", "mpim:write"},
	"conversations.invite":          {"channels:manage", "channels:write.invites", "groups:write", "groups:write.invites", "im:write", "mpim:write"},
	"conversations.join":            {"channels:join"},
	"conversations.setTopic":        {"channels:manage", "channels:write.topic", "groups:write", "groups:write.topic", "im:write", "im:write.topic", "mpim:write", "mpim:write.topic"},
	"conversations.setPurpose":      {"channels:manage", "channels:write.topic", "groups:write", "groups:write.topic", "im:write", "im:write.topic", "mpim:write", "mpim:write.topic"},
	"conversations.archive":         {"channels:manage", "channels:write", "groups:write", "im:write", "mpim:write"},
	"conversations.unarchive":       {"channels:manage", "channels:write", "groups:write", "im:write", "mpim:write"},
	"conversations.info":            {"channels:read", "groups:read", "im:read", "mpim:read"},
	"conversations.members":         {"channels:read", "groups:read", "im:read", "mpim:read"},
	"conversations.list":            {"channels:read", "groups:read", "im:read", "mpim:read"},
	"conversations.history":         {"channels:history", "groups:history", "im:history", "mpim:history"},
	"conversations.replies":         {"channels:history", "groups:history", "im:history", "mpim:history"},
	"chat.postMessage":              {"chat:write"},
	"chat.update":                   {"chat:write"},
	"chat.delete":                   {"chat:write"},
	"chat.postEphemeral":            {"chat:write"},
	"pins.add":                      {"pins:write"},
	"pins.remove":                   {"pins:write"},
	"pins.list":                     {"pins:read"},
	"bookmarks.add":                 {"bookmarks:write"},
	"bookmarks.remove":              {"bookmarks:write"},
	"bookmarks.list":                {"bookmarks:read"},
	"users.info":                    {"users:read"},
	"conversations.canvases.create": {"canvases:write"},
	"canvases.edit":                 {"canvases:write"},
	"canvases.sections.lookup":      {"canvases:read"},
	"users.lookupByEmail":           {"users:read.email"},
	"calls.add":                     {"calls:write"},
	"calls.update":                  {"calls:write"},
	"calls.end":                     {"calls:write"},
	"calls.participants.add":        {"calls:write"},
	"calls.participants.remove":     {"calls:write"},
	"calls.info":                    {"calls:read"},
}

// Conversation kinds, as conversations.list's types names them.
const (
	kindPublic  = "public_channel"
	kindPrivate = "private_channel"
	kindIM      = "im"
	kindMPIM    = "mpim"
)

// scopeKind is the kind of conversation a scope is for, "" for any.
func scopeKind(scope string) string {
	switch {
	case strings.HasPrefix(scope, "channels:"):
		return kindPublic
	case strings.HasPrefix(scope, "groups:"):
		return kindPrivate
	case strings.HasPrefix(scope, "im:"):
		return kindIM
	case strings.HasPrefix(scope, "mpim:"):
		return kindMPIM
	}
	return ""
}

// scopesForKind are the scopes of accepted that do for a conversation of
// kind. A method with none for that kind (conversations.join on a private
// channel) is let through with all of them: the method itself refuses
// such a conversation, with its own error.
func scopesForKind(accepted []string, kind string) []string {
	var out []string
	for _, sc := range accepted {
		if k := scopeKind(sc); k == "" || k == kind {
			out = append(out, sc)
		}
	}
	if out == nil {
		return accepted
	}
	return out
}

// conversationKind is the kind of conversation a call acts on: the channel
// it names (or, for conversations.create, the one it makes). A channel the
// fake does not know counts as public; the method answers
// channel_not_found. s.mu is held.
func (s *Server) conversationKind(method string, p params) string {
	if method == "conversations.create" {
		if p.bool("is_private") {
			return kindPrivate
		}
		return kindPublic
	}
	id := p.get("channel")
	if id == "" {
		id = p.get("channel_id")
	}
	if ch := s.channels[id]; ch != nil && ch.IsPrivate {
		return kindPrivate
	}
	return kindPublic
}

// listKinds are the kinds of conversation conversations.list is asked for
// (types; public channels by default). Unknown types are left to the
// method, which answers invalid_types.
func listKinds(p params) []string {
	types := p.get("types")
	if types == "" {
		return []string{kindPublic}
	}
	var kinds []string
	for _, t := range strings.Split(types, ",") {
		switch t = strings.TrimSpace(t); t {
		case kindPublic, kindPrivate, kindIM, kindMPIM:
			if !slices.Contains(kinds, t) {
				kinds = append(kinds, t)
			}
		}
	}
	return kinds
}

// missingScope is Slack's answer to a bot token without a scope the call
// needs: ok:false, error missing_scope, what is needed (the scopes that
// would do, comma-separated) and what the token has. A conversation method
// needs one of the scopes of its conversation's kind; conversations.list
// needs one for each kind it is asked to list. s.mu is held.
func (s *Server) missingScope(method string, p params) (apiAnswer, bool) {
	accepted := methodScopes[method]
	if accepted == nil {
		return apiAnswer{}, false
	}
	var needed []string
	if method == "conversations.list" {
		for _, kind := range listKinds(p) {
			if want := scopesForKind(accepted, kind); !slices.ContainsFunc(want, s.granted) {
				needed = append(needed, want...)
			}
		}
	} else if want := scopesForKind(accepted, s.conversationKind(method, p)); !slices.ContainsFunc(want, s.granted) {
		needed = want
	}
	if needed == nil {
		return apiAnswer{}, false
	}
	return apiAnswer{status: 200, code: "missing_scope",
		body: map[string]any{"needed": strings.Join(needed, ","), "provided": strings.Join(s.cfg.Scopes, ",")}}, true
}

func (s *Server) granted(scope string) bool { return slices.Contains(s.cfg.Scopes, scope) }

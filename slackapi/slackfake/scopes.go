package slackfake

import (
	"slices"
	"strings"
)

// Scopes: every Web API method needs one of its scopes on the bot token,
// as Slack documents them, and the fake refuses a call without one as
// Slack does — so a scope missing from the app's manifest fails the tests,
// not production.

// scopesFor are the scopes, any one of which lets a bot token call method
// with p; nil means the method needs none (auth.test, views.*, …). For
// conversation methods it depends on the channel: public channels need
// the channels:* scope, private ones the groups:* one. s.mu is held.
func (s *Server) scopesFor(method string, p params) []string {
	private := func() bool {
		if method == "conversations.create" {
			return p.get("is_private") == "true"
		}
		ch := s.channels[p.get("channel")]
		return ch != nil && ch.IsPrivate
	}
	kind := func(public, group string) []string {
		if private() {
			return []string{group}
		}
		return []string{public}
	}
	switch method {
	case "conversations.create", "conversations.invite", "conversations.setTopic", "conversations.setPurpose",
		"conversations.archive", "conversations.unarchive":
		return kind("channels:manage", "groups:write")
	case "conversations.join":
		return []string{"channels:join"}
	case "conversations.info", "conversations.members":
		return kind("channels:read", "groups:read")
	case "conversations.list":
		return []string{"channels:read", "groups:read"}
	case "conversations.history":
		return kind("channels:history", "groups:history")
	case "chat.postMessage", "chat.update", "chat.delete", "chat.postEphemeral":
		return []string{"chat:write"}
	case "pins.add", "pins.remove":
		return []string{"pins:write"}
	case "pins.list":
		return []string{"pins:read"}
	case "bookmarks.add", "bookmarks.remove":
		return []string{"bookmarks:write"}
	case "bookmarks.list":
		return []string{"bookmarks:read"}
	case "users.info":
		return []string{"users:read"}
	}
	return nil
}

// missingScope is Slack's answer to a bot token without any of the
// method's scopes: ok:false, error missing_scope, what is needed and what
// the token has, and the X-Accepted-OAuth-Scopes header. s.mu is held.
func (s *Server) missingScope(method string, p params) (apiAnswer, bool) {
	accepted := s.scopesFor(method, p)
	if accepted == nil || slices.ContainsFunc(accepted, s.granted) {
		return apiAnswer{}, false
	}
	return apiAnswer{status: 200, code: "missing_scope", accepted: strings.Join(accepted, ","),
		body: map[string]any{"needed": accepted[0], "provided": strings.Join(s.cfg.Scopes, ",")}}, true
}

func (s *Server) granted(scope string) bool { return slices.Contains(s.cfg.Scopes, scope) }

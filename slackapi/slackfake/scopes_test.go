package slackfake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// postAPI calls a Web API method with the bot token as a form method and
// returns the JSON answer and its headers.
func postAPI(t *testing.T, s *Server, method string, form url.Values) (map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", s.APIURL()+method, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+s.BotToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return body, resp.Header
}

// channelOfTheBot makes a channel the bot is in, as if an earlier install
// with channels:manage and groups:write had created it.
func channelOfTheBot(s *Server, name string, private bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addChannel(s.newID("C"), name, s.cfg.BotUserID, private).ID
}

// Slack lets conversations.invite through with channels:write.invites
// (groups:write.invites in a private channel) as well as channels:manage
// (groups:write), and conversations.setTopic and setPurpose with
// channels:write.topic (groups:write.topic): a method takes any one of
// the scopes for its kind of conversation.
func TestAlternativeScopes(t *testing.T) {
	s := mustStart(t, Config{Scopes: []string{"channels:join", "channels:write.invites", "channels:write.topic",
		"groups:write.invites", "groups:write.topic"}})
	api := apiClient(s)
	ctx := testContext(t)

	pub, err := s.CreateChannelAs("U1", "ops")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := api.JoinConversationContext(ctx, pub.ID); err != nil {
		t.Fatalf("join: %v", err)
	}
	priv := channelOfTheBot(s, "secret-ops", true)
	for _, ch := range []string{pub.ID, priv} {
		if _, err := api.InviteUsersToConversationContext(ctx, ch, "U2"); err != nil {
			t.Errorf("invite into %s: %v", ch, err)
		}
		if _, err := api.SetTopicOfConversationContext(ctx, ch, "SEV1"); err != nil {
			t.Errorf("setTopic of %s: %v", ch, err)
		}
		if _, err := api.SetPurposeOfConversationContext(ctx, ch, "Checkout is down"); err != nil {
			t.Errorf("setPurpose of %s: %v", ch, err)
		}
	}
	if c, _ := s.Channel(priv); c.Topic != "SEV1" || !slices.Contains(c.Members, "U2") {
		t.Errorf("private channel after invite and setTopic: %+v", c)
	}

	// A scope for one kind of conversation does nothing for the other.
	s2 := mustStart(t, Config{Scopes: []string{"channels:write.invites", "groups:write.topic"}})
	priv2 := channelOfTheBot(s2, "secret", true)
	body, _ := postAPI(t, s2, "conversations.invite", url.Values{"channel": {priv2}, "users": {"U2"}})
	if body["error"] != "missing_scope" || body["needed"] != "groups:write,groups:write.invites" {
		t.Errorf("invite into a private channel with channels:write.invites only: %v", body)
	}
	pub2 := channelOfTheBot(s2, "open", false)
	body, _ = postAPI(t, s2, "conversations.setTopic", url.Values{"channel": {pub2}, "topic": {"x"}})
	if body["error"] != "missing_scope" || body["needed"] != "channels:manage,channels:write.topic" {
		t.Errorf("setTopic of a public channel with groups:write.topic only: %v", body)
	}
	if body, _ := postAPI(t, s2, "conversations.invite", url.Values{"channel": {pub2}, "users": {"U3"}}); body["ok"] != true {
		t.Errorf("invite into a public channel with channels:write.invites: %v", body)
	}
}

// conversations.list needs a read scope for each type it is asked for:
// channels:read for public_channel (the default), groups:read for
// private_channel, im:read and mpim:read for direct messages. Asked for a
// type it may not read, Slack refuses the call with missing_scope rather
// than leave that type out.
func TestConversationsListScopesPerType(t *testing.T) {
	s := mustStart(t, Config{Scopes: []string{"channels:read"}})
	for _, tc := range []struct{ types, needed string }{
		{"", ""},
		{"public_channel", ""},
		{"public_channel,private_channel", "groups:read"},
		{"private_channel", "groups:read"},
		{"im", "im:read"},
		{"mpim", "mpim:read"},
		{"public_channel,im,mpim", "im:read,mpim:read"},
	} {
		form := url.Values{}
		if tc.types != "" {
			form.Set("types", tc.types)
		}
		body, _ := postAPI(t, s, "conversations.list", form)
		if tc.needed == "" && body["ok"] != true {
			t.Errorf("types=%q with channels:read: %v", tc.types, body)
		}
		if tc.needed != "" && (body["error"] != "missing_scope" || body["needed"] != tc.needed) {
			t.Errorf("types=%q with channels:read: %v, want missing_scope needing %s", tc.types, body, tc.needed)
		}
	}

	s2 := mustStart(t, Config{Scopes: []string{"groups:read"}})
	priv := channelOfTheBot(s2, "secret", true)
	chans, _, err := apiClient(s2).GetConversationsContext(testContext(t), &slack.GetConversationsParameters{Types: []string{"private_channel"}})
	if err != nil || len(chans) != 1 || chans[0].ID != priv {
		t.Errorf("private channels with groups:read: %+v %v", chans, err)
	}
	if _, _, err := apiClient(s2).GetConversationsContext(testContext(t), &slack.GetConversationsParameters{}); slackCode(err) != "missing_scope" {
		t.Errorf("public channels with groups:read only: %v", err)
	}
}

// Every Web API answer, success or error, names the scopes the method
// accepts in X-Accepted-OAuth-Scopes, beside the token's own in
// X-OAuth-Scopes.
func TestAcceptedScopesOnEveryAnswer(t *testing.T) {
	s := mustStart(t, Config{})
	granted := strings.Join(DefaultScopes(), ",")
	ch := channelOfTheBot(s, "ops", false)
	for _, tc := range []struct {
		method   string
		form     url.Values
		ok       bool
		accepted string
	}{
		{"chat.postMessage", url.Values{"channel": {ch}, "text": {"hi"}}, true, "chat:write"},
		{"conversations.info", url.Values{"channel": {ch}}, true, "channels:read,groups:read,im:read,mpim:read"},
		{"conversations.info", url.Values{"channel": {"C404"}}, false, "channels:read,groups:read,im:read,mpim:read"},
		{"conversations.invite", url.Values{"channel": {ch}, "users": {"U2"}}, true,
			"channels:manage,channels:write.invites,groups:write,groups:write.invites,im:write,mpim:write"},
		{"conversations.invite", url.Values{"channel": {ch}, "users": {"U2"}}, false, // already_in_channel
			"channels:manage,channels:write.invites,groups:write,groups:write.invites,im:write,mpim:write"},
		{"pins.list", url.Values{"channel": {ch}}, false, "pins:read"}, // missing_scope
	} {
		body, h := postAPI(t, s, tc.method, tc.form)
		if body["ok"] != tc.ok || h.Get("X-Accepted-OAuth-Scopes") != tc.accepted || h.Get("X-OAuth-Scopes") != granted {
			t.Errorf("%s %v: %v\nX-Accepted-OAuth-Scopes: %q, want %q\nX-OAuth-Scopes: %q",
				tc.method, tc.form, body, h.Get("X-Accepted-OAuth-Scopes"), tc.accepted, h.Get("X-OAuth-Scopes"))
		}
	}
}

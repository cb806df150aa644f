package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// slackCode is the Slack error string inside a slack-go error.
func slackCode(err error) string {
	if e, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		return e.Err
	}
	if err == nil {
		return ""
	}
	return "not a Slack error: " + err.Error()
}

func TestAuthAndTokens(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)

	got, err := apiClient(s).AuthTestContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.UserID != "UBOT" || got.BotID != "BBOT" || got.TeamID != "T0WARROOM" || got.URL == "" {
		t.Errorf("auth.test = %+v", got)
	}

	tests := []struct {
		name   string
		client *slack.Client
		call   func(*slack.Client) error
		want   string
	}{
		{"wrong token", slack.New("xoxb-wrong", slack.OptionAPIURL(s.APIURL())), authTest, "invalid_auth"},
		{"no token", slack.New("", slack.OptionAPIURL(s.APIURL())), authTest, "not_authed"},
		{"app token on a bot method", slack.New(s.AppToken(), slack.OptionAPIURL(s.APIURL())), authTest, "not_allowed_token_type"},
		{"bot token on apps.connections.open", slack.New(s.BotToken(), slack.OptionAppLevelToken(s.BotToken()), slack.OptionAPIURL(s.APIURL())), connectionsOpen, "not_allowed_token_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := slackCode(tt.call(tt.client)); got != tt.want {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
		})
	}

	_, wsURL, err := apiClient(s).StartSocketModeContext(ctx)
	if err != nil || !strings.HasPrefix(wsURL, "ws://127.0.0.1:") || !strings.Contains(wsURL, "/socket?ticket=") {
		t.Errorf("apps.connections.open = %q, %v", wsURL, err)
	}
}

func authTest(c *slack.Client) error { _, err := c.AuthTest(); return err }

func connectionsOpen(c *slack.Client) error {
	_, _, err := c.StartSocketModeContext(context.Background())
	return err
}

func TestUnknownMethod(t *testing.T) {
	s := mustStart(t, Config{})
	resp, err := http.PostForm(s.APIURL()+"chat.teleport", url.Values{"token": {s.BotToken()}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		OK    bool
		Error string
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || body.OK || body.Error != "unknown_method" {
		t.Errorf("status %d, body %+v; want 200 unknown_method", resp.StatusCode, body)
	}
}

func TestConversationsCreate(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	api := apiClient(s)

	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-42-checkout", IsPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	if ch.Name != "inc-42-checkout" || ch.Creator != "UBOT" || !ch.IsMember || !ch.IsPrivate || ch.Created == 0 {
		t.Errorf("created channel = %+v", ch.GroupConversation)
	}
	stored, ok := s.ChannelByName("inc-42-checkout")
	if !ok || stored.ID != ch.ID || !stored.IsPrivate || len(stored.Members) != 1 || stored.Members[0] != "UBOT" {
		t.Errorf("stored channel = %+v", stored)
	}

	archived, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-old"})
	if err != nil {
		t.Fatal(err)
	}
	if err := api.ArchiveConversationContext(ctx, archived.ID); err != nil {
		t.Fatal(err)
	}

	tests := []struct{ name, want string }{
		{"", "invalid_name_required"},
		{strings.Repeat("a", 81), "invalid_name_maxlength"},
		{strings.Repeat("a", 80), ""},
		{"Inc-Upper", "invalid_name_specials"},
		{"has space", "invalid_name_specials"},
		{"bad!name", "invalid_name_specials"},
		{"ünïcode", "invalid_name_specials"},
		{"--__", "invalid_name_punctuation"},
		{"inc-42-checkout", "name_taken"},
		{"inc-old", "name_taken"}, // archived channels keep their names
		{"ok_name-2", ""},
	}
	for _, tt := range tests {
		_, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: tt.name})
		if got := slackCode(err); got != tt.want {
			t.Errorf("create %q: error %q, want %q", tt.name, got, tt.want)
		}
	}
	if n := countCalls(s, "conversations.create"); n != len(tests)+2 {
		t.Errorf("conversations.create calls = %d, want %d", n, len(tests)+2)
	}
}

func TestInviteAndJoin(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	api := apiClient(s)
	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.InviteUsersToConversationContext(ctx, ch.ID, "U1", "U2"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Channel(ch.ID); strings.Join(got.Members, ",") != "UBOT,U1,U2" {
		t.Errorf("members = %v, want UBOT,U1,U2", got.Members)
	}

	human, err := s.CreateChannelAs("U3", "watercooler")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		channel string
		users   []string
		want    string
	}{
		{"all already in", ch.ID, []string{"U1", "U2"}, "already_in_channel"},
		{"some new", ch.ID, []string{"U1", "U3"}, ""},
		{"self", ch.ID, []string{"UBOT"}, "cant_invite_self"},
		{"unknown user", ch.ID, []string{"U999"}, "user_not_found"},
		{"unknown channel", "C404", []string{"U1"}, "channel_not_found"},
		{"bot not a member", human.ID, []string{"U1"}, "not_in_channel"},
	}
	for _, tt := range tests {
		_, err := api.InviteUsersToConversationContext(ctx, tt.channel, tt.users...)
		if got := slackCode(err); got != tt.want {
			t.Errorf("%s: error %q, want %q", tt.name, got, tt.want)
		}
	}

	// The bot joins a human's channel before it can do anything there.
	joined, warning, _, err := api.JoinConversationContext(ctx, human.ID)
	if err != nil || !joined.IsMember || warning != "" {
		t.Fatalf("join = %+v, %q, %v", joined, warning, err)
	}
	if _, warning, _, err := api.JoinConversationContext(ctx, human.ID); err != nil || warning != "already_in_channel" {
		t.Errorf("second join: warning %q, %v", warning, err)
	}
	if _, err := api.InviteUsersToConversationContext(ctx, human.ID, "U1"); err != nil {
		t.Errorf("invite after join: %v", err)
	}

	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: human.ID})
	if err != nil || info.Name != "watercooler" || info.NumMembers != 3 {
		t.Errorf("conversations.info = %+v, %v", info, err)
	}
	members, _, err := api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: human.ID})
	if err != nil || strings.Join(members, ",") != "U3,UBOT,U1" {
		t.Errorf("conversations.members = %v, %v", members, err)
	}
}

func TestPostUpdatePinTopicBookmark(t *testing.T) {
	// pins:read on top of warroom's scopes, for reading the pins back.
	s := mustStart(t, Config{Scopes: append(DefaultScopes(), "pins:read")})
	ctx := testContext(t)
	api := apiClient(s)
	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-2"})
	if err != nil {
		t.Fatal(err)
	}

	join := slack.NewButtonBlockElement("join_call", "m-1", slack.NewTextBlockObject("plain_text", "Join Call", false, false))
	section := slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*SEV2* Checkout is down", false, false), nil, nil)
	_, ts, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("SEV2 Checkout is down", false),
		slack.MsgOptionBlocks(section, slack.NewActionBlock("", join)))
	if err != nil {
		t.Fatal(err)
	}
	_, ts2, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("thread reply", false), slack.MsgOptionTS(ts))
	if err != nil {
		t.Fatal(err)
	}
	if ts2 <= ts {
		t.Errorf("second ts %s not after first %s", ts2, ts)
	}
	msgs := s.Messages(ch.ID)
	if len(msgs) != 2 || msgs[0].TS != ts || msgs[0].User != "UBOT" || msgs[1].ThreadTS != ts {
		t.Fatalf("messages = %+v", msgs)
	}
	var blocks []map[string]any
	if err := json.Unmarshal(msgs[0].Blocks, &blocks); err != nil || len(blocks) != 2 {
		t.Fatalf("stored blocks %s: %v", msgs[0].Blocks, err)
	}
	for i, b := range blocks {
		if id, _ := b["block_id"].(string); id == "" {
			t.Errorf("block %d has no block_id: Slack fills one in", i)
		}
	}

	if _, _, _, err := api.UpdateMessageContext(ctx, ch.ID, ts, slack.MsgOptionText("SEV1 Checkout is down", false)); err != nil {
		t.Fatal(err)
	}
	if m := s.Messages(ch.ID)[0]; m.Text != "SEV1 Checkout is down" || !m.Edited || m.Blocks == nil {
		t.Errorf("after update = %+v, want new text, edited, blocks kept", m)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, ch.ID, "1.000001", slack.MsgOptionText("x", false)); slackCode(err) != "message_not_found" {
		t.Errorf("update unknown ts: %v", err)
	}

	if err := api.AddPinContext(ctx, ch.ID, slack.ItemRef{Timestamp: ts}); err != nil {
		t.Fatal(err)
	}
	if err := api.AddPinContext(ctx, ch.ID, slack.ItemRef{Timestamp: ts}); slackCode(err) != "already_pinned" {
		t.Errorf("pin twice: %v", err)
	}
	if err := api.AddPinContext(ctx, ch.ID, slack.ItemRef{Timestamp: "1.000001"}); slackCode(err) != "message_not_found" {
		t.Errorf("pin unknown ts: %v", err)
	}
	if pins := s.Pins(ch.ID); len(pins) != 1 || pins[0].TS != ts || !pins[0].Pinned {
		t.Errorf("Pins = %+v", pins)
	}
	items, _, err := api.ListPinsContext(ctx, ch.ID)
	if err != nil || len(items) != 1 || items[0].Message == nil || items[0].Message.Timestamp != ts {
		t.Errorf("pins.list = %+v, %v", items, err)
	}

	if _, err := api.SetTopicOfConversationContext(ctx, ch.ID, "SEV1 · IC @alice · zoom"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Channel(ch.ID); got.Topic != "SEV1 · IC @alice · zoom" {
		t.Errorf("topic = %q", got.Topic)
	}
	if len(s.Messages(ch.ID)) != 2 {
		t.Error("setTopic posted a message")
	}
	if _, err := api.SetTopicOfConversationContext(ctx, ch.ID, strings.Repeat("x", 251)); slackCode(err) != "too_long" {
		t.Errorf("251-char topic: %v", err)
	}

	b, err := api.AddBookmarkContext(ctx, ch.ID, slack.AddBookmarkParameters{Title: "Zoom", Type: "link", Link: "https://zoom.us/j/1"})
	if err != nil || b.ID == "" || b.Link != "https://zoom.us/j/1" {
		t.Fatalf("bookmarks.add = %+v, %v", b, err)
	}
	if _, err := api.AddBookmarkContext(ctx, ch.ID, slack.AddBookmarkParameters{Title: "x", Type: "link", Link: "ftp://x"}); slackCode(err) != "invalid_link" {
		t.Errorf("ftp bookmark: %v", err)
	}
	if got := s.Bookmarks(ch.ID); len(got) != 1 || got[0] != (Bookmark{ID: b.ID, ChannelID: ch.ID, Title: "Zoom", Type: "link", Link: "https://zoom.us/j/1"}) {
		t.Errorf("Bookmarks = %+v", got)
	}
	listed, err := api.ListBookmarksContext(ctx, ch.ID)
	if err != nil || len(listed) != 1 || listed[0].ID != b.ID {
		t.Errorf("bookmarks.list = %+v, %v", listed, err)
	}

	link, err := api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: ch.ID, Ts: ts})
	if err != nil || !strings.Contains(link, ch.ID) {
		t.Errorf("permalink = %q, %v", link, err)
	}
}

func TestPostMessageErrors(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	api := apiClient(s)
	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-3"})
	if err != nil {
		t.Fatal(err)
	}
	human, err := s.CreateChannelAs("U1", "random")
	if err != nil {
		t.Fatal(err)
	}
	text := func(s string) *slack.TextBlockObject { return slack.NewTextBlockObject("plain_text", s, false, false) }
	section := func(n int) slack.Block {
		return slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", strings.Repeat("a", n), false, false), nil, nil)
	}
	buttons := func(n int) slack.Block {
		var els []slack.BlockElement
		for i := range n {
			els = append(els, slack.NewButtonBlockElement("b"+strings.Repeat("x", i), "", text("Go")))
		}
		return slack.NewActionBlock("", els...)
	}
	many := make([]slack.Block, 51)
	for i := range many {
		many[i] = slack.NewDividerBlock()
	}
	withURL := slack.NewButtonBlockElement("u", "", text("Open"))
	withURL.URL = "https://example.com/" + strings.Repeat("x", 3000)

	tests := []struct {
		name    string
		channel string
		opts    []slack.MsgOption
		want    string
	}{
		{"ok", ch.ID, []slack.MsgOption{slack.MsgOptionText("hi", false)}, ""},
		{"by name", "#inc-3", []slack.MsgOption{slack.MsgOptionText("hi", false)}, ""},
		{"no such channel", "C404", []slack.MsgOption{slack.MsgOptionText("hi", false)}, "channel_not_found"},
		{"not a member", human.ID, []slack.MsgOption{slack.MsgOptionText("hi", false)}, "not_in_channel"},
		{"no text", ch.ID, nil, "no_text"},
		{"50 blocks", ch.ID, []slack.MsgOption{slack.MsgOptionBlocks(many[:50]...)}, ""},
		{"51 blocks", ch.ID, []slack.MsgOption{slack.MsgOptionBlocks(many...)}, "invalid_blocks"},
		{"section 3000", ch.ID, []slack.MsgOption{slack.MsgOptionBlocks(section(3000))}, ""},
		{"section 3001", ch.ID, []slack.MsgOption{slack.MsgOptionBlocks(section(3001))}, "invalid_blocks"},
		{"button text 76", ch.ID, []slack.MsgOption{slack.MsgOptionBlocks(slack.NewActionBlock("", slack.NewButtonBlockElement("a", "", text(strings.Repeat("b", 76)))))}, "invalid_blocks"},
		{"action_id 256", ch.ID, []slack.MsgOption{slack.MsgOptionBlocks(slack.NewActionBlock("", slack.NewButtonBlockElement(strings.Repeat("a", 256), "", text("Go"))))}, "invalid_blocks"},
		{"url 3001+", ch.ID, []slack.MsgOption{slack.MsgOptionBlocks(slack.NewActionBlock("", withURL))}, "invalid_blocks"},
		{"25 buttons", ch.ID, []slack.MsgOption{slack.MsgOptionBlocks(buttons(25))}, ""},
		{"26 buttons", ch.ID, []slack.MsgOption{slack.MsgOptionBlocks(buttons(26))}, "invalid_blocks"},
	}
	for _, tt := range tests {
		_, _, err := api.PostMessageContext(ctx, tt.channel, tt.opts...)
		if got := slackCode(err); got != tt.want {
			t.Errorf("%s: error %q, want %q", tt.name, got, tt.want)
		}
	}

	// slack-go always sends well-formed JSON; a raw client may not.
	resp, err := http.PostForm(s.APIURL()+"chat.postMessage", url.Values{
		"token": {s.BotToken()}, "channel": {ch.ID}, "blocks": {"[{not json"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Error string }
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if body.Error != "invalid_blocks_format" {
		t.Errorf("malformed blocks: %q, want invalid_blocks_format", body.Error)
	}

	m, err := s.PostMessageAs("U1", generalID, "a human said this")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := api.JoinConversationContext(ctx, generalID); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, generalID, m.TS, slack.MsgOptionText("edited", false)); slackCode(err) != "cant_update_message" {
		t.Errorf("update a human's message: %v", err)
	}
}

func TestPostEphemeral(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	api := apiClient(s)
	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-4"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.InviteUsersToConversationContext(ctx, ch.ID, "U1"); err != nil {
		t.Fatal(err)
	}
	if _, err := api.PostEphemeralContext(ctx, ch.ID, "U2", slack.MsgOptionText("psst", false)); slackCode(err) != "user_not_in_channel" {
		t.Errorf("ephemeral to a non-member: %v", err)
	}
	if _, err := api.PostEphemeralContext(ctx, ch.ID, "U1", slack.MsgOptionText("only you", false)); err != nil {
		t.Fatal(err)
	}
	got := s.Ephemerals("U1")
	if len(got) != 1 || got[0].Channel != ch.ID || got[0].Text != "only you" || got[0].Via != "chat.postEphemeral" || got[0].Blocks != nil {
		t.Errorf("Ephemerals(U1) = %+v", got)
	}
	if len(s.Messages(ch.ID)) != 0 {
		t.Error("an ephemeral message landed in the channel")
	}
}

func TestConversationsListPaging(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	api := apiClient(s)
	want := map[string]bool{"general": true}
	for _, name := range []string{"inc-1", "inc-2", "inc-3", "inc-4", "inc-5", "inc-6", "inc-7"} {
		if _, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: name}); err != nil {
			t.Fatal(err)
		}
		want[name] = true
	}
	secret, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-secret", IsPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-gone"})
	if err != nil {
		t.Fatal(err)
	}
	if err := api.ArchiveConversationContext(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}

	got := map[string]bool{}
	cursor, pages := "", 0
	for {
		chans, next, err := api.GetConversationsContext(ctx, &slack.GetConversationsParameters{
			Limit: 3, Cursor: cursor, ExcludeArchived: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(chans) > 3 {
			t.Fatalf("page of %d, limit 3", len(chans))
		}
		for _, c := range chans {
			if got[c.Name] {
				t.Errorf("%s listed twice", c.Name)
			}
			got[c.Name] = true
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(got) != len(want) || pages != 3 {
		t.Errorf("listed %v in %d pages, want %v in 3", got, pages, want)
	}
	for name := range want {
		if !got[name] {
			t.Errorf("%s missing", name)
		}
	}

	all, err := api.GetAllConversationsContext(ctx, slack.GetConversationsOptionTypes([]string{"public_channel", "private_channel"}))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, c := range all {
		names[c.Name] = true
	}
	if !names["inc-secret"] || !names["inc-gone"] || len(all) != len(want)+2 {
		t.Errorf("all types incl. archived = %v", names)
	}
	if _, _, err := api.GetConversationsContext(ctx, &slack.GetConversationsParameters{Cursor: "bogus"}); slackCode(err) != "invalid_cursor" {
		t.Errorf("bad cursor: %v", err)
	}
	_ = secret
}

// users.lookupByEmail finds a member whatever the email's case, answers
// users_not_found for an email nobody (or only a bot) has, and needs
// users:read.email: users:read alone is not enough.
func TestUsersLookupByEmail(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	api := apiClient(s)
	u, err := api.GetUserByEmailContext(ctx, "Bob@Example.com")
	if err != nil || u.ID != "U2" || u.Profile.Email != "bob@example.com" {
		t.Errorf("lookupByEmail bob = %+v, %v", u, err)
	}
	if _, err := api.GetUserByEmailContext(ctx, "nobody@example.com"); slackCode(err) != "users_not_found" {
		t.Errorf("unknown email: %v", err)
	}
	narrow := mustStart(t, Config{Scopes: []string{"users:read"}})
	if _, err := apiClient(narrow).GetUserByEmailContext(ctx, "bob@example.com"); slackCode(err) != "missing_scope" {
		t.Errorf("lookupByEmail without users:read.email: %v", err)
	}
}

func TestUsersInfo(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	api := apiClient(s)
	u, err := api.GetUserInfoContext(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "alice" || !u.IsAdmin || u.IsOwner || u.Profile.Email != "alice@example.com" || u.TZ != "America/New_York" {
		t.Errorf("users.info U1 = %+v", u)
	}
	bot, err := api.GetUserInfoContext(ctx, "UBOT")
	if err != nil || !bot.IsBot {
		t.Errorf("users.info UBOT = %+v, %v", bot, err)
	}
	if _, err := api.GetUserInfoContext(ctx, "U999"); slackCode(err) != "user_not_found" {
		t.Errorf("unknown user: %v", err)
	}

	custom := mustStart(t, Config{Users: []User{{ID: "UOWN", Name: "olga", IsOwner: true}}})
	o, err := apiClient(custom).GetUserInfoContext(ctx, "UOWN")
	if err != nil || !o.IsOwner || o.IsAdmin {
		t.Errorf("configured owner = %+v, %v", o, err)
	}
	if _, err := apiClient(custom).GetUserInfoContext(ctx, "U1"); slackCode(err) != "user_not_found" {
		t.Errorf("Config.Users should replace the defaults: %v", err)
	}
}

func TestConcurrentCallsKeepTimestampsUnique(t *testing.T) {
	clock := newFakeClock() // frozen: ts must still be unique and increasing
	s := mustStart(t, Config{Now: clock.Now})
	ctx := testContext(t)
	api := apiClient(s)
	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-busy"})
	if err != nil {
		t.Fatal(err)
	}
	const workers, posts = 8, 10
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for range posts {
				if _, _, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("tick", false)); err != nil {
					errs <- err
					return
				}
			}
			_, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-w" + string(rune('a'+w))})
			errs <- err
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	msgs := s.Messages(ch.ID)
	if len(msgs) != workers*posts {
		t.Fatalf("%d messages, want %d", len(msgs), workers*posts)
	}
	for i := 1; i < len(msgs); i++ {
		if msgs[i].TS <= msgs[i-1].TS {
			t.Fatalf("ts %s after %s: not increasing", msgs[i].TS, msgs[i-1].TS)
		}
	}
	if len(s.Channels()) != 2+workers {
		t.Errorf("%d channels, want %d", len(s.Channels()), 2+workers)
	}
}

func TestRemovalsPurposeAndArchive(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	api := apiClient(s)
	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-5"})
	if err != nil {
		t.Fatal(err)
	}
	_, ts, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("pinned", false))
	if err != nil {
		t.Fatal(err)
	}
	if err := api.AddPinContext(ctx, ch.ID, slack.ItemRef{Timestamp: ts}); err != nil {
		t.Fatal(err)
	}
	if err := api.RemovePinContext(ctx, ch.ID, slack.ItemRef{Timestamp: ts}); err != nil || len(s.Pins(ch.ID)) != 0 {
		t.Errorf("pins.remove: %v, pins %v", err, s.Pins(ch.ID))
	}
	if err := api.RemovePinContext(ctx, ch.ID, slack.ItemRef{Timestamp: ts}); slackCode(err) != "no_pin" {
		t.Errorf("unpin twice: %v", err)
	}
	if _, _, err := api.DeleteMessageContext(ctx, ch.ID, ts); err != nil || len(s.Messages(ch.ID)) != 0 {
		t.Errorf("chat.delete: %v, messages %v", err, s.Messages(ch.ID))
	}

	b, err := api.AddBookmarkContext(ctx, ch.ID, slack.AddBookmarkParameters{Title: "Doc", Type: "link", Link: "http://wiki/x"})
	if err != nil {
		t.Fatal(err)
	}
	if err := api.RemoveBookmarkContext(ctx, ch.ID, b.ID); err != nil || len(s.Bookmarks(ch.ID)) != 0 {
		t.Errorf("bookmarks.remove: %v, bookmarks %v", err, s.Bookmarks(ch.ID))
	}

	if _, err := api.SetPurposeOfConversationContext(ctx, ch.ID, "Checkout outage"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Channel(ch.ID); got.Purpose != "Checkout outage" {
		t.Errorf("purpose = %q", got.Purpose)
	}

	if err := api.ArchiveConversationContext(ctx, ch.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("late", false)); slackCode(err) != "is_archived" {
		t.Errorf("post to an archived channel: %v", err)
	}
	if err := api.ArchiveConversationContext(ctx, ch.ID); slackCode(err) != "already_archived" {
		t.Errorf("archive twice: %v", err)
	}
	if err := api.UnArchiveConversationContext(ctx, ch.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Channel(ch.ID); got.IsArchived {
		t.Error("still archived after unarchive")
	}
}

func TestConversationsHistory(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	api := apiClient(s)
	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-history"})
	if err != nil {
		t.Fatal(err)
	}
	var posted []string
	for _, text := range []string{"one", "two", "three"} {
		_, ts, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText(text, false),
			slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", text, false, false), nil, nil, slack.SectionBlockOptionBlockID("b-"+text))))
		if err != nil {
			t.Fatal(err)
		}
		posted = append(posted, ts)
	}
	var got []string
	params := &slack.GetConversationHistoryParameters{ChannelID: ch.ID, Limit: 2}
	for {
		h, err := api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range h.Messages {
			got = append(got, m.Timestamp+"/"+m.Blocks.BlockSet[0].ID())
		}
		if !h.HasMore {
			break
		}
		params.Cursor = h.ResponseMetaData.NextCursor
	}
	want := []string{posted[2] + "/b-three", posted[1] + "/b-two", posted[0] + "/b-one"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("history = %v, want newest first %v", got, want)
	}
	if _, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C0GENERAL"}); slackCode(err) != "not_in_channel" {
		t.Errorf("history of a channel the bot is not in: %v", err)
	}
}

func TestPostingToAUserLandsInTheirDirectMessages(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	ch, _, err := apiClient(s).PostMessageContext(ctx, "U2", slack.MsgOptionText("hello bob", false))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ch, "D") {
		t.Errorf("posted to %q, want a D… conversation", ch)
	}
	if dm := s.DirectMessages("U2"); len(dm) != 1 || dm[0].Text != "hello bob" {
		t.Errorf("bob's DMs = %+v", dm)
	}
	for _, c := range s.Channels() {
		if c.ID == ch {
			t.Error("a DM is listed among the workspace's channels")
		}
	}
}

func TestGrantedScopesHeader(t *testing.T) {
	s := mustStart(t, Config{Scopes: []string{"chat:write", "commands"}})
	req, _ := http.NewRequest("POST", s.APIURL()+"auth.test", strings.NewReader(url.Values{"token": {s.BotToken()}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-OAuth-Scopes"); got != "chat:write,commands" {
		t.Errorf("X-OAuth-Scopes = %q", got)
	}
}

// A bot token without a method's scope gets Slack's missing_scope: what
// is needed, what it has, and the accepted scopes in a header; a private
// channel needs the groups:* scope where a public one needs channels:*.
// Without users:read.email, users.info leaves the email out.
func TestMissingScope(t *testing.T) {
	s := mustStart(t, Config{Scopes: []string{"chat:write", "channels:manage"}})
	call := func(method string, form url.Values) (map[string]any, http.Header) {
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
		json.NewDecoder(resp.Body).Decode(&body)
		return body, resp.Header
	}
	body, h := call("pins.add", url.Values{"channel": {"C0GENERAL"}, "timestamp": {"1.2"}})
	if body["error"] != "missing_scope" || body["needed"] != "pins:write" || body["provided"] != "chat:write,channels:manage" ||
		h.Get("X-Accepted-OAuth-Scopes") != "pins:write" {
		t.Errorf("pins.add without pins:write: %v %v", body, h)
	}
	if body, _ := call("conversations.create", url.Values{"name": {"inc-public"}}); body["ok"] != true {
		t.Errorf("a public channel with channels:manage: %v", body)
	}
	if body, _ := call("conversations.create", url.Values{"name": {"inc-secret"}, "is_private": {"true"}}); body["needed"] != "groups:write" {
		t.Errorf("a private channel without groups:write: %v", body)
	}
	if body, _ := call("users.info", url.Values{"user": {"U1"}}); body["needed"] != "users:read" {
		t.Errorf("users.info without users:read: %v", body)
	}
	s2 := mustStart(t, Config{Scopes: []string{"users:read"}})
	s = s2
	body, _ = call("users.info", url.Values{"user": {"U1"}})
	if p, _ := body["user"].(map[string]any)["profile"].(map[string]any); p == nil || p["email"] != nil {
		t.Errorf("users.info without users:read.email shows the email: %v", body)
	}
}

package slackfake

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

func TestSlashCommandAckReachesUser(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	client := runClient(t, s)

	hello := waitEvent(t, client, ofType(socketmode.EventTypeHello))
	if got := hello.Request.ConnectionInfo.AppID; got != "A0WARROOM" {
		t.Errorf("hello app_id = %q, want A0WARROOM", got)
	}
	if got := hello.Request.NumConnections; got != 1 {
		t.Errorf("hello num_connections = %d, want 1", got)
	}
	if err := s.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}

	d, err := s.SendSlashCommand(ctx, SlashCommand{UserID: "U2", Text: "declare Checkout is down"})
	if err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, client, ofType(socketmode.EventTypeSlashCommand))
	cmd := ev.Data.(slack.SlashCommand)
	want := slack.SlashCommand{
		Token: "fake-verification-token", TeamID: "T0WARROOM", TeamDomain: "warroom",
		ChannelID: "C0GENERAL", ChannelName: "general", UserID: "U2", UserName: "bob",
		Command: "/incident", Text: "declare Checkout is down", ResponseURL: d.ResponseURL,
		TriggerID: d.TriggerID, APIAppID: "A0WARROOM",
	}
	if cmd != want {
		t.Errorf("slash command =\n%+v\nwant\n%+v", cmd, want)
	}
	if ev.Request.EnvelopeID != d.EnvelopeID || !ev.Request.AcceptsResponsePayload || ev.Request.RetryAttempt != 0 {
		t.Errorf("envelope = %+v, want id %s, accepts_response_payload, attempt 0", ev.Request, d.EnvelopeID)
	}

	reply := map[string]any{"response_type": "ephemeral", "text": "Declaring…"}
	if err := client.Ack(*ev.Request, reply); err != nil {
		t.Fatal(err)
	}
	ack, err := s.WaitAck(ctx, d.EnvelopeID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ack.Payload), "Declaring…") || ack.Latency <= 0 || ack.At.IsZero() {
		t.Errorf("ack = %+v, want the reply payload, a latency and a time", ack)
	}
	got := s.Ephemerals("U2")
	if len(got) != 1 || got[0].Text != "Declaring…" || got[0].Via != "ack" || got[0].Channel != "C0GENERAL" {
		t.Errorf("Ephemerals(U2) = %+v, want the ack reply", got)
	}
}

func TestServerPingsKeepClientConnected(t *testing.T) {
	s := mustStart(t, Config{PingInterval: 20 * time.Millisecond})
	// The client gives up on a socket after 200ms without a ping.
	client := runClient(t, s, socketmode.OptionPingInterval(200*time.Millisecond))
	waitEvent(t, client, ofType(socketmode.EventTypeHello))

	time.Sleep(800 * time.Millisecond)
	if s.Pongs() == 0 {
		t.Error("no pongs: the server did not ping")
	}
	if n := countCalls(s, "apps.connections.open"); n != 1 {
		t.Errorf("apps.connections.open called %d times, want 1 (the client reconnected: pings missing)", n)
	}
}

func memberJoined() map[string]any {
	return map[string]any{
		"type": "member_joined_channel", "user": "U2", "channel": "C0GENERAL",
		"channel_type": "C", "team": "T0WARROOM",
	}
}

func isEnvelope(id string) func(socketmode.Event) bool {
	return func(ev socketmode.Event) bool { return ev.Request != nil && ev.Request.EnvelopeID == id }
}

func TestUnackedEventIsRedelivered(t *testing.T) {
	s := mustStart(t, Config{AckTimeout: 150 * time.Millisecond})
	ctx := testContext(t)
	client := runClient(t, s)
	if err := s.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}

	d, err := s.SendEvent(ctx, memberJoined())
	if err != nil {
		t.Fatal(err)
	}
	first := waitEvent(t, client, isEnvelope(d.EnvelopeID))
	api := first.Data.(slackevents.EventsAPIEvent)
	if api.InnerEvent.Type != "member_joined_channel" || first.Request.RetryAttempt != 0 {
		t.Fatalf("first delivery = %+v (attempt %d)", api.InnerEvent, first.Request.RetryAttempt)
	}
	outer := api.Data.(*slackevents.EventsAPICallbackEvent)
	if outer.EventID != d.EventID || !strings.HasPrefix(outer.EventID, "Ev") || outer.TeamID != "T0WARROOM" {
		t.Errorf("event_callback = %+v, want event_id %s", outer, d.EventID)
	}

	// Not acked: Slack sends it again.
	second := waitEvent(t, client, isEnvelope(d.EnvelopeID))
	if second.Request.RetryAttempt != 1 || second.Request.RetryReason != "timeout" {
		t.Errorf("redelivery attempt %d reason %q, want 1 timeout", second.Request.RetryAttempt, second.Request.RetryReason)
	}
	if string(second.Request.Payload) != string(first.Request.Payload) {
		t.Error("redelivery changed the payload")
	}
	client.Ack(*second.Request)
	if _, err := s.WaitAck(ctx, d.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	// Acked: no third delivery.
	select {
	case ev := <-client.Events:
		if isEnvelope(d.EnvelopeID)(ev) {
			t.Errorf("delivered again after the ack: attempt %d", ev.Request.RetryAttempt)
		}
	case <-time.After(400 * time.Millisecond):
	}
}

func TestRedeliveryStopsAfterThreeRetries(t *testing.T) {
	s := mustStart(t, Config{AckTimeout: 40 * time.Millisecond})
	ctx := testContext(t)
	client := runClient(t, s)
	if err := s.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := s.SendEvent(ctx, memberJoined())
	if err != nil {
		t.Fatal(err)
	}
	var attempts []int
	deadline := time.After(600 * time.Millisecond)
loop:
	for {
		select {
		case ev := <-client.Events:
			if isEnvelope(d.EnvelopeID)(ev) {
				attempts = append(attempts, ev.Request.RetryAttempt)
			}
		case <-deadline:
			break loop
		}
	}
	if want := []int{0, 1, 2, 3}; !equalInts(attempts, want) {
		t.Errorf("delivery attempts = %v, want %v", attempts, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDisconnectMakesClientReconnect(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	client := runClient(t, s)
	waitEvent(t, client, ofType(socketmode.EventTypeHello))

	s.Disconnect("refresh_requested")
	// Disconnect detaches the socket at once, so this waits for the new one.
	if err := s.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, client, ofType(socketmode.EventTypeHello))
	if n := countCalls(s, "apps.connections.open"); n != 2 {
		t.Errorf("apps.connections.open called %d times, want 2", n)
	}

	d, err := s.SendEvent(ctx, memberJoined())
	if err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, client, isEnvelope(d.EnvelopeID))
	client.Ack(*ev.Request)
	if _, err := s.WaitAck(ctx, d.EnvelopeID); err != nil {
		t.Fatal(err)
	}
}

func TestUnackedEventFollowsClientToNewConnection(t *testing.T) {
	s := mustStart(t, Config{AckTimeout: 200 * time.Millisecond})
	ctx := testContext(t)
	client := runClient(t, s)
	if err := s.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := s.SendEvent(ctx, memberJoined())
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, client, isEnvelope(d.EnvelopeID))

	s.DropConnections()
	var sawHello bool
	ev := waitEvent(t, client, func(ev socketmode.Event) bool {
		sawHello = sawHello || ev.Type == socketmode.EventTypeHello
		return isEnvelope(d.EnvelopeID)(ev)
	})
	if !sawHello || ev.Request.RetryAttempt != 1 {
		t.Errorf("after the drop: new hello %v, attempt %d; want a new connection and attempt 1", sawHello, ev.Request.RetryAttempt)
	}
	if n := countCalls(s, "apps.connections.open"); n != 2 {
		t.Errorf("apps.connections.open called %d times, want 2", n)
	}
}

func TestInjectingWithoutConnectionFails(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	if _, err := s.SendSlashCommand(ctx, SlashCommand{Text: "help"}); !errors.Is(err, ErrNotConnected) {
		t.Errorf("SendSlashCommand without a client: %v, want ErrNotConnected", err)
	}
	if _, err := s.SendEvent(ctx, memberJoined()); !errors.Is(err, ErrNotConnected) {
		t.Errorf("SendEvent without a client: %v, want ErrNotConnected", err)
	}
}

func TestEnvelopesSpreadOverConnections(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	a, b := runClient(t, s), runClient(t, s)
	waitEvent(t, a, ofType(socketmode.EventTypeHello))
	waitEvent(t, b, ofType(socketmode.EventTypeHello))

	sent := map[string]bool{}
	for range 6 {
		d, err := s.SendEvent(ctx, memberJoined())
		if err != nil {
			t.Fatal(err)
		}
		sent[d.EnvelopeID] = true
	}
	got := map[*socketmode.Client]int{}
	seen := map[string]bool{}
	deadline := time.After(500 * time.Millisecond)
	for done := false; !done; {
		select {
		case ev := <-a.Events:
			if ev.Type == socketmode.EventTypeEventsAPI {
				got[a]++
				seen[ev.Request.EnvelopeID] = true
				a.Ack(*ev.Request)
			}
		case ev := <-b.Events:
			if ev.Type == socketmode.EventTypeEventsAPI {
				got[b]++
				seen[ev.Request.EnvelopeID] = true
				b.Ack(*ev.Request)
			}
		case <-deadline:
			done = true
		}
	}
	if got[a] == 0 || got[b] == 0 || got[a]+got[b] != 6 || len(seen) != 6 {
		t.Errorf("deliveries a=%d b=%d distinct=%d, want 6 in all, each envelope once, both sockets used", got[a], got[b], len(seen))
	}
}

func TestRedeliverResendsAnyEnvelope(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	client := runClient(t, s)
	if err := s.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := s.SendSlashCommand(ctx, SlashCommand{UserID: "U1", Text: "declare DB down"})
	if err != nil {
		t.Fatal(err)
	}
	first := waitEvent(t, client, isEnvelope(d.EnvelopeID))
	client.Ack(*first.Request, map[string]any{"text": "first"})
	if _, err := s.WaitAck(ctx, d.EnvelopeID); err != nil {
		t.Fatal(err)
	}

	if err := s.Redeliver(ctx, d.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	again := waitEvent(t, client, isEnvelope(d.EnvelopeID))
	if again.Request.RetryAttempt != 1 || string(again.Request.Payload) != string(first.Request.Payload) {
		t.Errorf("redelivery: attempt %d, same payload %v", again.Request.RetryAttempt,
			string(again.Request.Payload) == string(first.Request.Payload))
	}
	if cmd := again.Data.(slack.SlashCommand); cmd.TriggerID != d.TriggerID {
		t.Errorf("redelivered trigger_id %q, want %q", cmd.TriggerID, d.TriggerID)
	}
	client.Ack(*again.Request, map[string]any{"text": "second"})
	ack, err := s.WaitAck(ctx, d.EnvelopeID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ack.Payload), "second") {
		t.Errorf("WaitAck after Redeliver = %s, want the second ack", ack.Payload)
	}
}

func TestEventsReachLateClient(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	// A human creates a channel before the bot is up: Slack holds the event.
	ch, err := s.CreateChannelAs("U1", "war-games")
	if err != nil {
		t.Fatal(err)
	}
	client := runClient(t, s)
	ev := waitEvent(t, client, ofType(socketmode.EventTypeEventsAPI))
	created, ok := ev.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.ChannelCreatedEvent)
	if !ok || created.Channel.ID != ch.ID || created.Channel.Creator != "U1" || created.Channel.Name != "war-games" {
		t.Fatalf("event = %+v, want channel_created for %s by U1", ev.Data, ch.ID)
	}
	client.Ack(*ev.Request)

	// The bot's own channels fire channel_created too, with itself as creator.
	api := apiClient(s)
	own, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-7"})
	if err != nil {
		t.Fatal(err)
	}
	ev = waitEvent(t, client, ofType(socketmode.EventTypeEventsAPI))
	created, ok = ev.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.ChannelCreatedEvent)
	if !ok || created.Channel.ID != own.ID || created.Channel.Creator != "UBOT" {
		t.Errorf("event = %+v, want channel_created for %s by UBOT", ev.Data, own.ID)
	}
}

func TestHumanMessageReachesBotInChannel(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	client := runClient(t, s)
	api := apiClient(s)
	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-8"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.InviteUsersToConversationContext(ctx, ch.ID, "U3"); err != nil {
		t.Fatal(err)
	}
	m, err := s.PostMessageAs("U3", ch.ID, "bridge: https://zoom.us/j/999")
	if err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, client, func(ev socketmode.Event) bool {
		api, ok := ev.Data.(slackevents.EventsAPIEvent)
		return ok && api.InnerEvent.Type == "message"
	})
	msg := ev.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.MessageEvent)
	if msg.User != "U3" || msg.Channel != ch.ID || msg.TimeStamp != m.TS || msg.Text != m.Text {
		t.Errorf("message event = %+v, want U3's message %s", msg, m.TS)
	}
	if _, err := s.PostMessageAs("U2", ch.ID, "hi"); err == nil {
		t.Error("PostMessageAs by a non-member succeeded")
	}
}

func TestClickButtonInteractionAndResponseURL(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	client := runClient(t, s)
	if err := s.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	api := apiClient(s)
	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-9"})
	if err != nil {
		t.Fatal(err)
	}
	join := slack.NewButtonBlockElement("join_call", "zoom-123", slack.NewTextBlockObject("plain_text", "Join Call", false, false))
	join.URL = "https://zoom.us/j/123"
	_, ts, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("Incident", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("incident-actions", join)))
	if err != nil {
		t.Fatal(err)
	}

	d, err := s.ClickButton(ctx, "U1", ch.ID, ts, "join_call")
	if err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, client, ofType(socketmode.EventTypeInteractive))
	cb := ev.Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeBlockActions || cb.User.ID != "U1" || cb.TriggerID != d.TriggerID ||
		cb.ResponseURL != d.ResponseURL || cb.Channel.ID != ch.ID || cb.Container.MessageTs != ts ||
		cb.Container.ChannelID != ch.ID || cb.Message.Timestamp != ts || cb.Team.ID != "T0WARROOM" {
		t.Errorf("interaction = %+v", cb)
	}
	if len(cb.ActionCallback.BlockActions) != 1 {
		t.Fatalf("block actions = %+v, want one", cb.ActionCallback)
	}
	action := cb.ActionCallback.BlockActions[0]
	if action.ActionID != "join_call" || action.BlockID != "incident-actions" || action.Value != "zoom-123" || action.Text.Text != "Join Call" {
		t.Errorf("action = %+v", action)
	}
	var raw struct {
		Actions []struct{ URL string } `json:"actions"`
	}
	if err := json.Unmarshal(ev.Request.Payload, &raw); err != nil || len(raw.Actions) != 1 || raw.Actions[0].URL != join.URL {
		t.Errorf("action url = %+v (%v), want %s", raw, err, join.URL)
	}
	client.Ack(*ev.Request)

	// The response_url answers the clicker alone…
	if _, _, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("Joining…", false),
		slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeEphemeral)); err != nil {
		t.Fatal(err)
	}
	if got := s.Ephemerals("U1"); len(got) != 1 || got[0].Text != "Joining…" || got[0].Via != "response_url" {
		t.Errorf("Ephemerals(U1) = %+v", got)
	}
	// …or replaces the clicked message for everyone.
	if _, _, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("Call ended", false),
		slack.MsgOptionReplaceOriginal(cb.ResponseURL)); err != nil {
		t.Fatal(err)
	}
	msgs := s.Messages(ch.ID)
	if len(msgs) != 1 || msgs[0].Text != "Call ended" || !msgs[0].Edited || msgs[0].Blocks != nil {
		t.Errorf("messages after replace_original = %+v", msgs)
	}
	if _, err := s.ClickButton(ctx, "U1", ch.ID, ts, "no_such_action"); err == nil {
		t.Error("clicking a missing button succeeded")
	}
}

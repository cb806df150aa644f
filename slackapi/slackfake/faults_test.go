package slackfake

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func TestFailNext(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	api := apiClient(s)
	s.FailNext("conversations.create", "fatal_error", 2)

	for i := range 2 {
		_, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-1"})
		if got := slackCode(err); got != "fatal_error" {
			t.Errorf("call %d: error %q, want fatal_error", i+1, got)
		}
	}
	if _, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-1"}); err != nil {
		t.Errorf("third call: %v, want success", err)
	}
	var errs []string
	for _, c := range s.Calls() {
		if c.Method == "conversations.create" {
			errs = append(errs, c.Error)
		}
	}
	if len(errs) != 3 || errs[0] != "fatal_error" || errs[1] != "fatal_error" || errs[2] != "" {
		t.Errorf("logged errors = %q", errs)
	}
	if _, ok := s.ChannelByName("inc-1"); !ok {
		t.Error("channel missing after the faults passed")
	}

	// "*" fails whatever comes next; times <= 0 clears.
	s.FailNext("*", "internal_error", 1)
	if _, err := api.AuthTestContext(ctx); slackCode(err) != "internal_error" {
		t.Errorf("wildcard fault: %v", err)
	}
	s.FailNext("users.info", "internal_error", 5)
	s.FailNext("users.info", "", 0)
	if _, err := api.GetUserInfoContext(ctx, "U1"); err != nil {
		t.Errorf("cleared faults still fire: %v", err)
	}
}

func TestFailHTTP(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	api := apiClient(s)
	s.FailHTTP("auth.test", http.StatusServiceUnavailable, 1)

	_, err := api.AuthTestContext(ctx)
	codeErr, ok := errors.AsType[slack.StatusCodeError](err)
	if !ok || codeErr.Code != http.StatusServiceUnavailable {
		t.Errorf("error = %#v, want StatusCodeError 503", err)
	}
	if _, err := api.AuthTestContext(ctx); err != nil {
		t.Errorf("after the fault: %v", err)
	}

	s.FailHTTP("users.info", http.StatusTooManyRequests, 1)
	_, err = api.GetUserInfoContext(ctx, "U1")
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); !ok || rl.RetryAfter != time.Second {
		t.Errorf("injected 429 = %#v, want RateLimitedError after 1s", err)
	}
}

func TestRateLimits(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	api := apiClient(s)
	s.SetRateLimits(true)

	// conversations.create is tier 2: 20 a minute.
	for i := range 20 {
		if _, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-" + string(rune('a'+i))}); err != nil {
			t.Fatalf("create %d: %v", i+1, err)
		}
	}
	_, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-over"})
	rl, ok := errors.AsType[*slack.RateLimitedError](err)
	if !ok || rl.RetryAfter < time.Second || rl.RetryAfter > 3*time.Second {
		t.Fatalf("21st create: %#v, want RateLimitedError with Retry-After ~3s", err)
	}
	if _, ok := s.ChannelByName("inc-over"); ok {
		t.Error("a rate-limited call created its channel")
	}
	calls := s.Calls()
	if last := calls[len(calls)-1]; last.Error != "ratelimited" || last.Status != http.StatusTooManyRequests {
		t.Errorf("logged %+v, want ratelimited 429", last)
	}
	// Other methods have their own budget.
	if _, err := api.GetUserInfoContext(ctx, "U1"); err != nil {
		t.Errorf("users.info limited by conversations.create: %v", err)
	}

	// chat.postMessage: about 1/s per channel, with a small burst.
	ch, _ := s.ChannelByName("inc-a")
	other, _ := s.ChannelByName("inc-b")
	limited := 0
	for range int(postMessageBurst) + 1 {
		if _, _, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("update", false)); err != nil {
			if _, ok := errors.AsType[*slack.RateLimitedError](err); !ok {
				t.Fatal(err)
			}
			limited++
		}
	}
	if limited != 1 {
		t.Errorf("%d of %d quick posts limited, want 1", limited, int(postMessageBurst)+1)
	}
	if _, _, err := api.PostMessageContext(ctx, other.ID, slack.MsgOptionText("update", false)); err != nil {
		t.Errorf("another channel limited too: %v", err)
	}

	s.SetRateLimits(false)
	if _, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-over"}); err != nil {
		t.Errorf("limits off: %v", err)
	}
}

func TestLatency(t *testing.T) {
	s := mustStart(t, Config{})
	ctx := testContext(t)
	s.SetLatency(150 * time.Millisecond)
	start := time.Now()
	if _, err := apiClient(s).AuthTestContext(ctx); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Errorf("auth.test took %v, want at least the 150ms latency", took)
	}
}

func TestViewsAndTriggers(t *testing.T) {
	clock := newFakeClock()
	s := mustStart(t, Config{Now: clock.Now})
	ctx := testContext(t)
	client := runClient(t, s)
	if err := s.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	api := apiClient(s)
	modal := slack.ModalViewRequest{
		Type:       slack.VTModal,
		Title:      slack.NewTextBlockObject("plain_text", "Declare", false, false),
		CallbackID: "declare",
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "What broke?", false, false), nil, nil),
		}},
	}

	d, err := s.SendSlashCommand(ctx, SlashCommand{UserID: "U3", Text: "declare"})
	if err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, client, ofType(socketmode.EventTypeSlashCommand))
	client.Ack(*ev.Request)

	view, err := api.OpenViewContext(ctx, d.TriggerID, modal)
	if err != nil {
		t.Fatal(err)
	}
	if view.ID == "" || view.CallbackID != "declare" || view.Hash == "" || len(view.Blocks.BlockSet) != 1 {
		t.Errorf("views.open = %+v", view.View)
	}
	if _, err := api.OpenViewContext(ctx, d.TriggerID, modal); slackCode(err) != "exchanged_trigger_id" {
		t.Errorf("reused trigger: %v", err)
	}
	if got := s.Views(); len(got) != 1 || got[0].UserID != "U3" || got[0].ID != view.ID {
		t.Errorf("Views = %+v", got)
	}

	modal.Title = slack.NewTextBlockObject("plain_text", "Declared", false, false)
	updated, err := api.UpdateViewContext(ctx, modal, "", view.Hash, view.ID)
	if err != nil || updated.Title.Text != "Declared" || updated.Hash == view.Hash {
		t.Errorf("views.update = %+v, %v", updated, err)
	}
	if _, err := api.UpdateViewContext(ctx, modal, "", view.Hash, view.ID); slackCode(err) != "hash_conflict" {
		t.Errorf("stale hash: %v", err)
	}

	// A trigger_id is good for 3 seconds.
	d, err = s.SendSlashCommand(ctx, SlashCommand{UserID: "U3", Text: "declare"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(3*time.Second + time.Millisecond)
	if _, err := api.OpenViewContext(ctx, d.TriggerID, modal); slackCode(err) != "expired_trigger_id" {
		t.Errorf("late trigger: %v", err)
	}
}

func TestResponseURLLimits(t *testing.T) {
	clock := newFakeClock()
	s := mustStart(t, Config{Now: clock.Now})
	ctx := testContext(t)
	runClient(t, s)
	if err := s.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	api := apiClient(s)
	post := func(url, text string, opts ...slack.MsgOption) error {
		opts = append([]slack.MsgOption{slack.MsgOptionText(text, false), slack.MsgOptionResponseURL(url, slack.ResponseTypeEphemeral)}, opts...)
		_, _, err := api.PostMessageContext(ctx, "", opts...)
		return err
	}

	d, err := s.SendSlashCommand(ctx, SlashCommand{UserID: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := post(d.ResponseURL, "step"); err != nil {
			t.Fatalf("use %d: %v", i+1, err)
		}
	}
	err = post(d.ResponseURL, "one too many")
	if codeErr, ok := errors.AsType[slack.StatusCodeError](err); !ok || codeErr.Code != http.StatusNotFound {
		t.Errorf("sixth use: %#v, want a 404", err)
	}
	if got := s.Ephemerals("U1"); len(got) != 5 || got[0].Via != "response_url" {
		t.Errorf("Ephemerals = %d entries (%+v), want 5 via response_url", len(got), got)
	}

	// in_channel posts land in the channel, for everyone.
	d, err = s.SendSlashCommand(ctx, SlashCommand{UserID: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessageContext(ctx, "", slack.MsgOptionText("Incident declared", false),
		slack.MsgOptionResponseURL(d.ResponseURL, slack.ResponseTypeInChannel)); err != nil {
		t.Fatal(err)
	}
	if msgs := s.Messages(generalID); len(msgs) != 1 || msgs[0].Text != "Incident declared" {
		t.Errorf("#general = %+v, want the in_channel reply", msgs)
	}

	// Response URLs expire after 30 minutes.
	clock.Advance(31 * time.Minute)
	if codeErr, ok := errors.AsType[slack.StatusCodeError](post(d.ResponseURL, "late")); !ok || codeErr.Code != http.StatusNotFound {
		t.Error("an expired response_url still works")
	}
}

func TestLoseAnswerActsThenHangs(t *testing.T) {
	s := mustStart(t, Config{})
	api := apiClient(s)
	s.LoseAnswer("conversations.create", 1)

	ctx, cancel := context.WithTimeout(testContext(t), 200*time.Millisecond)
	defer cancel()
	if _, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-lost"}); err == nil {
		t.Fatal("a lost answer arrived")
	}
	if _, ok := s.ChannelByName("inc-lost"); !ok {
		t.Fatal("the call whose answer was lost did not take effect")
	}
	// The next call is answered, with Slack's error for the name now taken.
	_, err := api.CreateConversationContext(testContext(t), slack.CreateConversationParams{ChannelName: "inc-lost"})
	if got := slackCode(err); got != "name_taken" {
		t.Errorf("second create: %q, want name_taken", got)
	}
}

package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/config"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// MustRunWith runs warroom against w with extra bot settings.
func MustRunWith(tb testing.TB, w *world, tune func(*config.Config, *Tuning)) *running {
	tb.Helper()
	m, log := newTestMain(w.config(tb.TempDir()))
	m.Tune = func(t *Tuning) {
		fastRetries(t)
		if tune != nil {
			tune(&m.Config, t)
		}
	}
	if tune != nil {
		tune(&m.Config, &Tuning{})
	}
	return MustStart(tb, w, m, log)
}

// inChannel runs a slash command in a channel and returns the ack's text.
func command(tb testing.TB, w *world, user, channel, text string) (string, string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := w.Slack.SendSlashCommand(ctx, slackfake.SlashCommand{UserID: user, ChannelID: channel, Command: "/incident", Text: text})
	if err != nil {
		tb.Fatal(err)
	}
	ack, err := w.Slack.WaitAck(ctx, d.EnvelopeID)
	if err != nil {
		tb.Fatalf("/incident %s: no ack", text)
	}
	var p struct {
		Text         string          `json:"text"`
		ResponseType string          `json:"response_type"`
		Blocks       json.RawMessage `json:"blocks"`
	}
	json.Unmarshal(ack.Payload, &p)
	return p.Text + "\n" + strings.Join(renderBlocks(p.Blocks), "\n"), p.ResponseType
}

// waitPinned waits until the room's pinned message satisfies ok.
func waitPinned(tb testing.TB, w *world, name string, what string, ok func(text string, r room) bool) room {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var r room
	var text string
	err := waitFor(ctx, func() bool {
		var found bool
		r, found = w.room(name)
		if !found || len(r.Pins) != 1 {
			return false
		}
		text = strings.Join(renderBlocks(r.Pins[0].Blocks), "\n")
		return ok(text, r)
	})
	if err != nil {
		tb.Fatalf("#%s never showed %s; it shows:\n%s", name, what, text)
	}
	return r
}

func TestChannelCreatedByAPersonBecomesAnIncident(t *testing.T) {
	w := MustStartWorld(t)
	MustRun(t, w, t.TempDir())
	ch, err := w.Slack.CreateChannelAs("U2", "inc-db-is-slow")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Slack.CreateChannelAs("U2", "random-chatter"); err != nil {
		t.Fatal(err)
	}
	r := waitPinned(t, w, "inc-db-is-slow", "a Join Call button", func(text string, r room) bool { return r.JoinURL() != "" })
	if !contains(r.Channel.Members, w.Slack.BotUserID()) || !contains(r.Channel.Members, "U2") {
		t.Errorf("members %v", r.Channel.Members)
	}
	if !strings.Contains(strings.Join(renderBlocks(r.Pins[0].Blocks), "\n"), "db is slow") {
		t.Errorf("title not taken from the channel name: %s", renderBlocks(r.Pins[0].Blocks))
	}
	// The same event again (a redelivery) does nothing twice.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ev := map[string]any{"type": "channel_created", "channel": map[string]any{"id": ch.ID, "name": ch.Name, "created": ch.Created, "creator": "U2"}}
	d, err := w.Slack.SendEvent(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	w.Slack.WaitAck(ctx, d.EnvelopeID)
	time.Sleep(200 * time.Millisecond)
	if n := len(w.Zoom.Meetings()); n != 1 {
		t.Errorf("%d meetings, want 1 (random-chatter and the redelivery must not make one)", n)
	}
	if r, _ := w.room("random-chatter"); len(r.Messages) != 0 {
		t.Error("the bot posted in a channel without the prefix")
	}
}

func TestLifecycleCommandsKeepThePinnedMessageTrue(t *testing.T) {
	w := MustStartWorld(t)
	MustRun(t, w, t.TempDir())
	declare(t, w, "U1", "declare Orders stuck")
	name := todayName("Orders stuck", 1)
	r := MustWaitRoom(t, w, name)
	ch := r.Channel.ID

	if text, _ := command(t, w, "U1", "C0GENERAL", "sev 1"); !strings.Contains(text, "incident's channel") {
		t.Errorf("sev outside an incident channel: %q", text)
	}
	if text, kind := command(t, w, "U1", ch, "sev 1"); kind != "in_channel" || !strings.Contains(text, "SEV2 to SEV1") {
		t.Errorf("sev reply %q (%s)", text, kind)
	}
	command(t, w, "U1", ch, "commander <@U3|carol>")
	waitPinned(t, w, name, "SEV1 and commander @carol", func(text string, r room) bool {
		return strings.Contains(text, "SEV1") && strings.Contains(text, "<@U3>")
	})
	if text, _ := command(t, w, "U2", ch, "status"); !strings.Contains(text, "SEV1") {
		t.Errorf("status: %q", text)
	}
	if text, _ := command(t, w, "U2", ch, "call"); !strings.Contains(text, r.JoinURL()) {
		t.Errorf("/incident call does not show the call: %q", text)
	}

	command(t, w, "U3", ch, "resolve Rolled back the deploy")
	r = waitPinned(t, w, name, "the call ended", func(text string, r room) bool {
		return r.JoinURL() == "" && strings.Contains(text, "ended") && strings.Contains(text, "Rolled back the deploy") && strings.Contains(text, "Resolved")
	})
	if text, _ := command(t, w, "U3", ch, "resolve again"); !strings.Contains(text, "already resolved") {
		t.Errorf("second resolve: %q", text)
	}
	command(t, w, "U1", ch, "reopen")
	waitPinned(t, w, name, "Join Call again", func(text string, r room) bool { return r.JoinURL() != "" && strings.Contains(text, "Active") })
	command(t, w, "U3", ch, "resolve Fixed for good")
	waitPinned(t, w, name, "resolved again", func(text string, r room) bool { return r.JoinURL() == "" })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	bridges, reviews := 0, 0
	waitFor(ctx, func() bool {
		bridges, reviews = 0, 0
		for _, m := range w.Zoom.Meetings() {
			switch m.Type {
			case 3:
				bridges++
			case 2:
				reviews++
			}
		}
		return reviews > 0
	})
	if bridges != 1 || reviews != 1 {
		t.Errorf("%d bridges and %d reviews after resolve, reopen and resolve; want the same bridge and one review", bridges, reviews)
	}
}

func TestCallNewAdoptAndPastedLinks(t *testing.T) {
	w := MustStartWorld(t)
	run := MustRun(t, w, t.TempDir())
	declare(t, w, "U1", "declare Payments flaky")
	name := todayName("Payments flaky", 1)
	r := MustWaitRoom(t, w, name)
	first := w.Zoom.Meetings()[0]

	command(t, w, "U1", r.Channel.ID, "call new")
	r = waitPinned(t, w, name, "a new call", func(text string, r room) bool { return r.JoinURL() != "" && r.JoinURL() != first.JoinURL })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var ms []zoomfake.Meeting
	waitFor(ctx, func() bool { ms = w.Zoom.Meetings(); return len(ms) == 1 })
	if len(ms) != 1 || ms[0].ID == first.ID || ms[0].JoinURL != r.JoinURL() {
		t.Fatalf("after call new Zoom has %d meetings; the old one (never started) must be deleted", len(ms))
	}
	waitFor(ctx, func() bool { r, _ = w.room(name); return len(r.Bookmarks) == 1 && r.Bookmarks[0].Link == ms[0].JoinURL })
	if len(r.Bookmarks) != 1 || r.Bookmarks[0].Link != ms[0].JoinURL {
		t.Errorf("bookmarks %+v, want one to the new call\n%s", r.Bookmarks, run.Log.String())
		for _, c := range w.Slack.Calls() {
			t.Log(c.Method, c.Error, c.Params)
		}
	}

	// Someone already has a meeting running: adopt it by URL.
	theirs := "https://fake.zoom.us/j/98765432101?pwd=abc"
	command(t, w, "U2", r.Channel.ID, "call <"+theirs+">")
	waitPinned(t, w, name, "the adopted call", func(text string, r room) bool { return r.JoinURL() == theirs })

	// A pasted link that is not the call gets its poster a prompt.
	pasted := "https://fake.zoom.us/j/11122233344?pwd=xyz"
	if _, err := w.Slack.PostMessageAs("U1", r.Channel.ID, "join us here <"+pasted+">"); err != nil {
		t.Fatal(err)
	}
	var prompt bool
	waitFor(ctx, func() bool {
		for _, e := range w.Slack.Ephemerals("U1") {
			prompt = prompt || (e.Via == "chat.postEphemeral" && strings.Contains(string(e.Blocks), blocks.ActionAdoptCall))
		}
		return prompt
	})
	if !prompt {
		t.Fatalf("no 'Set as the incident call?' prompt: %+v", w.Slack.Ephemerals("U1"))
	}
	d, err := w.Slack.ClickEphemeralButton(ctx, "U1", r.Channel.ID, blocks.ActionAdoptCall)
	if err != nil {
		t.Fatal(err)
	}
	w.Slack.WaitAck(ctx, d.EnvelopeID)
	waitPinned(t, w, name, "the pasted call", func(text string, r room) bool { return r.JoinURL() == pasted })
	// Pasting the current call again prompts nobody.
	before := len(w.Slack.Ephemerals("U1"))
	w.Slack.PostMessageAs("U1", r.Channel.ID, "again "+pasted)
	time.Sleep(200 * time.Millisecond)
	if len(w.Slack.Ephemerals("U1")) != before {
		t.Error("pasting the incident's own call prompted again")
	}
}

func TestDeclareModalPrivateIncident(t *testing.T) {
	w := MustStartWorld(t)
	run := MustRunWith(t, w, func(c *config.Config, t *Tuning) { t.Workflow.AnnounceChannel = "C0GENERAL" })
	text, _ := command(t, w, "U1", "C0GENERAL", "declare")
	if strings.TrimSpace(text) != "" {
		t.Errorf("declare without a title answered %q instead of opening the form", text)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var viewID string
	waitFor(ctx, func() bool {
		for _, v := range w.Slack.Views() {
			if v.CallbackID == blocks.CallbackDeclare {
				viewID = v.ID
			}
		}
		return viewID != ""
	})
	if viewID == "" {
		t.Fatal("no declare form opened")
	}
	// An empty title keeps the form open with an error.
	d, _ := w.Slack.SubmitView(ctx, "U1", viewID, map[string]map[string]any{
		blocks.BlockDeclareTitle: {blocks.BlockDeclareTitle: map[string]any{"type": "plain_text_input", "value": "  "}},
	})
	ack, _ := w.Slack.WaitAck(ctx, d.EnvelopeID)
	if !strings.Contains(string(ack.Payload), `"response_action":"errors"`) {
		t.Errorf("empty title accepted: %s", ack.Payload)
	}
	d, _ = w.Slack.SubmitView(ctx, "U1", viewID, map[string]map[string]any{
		blocks.BlockDeclareTitle:      {blocks.BlockDeclareTitle: map[string]any{"type": "plain_text_input", "value": "Credential leak"}},
		blocks.BlockDeclareSeverity:   {blocks.BlockDeclareSeverity: map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "1"}}},
		blocks.BlockDeclarePrivate:    {blocks.BlockDeclarePrivate: map[string]any{"type": "checkboxes", "selected_options": []any{map[string]any{"value": "private"}}}},
		blocks.BlockDeclareResponders: {blocks.BlockDeclareResponders: map[string]any{"type": "multi_users_select", "selected_users": []any{"U3"}}},
	})
	if ack, _ := w.Slack.WaitAck(ctx, d.EnvelopeID); strings.Contains(string(ack.Payload), "errors") {
		t.Fatalf("valid form refused: %s", ack.Payload)
	}
	name := todayName("Credential leak", 1)
	r := MustWaitRoom(t, w, name)
	if !r.Channel.IsPrivate {
		t.Error("the private incident's channel is public")
	}
	if !contains(r.Channel.Members, "U1") || !contains(r.Channel.Members, "U3") {
		t.Errorf("members %v, want the declarer and the responder", r.Channel.Members)
	}
	join := r.JoinURL()
	meetingID := ""
	for _, m := range w.Zoom.Meetings() {
		if m.JoinURL == join {
			meetingID = strings.TrimPrefix(strings.SplitN(join, "?", 2)[0], "https://fake.zoom.us/j/")
		}
	}
	// The call link lives only inside the channel.
	time.Sleep(200 * time.Millisecond)
	general := w.Slack.Messages("C0GENERAL")
	if len(general) != 1 {
		t.Fatalf("%d announcements, want 1", len(general))
	}
	places := map[string]string{"announcement": string(general[0].Blocks) + general[0].Text, "log": run.Log.String()}
	for i, e := range w.Slack.Ephemerals("U1") {
		places["reply "+e.Via+" "+string(rune('0'+i))] = e.Text + string(e.Blocks)
	}
	for where, text := range places {
		if strings.Contains(text, join) || (meetingID != "" && strings.Contains(text, meetingID)) {
			t.Errorf("the private incident's call leaked into the %s:\n%s", where, text)
		}
	}
	if strings.Contains(places["announcement"], "Credential leak") {
		t.Errorf("the private incident's title is in the announcement")
	}
	if text, _ := command(t, w, "U2", "C0GENERAL", "list"); strings.Contains(text, join) || !strings.Contains(text, "rivate") {
		t.Errorf("list shows a private incident's call: %q", text)
	}
}

func TestAnnouncementKeptCurrent(t *testing.T) {
	w := MustStartWorld(t)
	MustRunWith(t, w, func(c *config.Config, t *Tuning) { t.Workflow.AnnounceChannel = "C0GENERAL" })
	declare(t, w, "U1", "declare Search down")
	name := todayName("Search down", 1)
	r := MustWaitRoom(t, w, name)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var ann []slackfake.Message
	waitFor(ctx, func() bool {
		ann = w.Slack.Messages("C0GENERAL")
		return len(ann) == 1 && buttonURL(ann[0].Blocks, blocks.ActionJoinCall) == r.JoinURL()
	})
	if len(ann) != 1 || buttonURL(ann[0].Blocks, blocks.ActionJoinCall) != r.JoinURL() {
		t.Fatalf("announcement %+v lacks the Join button of a public incident", ann)
	}
	command(t, w, "U1", r.Channel.ID, "resolve")
	waitFor(ctx, func() bool {
		ann = w.Slack.Messages("C0GENERAL")
		return len(ann) == 1 && strings.Contains(string(ann[0].Blocks), "Resolved")
	})
	if len(ann) != 1 || !strings.Contains(string(ann[0].Blocks), "Resolved") || buttonURL(ann[0].Blocks, blocks.ActionJoinCall) != "" {
		t.Errorf("announcement not updated in place on resolve: %d messages", len(ann))
	}
}

func TestZoomSettingsApplyToNextMeetings(t *testing.T) {
	w := MustStartWorld(t)
	MustRun(t, w, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	command(t, w, "U2", "C0GENERAL", "zoom settings")
	time.Sleep(200 * time.Millisecond)
	if len(w.Slack.Views()) != 0 {
		t.Fatal("a non-admin got the settings form")
	}
	command(t, w, "U1", "C0GENERAL", "zoom settings")
	var viewID string
	waitFor(ctx, func() bool {
		for _, v := range w.Slack.Views() {
			if v.CallbackID == blocks.CallbackZoomSettings {
				viewID = v.ID
			}
		}
		return viewID != ""
	})
	if viewID == "" {
		t.Fatal("no settings form")
	}
	values := func(opts ...string) map[string]map[string]any {
		var sel []any
		for _, o := range opts {
			sel = append(sel, map[string]any{"value": o})
		}
		return map[string]map[string]any{
			blocks.BlockTopicTemplate:  {blocks.BlockTopicTemplate: map[string]any{"type": "plain_text_input", "value": "[{{severity}}] {{title}} ({{ref}})"}},
			blocks.BlockAgendaTemplate: {blocks.BlockAgendaTemplate: map[string]any{"type": "plain_text_input", "value": "Bridge for {{title}}"}},
			blocks.BlockMeetingOptions: {blocks.BlockMeetingOptions: map[string]any{"type": "checkboxes", "selected_options": sel}},
			blocks.BlockAutoRecording:  {blocks.BlockAutoRecording: map[string]any{"type": "radio_buttons", "selected_option": map[string]any{"value": "cloud"}}},
		}
	}
	d, _ := w.Slack.SubmitView(ctx, "U1", viewID, values("join_before_host", "waiting_room"))
	if ack, _ := w.Slack.WaitAck(ctx, d.EnvelopeID); !strings.Contains(string(ack.Payload), "errors") {
		t.Errorf("waiting room with join before host accepted: %s", ack.Payload)
	}
	d, _ = w.Slack.SubmitView(ctx, "U1", viewID, values("join_before_host", "mute_on_entry", "end_on_resolve", "auto_summary"))
	if ack, _ := w.Slack.WaitAck(ctx, d.EnvelopeID); strings.Contains(string(ack.Payload), "errors") {
		t.Fatalf("settings refused: %s", ack.Payload)
	}

	declare(t, w, "U1", "declare Settings check --sev 3")
	r := MustWaitRoom(t, w, todayName("Settings check", 1))
	m := w.Zoom.Meetings()[0]
	if m.Topic != "[SEV3] Settings check (INC-1)" || !strings.Contains(m.Agenda, "Bridge for Settings check") {
		t.Errorf("meeting topic %q agenda %q do not follow the templates", m.Topic, m.Agenda)
	}
	if !m.Settings.MuteUponEntry || m.Settings.AutoRecording != "cloud" || !m.Settings.JoinBeforeHost || m.Settings.WaitingRoom ||
		!m.Settings.AutoStartMeetingSummary {
		t.Errorf("meeting settings %+v do not follow the saved defaults", m.Settings)
	}
	// End on resolve: the meeting is ended at Zoom.
	w.Zoom.SetMeetingStatus(m.ID, "started")
	command(t, w, "U1", r.Channel.ID, "resolve")
	waitFor(ctx, func() bool { mm, _ := w.Zoom.Meeting(m.ID); return mm.Status == "finished" })
	if mm, _ := w.Zoom.Meeting(m.ID); mm.Status != "finished" {
		t.Errorf("meeting status %q after resolve, want it ended", mm.Status)
	}
}

func TestMentionedRespondersAreInvited(t *testing.T) {
	w := MustStartWorld(t)
	MustRun(t, w, t.TempDir())
	declare(t, w, "U1", "declare Cache down <@U3|carol> <@U2|bob> --sev 1")
	name := todayName("Cache down @carol @bob", 1)
	r := MustWaitRoom(t, w, name)
	for _, u := range []string{"U1", "U2", "U3"} {
		if !contains(r.Channel.Members, u) {
			t.Errorf("%s not invited: members %v", u, r.Channel.Members)
		}
	}
	text := strings.Join(renderBlocks(r.Pins[0].Blocks), "\n")
	if !strings.Contains(text, "Cache down @carol @bob") {
		t.Errorf("title with mentions shown as %q", text)
	}
}

func TestMeetingStartedWebhookShowsInProgress(t *testing.T) {
	e := MustRunConnect(t, nil)
	if status, _ := e.consent(t, e.connectLink(t), robotEmail, "allow"); status != 200 {
		t.Fatal("connect failed")
	}
	declare(t, e.w, "U1", "declare Live call")
	name := todayName("Live call", 1)
	MustWaitRoom(t, e.w, name)
	m := e.w.Zoom.Meetings()[0]
	e.w.Zoom.SetMeetingStatus(m.ID, "started")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	status, err := e.w.Zoom.SendWebhook(ctx, "meeting.started", map[string]any{"account_id": "a",
		"object": map[string]any{"id": m.ID, "uuid": m.UUID, "host_id": m.HostID, "topic": m.Topic}})
	if err != nil || status != 200 {
		t.Fatalf("webhook: %d %v", status, err)
	}
	waitPinned(t, e.w, name, "the call in progress", func(text string, r room) bool { return strings.Contains(text, "In progress") })
}

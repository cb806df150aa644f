package bot_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/bot"
	"github.com/warroom-dev/warroom/internal/testworld"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// waitForm waits for the declare form shown to user after skip forms,
// and returns it.
func waitForm(t *testing.T, w *testworld.World, user string, skip int) slackfake.View {
	t.Helper()
	var view slackfake.View
	testworld.WaitFor(t, "the declare form to open", func() bool {
		n := 0
		for _, v := range w.Slack.Views() {
			if v.UserID == user && v.CallbackID == blocks.CallbackDeclare {
				if n == skip {
					view = v
					return true
				}
				n++
			}
		}
		return false
	})
	return view
}

// inputValue is the initial value of a form's input.
func inputValue(t *testing.T, v slackfake.View, blockID string) string {
	t.Helper()
	var view struct {
		Blocks []struct {
			BlockID string `json:"block_id"`
			Element struct {
				InitialValue string `json:"initial_value"`
			} `json:"element"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(v.JSON, &view); err != nil {
		t.Fatal(err)
	}
	for _, b := range view.Blocks {
		if b.BlockID == blockID {
			return b.Element.InitialValue
		}
	}
	return ""
}

// A message shortcut opens the form prefilled from the message; the
// incident's channel starts with the message quoted and linked, and the
// message's thread gets one answer, however often the form is submitted
// or the submission delivered, and from however many forms.
func TestDeclareFromAMessage(t *testing.T) {
	w := testworld.Start(t, testworld.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), testworld.WaitTimeout)
	defer cancel()
	src, err := w.Slack.PostMessageAs(testworld.NotAdmin, "C0GENERAL", "Checkout is 500ing\nSince 03:10, EU only <@U1>")
	if err != nil {
		t.Fatal(err)
	}
	d, err := w.Slack.SendMessageShortcut(ctx, testworld.Admin, "C0GENERAL", src.TS, bot.ShortcutFromMessage)
	if err != nil {
		t.Fatal(err)
	}
	w.WaitAck(t, d.EnvelopeID)
	form := waitForm(t, w, testworld.Admin, 0)
	if got := inputValue(t, form, blocks.BlockDeclareTitle); got != "Checkout is 500ing" {
		t.Errorf("title prefilled %q, want the message's first line", got)
	}
	if got := inputValue(t, form, blocks.BlockDeclareSummary); !strings.Contains(got, "Since 03:10, EU only") {
		t.Errorf("summary prefilled %q, want the message's other lines", got)
	}

	values := formValues("Checkout is 500ing")
	sub, err := w.Slack.SubmitView(ctx, testworld.Admin, form.ID, values)
	if err != nil {
		t.Fatal(err)
	}
	w.WaitAck(t, sub.EnvelopeID)
	if err := w.Slack.Redeliver(ctx, sub.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	w.WaitAck(t, sub.EnvelopeID)
	// A second person opens the form on the same message and submits it.
	d2, err := w.Slack.SendMessageShortcut(ctx, testworld.NotAdmin, "C0GENERAL", src.TS, bot.ShortcutFromMessage)
	if err != nil {
		t.Fatal(err)
	}
	w.WaitAck(t, d2.EnvelopeID)
	form2 := waitForm(t, w, testworld.NotAdmin, 0)
	sub2, err := w.Slack.SubmitView(ctx, testworld.NotAdmin, form2.ID, values)
	if err != nil {
		t.Fatal(err)
	}
	ack2 := w.WaitAck(t, sub2.EnvelopeID)
	if !strings.Contains(string(ack2.Payload), "already declared from this message") {
		t.Errorf("the second person's form was answered %s; want it kept open saying the incident exists", ack2.Payload)
	}

	incs := w.Incidents(t)
	if len(incs) != 1 {
		t.Fatalf("%d incidents from one message, want 1", len(incs))
	}
	inc := incs[0]
	if inc.Origin.Door != warroom.DoorMessage || inc.Origin.Message == nil || inc.Origin.Message.TS != src.TS {
		t.Fatalf("origin = %+v, want the message door and the message", inc.Origin)
	}
	r := w.WaitRoom(t, inc.ID)
	if got, want := r.JoinURL(), w.MeetingJoinURL(r); got == "" || got != want {
		t.Fatalf("Join Call opens %q; the meeting's join_url is %q", got, want)
	}
	var origin string
	testworld.WaitFor(t, "the origin message and the thread reply", func() bool {
		r, _ = w.Room(t, inc.ID)
		origin = ""
		for _, m := range r.Messages {
			if strings.Contains(string(m.Blocks), blocks.OriginBlockID(inc.ID)) {
				origin = string(m.Blocks)
			}
		}
		return origin != "" && len(threadReplies(w, src.TS)) > 0
	})
	if !strings.Contains(origin, "/archives/C0GENERAL/p"+strings.ReplaceAll(src.TS, ".", "")) {
		t.Errorf("the origin message does not link the source message: %s", origin)
	}
	if !strings.Contains(origin, "Checkout is 500ing") {
		t.Errorf("the origin message does not quote the source: %s", origin)
	}
	// Run the incident's sync again: still one reply, one origin message.
	w.SyncAgain(t, inc.ID)
	r, _ = w.Room(t, inc.ID)
	origins := 0
	for _, m := range r.Messages {
		if strings.Contains(string(m.Blocks), blocks.OriginBlockID(inc.ID)) {
			origins++
		}
	}
	if origins != 1 {
		t.Errorf("%d origin messages in the war room, want 1", origins)
	}
	if n := len(threadReplies(w, src.TS)); n != 1 {
		t.Errorf("%d replies in the source thread, want 1", n)
	}
	if reply := threadReplies(w, src.TS); len(reply) == 1 && !strings.Contains(string(reply[0].Blocks), r.Channel.ID) {
		t.Errorf("the thread reply does not link the war room %s: %s", r.Channel.ID, reply[0].Blocks)
	}
}

func threadReplies(w *testworld.World, ts string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range w.Slack.Messages("C0GENERAL") {
		if m.ThreadTS == ts && m.TS != ts {
			out = append(out, m)
		}
	}
	return out
}

// The global shortcut opens the empty declare form.
func TestGlobalShortcutOpensTheForm(t *testing.T) {
	w := testworld.Start(t, testworld.Config{NoJobs: true})
	ctx, cancel := context.WithTimeout(context.Background(), testworld.WaitTimeout)
	defer cancel()
	d, err := w.Slack.SendGlobalShortcut(ctx, testworld.NotAdmin, bot.ShortcutDeclare)
	if err != nil {
		t.Fatal(err)
	}
	w.WaitAck(t, d.EnvelopeID)
	form := waitForm(t, w, testworld.NotAdmin, 0)
	sub, err := w.Slack.SubmitView(ctx, testworld.NotAdmin, form.ID, formValues("Search is slow"))
	if err != nil {
		t.Fatal(err)
	}
	w.WaitAck(t, sub.EnvelopeID)
	incs := w.Incidents(t)
	if len(incs) != 1 || incs[0].Title != "Search is slow" || incs[0].DeclaredBy != testworld.NotAdmin || incs[0].Origin.Door != warroom.DoorForm {
		t.Fatalf("incidents = %+v, want one declared by %s from the form", incs, testworld.NotAdmin)
	}
}

// A Workflow Builder step declares once, however often the event is
// delivered, and is completed once with the war room's channel and the
// meeting's join_url.
func TestWorkflowStepOpensAWarRoom(t *testing.T) {
	w := testworld.Start(t, testworld.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), testworld.WaitTimeout)
	defer cancel()
	d, exec, err := w.Slack.SendFunctionExecuted(ctx, bot.FunctionOpenWarRoom, map[string]any{"title": "Payments are failing", "severity": "SEV1"})
	if err != nil {
		t.Fatal(err)
	}
	w.WaitAck(t, d.EnvelopeID)
	if err := w.Slack.Redeliver(ctx, d.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	w.WaitAck(t, d.EnvelopeID)
	var f slackfake.FunctionExecution
	testworld.WaitFor(t, "the workflow step to be completed", func() bool {
		f, _ = w.Slack.Function(exec)
		return f.Outcome != ""
	})
	incs := w.Incidents(t)
	if len(incs) != 1 || incs[0].Severity != warroom.SEV1 || incs[0].Title != "Payments are failing" {
		t.Fatalf("incidents = %+v, want one SEV1 'Payments are failing'", incs)
	}
	r := w.WaitRoom(t, incs[0].ID)
	want := map[string]string{"incident_id": incs[0].Ref(), "channel_id": r.Channel.ID, "join_url": w.MeetingJoinURL(r)}
	if f.Outcome != "success" || f.Outputs["incident_id"] != want["incident_id"] || f.Outputs["channel_id"] != want["channel_id"] ||
		f.Outputs["join_url"] == "" || f.Outputs["join_url"] != want["join_url"] {
		t.Fatalf("the step ended %s with %v (%s); want success with %v", f.Outcome, f.Outputs, f.Error, want)
	}
	w.SyncAgain(t, incs[0].ID)
	if f, _ := w.Slack.Function(exec); f.Completions != 1 {
		t.Errorf("the step was completed %d times, want once", f.Completions)
	}
}

// A step with a wrong severity records nothing and ends with what to fix.
func TestWorkflowStepWithBadInputEndsWithAnError(t *testing.T) {
	w := testworld.Start(t, testworld.Config{NoJobs: true})
	ctx, cancel := context.WithTimeout(context.Background(), testworld.WaitTimeout)
	defer cancel()
	for _, inputs := range []map[string]any{{"title": "x", "severity": "critical"}, {"title": "  "}} {
		d, exec, err := w.Slack.SendFunctionExecuted(ctx, bot.FunctionOpenWarRoom, inputs)
		if err != nil {
			t.Fatal(err)
		}
		w.WaitAck(t, d.EnvelopeID)
		var f slackfake.FunctionExecution
		testworld.WaitFor(t, "the step to end", func() bool {
			f, _ = w.Slack.Function(exec)
			return f.Outcome != ""
		})
		if f.Outcome != "error" || !slices.ContainsFunc([]string{"Severity must be", "needs a title"}, func(s string) bool {
			return strings.Contains(f.Error, s)
		}) {
			t.Errorf("inputs %v: ended %s %q; want an error saying what to fix", inputs, f.Outcome, f.Error)
		}
	}
	if n := len(w.Incidents(t)); n != 0 {
		t.Fatalf("%d incidents recorded from bad inputs", n)
	}
}

// A step whose meeting Zoom keeps refusing ends, after three attempts,
// with a sentence that says what happened and what to check; the war
// room stands. With a standing bridge configured, it ends with that.
func TestWorkflowStepWhenZoomRefuses(t *testing.T) {
	for _, fallback := range []string{"", "https://bridge.example.com/incident"} {
		w := testworld.Start(t, testworld.Config{Tune: func(tu *testworld.Tuning) { tu.Workflow.FallbackCallURL = fallback }})
		w.Zoom.InjectFault(zoomfake.Fault{Op: "meetingCreate", Status: 400, Code: 1001, Message: "User does not exist.", Times: 100})
		ctx, cancel := context.WithTimeout(context.Background(), testworld.WaitTimeout)
		d, exec, err := w.Slack.SendFunctionExecuted(ctx, bot.FunctionOpenWarRoom, map[string]any{"title": "Zoom is down too"})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		w.WaitAck(t, d.EnvelopeID)
		var f slackfake.FunctionExecution
		testworld.WaitFor(t, "the step to end", func() bool {
			f, _ = w.Slack.Function(exec)
			return f.Outcome != ""
		})
		switch {
		case fallback != "" && (f.Outcome != "success" || f.Outputs["join_url"] != fallback):
			t.Errorf("with a bridge: ended %s %v %q; want success with the bridge's URL", f.Outcome, f.Outputs, f.Error)
		case fallback == "" && (f.Outcome != "error" || !strings.Contains(f.Error, "no Zoom call") || !strings.Contains(f.Error, "INC-1")):
			t.Errorf("without a bridge: ended %s %q; want an error naming the incident and the call", f.Outcome, f.Error)
		}
		if incs := w.Incidents(t); len(incs) != 1 || incs[0].ChannelID == "" {
			t.Errorf("the war room does not stand: %+v", incs)
		}
	}
}

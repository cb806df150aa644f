package bot_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/internal/testworld"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
)

// openDeclareModal runs "/incident declare" with no title, which opens
// the form, and returns the form Slack shows user.
func openDeclareModal(t *testing.T, w *testworld.World, user string) slackfake.View {
	t.Helper()
	_, ack := w.Slash(t, user, "declare --sev 1")
	if r := testworld.AckReply(t, ack); r.Text != "" {
		t.Errorf("opening the form was answered %q; the form is the answer", r.Text)
	}
	var view slackfake.View
	testworld.WaitFor(t, "the declare form to open", func() bool {
		for _, v := range w.Slack.Views() {
			if v.UserID == user && v.CallbackID == blocks.CallbackDeclare {
				view = v
				return true
			}
		}
		return false
	})
	return view
}

func formValues(title string) map[string]map[string]any {
	return map[string]map[string]any{
		blocks.BlockDeclareTitle: {blocks.BlockDeclareTitle: map[string]any{"type": "plain_text_input", "value": title}},
		blocks.BlockDeclareSeverity: {blocks.BlockDeclareSeverity: map[string]any{
			"type": "static_select", "selected_option": map[string]any{"value": "1"}}},
	}
}

func submit(t *testing.T, w *testworld.World, user, viewID, title string) (slackfake.Delivery, slackfake.Ack) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testworld.WaitTimeout)
	defer cancel()
	d, err := w.Slack.SubmitView(ctx, user, viewID, formValues(title))
	if err != nil {
		t.Fatal(err)
	}
	return d, w.WaitAck(t, d.EnvelopeID)
}

// The declare form, submitted, closes (an empty ack) and records the
// incident once, even when Slack delivers the submission twice.
func TestDeclareModalSubmissionRecordsOnce(t *testing.T) {
	w := testworld.Start(t, testworld.Config{NoJobs: true})
	view := openDeclareModal(t, w, testworld.NotAdmin)
	d, ack := submit(t, w, testworld.NotAdmin, view.ID, "Search is slow")
	if len(ack.Payload) != 0 {
		t.Errorf("the submission was answered %s; an empty ack closes the form", ack.Payload)
	}
	assertOneIncident(t, w, "Search is slow", warroom.SEV1, testworld.NotAdmin)

	ctx, cancel := context.WithTimeout(context.Background(), testworld.WaitTimeout)
	defer cancel()
	if err := w.Slack.Redeliver(ctx, d.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	w.WaitAck(t, d.EnvelopeID)
	assertOneIncident(t, w, "Search is slow", warroom.SEV1, testworld.NotAdmin)
}

// A form without a title stays open with the problem under the title
// field; nothing is recorded.
func TestDeclareModalWithoutTitleStaysOpen(t *testing.T) {
	w := testworld.Start(t, testworld.Config{NoJobs: true})
	view := openDeclareModal(t, w, testworld.NotAdmin)
	_, ack := submit(t, w, testworld.NotAdmin, view.ID, "   ")
	var answer struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(ack.Payload, &answer); err != nil {
		t.Fatalf("the submission was answered %s: %v", ack.Payload, err)
	}
	if answer.ResponseAction != "errors" || answer.Errors[blocks.BlockDeclareTitle] == "" {
		t.Errorf("the form did not show what is wrong under its title: %s", ack.Payload)
	}
	if n := len(w.Incidents(t)); n != 0 {
		t.Errorf("a form without a title recorded %d incidents", n)
	}
}

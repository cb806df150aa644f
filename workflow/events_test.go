package workflow_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/workflow"
	"github.com/warroom-dev/warroom/zoom"
)

func meetingEvent(event string, id int64, at time.Time, spacing string) zoom.WebhookEvent {
	return zoom.WebhookEvent{Event: event, EventTS: at.UnixMilli(),
		Payload: []byte(fmt.Sprintf(`{"account_id":"acct",%s"object":{"id":"%d","uuid":"u=="}}`, spacing, id))}
}

// The same event by webhook and by the event stream (as bytes they may
// differ in key order and spacing) is applied once: the second is
// recognised, and a later event still applies.
func TestAnEventFromBothSourcesAppliesOnce(t *testing.T) {
	h := newHarness(t)
	rec := h.declare(t, "Disk full")
	h.built(t, rec)
	id := h.zoom.Meetings()[0].ID
	at := time.Now()

	if err := h.wf.ReceiveZoomEvent(h.ctx, meetingEvent("meeting.started", id, at, "")); err != nil {
		t.Fatal(err)
	}
	fromStream := meetingEvent("meeting.started", id, at, " ")
	fromStream.Payload = []byte(fmt.Sprintf(`{"object": {"uuid":"u==", "id":"%d"}, "account_id": "acct"}`, id))
	// The webhook's receipt already holds the stream copy's key: the
	// copy is taken for what it is, a duplicate.
	if seen, err := h.st.SeenEvent(h.ctx, workflow.EventKey(fromStream)); err != nil || !seen {
		t.Fatalf("the stream's copy of the event is not known as the webhook's (%v)", err)
	}
	if err := h.wf.ReceiveZoomEvent(h.ctx, fromStream); err != nil {
		t.Fatal(err)
	}
	wait(t, 5*time.Second, "the pinned message to say the call is in progress", func() bool {
		r, _ := h.room(t, rec)
		return strings.Contains(r.pinnedText(), "In progress")
	})
	if err := h.wf.ReceiveZoomEvent(h.ctx, meetingEvent("meeting.ended", id, at.Add(time.Minute), "")); err != nil {
		t.Fatal(err)
	}
	wait(t, 5*time.Second, "the pinned message to say the call ended", func() bool {
		r, _ := h.room(t, rec)
		return strings.Contains(r.pinnedText(), "Ended")
	})
}

// Reconciliation reads the truth from Zoom: a call that started while no
// event source was connected shows as in progress, and one that ended
// meanwhile as ended.
func TestReconcileCorrectsTheCallState(t *testing.T) {
	h := newHarness(t)
	rec := h.declare(t, "Cache stampede")
	h.built(t, rec)
	id := h.zoom.Meetings()[0].ID

	h.zoom.SetMeetingStatus(id, "started") // no event reaches warroom
	h.wf.Reconcile(h.ctx)
	wait(t, 5*time.Second, "the pinned message to say the call is in progress", func() bool {
		r, _ := h.room(t, rec)
		return strings.Contains(r.pinnedText(), "In progress")
	})
	h.zoom.SetMeetingStatus(id, "finished")
	h.wf.Reconcile(h.ctx)
	wait(t, 5*time.Second, "the pinned message to say the call ended", func() bool {
		r, _ := h.room(t, rec)
		return strings.Contains(r.pinnedText(), "Ended")
	})
}

func participantEvent(event string, id int64, who string, at time.Time) zoom.WebhookEvent {
	field := "join_time"
	if event == "meeting.participant_left" {
		field = "leave_time"
	}
	return zoom.WebhookEvent{Event: event, EventTS: at.UnixMilli(), Payload: []byte(fmt.Sprintf(
		`{"account_id":"acct","object":{"id":"%d","uuid":"u==","participant":{"user_id":"%s","user_name":"%s","participant_uuid":"p-%s","%s":"%s"}}}`,
		id, who, who, who, field, at.UTC().Format(time.RFC3339)))}
}

// A busy call: twenty people join within a moment. The pinned message
// ends up saying so, with when the call started, and Slack's edit limit is
// respected: the burst is shown in a few edits, not twenty.
func TestTheCallsHeadCountIsLiveAndCoalesced(t *testing.T) {
	h := newHarness(t)
	rec := h.declare(t, "Payments down")
	r := h.built(t, rec)
	id := h.zoom.Meetings()[0].ID
	edits := func() int {
		n := 0
		for _, c := range h.slack.Calls() {
			if c.Method == "chat.update" && c.Params.Get("channel") == r.channel.ID && c.Params.Get("ts") == r.pins[0].TS {
				n++
			}
		}
		return n
	}
	before := edits()
	start := time.Now().Truncate(time.Second)
	for i := range 20 {
		if err := h.wf.ReceiveZoomEvent(h.ctx, participantEvent("meeting.participant_joined", id, fmt.Sprintf("u%d", i), start)); err != nil {
			t.Fatal(err)
		}
	}
	wait(t, 10*time.Second, "the pinned message to count 20 people", func() bool {
		r, _ := h.room(t, rec)
		text := r.pinnedText()
		return strings.Contains(text, "In progress · 20 people · since ") && strings.Contains(text, fmt.Sprintf("date^%d^{time}", start.Unix()))
	})
	if n := edits() - before; n > 3 {
		t.Errorf("%d edits of the pinned message for one burst of joins, want at most 3", n)
	}
	h.wf.ReceiveZoomEvent(h.ctx, participantEvent("meeting.participant_left", id, "u3", start.Add(time.Minute)))
	wait(t, 10*time.Second, "the pinned message to count 19 people", func() bool {
		r, _ := h.room(t, rec)
		return strings.Contains(r.pinnedText(), "19 people")
	})
}

func summaryEvent(id int64, uuid, overview string, steps ...string) zoom.WebhookEvent {
	obj := map[string]any{"meeting_id": id, "meeting_uuid": uuid, "summary_overview": overview, "next_steps": steps}
	payload, _ := json.Marshal(map[string]any{"account_id": "acct", "object": obj})
	return zoom.WebhookEvent{Event: "meeting.summary_completed", EventTS: time.Now().UnixMilli(), Payload: payload}
}

// Zoom's AI summary of the incident call is posted once in the incident's
// channel, however often the event comes; a summary of a meeting that is
// no incident's call is posted nowhere.
func TestTheCallsSummaryIsPostedOnce(t *testing.T) {
	h := newHarness(t)
	rec := h.declare(t, "Queue stuck")
	r := h.built(t, rec)
	id := h.zoom.Meetings()[0].ID
	ev := summaryEvent(id, "uuid-1==", "We rolled back <the deploy> & it recovered.", "Add an alert", "Write the review")
	for range 2 {
		if err := h.wf.ReceiveZoomEvent(h.ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	again := ev
	again.EventTS++ // Zoom's retry: the same summary, a later event
	if err := h.wf.ReceiveZoomEvent(h.ctx, again); err != nil {
		t.Fatal(err)
	}
	if err := h.wf.ReceiveZoomEvent(h.ctx, summaryEvent(99999999999, "other==", "Not ours")); err != nil {
		t.Fatal(err)
	}
	posts := func() []string {
		var out []string
		for _, m := range h.slack.Messages(r.channel.ID) {
			if strings.Contains(string(m.Blocks), `"warroom-summary-`) {
				out = append(out, string(m.Blocks))
			}
		}
		return out
	}
	wait(t, 5*time.Second, "the summary post", func() bool { return len(posts()) > 0 })
	time.Sleep(300 * time.Millisecond)
	got := posts()
	if len(got) != 1 {
		t.Fatalf("%d summary posts, want 1", len(got))
	}
	for _, want := range []string{"We rolled back &lt;the deploy&gt; &amp; it recovered.", "• Add an alert", "• Write the review"} {
		enc, _ := json.Marshal(want) // as the blocks' JSON writes it
		if !strings.Contains(got[0], strings.Trim(string(enc), `"`)) {
			t.Errorf("the summary post lacks %q: %s", want, got[0])
		}
	}
	// The canvas carries it too.
	wait(t, 10*time.Second, "the summary on the canvas", func() bool {
		doc, ok := h.slack.Canvas(r.channel.ID)
		return ok && strings.Contains(doc.Markdown, "We rolled back") && strings.Contains(doc.Markdown, "Add an alert")
	})
	for _, c := range h.slack.Channels() {
		for _, m := range h.slack.Messages(c.ID) {
			if strings.Contains(m.Text+string(m.Blocks), "Not ours") {
				t.Errorf("another meeting's summary was posted in #%s", c.Name)
			}
		}
	}
}

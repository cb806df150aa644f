package workflow_test

import (
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

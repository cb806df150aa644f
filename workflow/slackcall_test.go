package workflow_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/workflow"
	"github.com/warroom-dev/warroom/zoom"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// withoutCalls are the messages that do not show a Slack Call.
func withoutCalls(msgs []slackfake.Message) []slackfake.Message {
	others, _ := slackfake.SplitCalls(msgs)
	return others
}

func personEvent(event string, id int64, uuid, name, email string, at time.Time) zoom.WebhookEvent {
	field := "join_time"
	if event == "meeting.participant_left" {
		field = "leave_time"
	}
	return zoom.WebhookEvent{Event: event, EventTS: at.UnixMilli(), Payload: []byte(fmt.Sprintf(
		`{"account_id":"acct","object":{"id":"%d","uuid":"u==","participant":{"user_name":%q,"email":%q,"participant_uuid":%q,"%s":%q}}}`,
		id, name, email, uuid, field, at.UTC().Format(time.RFC3339)))}
}

func (h *harness) slackCallsNow(t *testing.T, n int) []slackfake.SlackCall {
	t.Helper()
	var calls []slackfake.SlackCall
	wait(t, 5*time.Second, fmt.Sprintf("%d Slack Calls", n), func() bool {
		calls = h.slack.SlackCalls()
		return len(calls) == n
	})
	return calls
}

func (h *harness) apiCalls(method string) int {
	n := 0
	for _, c := range h.slack.Calls() {
		if c.Method == method {
			n++
		}
	}
	return n
}

// The incident's meeting is Slack's own Call: added once, with the
// meeting's link, number and topic, by the declarer, and shown in the
// channel; people follow Zoom's joins and leaves (a Slack user when their
// email is one, else their Zoom name); the meeting's end ends it once,
// with its duration; later runs add nothing.
func TestTheSlackCallFollowsTheMeeting(t *testing.T) {
	h := newHarness(t)
	rec := h.declare(t, "Checkout is down")
	r := h.built(t, rec)
	m := h.zoom.Meetings()[0]
	call := h.slackCallsNow(t, 1)[0]
	if call.ExternalUniqueID != "zoom:"+strconv.FormatInt(m.ID, 10) || call.JoinURL != m.JoinURL ||
		call.ExternalDisplayID != blocks.MeetingNumber(m.ID) || call.Title != m.Topic || call.CreatedBy != "U1" {
		t.Errorf("the Slack Call is %+v; the meeting %d %q %q", call, m.ID, m.JoinURL, m.Topic)
	}
	wait(t, 5*time.Second, "the call block in the channel", func() bool {
		for _, msg := range h.slack.Messages(r.channel.ID) {
			if msg.ShowsCall() == call.ID {
				return true
			}
		}
		return false
	})

	at := time.Now().Add(-time.Minute).Truncate(time.Second)
	for _, ev := range []zoom.WebhookEvent{
		personEvent("meeting.participant_joined", m.ID, "p-alice", "Alice A", "alice@example.com", at),
		personEvent("meeting.participant_joined", m.ID, "p-guest", "Dana Guest", "dana@elsewhere.example", at.Add(time.Second)),
		personEvent("meeting.participant_joined", m.ID, "p-bob", "Bob B", "bob@example.com", at.Add(2*time.Second)),
	} {
		if err := h.wf.ReceiveZoomEvent(h.ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]bool{"slack:U1": true, "slack:U2": true, "external:Dana Guest": true}
	wait(t, 10*time.Second, "Alice, Bob and Dana in the Slack Call", func() bool {
		c, _ := h.slack.SlackCall(call.ID)
		return samePeople(c.Participants, want)
	})
	if c, _ := h.slack.SlackCall(call.ID); c.Adds > 2 {
		t.Errorf("three joins in a burst took %d calls.participants.add", c.Adds)
	}
	if err := h.wf.ReceiveZoomEvent(h.ctx, personEvent("meeting.participant_left", m.ID, "p-bob", "Bob B", "bob@example.com",
		at.Add(10*time.Second))); err != nil {
		t.Fatal(err)
	}
	delete(want, "slack:U2")
	wait(t, 10*time.Second, "Bob out of the Slack Call", func() bool {
		c, _ := h.slack.SlackCall(call.ID)
		return samePeople(c.Participants, want)
	})

	if err := h.wf.ReceiveZoomEvent(h.ctx, meetingEvent("meeting.ended", m.ID, at.Add(90*time.Second), "")); err != nil {
		t.Fatal(err)
	}
	wait(t, 10*time.Second, "the Slack Call ended", func() bool {
		c, _ := h.slack.SlackCall(call.ID)
		return c.Ended
	})
	if c, _ := h.slack.SlackCall(call.ID); c.Duration != 90 {
		t.Errorf("the Slack Call lasted %ds, the meeting 90s", c.Duration)
	}
	// Another change runs the sync again: nothing more happens to Calls.
	if _, err := h.st.SetSeverity(h.ctx, rec.ID, warroom.SEV1); err != nil {
		t.Fatal(err)
	}
	h.kick()
	wait(t, 15*time.Second, "the pinned message to say SEV1", func() bool {
		r, _ := h.room(t, rec)
		return len(r.pins) == 1 && strings.Contains(r.pinnedText(), "SEV1")
	})
	if n := h.apiCalls("calls.end"); n != 1 {
		t.Errorf("%d calls.end, want 1", n)
	}
	if n := len(h.slack.SlackCalls()); n != 1 {
		t.Errorf("%d Slack Calls, want 1", n)
	}
}

func samePeople(us []slackfake.CallUser, want map[string]bool) bool {
	if len(us) != len(want) {
		return false
	}
	for _, u := range us {
		k := "slack:" + u.SlackID
		if u.SlackID == "" {
			k = "external:" + u.DisplayName
		}
		if !want[k] {
			return false
		}
	}
	return true
}

// /incident call new: the old meeting (nobody in it) is deleted and its
// Slack Call ended; the new meeting gets its own at once.
func TestCallNewReplacesTheSlackCall(t *testing.T) {
	h := newHarness(t)
	rec := h.declare(t, "Queue backlog")
	h.built(t, rec)
	first := h.slackCallsNow(t, 1)[0]
	if _, err := h.st.ReplaceMeeting(h.ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	h.kick()
	calls := h.slackCallsNow(t, 2)
	wait(t, 10*time.Second, "the old Slack Call ended, the new one live", func() bool {
		old, _ := h.slack.SlackCall(first.ID)
		now, _ := h.slack.SlackCall(calls[1].ID)
		return old.Ended && !now.Ended
	})
	cur, err := h.st.Incident(h.ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if calls[1].JoinURL != cur.Meeting.JoinURL {
		t.Errorf("the new Slack Call opens %q, the new meeting is %q", calls[1].JoinURL, cur.Meeting.JoinURL)
	}
}

// A replaced meeting people are still in keeps its Slack Call until Zoom
// says it ended.
func TestAReplacedCallInUseEndsWithItsMeeting(t *testing.T) {
	h := newHarness(t)
	rec := h.declare(t, "Login errors")
	h.built(t, rec)
	first := h.slackCallsNow(t, 1)[0]
	old := h.zoom.Meetings()[0].ID
	h.zoom.SetMeetingStatus(old, "started")
	if _, err := h.st.ReplaceMeeting(h.ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	h.kick()
	h.slackCallsNow(t, 2)
	wait(t, 5*time.Second, "the incident's sync to settle", func() bool {
		return len(h.liveMeetings()) == 2
	})
	if c, _ := h.slack.SlackCall(first.ID); c.Ended {
		t.Fatal("the Slack Call of a meeting people are in was ended")
	}
	h.zoom.SetMeetingStatus(old, "finished")
	if err := h.wf.ReceiveZoomEvent(h.ctx, meetingEvent("meeting.ended", old, time.Now(), "")); err != nil {
		t.Fatal(err)
	}
	wait(t, 10*time.Second, "the replaced Slack Call ended with its meeting", func() bool {
		c, _ := h.slack.SlackCall(first.ID)
		return c.Ended
	})
}

// Running the sync again and again (each change queues it) never adds a
// second Slack Call for the same meeting.
func TestSyncRerunsKeepOneSlackCall(t *testing.T) {
	h := newHarness(t)
	rec := h.declare(t, "Flaky deploys")
	h.built(t, rec)
	h.slackCallsNow(t, 1)
	for _, sev := range []warroom.Severity{warroom.SEV1, warroom.SEV3, warroom.SEV2} {
		if _, err := h.st.SetSeverity(h.ctx, rec.ID, sev); err != nil {
			t.Fatal(err)
		}
		h.kick()
	}
	wait(t, 15*time.Second, "the pinned message to say SEV2 again", func() bool {
		r, _ := h.room(t, rec)
		return strings.Contains(r.pinnedText(), "SEV2")
	})
	if n := len(h.slack.SlackCalls()); n != 1 || h.apiCalls("calls.add") != 1 {
		t.Errorf("%d Slack Calls, %d calls.add; want 1", n, h.apiCalls("calls.add"))
	}
}

// On the standing bridge (no meeting) there is no Slack Call.
func TestNoSlackCallOnTheFallbackBridge(t *testing.T) {
	const bridge = "https://zoom.us/j/5550001111"
	h := newHarness(t, func(c *workflow.Config) { c.FallbackCallURL = bridge })
	h.zoom.InjectFault(zoomfake.Fault{Op: "meetingCreate", Status: http.StatusInternalServerError, Times: 1000})
	rec := h.declare(t, "Zoom is down")
	wait(t, 5*time.Second, "the fallback bridge in the pinned message", func() bool {
		r, ok := h.room(t, rec)
		return ok && len(r.pins) == 1 && buttonURL(r.pins[0].Blocks, blocks.ActionJoinFallback) == bridge
	})
	if n := h.apiCalls("calls.add"); n != 0 {
		t.Errorf("%d calls.add on the fallback bridge", n)
	}
}

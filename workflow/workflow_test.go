package workflow_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/workflow"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// The incident's sync builds the whole war room once: one channel, one
// meeting, one pinned message whose Join Call is the meeting's join_url,
// one bookmark to the same call.
func TestSyncBuildsTheWarRoom(t *testing.T) {
	h := newHarness(t)
	rec := h.declare(t, "Checkout is down")
	r := h.built(t, rec)

	ms := h.zoom.Meetings()
	if len(ms) != 1 {
		t.Fatalf("%d meetings at Zoom, want 1", len(ms))
	}
	if got := r.joinURL(); got != ms[0].JoinURL {
		t.Errorf("Join Call opens %q, the meeting's join_url is %q", got, ms[0].JoinURL)
	}
	if len(r.pins) != 1 || len(r.bookmarks) != 1 {
		t.Errorf("%d pins, %d bookmarks; want one of each", len(r.pins), len(r.bookmarks))
	}
	if r.bookmarks[0].Link != ms[0].JoinURL {
		t.Errorf("the bookmark opens %q, not the call", r.bookmarks[0].Link)
	}
	if !strings.HasPrefix(r.channel.Name, warroom.DefaultChannelPrefix) || !strings.Contains(r.channel.Name, "checkout-is-down") {
		t.Errorf("channel %q", r.channel.Name)
	}
	incidentChannels := 0
	for _, c := range h.slack.Channels() {
		if strings.HasPrefix(c.Name, warroom.DefaultChannelPrefix) {
			incidentChannels++
		}
	}
	if incidentChannels != 1 {
		t.Errorf("%d incident channels, want 1", incidentChannels)
	}
}

// A change runs the same sync again: it edits what exists in place and
// makes nothing new — no second meeting, pin, bookmark or message.
func TestSyncAgainChangesInPlace(t *testing.T) {
	h := newHarness(t)
	rec := h.declare(t, "Search is slow")
	before := h.built(t, rec)
	creates := h.requests("meetingCreate", 0)

	if _, err := h.st.SetSeverity(h.ctx, rec.ID, warroom.SEV1); err != nil {
		t.Fatal(err)
	}
	h.kick()
	var after room
	wait(t, 5*time.Second, "the pinned message to say SEV1", func() bool {
		after, _ = h.room(t, rec)
		return strings.Contains(after.pinnedText(), "SEV1")
	})
	if n := h.requests("meetingCreate", 0); n != creates {
		t.Errorf("%d meeting creates after the change, %d before", n, creates)
	}
	// The Slack Call's message may come after the war room is built.
	if len(withoutCalls(after.messages)) != len(withoutCalls(before.messages)) || len(after.pins) != 1 || len(after.bookmarks) != 1 {
		t.Errorf("after the change: %d messages (before %d), %d pins, %d bookmarks",
			len(after.messages), len(before.messages), len(after.pins), len(after.bookmarks))
	}
	if after.pins[0].TS != before.pins[0].TS || !after.pins[0].Edited {
		t.Errorf("the pinned message was not edited in place: %s → %s", before.pins[0].TS, after.pins[0].TS)
	}
}

// Zoom failing never holds up Slack: the channel and the pinned message
// come at once, saying the call is being set up, and the Join Call
// replaces that when Zoom recovers.
func TestZoomFailureDoesNotHoldUpSlack(t *testing.T) {
	h := newHarness(t)
	// Each failure takes a while, as a struggling Zoom does.
	h.zoom.InjectFault(zoomfake.Fault{Op: "meetingCreate", Status: http.StatusInternalServerError, Times: 3,
		Delay: 200 * time.Millisecond})
	rec := h.declare(t, "Payments flaky")

	wait(t, 5*time.Second, "a pinned message while Zoom fails", func() bool {
		r, ok := h.room(t, rec)
		return ok && len(r.pins) == 1
	})
	r, _ := h.room(t, rec)
	if r.joinURL() != "" || len(h.zoom.Meetings()) != 0 {
		t.Fatal("the pinned message waited for Zoom's meeting")
	}
	r = h.built(t, rec)
	if n := h.requests("meetingCreate", http.StatusInternalServerError); n != 3 {
		t.Errorf("%d failed creates, want the 3 injected", n)
	}
	ms := h.zoom.Meetings()
	if len(ms) != 1 || r.joinURL() != ms[0].JoinURL || len(r.pins) != 1 {
		t.Errorf("%d meetings, %d pins, Join Call %q", len(ms), len(r.pins), r.joinURL())
	}
}

// `/incident call new` twice in quick succession, Zoom answering slowly:
// one live meeting remains, the pinned Join Call and the one bookmark
// point at it, every replaced meeting is deleted at Zoom.
func TestCallNewTwiceLeavesOneLiveMeeting(t *testing.T) {
	h := newHarness(t)
	rec := h.declare(t, "Queue backlog")
	h.built(t, rec)
	original := h.zoom.Meetings()[0].ID
	h.zoom.SetLatency(200 * time.Millisecond)

	if _, err := h.st.ReplaceMeeting(h.ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	h.kick()
	time.Sleep(250 * time.Millisecond) // the second command lands while Zoom is making the first replacement
	if _, err := h.st.ReplaceMeeting(h.ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	h.kick()

	wait(t, 15*time.Second, "one live meeting, pinned and bookmarked", func() bool {
		r, ok := h.room(t, rec)
		live := h.liveMeetings()
		return ok && len(live) == 1 && live[0].ID != original && r.joinURL() == live[0].JoinURL &&
			len(r.bookmarks) == 1 && r.bookmarks[0].Link == live[0].JoinURL
	})
	if n := h.requests("meetingCreate", http.StatusCreated); n < 2 {
		t.Errorf("%d meetings made: the second call new did not race the first", n)
	}
	if n := h.requests("meetingDelete", http.StatusNoContent); n != h.requests("meetingCreate", http.StatusCreated)-1 {
		t.Errorf("%d meetings deleted of %d made", n, h.requests("meetingCreate", http.StatusCreated))
	}
}

// Cancelling a follow-up while Zoom is still making its meeting: cancel
// wins, no meeting is left at Zoom and no Join post follows.
func TestFollowupCancelWinsOverScheduling(t *testing.T) {
	h := newHarness(t)
	rec := h.declare(t, "Login errors")
	r := h.built(t, rec)
	h.zoom.SetLatency(400 * time.Millisecond)

	f, _, err := h.st.AddFollowup(h.ctx, store.NewFollowup{IncidentID: rec.ID, DedupeKey: "f1", Topic: "Review",
		Start: time.Now().Add(24 * time.Hour), Duration: 30 * time.Minute, RequestedBy: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	h.kick()
	wait(t, 5*time.Second, "the follow-up's meeting on its way to Zoom", func() bool {
		got, err := h.st.Followup(h.ctx, f.ID)
		return err == nil && got.MeetingTag != "" && got.Meeting == nil
	})
	if _, err := h.st.CancelFollowup(h.ctx, f.ID, "U2"); err != nil {
		t.Fatal(err)
	}
	h.kick()
	wait(t, 10*time.Second, "the cancel carried out", func() bool {
		got, err := h.st.Followup(h.ctx, f.ID)
		return err == nil && got.CancelDone
	})
	if n := h.requests("meetingCreate", http.StatusCreated); n != 2 {
		t.Errorf("%d meetings made; the follow-up's create was not in flight at the cancel", n)
	}
	for _, m := range h.zoom.Meetings() {
		if m.JoinURL != r.joinURL() {
			t.Errorf("meeting %d (%q) is still at Zoom after the cancel", m.ID, m.Topic)
		}
	}
	r, _ = h.room(t, rec)
	for _, m := range r.messages {
		if buttonURL(m.Blocks, blocks.ActionJoinFollowup) != "" {
			t.Errorf("a follow-up post with a Join button after the cancel: %q", m.Text)
		}
	}
}

// While Zoom cannot make the incident's meeting, the pinned message offers
// the team's standing bridge; the incident's own Join Call replaces it as
// soon as the meeting exists.
func TestFallbackBridgeUntilTheMeetingExists(t *testing.T) {
	const bridge = "https://zoom.us/j/5550001111"
	h := newHarness(t, func(c *workflow.Config) { c.FallbackCallURL = bridge })
	h.zoom.InjectFault(zoomfake.Fault{Op: "meetingCreate", Status: http.StatusInternalServerError, Times: 3,
		Delay: 200 * time.Millisecond})
	rec := h.declare(t, "Zoom is struggling")
	wait(t, 5*time.Second, "the fallback bridge in the pinned message", func() bool {
		r, ok := h.room(t, rec)
		return ok && len(r.pins) == 1 && buttonURL(r.pins[0].Blocks, blocks.ActionJoinFallback) == bridge
	})
	r := h.built(t, rec)
	if got := buttonURL(r.pins[0].Blocks, blocks.ActionJoinFallback); got != "" {
		t.Errorf("the fallback bridge is still offered beside the Join Call: %q", got)
	}
	if r.joinURL() != h.zoom.Meetings()[0].JoinURL {
		t.Errorf("Join Call %q is not the meeting's", r.joinURL())
	}
}

// Without any event source, a recording is found by polling, never more
// than RecordingPollMax after Zoom has it ready (10 min by default; short
// here).
func TestRecordingFoundWithoutEventsWithinTheCap(t *testing.T) {
	h := newHarness(t, func(c *workflow.Config) { c.RecordingPollMax = 300 * time.Millisecond })
	rec := h.declare(t, "Disk latency")
	r := h.built(t, rec)
	id := h.zoom.Meetings()[0].ID
	// The call runs and ends; warroom learns it only by reading Zoom.
	h.zoom.SetMeetingStatus(id, zoomfake.StatusStarted)
	h.wf.Reconcile(h.ctx)
	h.zoom.RecordMeeting(id, zoomfake.RecordingOptions{Duration: 12 * time.Minute})
	h.zoom.SetMeetingStatus(id, zoomfake.StatusFinished)
	h.wf.Reconcile(h.ctx)
	wait(t, 5*time.Second, "warroom to look for the recording", func() bool { return h.requests("recordingGet", 0) > 0 })
	time.Sleep(700 * time.Millisecond) // it keeps looking while Zoom processes
	ready := time.Now()
	h.zoom.MakeRecordingReady(id)
	wait(t, 5*time.Second, "the recording post", func() bool {
		for _, m := range h.slack.Messages(r.channel.ID) {
			if strings.Contains(string(m.Blocks), `"warroom-recording-`) {
				return true
			}
		}
		return false
	})
	// Within the 5 s wait: uncapped, the next look would be minutes away.
	t.Logf("posted %s after the recording was ready (cap 300 ms)", time.Since(ready).Round(10*time.Millisecond))
	if h.requests("recordingGet", 0) < 3 {
		t.Errorf("%d looks for the recording: it was not polled", h.requests("recordingGet", 0))
	}
}

// The wait between two looks for a recording grows but never passes the
// cap, so without events a recording is at most the cap late.
func TestRecordingPollIsCapped(t *testing.T) {
	for attempts := 1; attempts < 40; attempts++ {
		if d := workflow.PollDelay(attempts, 10*time.Minute); d > 10*time.Minute || d < time.Minute {
			t.Fatalf("attempt %d waits %s", attempts, d)
		}
	}
	if d := workflow.PollDelay(30, 10*time.Minute); d != 10*time.Minute {
		t.Errorf("a long wait settles at %s, want the 10 min cap", d)
	}
}

// The commander gets host controls of the call when they are a licensed
// user of the host's Zoom account: made its alternative host once the
// meeting exists. A new commander who is not is told why nobody has them.
func TestCommanderGetsHostControls(t *testing.T) {
	h := newHarness(t)
	rec := h.declare(t, "Host controls") // declared by U1, alice@example.com
	h.built(t, rec)
	id := h.zoom.Meetings()[0].ID
	wait(t, 5*time.Second, "alice as the call's alternative host", func() bool {
		m, _ := h.zoom.Meeting(id)
		got, _ := h.st.Incident(h.ctx, rec.ID)
		return m.Settings.AlternativeHosts == "alice@example.com" && got.HostControlsUser != ""
	})
	got, _ := h.st.Incident(h.ctx, rec.ID)
	if got.HostControlsEmail != "alice@example.com" || got.HostControlsUser != "U1" {
		t.Fatalf("host controls recorded as %q for %q", got.HostControlsEmail, got.HostControlsUser)
	}

	if _, err := h.st.SetCommander(h.ctx, rec.ID, "U2"); err != nil {
		t.Fatal(err)
	}
	h.kick()
	wait(t, 5*time.Second, "why bob has no host controls", func() bool {
		got, _ := h.st.Incident(h.ctx, rec.ID)
		return got.HostControlsUser == "U2"
	})
	got, _ = h.st.Incident(h.ctx, rec.ID)
	if got.HostControlsEmail != "" || !strings.Contains(got.HostControlsNote, "bob@example.com is not a licensed user") {
		t.Errorf("for bob: email %q, note %q", got.HostControlsEmail, got.HostControlsNote)
	}
	if n := h.requests("meetingUpdate", http.StatusBadRequest); n != 0 {
		t.Errorf("%d refused updates: warroom asked Zoom for an outsider", n)
	}

	// Carol, licensed, takes over: host controls move to her.
	if _, err := h.st.SetCommander(h.ctx, rec.ID, "U3"); err != nil {
		t.Fatal(err)
	}
	h.kick()
	wait(t, 5*time.Second, "carol as the call's alternative host", func() bool {
		m, _ := h.zoom.Meeting(id)
		return m.Settings.AlternativeHosts == "carol@example.com"
	})
}

// With "start the AI summary automatically" on and no event source, the
// summary is fetched from Zoom once the call's recording is there, and
// posted once.
func TestSummaryFetchedWithoutEvents(t *testing.T) {
	h := newHarness(t, func(c *workflow.Config) { c.RecordingPollMax = 200 * time.Millisecond })
	d := warroom.DefaultMeetingDefaults()
	d.AutoSummary = true
	if err := h.st.SetMeetingDefaults(h.ctx, d); err != nil {
		t.Fatal(err)
	}
	rec := h.declare(t, "Summaries on")
	r := h.built(t, rec)
	id := h.zoom.Meetings()[0].ID
	if m, _ := h.zoom.Meeting(id); !m.Settings.AutoStartMeetingSummary {
		t.Error("the meeting was not made with auto_start_meeting_summary")
	}
	h.zoom.SetMeetingStatus(id, zoomfake.StatusStarted)
	h.wf.Reconcile(h.ctx)
	h.zoom.RecordMeeting(id, zoomfake.RecordingOptions{Duration: 30 * time.Minute})
	h.zoom.SetMeetingStatus(id, zoomfake.StatusFinished)
	if err := h.zoom.MakeSummaryReady(h.ctx, id, zoomfake.Summary{Overview: "Rolled back.", NextSteps: []string{"Alert"}}); err != nil {
		t.Fatal(err) // no event source: its event is lost
	}
	h.zoom.MakeRecordingReady(id)
	h.wf.Reconcile(h.ctx)
	wait(t, 5*time.Second, "the summary post", func() bool {
		for _, m := range h.slack.Messages(r.channel.ID) {
			if strings.Contains(string(m.Blocks), `"warroom-summary-`) {
				return strings.Contains(string(m.Blocks), "Rolled back.")
			}
		}
		return false
	})
	if h.requests("meetingSummary", http.StatusOK) != 1 {
		t.Errorf("%d summary reads, want 1", h.requests("meetingSummary", http.StatusOK))
	}
}

// A call with summaries on but no cloud recording: the summary is still
// read from Zoom while warroom waits for a recording that never comes.
func TestSummaryFetchedWithoutRecordingOrEvents(t *testing.T) {
	h := newHarness(t, func(c *workflow.Config) { c.RecordingPollMax = 200 * time.Millisecond })
	d := warroom.DefaultMeetingDefaults()
	d.AutoSummary = true
	if err := h.st.SetMeetingDefaults(h.ctx, d); err != nil {
		t.Fatal(err)
	}
	rec := h.declare(t, "No recording")
	r := h.built(t, rec)
	id := h.zoom.Meetings()[0].ID
	h.zoom.SetMeetingStatus(id, zoomfake.StatusStarted)
	h.wf.Reconcile(h.ctx)
	h.zoom.SetMeetingStatus(id, zoomfake.StatusFinished)
	if err := h.zoom.MakeSummaryReady(h.ctx, id, zoomfake.Summary{Overview: "Restarted the queue."}); err != nil {
		t.Fatal(err)
	}
	h.wf.Reconcile(h.ctx)
	wait(t, 5*time.Second, "the summary post", func() bool {
		for _, m := range h.slack.Messages(r.channel.ID) {
			if strings.Contains(string(m.Blocks), "Restarted the queue.") {
				return true
			}
		}
		return false
	})
}

// Without events, the recording watch reads the summary of the bridge's
// last run. The run the incident had is posted even when it ended, and
// was summarised, after the resolve; a later run of the bridge (people
// joining the old link another day) is someone else's meeting: its
// summary is not even read, let alone posted in the resolved incident.
func TestSummaryOfALaterRunOfTheBridgeIsNotPosted(t *testing.T) {
	// A watch polls once a minute on its own: the test makes each look.
	h := newHarness(t, func(c *workflow.Config) { c.RecordingPollMax = time.Hour })
	d := warroom.DefaultMeetingDefaults()
	d.AutoSummary = true
	if err := h.st.SetMeetingDefaults(h.ctx, d); err != nil {
		t.Fatal(err)
	}
	rec := h.declare(t, "Checkout slow")
	r := h.built(t, rec)
	id := h.zoom.Meetings()[0].ID
	// look has the watch look at Zoom once more, and waits until it has.
	look := func(what string) {
		t.Helper()
		n := h.requests("pastMeetingDetails", 0)
		nudged := time.Time{}
		wait(t, 10*time.Second, what, func() bool {
			if time.Since(nudged) > 250*time.Millisecond { // a nudge during a look is lost: nudge again
				h.wf.Reconcile(h.ctx)
				nudged = time.Now()
			}
			return h.requests("pastMeetingDetails", 0) > n
		})
	}
	summaries := func(text string) int {
		n := 0
		for _, m := range h.slack.Messages(r.channel.ID) {
			if strings.Contains(string(m.Blocks), `"warroom-summary-`) && (text == "" || strings.Contains(string(m.Blocks), text)) {
				n++
			}
		}
		return n
	}

	// The incident is resolved while its call runs; the call ends after.
	h.zoom.SetMeetingStatus(id, zoomfake.StatusStarted)
	if _, _, err := h.st.Resolve(h.ctx, rec.ID, "", store.ResolveOptions{RecordingFor: time.Hour}); err != nil {
		t.Fatal(err)
	}
	h.kick()
	h.zoom.SetMeetingStatus(id, zoomfake.StatusFinished)
	if err := h.zoom.MakeSummaryReady(h.ctx, id, zoomfake.Summary{Overview: "Scaled the checkout pods."}); err != nil {
		t.Fatal(err) // no event source: the event is lost
	}
	look("a look at the bridge's run")
	wait(t, 5*time.Second, "the summary of the incident's run", func() bool {
		if summaries("Scaled the checkout pods.") == 1 {
			return true
		}
		look("another look at the bridge's run")
		return false
	})

	// Later, people meet on the old link.
	h.zoomAhead.Store(int64(10 * time.Second))
	h.zoom.SetMeetingStatus(id, zoomfake.StatusStarted)
	h.zoom.SetMeetingStatus(id, zoomfake.StatusFinished)
	if err := h.zoom.MakeSummaryReady(h.ctx, id, zoomfake.Summary{Overview: "Unrelated: planning the offsite."}); err != nil {
		t.Fatal(err)
	}
	reads := h.requests("meetingSummary", 0)
	look("a look at the later run")
	look("the look after it") // so the first has finished, and saved what it would
	wait(t, 5*time.Second, "no summary left to post", func() bool {
		jobs, _ := h.st.PendingJobs(h.ctx)
		for _, j := range jobs {
			if j.Kind == jobtype.KindSummary {
				return false
			}
		}
		return true
	})
	if n := summaries(""); n != 1 {
		t.Errorf("%d summary posts in the resolved incident, want only its own call's", n)
	}
	if n := h.requests("meetingSummary", 0) - reads; n != 0 {
		t.Errorf("the later run's summary was read from Zoom %d times", n)
	}
}

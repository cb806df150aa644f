package workflow_test

import (
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/workflow"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// The channel topic carries the call link; what warroom remembers of it
// is a fingerprint, so the link does not outlive its meeting in the
// database (the account's removal cannot miss it).
func TestTheTopicIsRememberedAsAFingerprint(t *testing.T) {
	h := newHarness(t)
	rec := h.declare(t, "Topic keeps no link")
	r := h.built(t, rec)
	join := h.zoom.Meetings()[0].JoinURL
	wait(t, 10*time.Second, "the topic with the call link", func() bool {
		ch, _ := h.slack.Channel(r.channel.ID)
		got, _ := h.st.Incident(h.ctx, rec.ID)
		return strings.Contains(ch.Topic, join) && got.TopicShows != ""
	})
	got, _ := h.st.Incident(h.ctx, rec.ID)
	if strings.Contains(got.TopicShows, "zoom") || len(got.TopicShows) != 16 {
		t.Errorf("topic_shows = %q, want a 16-digit fingerprint", got.TopicShows)
	}
}

// A recording that Zoom keeps failing to give (500s, not "not ready") is
// waited for only until the watch's cap, like one that never comes.
func TestTheRecordingWaitEndsWhateverTheError(t *testing.T) {
	h := newHarness(t, func(c *workflow.Config) {
		c.RecordingPollFor, c.RecordingPollMax = time.Second, 100*time.Millisecond
	})
	rec := h.declare(t, "Recordings failing")
	h.built(t, rec)
	id := h.zoom.Meetings()[0].ID
	h.zoom.InjectFault(zoomfake.Fault{Op: "recordingGet", Status: 500, Times: 1 << 20})
	h.zoom.SetMeetingStatus(id, zoomfake.StatusStarted)
	h.wf.Reconcile(h.ctx)
	h.zoom.SetMeetingStatus(id, zoomfake.StatusFinished)
	h.wf.Reconcile(h.ctx) // the call ended: its recording is awaited
	wait(t, 15*time.Second, "the recording watch to give up", func() bool {
		w, err := h.st.RecordingWatchByMeeting(h.ctx, id)
		return err == nil && w.GaveUp
	})
	if n := h.requests("recordingGet", 500); n == 0 {
		t.Fatal("the fault never fired: no look for the recording failed")
	}
	// The watch gives up a moment before its job records its end.
	wait(t, 5*time.Second, "the recording job to end after its cap", func() bool {
		jobs, _ := h.st.PendingJobs(h.ctx)
		for _, j := range jobs {
			if j.Kind == "recording" {
				return false
			}
		}
		return true
	})
}

package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/config"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// hostsWorld is a world whose Zoom account has the users in zoomUsers, and
// a warroom (in this process) with ZOOM_HOSTS=hosts, whose backoffs are an
// hour: whatever happens must happen in the first run of each job.
// zoomUsersOnly makes the fake Zoom's users exactly emails, each of
// licence type typ (1 Basic, 2 Licensed).
func zoomUsersOnly(typ int, emails ...string) func(*zoomfake.Config) {
	return func(c *zoomfake.Config) {
		c.Hosts = nil
		for _, e := range emails {
			c.Hosts = append(c.Hosts, zoomfake.User{Email: e, Type: typ})
		}
	}
}

func hostsWorld(t *testing.T, zoomUsers, hosts []string, tune func(*config.Config, *Main)) *world {
	t.Helper()
	w, err := startWorldWith(slackfake.Config{AckTimeout: 500 * time.Millisecond, PingInterval: time.Second}, zoomUsersOnly(2, zoomUsers...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	cfg := w.config(t.TempDir())
	cfg.ZoomHosts = hosts
	m, log := newTestMain(cfg)
	m.Tune = func(c *Tuning) {
		fastRetries(c)
		c.Jobs.RetryBase, c.Jobs.RetryMax = time.Hour, time.Hour
		c.Workflow.MeetingRetryBase, c.Workflow.MeetingRetryMax = time.Hour, time.Hour
	}
	if tune != nil {
		tune(&m.Config, m)
	}
	MustStart(t, w, m, log)
	return w
}

// meetingCreates counts the create requests Zoom answered, by status.
func meetingCreates(w *world) map[int]int {
	n := map[int]int{}
	for _, r := range w.Zoom.Requests() {
		if r.Op == "meetingCreate" {
			n[r.Status]++
		}
	}
	return n
}

// A host Zoom refuses moves the meeting to another host of the pool at
// once: the declare gets its Join Call in its first run, with no retry.
func TestRefusedHostMovesTheMeetingToAnotherHost(t *testing.T) {
	const good = "incident-bot@example.com"
	for _, tc := range []struct {
		name   string
		hosts  []string
		break_ func(w *world)
	}{
		{"no such user", []string{"missing@example.com", good}, func(*world) {}},
		{"may not host", []string{"first@example.com", good}, func(w *world) { w.Zoom.SetUserCannotHost("first@example.com", true) }},
		{"deactivated", []string{"first@example.com", good}, func(w *world) { w.Zoom.SetUserInactive("first@example.com", true) }},
		{"daily cap", []string{"first@example.com", good}, func(w *world) { w.Zoom.UseUpDailyLimit("first@example.com") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := hostsWorld(t, []string{"first@example.com", good}, tc.hosts, nil)
			tc.break_(w)
			declare(t, w, "U1", "declare Checkout is down")
			r := assertOneOfEach(t, w, todayName("Checkout is down", 1))
			ms := w.Zoom.Meetings()
			if ms[0].HostEmail != good || r.JoinURL() != ms[0].JoinURL {
				t.Errorf("meeting on %s, Join Call %s; want the meeting on %s", ms[0].HostEmail, r.JoinURL(), good)
			}
		})
	}
}

// The follow-up meeting takes the same path: a capped host is passed over.
func TestFollowupMovesOffACappedHost(t *testing.T) {
	const good = "incident-bot@example.com"
	w := hostsWorld(t, []string{"first@example.com", good}, []string{"first@example.com", good}, nil)
	// Two bridges, one on each host: both equally loaded, so the follow-up
	// goes to the first host of ZOOM_HOSTS, which has reached its cap.
	declare(t, w, "U1", "declare Checkout is down")
	r := MustWaitRoom(t, w, todayName("Checkout is down", 1))
	declare(t, w, "U1", "declare Search is slow")
	MustWaitRoom(t, w, todayName("Search is slow", 1))
	w.Zoom.UseUpDailyLimit("first@example.com")
	command(t, w, "U1", r.Channel.ID, "followup tomorrow 10:00")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var host string
	err := waitFor(ctx, func() bool {
		for _, m := range w.Zoom.Meetings() {
			if m.Type == 2 {
				host = m.HostEmail
				return true
			}
		}
		return false
	})
	if c := meetingCreates(w); err != nil || host != good || c[429] != 1 {
		t.Fatalf("follow-up meeting on %q (%v), want %s after one refusal of the capped host; creates by status %v", host, err, good, c)
	}
}

// A create whose answer was lost is found by its tag before any other
// host is tried, even when the host then starts refusing: failing over
// never makes a second meeting.
func TestLostAnswerIsFoundBeforeFailingOver(t *testing.T) {
	const first, good = "first@example.com", "incident-bot@example.com"
	w := hostsWorld(t, []string{first, good}, []string{first, good}, func(c *config.Config, m *Main) {
		m.HTTPClient = &http.Client{Timeout: 500 * time.Millisecond}
		m.Tune = func(c *Tuning) { fastRetries(c) } // retry the meeting soon
	})
	w.Zoom.InjectFault(zoomfake.Fault{Op: "meetingCreate", LoseAnswer: true})
	declare(t, w, "U1", "declare Checkout is down")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := waitFor(ctx, func() bool { return len(w.Zoom.Meetings()) == 1 }); err != nil {
		t.Fatal("the first create never reached Zoom")
	}
	// From now on the host refuses: a run that skipped the search would
	// move to the other host and make a second meeting there.
	w.Zoom.SetUserCannotHost(first, true)
	r := assertOneOfEach(t, w, todayName("Checkout is down", 1))
	if ms := w.Zoom.Meetings(); ms[0].HostEmail != first || r.JoinURL() != ms[0].JoinURL {
		t.Errorf("Join Call %s, meetings %+v; want the one made on %s before the answer was lost", r.JoinURL(), ms, first)
	}
	if c := meetingCreates(w); c[201] != 0 || c[400] != 0 {
		t.Errorf("creates after the lost answer: %v; the tag search should have found the meeting", c)
	}
}

func TestPoolStatusSaysWhyAHostIsSkipped(t *testing.T) {
	w := hostsWorld(t, []string{"first@example.com", "incident-bot@example.com"}, []string{"missing@example.com", "incident-bot@example.com"}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// The profile read at start finds the missing user: it is set aside
	// before any incident needs it.
	var got string
	err := waitFor(ctx, func() bool {
		got = adminCommand(t, w, "zoom status")
		return strings.Contains(got, "missing@example.com") && strings.Contains(got, "refused this host")
	})
	if err != nil {
		t.Fatalf("zoom status does not say the missing host is skipped:\n%s", got)
	}
}

// adminCommand runs a slash command as a workspace admin and returns the
// answer that came through its response_url.
func adminCommand(tb testing.TB, w *world, text string) string {
	tb.Helper()
	d, _ := declare(tb, w, connectAdmin, text)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got string
	err := waitFor(ctx, func() bool {
		for _, x := range w.Slack.Ephemerals(connectAdmin) {
			if x.Via == "response_url" && x.ResponseURL == d.ResponseURL {
				got = x.Text
				return true
			}
		}
		return false
	})
	if err != nil {
		tb.Fatalf("no answer to /incident %s", text)
	}
	return got
}

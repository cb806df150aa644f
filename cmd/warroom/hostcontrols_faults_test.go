package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/zoom"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// Alice (U1) and Carol (U3) are licensed users of the Zoom account that
// hosts the calls; Bob (U2) is not in it.
var (
	aliceInZoom = zoomfake.User{Email: "alice@example.com", FirstName: "Alice", LastName: "Archer", Type: 2}
	carolInZoom = zoomfake.User{Email: "carol@example.com", FirstName: "Carol", LastName: "Chen", Type: 2}
)

func MustStartHostWorld(tb testing.TB) *world {
	tb.Helper()
	w, err := startWorldWith(slackfake.Config{AckTimeout: 500 * time.Millisecond, PingInterval: time.Second}, func(c *zoomfake.Config) {
		c.Hosts = append(c.Hosts, aliceInZoom, carolInZoom)
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(w.Close)
	return w
}

// warRoom is an incident as a test follows it.
type warRoom struct {
	name, channel string
	incident      int64
	meeting       int64
}

// declareWithHostControls has Alice declare an incident and waits until
// she has host controls of its call and its sync is done.
func declareWithHostControls(tb testing.TB, w *world, run *running, title string) warRoom {
	tb.Helper()
	declare(tb, w, "U1", "declare "+title)
	wr := warRoom{name: todayName(title, 1)}
	r := MustWaitRoom(tb, w, wr.name)
	wr.channel, wr.meeting = r.Channel.ID, w.Zoom.Meetings()[0].ID
	rec, err := run.Main.store.IncidentByChannel(context.Background(), wr.channel)
	if err != nil {
		tb.Fatal(err)
	}
	wr.incident = rec.ID
	waitAlternativeHosts(tb, w, wr.meeting, "alice@example.com")
	waitSynced(tb, run, wr.incident)
	return wr
}

func waitAlternativeHosts(tb testing.TB, w *world, meeting int64, want string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, _ := w.Zoom.Meeting(meeting)
	if waitFor(ctx, func() bool { m, _ = w.Zoom.Meeting(meeting); return m.Settings.AlternativeHosts == want }) != nil {
		tb.Fatalf("the meeting's alternative hosts are %q, want %q", m.Settings.AlternativeHosts, want)
	}
}

// waitSynced waits until the incident's sync has nothing left to do: what
// it would post, it has.
func waitSynced(tb testing.TB, run *running, incident int64) {
	tb.Helper()
	waitJobsDone(tb, run, incident, jobtype.KindIncidentSync)
}

// waitJobsDone waits until no job of the incident of one of kinds is left
// that is due.
func waitJobsDone(tb testing.TB, run *running, incident int64, kinds ...string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st := run.Main.store
	err := waitFor(ctx, func() bool {
		jobs, err := st.PendingJobs(ctx)
		if err != nil {
			return false
		}
		now := time.Now()
		if run.Main.Now != nil {
			now = run.Main.Now()
		}
		for _, j := range jobs {
			for _, k := range kinds {
				if j.IncidentID == incident && j.Kind == k && !j.RunAt.After(now) {
					return false
				}
			}
		}
		return true
	})
	if err != nil {
		tb.Fatalf("INC-%d's %v jobs did not finish", incident, kinds)
	}
}

// notices are the channel's messages about host controls, as people read them.
func notices(w *world, channel string) []string {
	var out []string
	for _, m := range w.Slack.Messages(channel) {
		if strings.Contains(string(m.Blocks), `"warroom-hostcontrols-`) {
			out = append(out, w.readable(strings.Join(renderBlocks(m.Blocks), "\n")))
		}
	}
	return out
}

// /incident commander @bob, when Bob cannot have host controls: Alice
// loses them at Zoom (the role and the controls go together), /incident
// call says nobody has them and why, and the channel is told once.
func TestCommanderWithoutZoomTakesHostControlsAway(t *testing.T) {
	w := MustStartHostWorld(t)
	run := MustRun(t, w, t.TempDir())
	wr := declareWithHostControls(t, w, run, "Payments failing")
	if text, _ := command(t, w, "U1", wr.channel, "call"); !strings.Contains(w.readable(text), "🎛 Host controls: @alice (alice@example.com in Zoom)") {
		t.Errorf("/incident call after the declare:\n%s", w.readable(text))
	}
	if n := len(notices(w, wr.channel)); n != 0 {
		t.Errorf("%d host controls notices at the declare; the first grant is not announced", n)
	}

	command(t, w, "U1", wr.channel, "commander <@U2|bob>")
	waitSynced(t, run, wr.incident)
	if m, _ := w.Zoom.Meeting(wr.meeting); m.Settings.AlternativeHosts != "" {
		t.Errorf("Zoom still holds %q as the call's alternative host, with bob in command", m.Settings.AlternativeHosts)
	}
	want := "🎛 Host controls of INC-1's call: @bob cannot have them (bob@example.com is not a licensed user of the Zoom account " +
		"that hosts the call); @alice no longer has them."
	if got := notices(w, wr.channel); len(got) != 1 || got[0] != want {
		t.Errorf("host controls notices:\n%q\nwant\n%q", got, want)
	}
	text, _ := command(t, w, "U2", wr.channel, "call")
	text = w.readable(text)
	if !strings.Contains(text, "🎛 Nobody has host controls: bob@example.com is not a licensed user of the Zoom account that hosts the call.") ||
		strings.Contains(text, "alice@example.com") {
		t.Errorf("/incident call with bob in command:\n%s", text)
	}

	// Any later change runs the sync again: the channel is not told twice.
	command(t, w, "U2", wr.channel, "sev 1")
	waitPinned(t, w, wr.name, "SEV1", func(text string, _ room) bool { return strings.Contains(text, "SEV1") })
	waitSynced(t, run, wr.incident)
	if got := notices(w, wr.channel); len(got) != 1 {
		t.Errorf("%d host controls notices after a severity change, want still 1: %q", len(got), got)
	}
}

// Zoom does not change the hosts of a meeting that is running: a new
// commander, licensed or not, leaves Alice its alternative host, and
// /incident call and the channel say that she keeps host controls, and
// why.
func TestHostControlsStayWhileTheCallRuns(t *testing.T) {
	w := MustStartHostWorld(t)
	run := MustRun(t, w, t.TempDir())
	wr := declareWithHostControls(t, w, run, "Search is down")
	w.Zoom.SetMeetingStatus(wr.meeting, zoomfake.StatusStarted)

	command(t, w, "U1", wr.channel, "commander <@U3|carol>")
	waitSynced(t, run, wr.incident)
	if m, _ := w.Zoom.Meeting(wr.meeting); m.Settings.AlternativeHosts != "alice@example.com" {
		t.Errorf("the running meeting's alternative hosts are %q, want alice still", m.Settings.AlternativeHosts)
	}
	text, _ := command(t, w, "U3", wr.channel, "call")
	if text = w.readable(text); !strings.Contains(text, "🎛 Host controls: @alice keeps them (alice@example.com in Zoom), not @carol: "+
		"Zoom does not change the hosts of a meeting that is running") {
		t.Errorf("/incident call while the call runs:\n%s", text)
	}
	want := []string{"🎛 Host controls of INC-1's call: @alice keeps them (alice@example.com in Zoom), not @carol: Zoom does not change " +
		"the hosts of a meeting that is running; `/incident call new` makes a call with the commander as its alternative host."}
	if got := notices(w, wr.channel); !slices.Equal(got, want) {
		t.Errorf("host controls notices:\n%q\nwant\n%q", got, want)
	}

	// Bob, who could not have them anyway, cannot take them from her either.
	command(t, w, "U3", wr.channel, "commander <@U2|bob>")
	waitSynced(t, run, wr.incident)
	if m, _ := w.Zoom.Meeting(wr.meeting); m.Settings.AlternativeHosts != "alice@example.com" {
		t.Errorf("the running meeting's alternative hosts are %q, want alice still", m.Settings.AlternativeHosts)
	}
	want = append(want, "🎛 Host controls of INC-1's call: @alice keeps them (alice@example.com in Zoom), not @bob: bob@example.com is not "+
		"a licensed user of the Zoom account that hosts the call, and Zoom does not change the hosts of a meeting that is running.")
	if got := notices(w, wr.channel); !slices.Equal(got, want) {
		t.Errorf("host controls notices:\n%q\nwant\n%q", got, want)
	}
	if text, _ := command(t, w, "U2", wr.channel, "call"); !strings.Contains(w.readable(text), "🎛 Host controls: @alice keeps them") {
		t.Errorf("/incident call with bob in command of the running call:\n%s", w.readable(text))
	}
}

// summaryPosts are the summaries posted in a channel, as people read them.
func summaryPosts(w *world, channel string) []string {
	var out []string
	for _, m := range w.Slack.Messages(channel) {
		if strings.Contains(string(m.Blocks), `"warroom-summary-`) {
			out = append(out, strings.Join(renderBlocks(m.Blocks), "\n"))
		}
	}
	return out
}

// anywhere reports whether any message in the workspace says text.
func anywhere(w *world, text string) bool {
	for _, c := range w.Slack.Channels() {
		for _, m := range w.Slack.Messages(c.ID) {
			if strings.Contains(m.Text+string(m.Blocks), text) {
				return true
			}
		}
	}
	return false
}

// A personal meeting room pasted into an incident and adopted stays its
// owner's: once the incident is resolved, Zoom's summary of the owner's
// next meeting there (days later, about anything) is not posted in the
// incident's channel — only the summary of the incident's own call was.
func TestAdoptedRoomsLaterSummaryStaysOut(t *testing.T) {
	e := MustClockEnv(t, zoomfake.User{Email: "dave@example.com", FirstName: "Dave", LastName: "Dunn", Type: 2})
	w, ctx := e.w, context.Background()
	declare(t, w, "U1", "declare Search is down")
	name := todayName("Search is down", 1)
	ch := MustWaitRoom(t, w, name).Channel.ID
	rec, err := e.run.Main.store.IncidentByChannel(ctx, ch)
	if err != nil {
		t.Fatal(err)
	}
	zc := zoom.NewServerToServerClient(ctx, w.Zoom.APIURL(), w.Zoom.URL(), demoZoomAccount, demoZoomClient, demoZoomSecret, nil)
	pmr, err := zc.CreateMeeting(ctx, "dave@example.com", zoom.CreateMeetingRequest{Topic: "Dave Dunn's Personal Meeting Room",
		Type: zoom.MeetingRecurringNoFixed})
	if err != nil {
		t.Fatal(err)
	}
	command(t, w, "U1", ch, "call <"+pmr.JoinURL+">")
	waitPinned(t, w, name, "Dave's room as the call", func(_ string, r room) bool { return r.JoinURL() == pmr.JoinURL })

	// The incident's call, in Dave's room.
	w.Zoom.StartMeeting(ctx, pmr.ID)
	e.clock.Add(20 * time.Minute)
	w.Zoom.EndMeeting(ctx, pmr.ID)
	if err := w.Zoom.MakeSummaryReady(ctx, pmr.ID, zoomfake.Summary{Overview: "Reindexed the search cluster."}); err != nil {
		t.Fatal(err)
	}
	waitCount(t, "the summary of the incident's call", 1, func() int { return len(summaryPosts(w, ch)) })
	command(t, w, "U1", ch, "resolve")
	waitPinned(t, w, name, "the incident resolved", func(text string, _ room) bool { return strings.Contains(text, "incident resolved") })

	// Dave's one-to-one in his room, the next day.
	e.clock.Add(26 * time.Hour)
	w.Zoom.StartMeeting(ctx, pmr.ID)
	e.clock.Add(30 * time.Minute)
	w.Zoom.EndMeeting(ctx, pmr.ID)
	if err := w.Zoom.MakeSummaryReady(ctx, pmr.ID, zoomfake.Summary{Overview: "Dave's one-to-one: salary review.",
		NextSteps: []string{"Send the offer letter"}}); err != nil {
		t.Fatal(err)
	}
	waitJobsDone(t, e.run, rec.ID, jobtype.KindSummary, jobtype.KindIncidentSync)
	if anywhere(w, "salary review") || anywhere(w, "offer letter") {
		t.Error("the summary of Dave's later meeting in his room was posted")
	}
	if got := summaryPosts(w, ch); len(got) != 1 || !strings.Contains(got[0], "Reindexed the search cluster.") {
		t.Errorf("summary posts in the resolved incident: %q; want only its call's", got)
	}
}

// warroom's own bridge: the summary of the call the incident had is
// posted, once, even when it ended and was summarised after the resolve;
// the summary of a later meeting on the old link is not.
func TestBridgeSummaryAfterResolveOnlyOfTheIncidentsCall(t *testing.T) {
	e := MustClockEnv(t)
	w, ctx := e.w, context.Background()
	declare(t, w, "U1", "declare Checkout is slow")
	name := todayName("Checkout is slow", 1)
	ch := MustWaitRoom(t, w, name).Channel.ID
	rec, err := e.run.Main.store.IncidentByChannel(ctx, ch)
	if err != nil {
		t.Fatal(err)
	}
	bridge := w.Zoom.Meetings()[0].ID

	w.Zoom.StartMeeting(ctx, bridge)
	e.clock.Add(15 * time.Minute)
	command(t, w, "U1", ch, "resolve")
	waitPinned(t, w, name, "the incident resolved", func(text string, _ room) bool { return strings.Contains(text, "incident resolved") })
	e.clock.Add(10 * time.Minute)
	w.Zoom.EndMeeting(ctx, bridge)
	e.clock.Add(5 * time.Minute)
	if err := w.Zoom.MakeSummaryReady(ctx, bridge, zoomfake.Summary{Overview: "Scaled the checkout pods."}); err != nil {
		t.Fatal(err)
	}
	waitCount(t, "the summary of the incident's call", 1, func() int { return len(summaryPosts(w, ch)) })

	// A day later, people meet on the old link.
	e.clock.Add(26 * time.Hour)
	w.Zoom.StartMeeting(ctx, bridge)
	e.clock.Add(30 * time.Minute)
	w.Zoom.EndMeeting(ctx, bridge)
	if err := w.Zoom.MakeSummaryReady(ctx, bridge, zoomfake.Summary{Overview: "Planning the team offsite."}); err != nil {
		t.Fatal(err)
	}
	waitJobsDone(t, e.run, rec.ID, jobtype.KindSummary, jobtype.KindIncidentSync)
	if anywhere(w, "team offsite") {
		t.Error("the summary of a later meeting on the bridge was posted")
	}
	if got := summaryPosts(w, ch); len(got) != 1 || !strings.Contains(got[0], "Scaled the checkout pods.") {
		t.Errorf("summary posts: %q; want the incident call's, once", got)
	}
}

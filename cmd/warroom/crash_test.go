package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/internal/testworld"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// The real binary, built once for the crash tests.
var (
	binOnce sync.Once
	binPath string
	binErr  error
)

func MustBuildBinary(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("builds and kills the real binary")
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "warroom-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "warroom")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = err
			binPath = string(out)
		}
	})
	if binErr != nil {
		tb.Fatalf("go build: %v\n%s", binErr, binPath)
	}
	return binPath
}

// process is `warroom run` as a real OS process.
type process struct {
	cmd *exec.Cmd
	log *testworld.LogBuffer
}

func MustStartProcess(tb testing.TB, w *world, dir string) *process {
	tb.Helper()
	return MustStartProcessEnv(tb, w, w.env(dir))
}

// MustStartProcessEnv runs `warroom run` with env and waits for its socket.
func MustStartProcessEnv(tb testing.TB, w *world, env []string) *process {
	tb.Helper()
	bin := MustBuildBinary(tb)
	before := w.Slack.Connections()
	p := &process{cmd: exec.Command(bin, "run"), log: &testworld.LogBuffer{}}
	p.cmd.Env = append(env, "LOG_LEVEL=debug", "PATH="+os.Getenv("PATH"))
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.Kill() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := waitFor(ctx, func() bool { return w.Slack.Connections() > before }); err != nil {
		tb.Fatalf("warroom did not connect to Slack:\n%s", p.log.String())
	}
	if err := w.Slack.WaitConnected(ctx); err != nil {
		tb.Fatalf("warroom's socket never got its hello:\n%s", p.log.String())
	}
	return p
}

// Kill sends SIGKILL: no shutdown, no deferred writes, exactly a crash.
func (p *process) Kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
}

// TestKilledMidDeclare kills the real process at each step of a declare
// whose answer from Slack or Zoom is lost (the service acted, the bot never
// heard), restarts it on the same database, and checks the channel shows
// exactly one of everything.
func TestKilledMidDeclare(t *testing.T) {
	for _, tc := range []struct {
		name   string
		arm    func(w *world)
		killAt func(w *world) bool
	}{
		{
			name:   "after the ack",
			arm:    func(w *world) {},
			killAt: func(w *world) bool { return true },
		},
		{
			name:   "while creating the channel",
			arm:    func(w *world) { w.Slack.LoseAnswer("conversations.create", 1) },
			killAt: func(w *world) bool { return countCalls(w, "conversations.create") == 1 },
		},
		{
			name: "while creating the meeting",
			arm: func(w *world) {
				w.Zoom.InjectFault(zoomfake.Fault{Op: "meetingCreate", LoseAnswer: true})
			},
			killAt: func(w *world) bool { return len(w.Zoom.Meetings()) == 1 },
		},
		{
			name:   "while posting the message",
			arm:    func(w *world) { w.Slack.LoseAnswer("chat.postMessage", 1) },
			killAt: func(w *world) bool { return countCalls(w, "chat.postMessage") == 1 },
		},
		{
			name:   "while pinning",
			arm:    func(w *world) { w.Slack.LoseAnswer("pins.add", 1) },
			killAt: func(w *world) bool { return countCalls(w, "pins.add") == 1 },
		},
		{
			name:   "while adding the bookmark",
			arm:    func(w *world) { w.Slack.LoseAnswer("bookmarks.add", 1) },
			killAt: func(w *world) bool { return countCalls(w, "bookmarks.add") == 1 },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := MustStartWorld(t)
			dir := t.TempDir()
			tc.arm(w)
			p := MustStartProcess(t, w, dir)
			declare(t, w, "U1", "declare Payments failing")

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := waitFor(ctx, func() bool { return tc.killAt(w) }); err != nil {
				t.Fatalf("never reached the kill point:\n%s", p.log.String())
			}
			p.Kill()

			p2 := MustStartProcess(t, w, dir)
			r := assertOneOfEach(t, w, todayName("Payments failing", 1))
			if !contains(r.Channel.Members, "U1") {
				t.Errorf("declarer not invited after restart: %v", r.Channel.Members)
			}
			if t.Failed() {
				t.Logf("first run:\n%s\nsecond run:\n%s", p.log.String(), p2.log.String())
			}
			if strings.Contains(p2.log.String(), `"level":"error"`) {
				t.Errorf("the resumed run logged errors:\n%s", p2.log.String())
			}
		})
	}
}

// TestSIGTERMShutsDownCleanly stops the real process the way systemd and
// Kubernetes do, while a Zoom call hangs, and checks it exits 0 promptly
// and the next run finishes the incident.
func TestSIGTERMShutsDownCleanly(t *testing.T) {
	w := MustStartWorld(t)
	dir := t.TempDir()
	w.Zoom.InjectFault(zoomfake.Fault{Op: "meetingCreate", Delay: time.Minute, Status: 504})
	p := MustStartProcess(t, w, dir)
	declare(t, w, "U1", "declare Disk full")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := waitFor(ctx, func() bool { r, ok := w.room(todayName("Disk full", 1)); return ok && len(r.Pins) == 1 }); err != nil {
		t.Fatal("message never pinned")
	}
	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	err := p.cmd.Wait()
	if err != nil {
		t.Errorf("warroom exited with %v after SIGTERM, want status 0\n%s", err, p.log.String())
	}
	if took := time.Since(start); took > 12*time.Second {
		t.Errorf("shutdown took %s", took)
	}
	if !strings.Contains(p.log.String(), "warroom stopped") {
		t.Errorf("no clean stop in the log:\n%s", p.log.String())
	}
	MustStartProcess(t, w, dir)
	assertOneOfEach(t, w, todayName("Disk full", 1))
}

// TestSecondProcessOnSameDatabaseRefuses: two bots on one SQLite file would
// share jobs without coordination; the second must refuse to start.
func TestSecondProcessOnSameDatabaseRefuses(t *testing.T) {
	w := MustStartWorld(t)
	dir := t.TempDir()
	MustStartProcess(t, w, dir)
	cmd := exec.Command(MustBuildBinary(t), "run")
	cmd.Env = w.env(dir)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "in use by another warroom process") {
		t.Errorf("second process: err %v, output %s", err, out)
	}
}

// freeAddr finds a loopback port nobody listens on (for a process whose
// public URL must be known before it starts).
func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestKilledAfterTokenRefresh: the connected account's access token has
// expired, so the declare refreshes it (Zoom rotates the refresh token) and
// then the process is killed while creating the meeting. The rotated pair
// was stored before the access token was used, so after a restart the
// account still works: one meeting, on that account, and nobody is asked
// to reconnect.
func TestKilledAfterTokenRefresh(t *testing.T) {
	e := MustConnectWorld(t, "http://"+freeAddr(t))
	p := MustStartProcessEnv(t, e.w, e.env())
	if status, page := e.consent(t, e.connectLink(t), robotEmail, "allow"); status != 200 {
		t.Fatalf("connect: HTTP %d\n%s", status, page)
	}
	e.w.Zoom.ExpireAccessTokens()
	e.w.Zoom.InjectFault(zoomfake.Fault{Op: "meetingCreate", LoseAnswer: true})
	declare(t, e.w, "U1", "declare Token rotation")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := waitFor(ctx, func() bool { return len(e.w.Zoom.Meetings()) == 1 }); err != nil {
		t.Fatalf("the meeting create never reached Zoom:\n%s", p.log.String())
	}
	if n := e.w.Zoom.TokenRequests("refresh_token"); n != 1 {
		t.Fatalf("%d refreshes before the kill, want 1", n)
	}
	p.Kill()

	p2 := MustStartProcessEnv(t, e.w, e.env())
	r := assertOneOfEach(t, e.w, todayName("Token rotation", 1))
	if m := e.w.Zoom.Meetings()[0]; m.HostEmail != robotEmail || m.JoinURL != r.JoinURL() {
		t.Errorf("meeting on %s, want %s", m.HostEmail, robotEmail)
	}
	// Still healthy: a further refresh works with the stored token.
	e.w.Zoom.ExpireAccessTokens()
	declare(t, e.w, "U2", "declare After restart")
	MustWaitRoom(t, e.w, todayName("After restart", 1))
	for _, m := range e.w.Slack.DirectMessages(connectAdmin) {
		if strings.Contains(m.Text, "must be reconnected") {
			t.Errorf("admins were told to reconnect: %s\n%s", m.Text, p2.log.String())
		}
	}
}

// TestKilledWhilePostingFollowup: the follow-up's post reaches Slack but
// the answer is lost, and the process is killed; after a restart the
// channel shows the follow-up exactly once.
func TestKilledWhilePostingFollowup(t *testing.T) {
	w := MustStartWorld(t)
	dir := t.TempDir()
	p := MustStartProcess(t, w, dir)
	declare(t, w, "U1", "declare Review me")
	r := MustWaitRoom(t, w, todayName("Review me", 1))
	before := countCalls(w, "chat.postMessage")
	w.Slack.LoseAnswer("chat.postMessage", 1)
	command(t, w, "U1", r.Channel.ID, "resolve")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := waitFor(ctx, func() bool { return countCalls(w, "chat.postMessage") > before }); err != nil {
		t.Fatalf("the follow-up was never posted:\n%s", p.log.String())
	}
	p.Kill()
	MustStartProcess(t, w, dir)
	waitCount(t, "follow-up posts", 1, func() int { return posts(w, r.Channel.ID, blocks.ActionJoinFollowup, "") })
	time.Sleep(300 * time.Millisecond)
	if n := posts(w, r.Channel.ID, blocks.ActionJoinFollowup, ""); n != 1 {
		t.Errorf("%d follow-up posts after the crash, want 1", n)
	}
	reviews := 0
	for _, m := range w.Zoom.Meetings() {
		if m.Type == 2 {
			reviews++
		}
	}
	if reviews != 1 {
		t.Errorf("%d follow-up meetings at Zoom, want 1", reviews)
	}
}

// TestKillDuringDeclareStormLosesNothingAcked: many declares arrive at
// once and the process is killed among them. Every declare that was acked
// ("Declaring …" was shown) was committed first, so after a restart each
// of them has its war room; none has two.
func TestKillDuringDeclareStormLosesNothingAcked(t *testing.T) {
	w := MustStartWorld(t)
	dir := t.TempDir()
	p := MustStartProcess(t, w, dir)
	const n = 30
	var mu sync.Mutex
	var acked []int
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			d, err := w.Slack.SendSlashCommand(ctx, slackfake.SlashCommand{UserID: "U1", ChannelID: "C0GENERAL", Command: "/incident",
				Text: fmt.Sprintf("declare Burst %d", i)})
			if err != nil {
				return
			}
			if _, err := w.Slack.WaitAck(ctx, d.EnvelopeID); err == nil {
				mu.Lock()
				acked = append(acked, i)
				mu.Unlock()
			}
		})
	}
	// Kill once some, not all, are acked.
	kctx, kcancel := context.WithTimeout(context.Background(), 5*time.Second)
	waitFor(kctx, func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 5 })
	kcancel()
	p.Kill()
	wg.Wait()
	MustStartProcess(t, w, dir)
	if len(acked) == 0 {
		t.Fatal("no declare was acked before the kill; the test proves nothing")
	}
	for _, i := range acked {
		MustWaitRoom(t, w, todayName(fmt.Sprintf("Burst %d", i), 1))
	}
	names := map[string]int{}
	for _, c := range w.Slack.Channels() {
		names[c.Name]++
	}
	for name, k := range names {
		// A second channel for the same incident would be "<name>-2".
		if k > 1 || (strings.HasSuffix(name, "-2") && names[strings.TrimSuffix(name, "-2")] > 0) {
			t.Errorf("channel %s made twice", name)
		}
	}
	if len(w.Zoom.Meetings()) > n {
		t.Errorf("%d meetings for at most %d incidents", len(w.Zoom.Meetings()), n)
	}
	t.Logf("%d of %d declares acked before the kill; all built after the restart", len(acked), n)
}

// TestKilledDuringResolveJobs: the bridge was used and recorded; resolving
// starts the follow-up, its reminder (due at once here), the recording post
// and the attendance post together. One of those posts reaches Slack with
// its answer lost and the process is killed; after a restart each appears
// exactly once.
func TestKilledDuringResolveJobs(t *testing.T) {
	w := MustStartWorld(t)
	dir := t.TempDir()
	env := append(w.env(dir), "WARROOM_REMINDER_BEFORE=72h")
	p := MustStartProcessEnv(t, w, env)
	declare(t, w, "U1", "declare Everything at once")
	r := MustWaitRoom(t, w, todayName("Everything at once", 1))
	bridge := w.Zoom.Meetings()[0]
	w.Zoom.SetMeetingStatus(bridge.ID, "started")
	now := time.Now()
	w.Zoom.AddParticipant(bridge.ID, "Alice Archer", "alice@example.com", now, now.Add(20*time.Minute))
	w.Zoom.RecordMeeting(bridge.ID, zoomfake.RecordingOptions{Duration: 20 * time.Minute})
	w.Zoom.SetMeetingStatus(bridge.ID, "finished")
	w.Zoom.MakeRecordingReady(bridge.ID)

	before := countCalls(w, "chat.postMessage")
	w.Slack.LoseAnswer("chat.postMessage", 1)
	command(t, w, "U1", r.Channel.ID, "resolve")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := waitFor(ctx, func() bool { return countCalls(w, "chat.postMessage") > before }); err != nil {
		t.Fatalf("nothing was posted after resolve:\n%s", p.log.String())
	}
	p.Kill()
	p2 := MustStartProcessEnv(t, w, env)
	ch := r.Channel.ID
	for what, count := range map[string]func() int{
		"follow-up":  func() int { return posts(w, ch, "", `"warroom-followup-`) },
		"reminder":   func() int { return posts(w, ch, "", `"warroom-reminder-`) },
		"recording":  func() int { return posts(w, ch, "", `"warroom-recording-`) },
		"attendance": func() int { return posts(w, ch, "", `"warroom-attendance-`) },
	} {
		waitCount(t, what+" posts", 1, count)
	}
	time.Sleep(500 * time.Millisecond)
	for what, count := range map[string]int{
		"follow-up":  posts(w, ch, "", `"warroom-followup-`),
		"reminder":   posts(w, ch, "", `"warroom-reminder-`),
		"recording":  posts(w, ch, "", `"warroom-recording-`),
		"attendance": posts(w, ch, "", `"warroom-attendance-`),
	} {
		if count != 1 {
			t.Errorf("%d %s posts after the crash, want 1\n%s", count, what, p2.log.String())
		}
	}
}

// TestKilledDuringZoomConnect: Zoom issues the tokens but the answer to
// warroom's code exchange is lost and the process is killed. Nothing
// half-made is stored; after a restart the admin connects with a new link
// and exactly one account is stored, which hosts the next call.
func TestKilledDuringZoomConnect(t *testing.T) {
	e := MustConnectWorld(t, "http://"+freeAddr(t))
	p := MustStartProcessEnv(t, e.w, e.env())
	link := e.connectLink(t)
	e.w.Zoom.InjectFault(zoomfake.Fault{Op: "token", LoseAnswer: true})
	// The browser follows the flow; the callback hangs on the lost answer.
	go e.tryConsent(link, robotEmail, "allow") // its answer never comes
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := waitFor(ctx, func() bool { return e.w.Zoom.TokenRequests("authorization_code") == 1 }); err != nil {
		t.Fatalf("the code exchange never reached Zoom:\n%s", p.log.String())
	}
	p.Kill()
	MustStartProcessEnv(t, e.w, e.env())
	if status, page := e.consent(t, e.connectLink(t), robotEmail, "allow"); status != 200 {
		t.Fatalf("reconnect: HTTP %d\n%s", status, page)
	}
	declare(t, e.w, "U1", "declare After a crashed connect")
	assertRoomOnHost(t, e, "After a crashed connect", robotEmail)
	st := e.slash(t, connectAdmin, "zoom status").Text
	if strings.Count(st, robotEmail) != 1 {
		t.Errorf("status lists the account %d times:\n%s", strings.Count(st, robotEmail), st)
	}
}

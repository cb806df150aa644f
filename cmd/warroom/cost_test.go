package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/slackapi/slackfake"
)

// The cost benchmark's knobs.
const (
	costDefaultIncidents = 1000
	costInFlight         = 16   // declares being worked on at once
	costWave             = 100  // declares sent together, in the waves run
	costWarmup           = 16   // incidents declared before measuring
	costSampleEvery      = 1000 // incidents between RSS samples
	costClockTick        = 100  // USER_HZ: /proc's CPU times are in 1/100 s on Linux
)

// BenchmarkCostPerIncident runs the real binary (`warroom run`, LOG_LEVEL=info,
// a fresh SQLite database) against the fakes, which run in this process and
// add no latency, and declares N incidents two ways: 16 at a time, each
// "in flight" from its slash command until its channel shows the pinned
// Join Call, the topic and the bookmark ("16-in-flight"), and in waves of
// 100 sent together, each wave complete before the next ("waves-of-100",
// how an alert storm arrives). Each reports
//   - cpu-ms/incident: the child's user+system CPU between "connected and
//     warmed up" and "all N complete", divided by N (the fakes' CPU is
//     this process's, so it is not counted);
//   - rss-MB: the child's resident memory at the end (every sample, one
//     each 1,000 incidents, is logged, to see whether memory stays flat);
//   - peak-rss-MB: the child's maximum resident memory over its life;
//   - log-B/incident: what the child logged at info level per incident;
//   - incidents/s: throughput at this concurrency.
//
// N is 1000, or WARROOM_COST_INCIDENTS. The work is done once per call,
// whatever b.N, and the timer covers only the N incidents.
// `go test -run '^$' -bench CostPerIncident -benchtime 1x ./cmd/warroom`
// runs it exactly once; so does the default -benchtime, as long as the N
// incidents take more than a second (1000 take about 15 s).
func BenchmarkCostPerIncident(b *testing.B) {
	if testing.Short() {
		b.Skip("runs the real binary through thousands of incidents")
	}
	b.Run("16-in-flight", func(b *testing.B) { benchCost(b, costDeclareAll) })
	b.Run("waves-of-100", func(b *testing.B) { benchCost(b, costDeclareWaves) })
}

// benchCost is one run of the cost benchmark, declaring with declareAll.
func benchCost(b *testing.B, declareAll func(w *world, prefix string, n int, onDone func(done int)) error) {
	n := costDefaultIncidents
	if s := os.Getenv("WARROOM_COST_INCIDENTS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("WARROOM_COST_INCIDENTS=%q: want a positive integer", s)
		}
		n = v
	}

	// Zoom allows 100 meeting requests per host a day, and warroom keeps to
	// that, so a day of N incidents needs about N/100 hosts, as it would in
	// production.
	hosts := costHosts(n + costWarmup)
	w, err := startWorldWith(slackfake.Config{}, zoomUsersOnly(2, hosts...))
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	p := costStartChild(b, w, b.TempDir(), hosts)
	pid := p.cmd.Process.Pid

	// Warm up: every host's profile is loaded (at start), then connections,
	// the Zoom token, SQLite's caches and the heap settle, before measuring.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	err = waitFor(ctx, func() bool { return p.log.Count("info", "zoom host ready") >= len(hosts) })
	cancel()
	if err != nil {
		b.Fatalf("%d of %d Zoom hosts ready after 30 s\n%s", p.log.Count("info", "zoom host ready"), len(hosts), p.log.Tail())
	}
	if err := costDeclareAll(w, "Cost warmup", costWarmup, nil); err != nil {
		b.Fatalf("warm-up: %v\n%s", err, p.log.Tail())
	}
	user0, sys0, err := costCPUParts(pid)
	if err != nil {
		b.Fatal(err)
	}
	cpu0 := user0 + sys0
	rss0, _ := costRSS(pid)
	b.Logf("warmed up (%d Zoom hosts, %d incidents): child RSS %.1f MB, CPU so far %s", len(hosts), costWarmup, costMB(rss0), cpu0)

	type sample struct {
		done int
		rss  int64
		cpu  time.Duration
		at   time.Duration
	}
	var mu sync.Mutex
	samples := []sample{{0, rss0, cpu0, 0}}
	logBytes0 := p.log.Bytes()

	b.ResetTimer()
	start := time.Now()
	err = declareAll(w, "Cost incident", n, func(done int) {
		if done%costSampleEvery != 0 || done == n {
			return
		}
		rss, rerr := costRSS(pid)
		cpu, cerr := costCPU(pid)
		if rerr == nil && cerr == nil {
			mu.Lock()
			samples = append(samples, sample{done, rss, cpu, time.Since(start)})
			mu.Unlock()
		}
	})
	elapsed := time.Since(start)
	user1, sys1, cerr := costCPUParts(pid)
	cpu1 := user1 + sys1
	b.StopTimer()
	if err != nil {
		b.Fatalf("%v\n%s", err, p.log.Tail())
	}
	if cerr != nil {
		b.Fatal(cerr)
	}
	rss1, err := costRSS(pid)
	if err != nil {
		b.Fatal(err)
	}
	samples = append(samples, sample{n, rss1, cpu1, elapsed})
	logBytes := p.log.Bytes() - logBytes0

	for i, s := range samples[1:] {
		prev := samples[i]
		b.Logf("after %5d incidents (%6.1fs): RSS %6.1f MB; CPU for the last %4d: %6.3f ms/incident",
			s.done, s.at.Seconds(), costMB(s.rss), s.done-prev.done,
			float64((s.cpu-prev.cpu).Microseconds())/1000/float64(s.done-prev.done))
	}

	// What the child spends once there is nothing to do.
	time.Sleep(time.Second)
	cpuIdle, _ := costCPU(pid)

	// Correctness: one channel, one meeting, one pinned Join Call per
	// incident, each opening its own meeting.
	costCheck(b, w, n+costWarmup)
	warns, errs := p.log.Levels()
	if errs > 0 {
		b.Errorf("the child logged %d errors:\n%s", errs, p.log.Tail())
	}

	// Shut down as systemd would and read the kernel's totals.
	var peak int64
	var total time.Duration
	p.cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			b.Errorf("warroom exited with %v after SIGTERM\n%s", err, p.log.Tail())
		}
		if ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = ru.Maxrss * 1024
			total = time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))
		}
	case <-time.After(15 * time.Second):
		b.Errorf("warroom did not stop within 15 s of SIGTERM")
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-exited
	}

	cpu := cpu1 - cpu0
	perIncident := float64(cpu.Microseconds()) / 1000 / float64(n)
	b.ReportMetric(perIncident, "cpu-ms/incident")
	b.ReportMetric(costMB(rss1), "rss-MB")
	if peak > 0 {
		b.ReportMetric(costMB(peak), "peak-rss-MB")
	}
	b.ReportMetric(float64(logBytes)/float64(n), "log-B/incident")
	b.ReportMetric(float64(n)/elapsed.Seconds(), "incidents/s")
	b.Logf("%d incidents (%s) complete in %s: child CPU %s (user %s, system %s; %.3f ms/incident, %.0f%% of one core); "+
		"RSS %.1f MB → %.1f MB, peak %.1f MB; idle CPU over the next second %s; "+
		"logged %d bytes (%.0f B/incident), %d warnings, %d errors; child's total CPU from start to exit %s",
		n, strings.TrimPrefix(b.Name(), "BenchmarkCostPerIncident/"), elapsed.Round(10*time.Millisecond), cpu, user1-user0, sys1-sys0, perIncident, 100*cpu.Seconds()/elapsed.Seconds(),
		costMB(rss0), costMB(rss1), costMB(peak), cpuIdle-cpu1,
		logBytes, float64(logBytes)/float64(n), warns, errs, total.Round(10*time.Millisecond))
	b.Logf("the child's log lines: %s", p.log.Summary())
}

// costStartChild runs `warroom run` against w at the production log level
// (MustStartProcessEnv runs it at debug) and waits for its socket.
func costStartChild(b *testing.B, w *world, dir string, hosts []string) *costProcess {
	b.Helper()
	bin := MustBuildBinary(b)
	before := w.Slack.Connections()
	p := &costProcess{cmd: exec.Command(bin, "run"), log: &costLog{}}
	// The last value of a variable wins, so nothing earlier overrides these.
	// The simulated Slack limits nothing here: the cost of the work is
	// measured, not Slack's pace (TestIncidentStorm measures that).
	p.cmd.Env = append(w.env(dir), "LOG_LEVEL=info", "LOG_FORMAT=json", "ZOOM_HOSTS="+strings.Join(hosts, ","),
		"WARROOM_SLACK_PACING=off",
		"PATH="+os.Getenv("PATH"))
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Signal(syscall.SIGKILL)
			p.cmd.Wait()
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if waitFor(ctx, func() bool { return w.Slack.Connections() > before }) != nil || w.Slack.WaitConnected(ctx) != nil {
		b.Fatalf("warroom did not connect to Slack:\n%s", p.log.Tail())
	}
	return p
}

// costHosts names enough Zoom hosts for incidents meetings in a day, with
// room to spare: warroom spreads meetings by load, not evenly by count.
func costHosts(incidents int) []string {
	hs := make([]string, incidents*5/4/100+2)
	for i := range hs {
		hs[i] = fmt.Sprintf("cost-host-%d@example.com", i)
	}
	return hs
}

type costProcess struct {
	cmd *exec.Cmd
	log *costLog
}

// costLog counts what the child logs, line by line: bytes, lines per
// level and message, and the last part of it.
type costLog struct {
	mu      sync.Mutex
	bytes   int64
	partial []byte         // an unfinished last line
	counts  map[string]int // "level: message" → lines
	tail    []byte
}

const costLogTail = 64 << 10

func (l *costLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bytes += int64(len(p))
	l.tail = append(l.tail, p...)
	if len(l.tail) > 2*costLogTail {
		l.tail = append(l.tail[:0], l.tail[len(l.tail)-costLogTail:]...)
	}
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.count(l.partial[:i])
		l.partial = l.partial[i+1:]
	}
	l.partial = append([]byte(nil), l.partial...)
	return len(p), nil
}

func (l *costLog) count(line []byte) {
	var e struct{ Level, Message string }
	if json.Unmarshal(line, &e) != nil {
		e.Level, e.Message = "?", string(line)
	}
	if l.counts == nil {
		l.counts = map[string]int{}
	}
	l.counts[e.Level+": "+e.Message]++
}

func (l *costLog) Bytes() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bytes
}

// Count is how many lines at level said msg.
func (l *costLog) Count(level, msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[level+": "+msg]
}

// Levels counts the warning and error lines.
func (l *costLog) Levels() (warns, errors int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, c := range l.counts {
		switch {
		case strings.HasPrefix(k, "warn: "):
			warns += c
		case strings.HasPrefix(k, "error: "), strings.HasPrefix(k, "fatal: "), strings.HasPrefix(k, "panic: "):
			errors += c
		}
	}
	return warns, errors
}

// Summary lists each distinct level and message with its count, most
// frequent first, on one line (go test keeps only 10 lines of a
// benchmark's log).
func (l *costLog) Summary() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	keys := slices.Collect(maps.Keys(l.counts))
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(l.counts[b], l.counts[a]), cmp.Compare(a, b))
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d× %s", l.counts[k], k)
	}
	return strings.Join(parts, "; ")
}

// Tail is the last 64 KiB or so of the log.
func (l *costLog) Tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.tail
	if len(t) > costLogTail {
		t = t[len(t)-costLogTail:]
	}
	return string(t)
}

// costDeclareAll declares n incidents titled "<prefix> <i>", costInFlight
// at a time, each in flight until its channel shows a pinned message, a
// topic and a bookmark. onDone, if set, is called with the number complete
// after each completion.
func costDeclareAll(w *world, prefix string, n int, onDone func(done int)) error {
	var next, done atomic.Int64
	var once sync.Once
	var firstErr error
	fail := func(err error) { once.Do(func() { firstErr = err }) }
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(costInFlight, n) {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := costDeclareOne(w, fmt.Sprintf("%s %d", prefix, i)); err != nil {
					fail(err)
					failed.Store(true)
					return
				}
				if d := int(done.Add(1)); onDone != nil {
					onDone(d)
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

// costDeclareWaves declares n incidents titled "<prefix> <i>" in waves of
// costWave sent together, each wave complete before the next is sent.
func costDeclareWaves(w *world, prefix string, n int, onDone func(done int)) error {
	var done atomic.Int64
	for first := 0; first < n; first += costWave {
		var wg sync.WaitGroup
		errs := make(chan error, costWave)
		for i := first; i < min(first+costWave, n); i++ {
			wg.Go(func() {
				if err := costDeclareOne(w, fmt.Sprintf("%s %d", prefix, i)); err != nil {
					errs <- err
					return
				}
				if d := int(done.Add(1)); onDone != nil {
					onDone(d)
				}
			})
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

// costDeclareOne sends one declare, waits for its ack and then for its
// channel to be complete. It reads only that channel, and cheaply: the
// pinned message's Join Call URL is checked once at the end (costCheck).
func costDeclareOne(w *world, title string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	names := []string{todayName(title, 1)}
	d, err := w.Slack.SendSlashCommand(ctx, slackfake.SlashCommand{UserID: "U1", ChannelID: "C0GENERAL", Command: "/incident", Text: "declare " + title})
	if err != nil {
		return fmt.Errorf("declare %q: %w", title, err)
	}
	if _, err := w.Slack.WaitAck(ctx, d.EnvelopeID); err != nil {
		return fmt.Errorf("declare %q never acked: %w", title, err)
	}
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for {
		for _, name := range names {
			if ch, ok := w.Slack.ChannelByName(name); ok && ch.Topic != "" &&
				len(w.Slack.Pins(ch.ID)) > 0 && len(w.Slack.Bookmarks(ch.ID)) > 0 {
				return nil
			}
		}
		// The date in the name changes at midnight UTC.
		if name := todayName(title, 1); name != names[len(names)-1] {
			names = append(names, name)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("#%s never showed a pinned message, topic and bookmark", names[0])
		case <-t.C:
		}
	}
}

// costCheck fails b unless there are exactly want incident channels, each
// with one pinned message whose Join Call opens a meeting at Zoom, and
// exactly want meetings, each some channel's call.
func costCheck(b *testing.B, w *world, want int) {
	b.Helper()
	joinURLs := map[string]bool{}
	for _, m := range w.Zoom.Meetings() {
		joinURLs[m.JoinURL] = true
	}
	if got := len(w.Zoom.Meetings()); got != want || len(joinURLs) != want {
		b.Errorf("%d meetings (%d distinct join URLs) at Zoom, want %d", got, len(joinURLs), want)
	}
	channels, bad := 0, 0
	used := map[string]bool{}
	for _, ch := range w.Slack.Channels() {
		if !strings.HasPrefix(ch.Name, "inc-") {
			continue
		}
		channels++
		r, _ := w.room(ch.Name)
		u := r.JoinURL()
		if len(r.Pins) != 1 || !joinURLs[u] || used[u] {
			if bad++; bad <= 10 {
				b.Errorf("#%s: %d pins, Join Call %q (a meeting's: %v; already another channel's: %v)",
					ch.Name, len(r.Pins), u, joinURLs[u], used[u])
			}
		}
		used[u] = true
	}
	if channels != want {
		b.Errorf("%d incident channels, want %d", channels, want)
	}
	if bad > 10 {
		b.Errorf("… and %d more channels like these", bad-10)
	}
}

// costCPU is the user+system CPU time pid has used, from /proc/<pid>/stat.
func costCPU(pid int) (time.Duration, error) {
	user, sys, err := costCPUParts(pid)
	return user + sys, err
}

// costCPUParts is the user and the system CPU time pid has used.
func costCPUParts(pid int) (user, sys time.Duration, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces;
	// after it come state (field 3) … utime (14) and stime (15).
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: no command name in %q", pid, raw)
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: too few fields in %q", pid, raw)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("/proc/%d/stat: bad utime/stime in %q", pid, raw)
	}
	tick := func(t int64) time.Duration { return time.Duration(t) * time.Second / costClockTick }
	return tick(utime), tick(stime), nil
}

// costRSS is pid's resident memory in bytes (VmRSS in /proc/<pid>/status).
func costRSS(pid int) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/status: %q: %w", pid, line, err)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmRSS", pid)
}

func costMB(b int64) float64 { return float64(b) / (1 << 20) }

package main

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/config"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/metrics"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// httpGet fetches u and returns the status and body.
func httpGet(tb testing.TB, u string) (int, string) {
	tb.Helper()
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Get(u)
	if err != nil {
		tb.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// scrape reads /metrics into series → value, keyed as Prometheus writes
// them: name{label="value",…} with labels in name order.
func scrape(tb testing.TB, addr string) map[string]float64 {
	tb.Helper()
	status, body := httpGet(tb, "http://"+addr+"/metrics")
	if status != http.StatusOK {
		tb.Fatalf("GET /metrics: HTTP %d\n%s", status, body)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			tb.Fatalf("unreadable metrics line %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

// poll is waitFor for conditions that cost an HTTP request: it checks
// every 25ms, not every 2ms.
func poll(ctx context.Context, cond func() bool) error {
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
	return nil
}

// waitMetric waits until the series has want.
func waitMetric(tb testing.TB, addr, series string, want float64) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got float64
	if err := poll(ctx, func() bool { got = scrape(tb, addr)[series]; return got == want }); err != nil {
		tb.Fatalf("%s = %v, want %v", series, got, want)
	}
}

func TestHealthz(t *testing.T) {
	w := MustStartWorld(t)
	r := MustRun(t, w, t.TempDir())
	if status, body := httpGet(t, "http://"+r.Main.HTTPAddr()+"/healthz"); status != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", status, body)
	}
	var out bytes.Buffer
	env := map[string]string{"WARROOM_HTTP_ADDR": r.Main.HTTPAddr()}
	if err := runCommand(context.Background(), []string{"healthcheck"}, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Errorf("warroom healthcheck against a running warroom: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var err error
	if poll(ctx, func() bool {
		err = runCommand(ctx, []string{"healthcheck", "-ready"}, func(k string) string { return env[k] }, &out, io.Discard)
		return err == nil
	}) != nil {
		t.Errorf("warroom healthcheck -ready against a connected warroom: %v", err)
	}
	r.Stop(t)
	if err := runCommand(context.Background(), []string{"healthcheck"}, func(k string) string { return env[k] }, &out, io.Discard); err == nil {
		t.Error("warroom healthcheck succeeded with warroom stopped")
	}
}

// TestReadinessFollowsTheSocket: /readyz says 503 while the Socket Mode
// connection is down and 200 again once it is back, and
// warroom_socket_connected follows.
func TestReadinessFollowsTheSocket(t *testing.T) {
	w := MustStartWorld(t)
	r := MustRun(t, w, t.TempDir())
	addr := r.Main.HTTPAddr()
	ready := func() (int, string) { return httpGet(t, "http://"+addr+"/readyz") }
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := poll(ctx, func() bool { s, _ := ready(); return s == 200 }); err != nil {
		s, body := ready()
		t.Fatalf("/readyz never became ready: %d %q", s, body)
	}
	waitMetric(t, addr, "warroom_socket_connected", 1)

	// The socket drops and Slack will not hand out a new one for now.
	w.Slack.FailNext("apps.connections.open", "internal_error", 1000)
	w.Slack.DropConnections()
	if err := poll(ctx, func() bool { s, _ := ready(); return s == http.StatusServiceUnavailable }); err != nil {
		t.Fatal("/readyz stayed ready with the Slack socket down")
	}
	if _, body := ready(); !strings.Contains(body, "slack") {
		t.Errorf("/readyz body %q does not say what is wrong", body)
	}
	if status, _ := httpGet(t, "http://"+addr+"/healthz"); status != 200 {
		t.Errorf("/healthz = %d while only Slack is down; the process is up", status)
	}
	waitMetric(t, addr, "warroom_socket_connected", 0)

	w.Slack.FailNext("apps.connections.open", "", 0) // Slack recovers
	if err := poll(ctx, func() bool { s, _ := ready(); return s == 200 }); err != nil {
		t.Fatal("/readyz did not recover when the socket came back")
	}
	waitMetric(t, addr, "warroom_socket_connected", 1)
}

// TestMetricsMove runs a declare that meets a Slack error, a Slack 429 and
// a Zoom failure, and checks that /metrics counted each.
func TestMetricsMove(t *testing.T) {
	w := MustStartWorld(t)
	r := MustRun(t, w, t.TempDir())
	addr := r.Main.HTTPAddr()
	before := scrape(t, addr)
	for _, series := range []string{"go_goroutines", "process_start_time_seconds", "warroom_db_up", "warroom_jobs_oldest_due_seconds",
		`warroom_incidents_declared_total{severity="SEV1"}`} {
		if _, ok := before[series]; !ok {
			t.Errorf("/metrics lacks %s", series)
		}
	}

	w.Slack.FailNext("bookmarks.add", "internal_error", 1)
	w.Slack.FailHTTP("conversations.setTopic", http.StatusTooManyRequests, 1)
	w.Zoom.InjectFault(zoomfake.Fault{Op: "meetingCreate", Times: 1, Status: 500, Code: 500, Message: "Internal Error"})
	declare(t, w, "U1", "declare Metrics move --sev 1")
	MustWaitRoom(t, w, todayName("Metrics move", 1))

	want := []struct {
		series string
		delta  float64
	}{
		{`warroom_envelopes_total{type="slash_commands"}`, 1},
		{`warroom_ack_duration_seconds_count{type="slash_commands"}`, 1},
		{`warroom_incidents_declared_total{severity="SEV1"}`, 1},
		{`warroom_incidents{status="active"}`, 1},
		{`warroom_slack_api_calls_total{method="conversations.create",outcome="ok"}`, 1},
		{`warroom_slack_api_calls_total{method="bookmarks.add",outcome="internal_error"}`, 1},
		{`warroom_slack_api_calls_total{method="bookmarks.add",outcome="ok"}`, 1},
		{`warroom_slack_api_calls_total{method="conversations.setTopic",outcome="429"}`, 1},
		{`warroom_rate_limited_total{method="conversations.setTopic",service="slack"}`, 1},
		{`warroom_zoom_api_calls_total{operation="POST /users/{user}/meetings",outcome="500"}`, 1},
		{`warroom_zoom_api_calls_total{operation="POST /users/{user}/meetings",outcome="ok"}`, 1},
	}
	// The fake shows the room before the bot has read Slack's last
	// answer: wait for the counters to settle.
	var after map[string]float64
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	poll(ctx, func() bool {
		after = scrape(t, addr)
		for _, tc := range want {
			if after[tc.series]-before[tc.series] != tc.delta {
				return false
			}
		}
		return true
	})
	for _, tc := range want {
		if got := after[tc.series] - before[tc.series]; got != tc.delta {
			t.Errorf("%s moved by %v, want %v", tc.series, got, tc.delta)
		}
	}
	if after[`warroom_zoom_api_calls_total{operation="POST /oauth/token",outcome="ok"}`] < 1 {
		t.Error("the Zoom token request was not counted")
	}
	if after[`warroom_slack_api_call_duration_seconds_count{method="chat.postMessage"}`] < 1 {
		t.Error("Slack calls were not timed")
	}
	if after[`warroom_ack_duration_seconds_bucket{type="slash_commands",le="3"}`] < 1 {
		t.Error("the ack took more than Slack's 3 s, or the histogram is empty")
	}
	// Once the war room is built its job is done.
	waitMetric(t, addr, `warroom_jobs_pending{kind="declare"}`, 0)
}

// TestJobQueueMetrics reads the queue from the store as /metrics does: a
// declare job waiting since an hour ago is one pending job, an hour old.
func TestJobQueueMetrics(t *testing.T) {
	ctx := context.Background()
	hourAgo := time.Now().Add(-time.Hour)
	st, err := store.Open(ctx, t.TempDir()+"/warroom.db", store.WithClock(func() time.Time { return hourAgo }))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, key := range []string{"a", "b"} {
		if _, _, err := st.Declare(ctx, store.NewIncident{DedupeKey: key, Title: key, FullTitle: key, Severity: 2, DeclaredBy: "U1"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.EnqueueJob(ctx, jobtype.Reminder{IncidentID: 1}, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	m := metrics.New("test")
	m.SetState(stateReader(st, func() bool { return true }))
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	got := rec.Body.String()
	for _, want := range []string{
		`warroom_incidents_declared_total{severity="SEV2"} 2`,
		`warroom_jobs_pending{kind="incident_sync"} 2`,
		`warroom_jobs_pending{kind="reminder"} 1`,
		"warroom_socket_connected 1",
		"warroom_db_up 1",
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	var oldest float64
	for _, line := range strings.Split(got, "\n") {
		if v, ok := strings.CutPrefix(line, "warroom_jobs_oldest_due_seconds "); ok {
			oldest, _ = strconv.ParseFloat(v, 64)
		}
	}
	if oldest < 3590 || oldest > 3700 {
		t.Errorf("warroom_jobs_oldest_due_seconds = %v, want about 3600 (the job due in an hour does not count)", oldest)
	}
}

// TestTokenRefreshFailuresCounted: a connected account whose refresh token
// died shows in warroom_zoom_token_refresh_failures_total and as a host
// needing reconnection.
func TestTokenRefreshFailuresCounted(t *testing.T) {
	e := MustRunConnect(t, nil)
	if status, _ := e.consent(t, e.connectLink(t), robotEmail, "allow"); status != http.StatusOK {
		t.Fatal("connect failed")
	}
	addr := e.run.Main.HTTPAddr()
	before := scrape(t, addr)
	if before["warroom_zoom_token_refresh_failures_total"] != 0 || before[`warroom_zoom_hosts{status="ok"}`] != 1 {
		t.Fatalf("before: failures %v, hosts ok %v", before["warroom_zoom_token_refresh_failures_total"], before[`warroom_zoom_hosts{status="ok"}`])
	}
	killRefreshToken(t, e)
	declare(t, e.w, "U1", "declare Refresh dies")
	waitMetric(t, addr, "warroom_zoom_token_refresh_failures_total", 1)
	after := scrape(t, addr)
	if after[`warroom_zoom_hosts{status="needs_reconnect"}`] != 1 {
		t.Errorf("the dead account is not counted as needing reconnection")
	}
	if after[`warroom_zoom_api_calls_total{operation="POST /oauth/token",outcome="400"}`] < 1 {
		t.Errorf("the refused refresh was not counted as a Zoom call: %v", after)
	}
}

// killRefreshToken uses the stored refresh token behind warroom's back, so
// Zoom rotates it and warroom's copy dies.
func killRefreshToken(tb testing.TB, e *connectEnv) {
	tb.Helper()
	ctx := context.Background()
	st := e.run.Main.store
	hosts, _ := st.ZoomHosts(ctx)
	tok, err := st.Tokens(ctx, hosts[0].Key)
	if err != nil {
		tb.Fatal(err)
	}
	body := "grant_type=refresh_token&refresh_token=" + tok.Refresh
	req, _ := http.NewRequest("POST", e.w.Zoom.URL()+"/oauth/token", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(demoZoomClient, demoZoomSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		tb.Fatalf("out-of-band refresh: %v %v", err, resp)
	}
	resp.Body.Close()
	e.w.Zoom.ExpireAccessTokens()
}

// TestLogsAreJSONWithIDs: every log line is one JSON object, and the lines
// about a declare carry the envelope, incident and channel IDs.
func TestLogsAreJSONWithIDs(t *testing.T) {
	w := MustStartWorld(t)
	r := MustRun(t, w, t.TempDir())
	d, _ := declare(t, w, "U1", "declare Log fields")
	room := MustWaitRoom(t, w, todayName("Log fields", 1))
	r.Stop(t)
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(r.Log.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		for _, k := range []string{"level", "time", "message"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("log line lacks %q: %s", k, line)
			}
		}
		if rec["envelope"] == d.EnvelopeID {
			seen["envelope"] = true
		}
		if rec["incident"] == "INC-1" {
			seen["incident"] = true
		}
		if rec["channel"] == room.Channel.ID {
			seen["channel"] = true
		}
	}
	for _, k := range []string{"envelope", "incident", "channel"} {
		if !seen[k] {
			t.Errorf("no log line carries the %s ID\n%s", k, r.Log.String())
		}
	}
}

func TestConsoleLogFormat(t *testing.T) {
	cfg, err := config.Load(func(k string) string { return map[string]string{"LOG_FORMAT": "console"}[k] }, false)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	m := NewMain(cfg, &out)
	m.Log.Info().Str("incident", "INC-7").Msg("incident declared")
	line := out.String()
	if json.Valid(out.Bytes()) || !strings.Contains(line, "incident declared") || !strings.Contains(line, "incident=INC-7") {
		t.Errorf("console log line %q, want readable text with incident=INC-7", line)
	}
	if strings.Contains(line, "\x1b[") {
		t.Errorf("colour codes written to a non-terminal: %q", line)
	}
}

func TestOperationsConfig(t *testing.T) {
	base := map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1",
		"ZOOM_ACCOUNT_ID": "a", "ZOOM_CLIENT_ID": "c", "ZOOM_CLIENT_SECRET": "s",
	}
	load := func(extra map[string]string) (config.Config, error) {
		return config.Load(func(k string) string {
			if v, ok := extra[k]; ok {
				return v
			}
			return base[k]
		}, true)
	}
	c, err := load(nil)
	if err != nil || c.LogFormat != "json" || c.AnnounceChannel != "" {
		t.Errorf("defaults: format %q, announce %q, %v", c.LogFormat, c.AnnounceChannel, err)
	}
	for in, want := range map[string]string{"C0123ABCDEF": "C0123ABCDEF", "#incidents": "incidents", "major-incidents": "major-incidents"} {
		if c, err := load(map[string]string{"WARROOM_ANNOUNCE_CHANNEL": in}); err != nil || c.AnnounceChannel != want {
			t.Errorf("WARROOM_ANNOUNCE_CHANNEL=%q: got %q, %v; want %q", in, c.AnnounceChannel, err, want)
		}
	}
	for name, value := range map[string]string{"WARROOM_ANNOUNCE_CHANNEL": "#Incidents Room", "LOG_FORMAT": "xml"} {
		_, err := load(map[string]string{name: value})
		if err == nil || !strings.HasPrefix(err.Error(), name+" ") || strings.Count(err.Error(), ". ") > 1 {
			t.Errorf("%s=%q: err = %v, want one sentence naming %s", name, value, err, name)
		}
	}
}

// TestAnnounceChannelReachesTheBot: WARROOM_ANNOUNCE_CHANNEL, given by
// name, reaches the bot's configuration as the channel's ID, through the
// same Main `warroom run` uses; a channel the bot cannot see stops start-up
// with a sentence naming the variable.
func TestAnnounceChannelReachesTheBot(t *testing.T) {
	w := MustStartWorld(t)
	run := func(channel string) (string, error) {
		cfg := w.config(t.TempDir())
		cfg.AnnounceChannel = channel
		m := NewMain(cfg, io.Discard)
		got := make(chan string, 1)
		m.Tune = func(c *Tuning) { got <- c.Workflow.AnnounceChannel }
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- m.Run(ctx) }()
		defer func() { cancel(); m.Close() }()
		select {
		case ch := <-got:
			cancel()
			<-done
			return ch, nil
		case err := <-done:
			return "", err
		case <-time.After(20 * time.Second):
			t.Fatal("the bot was never configured")
		}
		return "", nil
	}
	for _, tc := range []struct{ in, want string }{{"general", "C0GENERAL"}, {"C0GENERAL", "C0GENERAL"}} {
		if got, err := run(tc.in); err != nil || got != tc.want {
			t.Errorf("WARROOM_ANNOUNCE_CHANNEL=%s: workflow.Config.AnnounceChannel = %q (%v), want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := run("no-such-channel"); err == nil || !strings.HasPrefix(err.Error(), "WARROOM_ANNOUNCE_CHANNEL ") {
		t.Errorf("an unknown announce channel: %v, want an error naming WARROOM_ANNOUNCE_CHANNEL", err)
	}

	report, err := runDoctorTest(t, doctorEnv(w, t.TempDir(), map[string]string{"WARROOM_ANNOUNCE_CHANNEL": "#general"}))
	if err != nil {
		t.Fatalf("%v\n%s", err, report)
	}
	mustLine(t, report, "ok", "WARROOM_ANNOUNCE_CHANNEL general: #general (C0GENERAL)")
	report, _ = runDoctorTest(t, doctorEnv(w, t.TempDir(), map[string]string{"WARROOM_ANNOUNCE_CHANNEL": "#no-such-channel"}))
	mustLine(t, report, "FAIL", "WARROOM_ANNOUNCE_CHANNEL no-such-channel")
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := runCommand(context.Background(), []string{"version"}, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "warroom "+version+"\n") || !strings.Contains(out.String(), "go1.") {
		t.Errorf("warroom version printed %q", out.String())
	}
}

// TestStaticBinary builds warroom as `make build` does and checks that it
// needs no C library, then asks it its version.
func TestStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "warroom")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=v9.9.9", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Skipf("not an ELF binary on this platform: %v", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary asks for a dynamic loader: it is not static")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs %v", libs)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "warroom v9.9.9\n") || !strings.Contains(string(out), "CGO_ENABLED=0") {
		t.Errorf("warroom version: %v\n%s", err, out)
	}
}

// TestDockerfileUsesRealCommands keeps the Dockerfile in step with the
// binary: the commands it runs exist, and the variables it sets are ones
// warroom reads.
func TestDockerfileUsesRealCommands(t *testing.T) {
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	for _, want := range []string{
		`CMD ["/usr/local/bin/warroom", "healthcheck"]`, `ENTRYPOINT ["/usr/local/bin/warroom"]`, `CMD ["run"]`,
		"WARROOM_DB=/data/warroom.db", "WARROOM_HTTP_ADDR=:8080", `VOLUME ["/data"]`, "EXPOSE 8080",
		"USER 65532:65532", "CGO_ENABLED=0", "FROM golang:1.26 AS build", "nonroot",
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	for _, cmd := range []string{"healthcheck", "run"} {
		if !strings.Contains(usage, "warroom "+cmd) {
			t.Errorf("the Dockerfile runs `warroom %s`, which the usage does not know", cmd)
		}
	}
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"WARROOM_DB": "/data/warroom.db", "WARROOM_HTTP_ADDR": ":8080"}[k]
	}, false)
	if err != nil || cfg.DB != "/data/warroom.db" || cfg.HTTPAddr != ":8080" {
		t.Errorf("the Dockerfile's environment is not read as meant: %+v %v", cfg, err)
	}
}

package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/warroom-dev/warroom/metrics"
)

// setup starts one server playing Slack (under /api/), Zoom's API (under
// /v2) and Zoom's OAuth (/oauth/), and a client whose transport counts.
func setup(t *testing.T, h http.HandlerFunc) (*metrics.Metrics, *http.Client, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	m := metrics.New("test")
	hc := &http.Client{Transport: m.Transport(nil, metrics.Targets{
		SlackAPIURL: srv.URL + "/api/", ZoomAPIURL: srv.URL + "/v2", ZoomOAuthURL: srv.URL,
	})}
	return m, hc, srv.URL
}

func count(t *testing.T, m *metrics.Metrics, name, labels string) float64 {
	t.Helper()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, mt := range f.GetMetric() {
			var parts []string
			for _, l := range mt.GetLabel() {
				parts = append(parts, l.GetName()+"="+l.GetValue())
			}
			if strings.Join(parts, ",") != labels {
				continue
			}
			switch {
			case mt.Counter != nil:
				return mt.Counter.GetValue()
			case mt.Gauge != nil:
				return mt.Gauge.GetValue()
			case mt.Histogram != nil:
				return float64(mt.Histogram.GetSampleCount())
			}
		}
	}
	return 0
}

func TestSlackCallsByMethodAndOutcome(t *testing.T) {
	const failure = `{"ok":false,"error":"channel_not_found"}`
	success := `{"ok":true,"channel":{"id":"C1","name":"` + strings.Repeat("x", 5000) + `"}}`
	m, hc, base := setup(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/conversations.info":
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			io.WriteString(w, failure)
		case "/api/conversations.create":
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			io.WriteString(w, success)
		case "/api/pins.add":
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/response/abc":
			io.WriteString(w, "ok")
		default:
			http.NotFound(w, r)
		}
	})
	for _, tc := range []struct{ path, want string }{
		{"/api/conversations.info", failure},
		{"/api/conversations.create", success},
		{"/api/conversations.create", success},
		{"/api/pins.add", ""},
		{"/response/abc", "ok"},
	} {
		resp, err := hc.Post(base+tc.path, "application/x-www-form-urlencoded", strings.NewReader("channel=C1"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: the caller read %q (%v), want exactly what the server sent", tc.path, got, err)
		}
	}
	for _, tc := range []struct {
		labels string
		want   float64
	}{
		{"method=conversations.info,outcome=channel_not_found", 1},
		{"method=conversations.create,outcome=ok", 2},
		{"method=pins.add,outcome=429", 1},
		{"method=response_url,outcome=ok", 1},
	} {
		if got := count(t, m, "warroom_slack_api_calls_total", tc.labels); got != tc.want {
			t.Errorf("warroom_slack_api_calls_total{%s} = %v, want %v", tc.labels, got, tc.want)
		}
	}
	if got := count(t, m, "warroom_rate_limited_total", "method=pins.add,service=slack"); got != 1 {
		t.Errorf("429s from Slack = %v, want 1", got)
	}
	if got := count(t, m, "warroom_slack_api_call_duration_seconds", "method=conversations.create"); got != 2 {
		t.Errorf("conversations.create timings = %v, want 2", got)
	}
}

func TestLargeSlackAnswerIsPassedOnWhole(t *testing.T) {
	big := `{"ok":true,"messages":["` + strings.Repeat("a", 3<<20) + `"]}`
	m, hc, base := setup(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, big)
	})
	resp, err := hc.Get(base + "/api/conversations.history")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(got) != big {
		t.Fatalf("read %d bytes (%v), want all %d", len(got), err, len(big))
	}
	if got := count(t, m, "warroom_slack_api_calls_total", "method=conversations.history,outcome=ok"); got != 1 {
		t.Errorf("calls = %v, want 1", got)
	}
}

func TestZoomOperations(t *testing.T) {
	m, hc, base := setup(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/oauth/token":
			w.WriteHeader(http.StatusUnauthorized)
		case r.Method == "POST":
			w.WriteHeader(http.StatusCreated)
		case r.Method == "PATCH":
			w.WriteHeader(http.StatusNoContent)
		case strings.HasPrefix(r.URL.Path, "/v2/meetings/"):
			w.WriteHeader(http.StatusNotFound)
		default:
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	do := func(method, path string) {
		req, _ := http.NewRequest(method, base+path, nil)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	do("POST", "/v2/users/incident-bot@example.com/meetings")
	do("POST", "/v2/users/other-bot%40example.com/meetings")
	do("PATCH", "/v2/meetings/81234578697")
	do("GET", "/v2/meetings/81234578697")
	do("GET", "/v2/users/me/settings?option=meeting_security")
	do("GET", "/v2/users/KDcuGIm1QgePTO8WbOqwIQ")
	do("POST", "/oauth/token")
	for _, tc := range []struct {
		labels string
		want   float64
	}{
		{"operation=POST /users/{user}/meetings,outcome=ok", 2},
		{"operation=PATCH /meetings/{id},outcome=ok", 1},
		{"operation=GET /meetings/{id},outcome=404", 1},
		{"operation=GET /users/me/settings,outcome=429", 1},
		{"operation=GET /users/{user},outcome=429", 1},
		{"operation=POST /oauth/token,outcome=401", 1},
	} {
		if got := count(t, m, "warroom_zoom_api_calls_total", tc.labels); got != tc.want {
			t.Errorf("warroom_zoom_api_calls_total{%s} = %v, want %v", tc.labels, got, tc.want)
		}
	}
	if got := count(t, m, "warroom_rate_limited_total", "method=GET /users/me/settings,service=zoom"); got != 1 {
		t.Errorf("429s from Zoom = %v, want 1", got)
	}
}

func TestZoomOperation(t *testing.T) {
	for in, want := range map[string]string{
		"/users/me/meetings":                            "/users/me/meetings",
		"/users/a@b.example/meetings":                   "/users/{user}/meetings",
		"/meetings/85746065432/status":                  "/meetings/{id}/status",
		"/past_meetings/aDYlohsHRtCd4ii1uC2+hA==":       "/past_meetings/{id}",
		"/meetings/4444AAAiAAAAAiAiAiiAii==/recordings": "/meetings/{id}/recordings",
	} {
		if got := metrics.ZoomOperation(in); got != want {
			t.Errorf("ZoomOperation(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOtherRequestsAreNotCounted(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hi") }))
	defer other.Close()
	m := metrics.New("test")
	hc := &http.Client{Transport: m.Transport(nil, metrics.Targets{SlackAPIURL: "https://slack.com/api/", ZoomAPIURL: "https://api.zoom.us/v2", ZoomOAuthURL: "https://zoom.us"})}
	resp, err := hc.Get(other.URL + "/api/auth.test")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := testutil.CollectAndCount(m.Registry(), "warroom_slack_api_calls_total", "warroom_zoom_api_calls_total"); n != 0 {
		t.Errorf("%d series for a request to neither Slack nor Zoom", n)
	}
}

func TestNetworkFailureIsAnOutcome(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	m := metrics.New("test")
	hc := &http.Client{Transport: m.Transport(nil, metrics.Targets{SlackAPIURL: url + "/api/"}), Timeout: 5 * time.Second}
	if _, err := hc.Get(url + "/api/auth.test"); err == nil {
		t.Fatal("expected a connection error")
	}
	if got := count(t, m, "warroom_slack_api_calls_total", "method=auth.test,outcome=error"); got != 1 {
		t.Errorf("failed call counted %v times, want 1", got)
	}
}

func TestAckAndState(t *testing.T) {
	m := metrics.New("v1.2.3")
	m.ObserveAck("slash_commands", 3*time.Millisecond)
	m.ObserveAck("slash_commands", 4*time.Millisecond)
	m.ObserveAck("interactive", time.Millisecond)
	m.TokenRefreshFailed()
	if got := count(t, m, "warroom_envelopes_total", "type=slash_commands"); got != 2 {
		t.Errorf("slash command envelopes = %v, want 2", got)
	}
	if got := count(t, m, "warroom_ack_duration_seconds", "type=interactive"); got != 1 {
		t.Errorf("interactive acks timed = %v, want 1", got)
	}
	if got := count(t, m, "warroom_zoom_token_refresh_failures_total", ""); got != 1 {
		t.Errorf("token refresh failures = %v, want 1", got)
	}
	if got := count(t, m, "warroom_build_info", "go_version="+goVersion(t, m)+",version=v1.2.3"); got != 1 {
		t.Errorf("build info missing")
	}

	// Before SetState nothing about the database is reported.
	if n := testutil.CollectAndCount(m.Registry(), "warroom_db_up"); n != 0 {
		t.Errorf("warroom_db_up reported before the database is open")
	}
	fail := false
	m.SetState(func(ctx context.Context) (metrics.State, error) {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("state read without a deadline")
		}
		if fail {
			return metrics.State{SocketConnected: true}, errors.New("disk on fire")
		}
		return metrics.State{
			Declared:        map[string]int{"SEV1": 2, "SEV2": 5},
			Incidents:       map[string]int{"active": 3, "resolved": 4},
			PendingJobs:     map[string]int{"declare": 2},
			OldestDue:       90 * time.Second,
			ZoomHosts:       map[string]int{"ok": 1, "needs_reconnect": 1},
			SocketConnected: true,
		}, nil
	})
	for _, tc := range []struct {
		name, labels string
		want         float64
	}{
		{"warroom_incidents_declared_total", "severity=SEV1", 2},
		{"warroom_incidents_declared_total", "severity=SEV4", 0},
		{"warroom_incidents", "status=active", 3},
		{"warroom_jobs_pending", "kind=declare", 2},
		{"warroom_jobs_oldest_due_seconds", "", 90},
		{"warroom_zoom_hosts", "status=needs_reconnect", 1},
		{"warroom_socket_connected", "", 1},
		{"warroom_db_up", "", 1},
	} {
		if got := count(t, m, tc.name, tc.labels); got != tc.want {
			t.Errorf("%s{%s} = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	if n := testutil.CollectAndCount(m.Registry(), "warroom_incidents_declared_total"); n != 4 {
		t.Errorf("%d severities reported, want all 4", n)
	}
	fail = true
	if got := count(t, m, "warroom_db_up", ""); got != 0 {
		t.Errorf("warroom_db_up = %v with the database failing, want 0", got)
	}
	if n := testutil.CollectAndCount(m.Registry(), "warroom_jobs_pending"); n != 0 {
		t.Errorf("stale job counts reported while the database fails")
	}
	if problems, err := testutil.GatherAndLint(m.Registry()); err != nil || len(problems) > 0 {
		t.Errorf("metric lint: %v %+v", err, problems)
	}
}

func goVersion(t *testing.T, m *metrics.Metrics) string {
	families, _ := m.Registry().Gather()
	for _, f := range families {
		if f.GetName() == "warroom_build_info" {
			for _, l := range f.GetMetric()[0].GetLabel() {
				if l.GetName() == "go_version" {
					return l.GetValue()
				}
			}
		}
	}
	t.Fatal("no warroom_build_info")
	return ""
}

func TestHandlerServesTextFormat(t *testing.T) {
	m := metrics.New("test")
	m.ObserveAck("events_api", time.Millisecond)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `warroom_envelopes_total{type="events_api"} 1`) ||
		!strings.Contains(rec.Body.String(), "go_goroutines") {
		t.Errorf("GET /metrics: %d\n%s", rec.Code, rec.Body.String())
	}
}

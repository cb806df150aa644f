package web_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/warroom-dev/warroom/internal/testworld"
	"github.com/warroom-dev/warroom/store/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m.Run)) }

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	status, _, body, err := testworld.Get(testworld.NewBrowser(), u)
	if err != nil {
		t.Fatal(err)
	}
	return status, body
}

// /healthz says the process is up; /readyz says it can take work: Slack's
// socket is connected and the database takes a write. When Slack goes
// away, /healthz stays up and /readyz says why it is not ready.
func TestHealthAndReadiness(t *testing.T) {
	w := testworld.Start(t, testworld.Config{NoJobs: true})
	if status, body := get(t, w.URL+"/healthz"); status != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: HTTP %d %q", status, body)
	}
	if status, body := get(t, w.URL+"/readyz"); status != http.StatusOK || body != "ready\n" {
		t.Errorf("/readyz with Slack connected: HTTP %d %q", status, body)
	}

	w.Slack.Close()
	var status int
	var body string
	testworld.WaitFor(t, "/readyz to say Slack is not connected", func() bool {
		status, body = get(t, w.URL+"/readyz")
		return status != http.StatusOK
	})
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "slack socket mode not connected") {
		t.Errorf("/readyz without Slack: HTTP %d %q", status, body)
	}
	if status, _ := get(t, w.URL+"/healthz"); status != http.StatusOK {
		t.Errorf("/healthz without Slack: HTTP %d; the process is still up", status)
	}
}

// A database that does not take a write makes warroom not ready.
func TestNotReadyWithoutTheDatabase(t *testing.T) {
	w := testworld.Start(t, testworld.Config{NoJobs: true})
	w.Store.Close()
	status, body := get(t, w.URL+"/readyz")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "database not writable") {
		t.Errorf("/readyz with the database closed: HTTP %d %q", status, body)
	}
}

// /metrics is served in Prometheus' format and counts what happened: the
// acked declare and the Slack calls made.
func TestMetricsAreServed(t *testing.T) {
	w := testworld.Start(t, testworld.Config{NoJobs: true})
	w.Slash(t, testworld.NotAdmin, "declare Disk full")
	wants := []string{
		`warroom_build_info{`,
		`warroom_envelopes_total{type="slash_commands"} 1`,
		`warroom_slack_api_calls_total{method="auth.test",outcome="ok"} 1`,
	}
	// The envelope is counted once its handling ends, which may be just
	// after its ack reached Slack.
	var status int
	var body string
	testworld.WaitFor(t, "/metrics to count the declare", func() bool {
		status, body = get(t, w.URL+"/metrics")
		if status != http.StatusOK {
			t.Fatalf("/metrics: HTTP %d", status)
		}
		for _, want := range wants {
			if !strings.Contains(body, want) {
				return false
			}
		}
		return true
	})
}

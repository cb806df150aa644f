package alerts_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/api"
	"github.com/warroom-dev/warroom/internal/testworld"
)

// alertmanagerBinary finds the real Alertmanager (make alertmanager-tool
// installs it): $WARROOM_ALERTMANAGER, else the user's cache directory.
// Without it the test is skipped, loudly, unless
// WARROOM_REQUIRE_ALERTMANAGER=1 (CI), where it fails.
func alertmanagerBinary(tb testing.TB) string {
	tb.Helper()
	path := os.Getenv("WARROOM_ALERTMANAGER")
	if path == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			path = filepath.Join(dir, "warroom", "alertmanager")
		}
	}
	if _, err := os.Stat(path); path == "" || err != nil {
		msg := fmt.Sprintf("NO ALERTMANAGER at %q: run make alertmanager-tool (or set WARROOM_ALERTMANAGER)", path)
		if os.Getenv("WARROOM_REQUIRE_ALERTMANAGER") == "1" {
			tb.Fatal(msg)
		}
		fmt.Fprintln(os.Stderr, "alerts: SKIPPED the real Alertmanager's test: "+msg)
		tb.Skip(msg)
	}
	return path
}

// alertmanager is a running Alertmanager.
type alertmanager struct {
	url string
	out *testworld.LogBuffer
}

// startAlertmanager runs the real Alertmanager with one route to warroom's
// receiver, grouping by alertname and service, and short intervals.
func startAlertmanager(tb testing.TB, bin, receiverURL, credentials string) *alertmanager {
	tb.Helper()
	dir := tb.TempDir()
	cfg := fmt.Sprintf(`route:
  receiver: warroom
  group_by: [alertname, service]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 2s
receivers:
  - name: warroom
    webhook_configs:
      - url: %s
        send_resolved: true
        http_config:
          authorization:
            credentials: %s
`, receiverURL, credentials)
	if err := os.WriteFile(filepath.Join(dir, "alertmanager.yml"), []byte(cfg), 0o600); err != nil {
		tb.Fatal(err)
	}
	addr := freeAddr(tb)
	am := &alertmanager{url: "http://" + addr, out: &testworld.LogBuffer{}}
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "alertmanager.yml"),
		"--storage.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr, "--cluster.listen-address=")
	cmd.Stdout, cmd.Stderr = am.out, am.out
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if tb.Failed() {
			tb.Logf("alertmanager's log:\n%s", am.out)
		}
	})
	testworld.WaitFor(tb, "alertmanager to be ready", func() bool {
		resp, err := http.Get(am.url + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return am
}

func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// fire posts alerts of the HighLatency group of service checkout; an
// alert with resolved set ends a second ago.
func (am *alertmanager) fire(tb testing.TB, resolved bool, instances ...string) {
	tb.Helper()
	var alerts []map[string]any
	for _, inst := range instances {
		a := map[string]any{
			"labels": map[string]string{"alertname": "HighLatency", "service": "checkout", "severity": "critical", "instance": inst},
			"annotations": map[string]string{"description": "p99 latency over 1s",
				"runbook_url": "https://runbooks.example.com/high-latency"},
			"generatorURL": "http://prometheus.example.com/graph?g0.expr=latency",
		}
		if resolved {
			a["startsAt"] = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
			a["endsAt"] = time.Now().Add(-time.Second).UTC().Format(time.RFC3339)
		}
		alerts = append(alerts, a)
	}
	b, _ := json.Marshal(alerts)
	resp, err := http.Post(am.url+"/api/v2/alerts", "application/json", bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		tb.Fatalf("alertmanager took the alerts with %s", resp.Status)
	}
}

// sent is how many webhook notifications Alertmanager sent, and how many
// of them failed.
func (am *alertmanager) sent(tb testing.TB) (total, failed int) {
	tb.Helper()
	resp, err := http.Get(am.url + "/metrics")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, `integration="webhook"`) {
			continue
		}
		fields := strings.Fields(line)
		n, _ := strconv.ParseFloat(fields[len(fields)-1], 64)
		switch {
		case strings.HasPrefix(line, "alertmanager_notifications_total{"):
			total += int(n)
		case strings.HasPrefix(line, "alertmanager_notifications_failed_total{"):
			failed += int(n)
		}
	}
	return total, failed
}

// The real Alertmanager, grouping, repeating and resolving as it does in
// production, makes one incident of a group with its war room, tells the
// channel of a new alert once, repeats nothing, and says once when all
// resolved.
func TestRealAlertmanager(t *testing.T) {
	bin := alertmanagerBinary(t)
	w := testworld.Start(t, testworld.Config{APITokens: []api.Token{{Name: "prometheus", Secret: token}}})
	am := startAlertmanager(t, bin, w.URL+"/api/v1/alertmanager", token)

	am.fire(t, false, "a:9090")
	testworld.WaitFor(t, "an incident from Alertmanager", func() bool { return len(w.Incidents(t)) > 0 })
	inc := w.Incidents(t)[0]
	if inc.Title != "HighLatency (service=checkout)" || inc.Severity != warroom.SEV1 || inc.Origin.By != "prometheus" {
		t.Errorf("incident %q %s by %q, want HighLatency (service=checkout), SEV1, by prometheus", inc.Title, inc.Severity, inc.Origin.By)
	}
	ch := waitNotes(t, w, inc.ID, 1)

	am.fire(t, false, "a:9090", "b:9090")
	waitNotes(t, w, inc.ID, 2)
	if notes := alertNotes(w, ch); !strings.Contains(notes[1], "1 new alert firing") || !strings.Contains(notes[1], "b:9090") {
		t.Errorf("the second note: %q", notes[1])
	}

	// Alertmanager repeats the unchanged group every repeat_interval:
	// two more sends change nothing in the channel.
	seen, _ := am.sent(t)
	testworld.WaitFor(t, "two repeats of the group", func() bool { n, _ := am.sent(t); return n >= seen+2 })
	if n := len(alertNotes(w, ch)); n != 2 {
		t.Errorf("%d alert notes after repeats, want 2", n)
	}

	am.fire(t, true, "a:9090", "b:9090")
	waitNotes(t, w, inc.ID, 3)
	if notes := alertNotes(w, ch); !strings.Contains(notes[2], "All alerts") {
		t.Errorf("the third note: %q", notes[2])
	}
	if n := len(alertNotes(w, ch)); n != 3 {
		t.Errorf("%d alert notes in the channel, want 3", n)
	}
	if _, failed := am.sent(t); failed != 0 {
		t.Errorf("%d notifications failed at warroom", failed)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if rec, err := w.Store.Incident(ctx, inc.ID); err != nil || rec.Status != warroom.StatusActive {
		t.Errorf("the incident after all resolved: %v, %v; want it open", rec, err)
	}
}

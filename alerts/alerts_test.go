package alerts_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/api"
	"github.com/warroom-dev/warroom/internal/testworld"
)

const token = "s3cret-token"

func post(tb testing.TB, w *testworld.World, auth string, body []byte) (int, string, []byte) {
	tb.Helper()
	req, err := http.NewRequest("POST", w.URL+"/api/v1/alertmanager", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

type testAlert struct {
	fp, instance, status, severity string
}

// notification is Alertmanager's payload for the HighLatency group of
// service checkout.
func notification(alerts ...testAlert) []byte {
	type alert struct {
		Status       string            `json:"status"`
		Labels       map[string]string `json:"labels"`
		Annotations  map[string]string `json:"annotations"`
		StartsAt     string            `json:"startsAt"`
		EndsAt       string            `json:"endsAt"`
		GeneratorURL string            `json:"generatorURL"`
		Fingerprint  string            `json:"fingerprint"`
	}
	status := "resolved"
	var as []alert
	for _, a := range alerts {
		if a.status == "firing" {
			status = "firing"
		}
		as = append(as, alert{Status: a.status, Fingerprint: a.fp, StartsAt: "2026-03-02T09:00:00Z", EndsAt: "0001-01-01T00:00:00Z",
			Labels:       map[string]string{"alertname": "HighLatency", "service": "checkout", "instance": a.instance, "severity": a.severity},
			Annotations:  map[string]string{"runbook_url": "https://runbooks.example.com/high-latency"},
			GeneratorURL: "http://prometheus.example.com/graph?g0.expr=latency%3E1&g0.tab=1"})
	}
	b, _ := json.Marshal(map[string]any{
		"version": "4", "groupKey": `{}/{service="checkout"}:{alertname="HighLatency", service="checkout"}`,
		"status": status, "receiver": "warroom", "truncatedAlerts": 0,
		"groupLabels":       map[string]string{"alertname": "HighLatency", "service": "checkout"},
		"commonLabels":      map[string]string{"alertname": "HighLatency", "service": "checkout"},
		"commonAnnotations": map[string]string{"description": "p99 latency over 1s"},
		"externalURL":       "http://alertmanager.example.com", "alerts": as,
	})
	return b
}

// What is not a version 4 notification with a group, or comes without
// a token, is refused with a problem document, and declares nothing.
func TestRefusedNotifications(t *testing.T) {
	w := testworld.Start(t, testworld.Config{APITokens: []api.Token{{Name: "alertmanager", Secret: token}}, NoJobs: true})
	good := notification(testAlert{"a", "a:9090", "firing", "warning"})
	big := append([]byte(`{"version":"4","groupKey":"g","receiver":"`), bytes.Repeat([]byte("x"), 1<<20)...)
	cases := []struct {
		name   string
		auth   string
		body   []byte
		status int
	}{
		{"no token", "", good, 401},
		{"wrong token", "nope", good, 401},
		{"malformed", token, []byte(`{"version":"4",`), 400},
		{"version 3", token, bytes.Replace(good, []byte(`"version":"4"`), []byte(`"version":"3"`), 1), 400},
		{"no group", token, []byte(`{"version":"4","alerts":[]}`), 400},
		{"over 1 MiB", token, append(big, []byte(`"}`)...), 413},
	}
	for _, c := range cases {
		status, ctype, body := post(t, w, c.auth, c.body)
		if status != c.status || ctype != "application/problem+json" {
			t.Errorf("%s: %d %s, want %d application/problem+json", c.name, status, ctype, c.status)
		}
		var p struct {
			Title  string `json:"title"`
			Status int    `json:"status"`
		}
		if err := json.Unmarshal(body, &p); err != nil || p.Status != c.status || p.Title == "" {
			t.Errorf("%s: problem %s (%v)", c.name, body, err)
		}
	}
	if got := w.Incidents(t); len(got) != 0 {
		t.Errorf("%d incidents declared by refused notifications", len(got))
	}
}

func TestAlertGroupIsOneIncident(t *testing.T) { testAlertGroup(t, false) }

func TestAlertGroupIsOneIncidentPostgres(t *testing.T) { testAlertGroup(t, true) }

// The same notification arriving many times at once (a cluster of
// Alertmanagers, retries) declares one incident; its war room is built
// and told of the alerts and their links; later notifications post what
// changed, once.
func testAlertGroup(t *testing.T, postgres bool) {
	w := testworld.Start(t, testworld.Config{APITokens: []api.Token{{Name: "alertmanager", Secret: token}, {Name: "other", Secret: "other"}}, Postgres: postgres})
	first := notification(testAlert{"a", "a:9090", "firing", "warning"}, testAlert{"b", "b:9090", "firing", "critical"})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if status, _, body := post(t, w, token, first); status != 200 {
				t.Errorf("a notification: %d %s", status, body)
			}
		}()
	}
	wg.Wait()
	incs := w.Incidents(t)
	if len(incs) != 1 {
		t.Fatalf("%d incidents for one alert group, want 1", len(incs))
	}
	inc := incs[0]
	if inc.Title != "HighLatency (service=checkout)" || inc.Severity != warroom.SEV1 || inc.DeclaredBy != "" {
		t.Errorf("incident %q %s by %q, want HighLatency (service=checkout) SEV1 (the worst firing) by nobody in Slack",
			inc.Title, inc.Severity, inc.DeclaredBy)
	}
	if o := inc.Origin; o.Door != warroom.DoorAlert || o.By != "alertmanager" || o.Description != "p99 latency over 1s" || len(o.Links) != 2 {
		t.Errorf("origin %+v", o)
	}
	ch := waitNotes(t, w, inc.ID, 1)
	notes := alertNotes(w, ch)
	if !strings.Contains(notes[0], "2 alerts firing") || !strings.Contains(notes[0], "runbooks.example.com") {
		t.Errorf("first note %q, want both alerts and the runbook", notes[0])
	}

	post(t, w, token, first) // a repeat: nothing changed
	second := notification(testAlert{"a", "a:9090", "firing", "warning"}, testAlert{"b", "b:9090", "firing", "critical"},
		testAlert{"c", "c:9090", "firing", "warning"})
	for range 3 {
		post(t, w, "other", second)
	}
	waitNotes(t, w, inc.ID, 2)
	notes = alertNotes(w, ch)
	if !strings.Contains(notes[1], "1 new alert firing") || !strings.Contains(notes[1], "instance=c:9090") {
		t.Errorf("second note %q, want c firing", notes[1])
	}
	done := notification(testAlert{"a", "a:9090", "resolved", "warning"}, testAlert{"b", "b:9090", "resolved", "critical"},
		testAlert{"c", "c:9090", "resolved", "warning"})
	post(t, w, token, done)
	post(t, w, token, done)
	waitNotes(t, w, inc.ID, 3)
	notes = alertNotes(w, ch)
	if !strings.Contains(notes[2], "3 alerts resolved") || !strings.Contains(notes[2], "All alerts") {
		t.Errorf("third note %q, want all resolved", notes[2])
	}
	if got := w.Incidents(t); len(got) != 1 || got[0].Status != warroom.StatusActive {
		t.Errorf("after all resolved: %d incidents, the first %s; want it still open for people to resolve", len(got), got[0].Status)
	}
	if n := len(alertNotes(w, ch)); n != 3 {
		t.Errorf("%d alert notes in the channel, want 3", n)
	}
}

// waitNotes waits for the incident's channel to have its pinned message
// and n alert notes posted, none waiting, and returns the channel.
func waitNotes(tb testing.TB, w *testworld.World, id int64, n int) string {
	tb.Helper()
	var ch string
	testworld.WaitFor(tb, fmt.Sprintf("incident %d's war room and %d alert notes", id, n), func() bool {
		rec, err := w.Store.Incident(tb.Context(), id)
		if err != nil || rec.ChannelID == "" {
			return false
		}
		ch = rec.ChannelID
		pending, err := w.Store.PendingAlertNotes(tb.Context(), id)
		return err == nil && len(pending) == 0 && len(w.Slack.Pins(ch)) > 0 && len(alertNotes(w, ch)) >= n
	})
	return ch
}

// alertNotes are the texts of the channel's alert notes.
func alertNotes(w *testworld.World, ch string) []string {
	var out []string
	for _, m := range w.Slack.Messages(ch) {
		if strings.Contains(string(m.Blocks), `"warroom-alerts-`) {
			out = append(out, m.Text)
		}
	}
	return out
}

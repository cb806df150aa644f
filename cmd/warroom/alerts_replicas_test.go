package main

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/slackapi/slackfake"
)

var listening = regexp.MustCompile(`"addr":"([0-9.:]+)","time":"[^"]*","message":"http server listening"`)

// httpAddr is where a replica's HTTP server listens, from its log.
func (p *process) httpAddr(t *testing.T) string {
	t.Helper()
	var addr string
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := waitFor(ctx, func() bool {
		if m := listening.FindStringSubmatch(p.log.String()); m != nil {
			addr = m[1]
		}
		return addr != ""
	})
	if err != nil {
		t.Fatalf("no http server listening in the replica's log:\n%s", tail(p.log.String(), 20))
	}
	return addr
}

// alertPayload is Alertmanager's webhook for one group with the alerts
// firing named.
func alertPayload(group, summary string, firing ...string) string {
	var alerts []string
	for _, name := range firing {
		alerts = append(alerts, fmt.Sprintf(`{"status":"firing","labels":{"alertname":%q,"severity":"critical"},
			"annotations":{},"startsAt":"2026-12-08T03:10:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":%q}`, name, "fp-"+name))
	}
	return fmt.Sprintf(`{"version":"4","groupKey":%q,"status":"firing","receiver":"warroom",
		"groupLabels":{"service":"checkout"},"commonLabels":{"service":"checkout","severity":"critical"},
		"commonAnnotations":{"summary":%q},"externalURL":"http://am","alerts":[%s]}`, group, summary, strings.Join(alerts, ","))
}

// The same notification reaching two replicas at once, several times
// over (Alertmanager's HA pair each send it; retries), makes one incident
// and one war room; a second alert of the group, sent to both, is told
// in the channel once.
func TestSameAlertOnTwoReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two replicas")
	}
	w, err := startWorld(slackfake.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	const token = "am-5ecret"
	rs := startReplicas(t, w, 2, "WARROOM_API_TOKENS=alertmanager="+token)
	var addrs []string
	for _, p := range rs.procs {
		addrs = append(addrs, p.httpAddr(t))
	}
	const summary = "Checkout error rate above five percent"
	send := func(body string) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 8 {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				errs <- benchPost(ctx, addrs[i%len(addrs)], "/api/v1/alertmanager", token, body)
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	send(alertPayload("{}:{service=\"checkout\"}", summary, "HighErrorRate"))
	mustBeBuiltOnce(t, w, []string{summary}, 45*time.Second)

	send(alertPayload("{}:{service=\"checkout\"}", summary, "HighErrorRate", "HighLatency"))
	name := todayName(summary, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	told := func() int {
		r, _ := w.room(name)
		n := 0
		for _, m := range r.Messages {
			if strings.Contains(string(m.Blocks), "HighLatency") {
				n++
			}
		}
		return n
	}
	if err := waitFor(ctx, func() bool { return told() > 0 }); err != nil {
		t.Fatal("the second alert was never told in the channel")
	}
	// Every request was answered, so any second note is recorded by now:
	// once no alert note waits to be posted, the channel shows them all.
	db, err := sql.Open("pgx", rs.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = waitFor(ctx, func() bool {
		var n int
		err := db.QueryRow(`SELECT COUNT(*) FROM jobs WHERE kind = 'alert_notes' AND done_at IS NULL`).Scan(&n)
		return err == nil && n == 0
	})
	if err != nil {
		t.Fatal("the alert notes were never all posted")
	}
	if n := told(); n != 1 {
		t.Fatalf("the second alert was told %d times, want once", n)
	}
	if n := len(w.Slack.Channels()); n != 2 { // #general and the war room
		t.Fatalf("%d channels, want #general and one war room", n)
	}
}

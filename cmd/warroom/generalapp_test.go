package main

import (
	"context"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// TestGeneralAppEventStream runs warroom as a general (user-managed OAuth)
// Zoom app that receives Zoom's events over the WebSocket event stream:
// no ZOOM_ACCOUNT_ID and no webhooks, so warroom fetches the stream's
// token with grant_type=client_credentials, and the stream is the only
// way a call's start, joins and end reach the pinned message of an
// incident whose meeting is on the account an admin connected.
func TestGeneralAppEventStream(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	public := "http://" + ln.Addr().String()
	w, err := startWorldWith(slackfake.Config{AckTimeout: 500 * time.Millisecond, PingInterval: time.Second}, func(c *zoomfake.Config) {
		c.Hosts = []zoomfake.User{{Email: robotEmail, FirstName: "Robot", LastName: "Host", Type: 2}}
		c.RedirectURIs = []string{public + "/zoom/oauth/callback"}
		// No WebhookURL: events reach warroom over the stream or not at all.
	})
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	e := &connectEnv{w: w, public: public, dir: t.TempDir()}
	cfg := e.config() // user OAuth: no ZOOM_ACCOUNT_ID
	cfg.ZoomWebhookKey = ""
	cfg.ZoomWSSubscriptionID = w.Zoom.Config().WSSubscriptionID
	cfg.ZoomWSURL = "ws" + strings.TrimPrefix(w.Zoom.URL(), "http") + "/ws"
	m, log := newTestMain(cfg)
	m.Listener = ln
	e.run = MustStart(t, w, m, log)

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := waitFor(ctx, func() bool { return w.Zoom.EventStreams() == 1 }); err != nil {
		t.Fatalf("the general app never opened Zoom's event stream (%d client_credentials token requests):\n%s",
			w.Zoom.TokenRequests("client_credentials"), log.String())
	}
	if n := w.Zoom.TokenRequests("client_credentials"); n < 1 {
		t.Errorf("%d client_credentials token requests, want at least 1", n)
	}
	if n := w.Zoom.TokenRequests("account_credentials"); n != 0 {
		t.Errorf("%d account_credentials token requests from a general app", n)
	}

	status, page := e.consent(t, e.connectLink(t), robotEmail, "allow")
	if status != http.StatusOK || !strings.Contains(page, "Connected as "+robotEmail) {
		t.Fatalf("connect: HTTP %d\n%s", status, page)
	}
	declare(t, w, "U1", "declare Checkout is down")
	name := todayName("Checkout is down", 1)
	assertRoomOnHost(t, e, "Checkout is down", robotEmail)
	id := w.Zoom.Meetings()[0].ID

	bg := context.Background()
	if err := w.Zoom.StartMeeting(bg, id); err != nil {
		t.Fatal(err)
	}
	waitPinned(t, w, name, "the call in progress", func(text string, r room) bool { return strings.Contains(text, "In progress") })
	if err := w.Zoom.JoinMeeting(bg, id, "Alice Archer", "alice@example.com"); err != nil {
		t.Fatal(err)
	}
	waitPinned(t, w, name, "one person in the call", func(text string, r room) bool {
		return strings.Contains(text, "In progress · 1 person")
	})
	if err := w.Zoom.EndMeeting(bg, id); err != nil {
		t.Fatal(err)
	}
	waitPinned(t, w, name, "the call ended", func(text string, r room) bool {
		return strings.Contains(text, "Ended") && !strings.Contains(text, "In progress")
	})

	delivered, lost := w.Zoom.StreamedEvents()
	for _, ev := range []string{"meeting.started", "meeting.participant_joined", "meeting.ended"} {
		if !slices.Contains(delivered, ev) {
			t.Errorf("the stream did not carry %s (delivered %v)", ev, delivered)
		}
	}
	if len(lost) != 0 {
		t.Errorf("events lost with the stream open: %v", lost)
	}
	e.run.Stop(t)
	logHasNoSecrets(t, w, log.String())
}

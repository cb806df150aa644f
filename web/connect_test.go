package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/internal/testworld"
)

const robot = testworld.ZoomHost // a licensed user of the fake Zoom account

func connectedHosts(t *testing.T, w *testworld.World) int {
	t.Helper()
	hosts, err := w.Store.ZoomHosts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(hosts)
}

// refusedPage checks a refusal: an error page saying why, no redirect to
// Zoom, and no Zoom account stored.
func refusedPage(t *testing.T, w *testworld.World, what string, status int, h http.Header, page, says string) {
	t.Helper()
	if status != http.StatusBadRequest || h.Get("Location") != "" {
		t.Errorf("%s: HTTP %d (Location %q), want 400 and no redirect", what, status, h.Get("Location"))
	}
	if !strings.Contains(html.UnescapeString(page), says) {
		t.Errorf("%s: the page does not say %q:\n%s", what, says, page)
	}
	if n := connectedHosts(t, w); n != 0 {
		t.Errorf("%s: %d Zoom accounts stored", what, n)
	}
}

// The whole connect: the admin's link, Zoom's consent, the callback page,
// and the account is stored (its tokens sealed, on either database). Used
// once, the link is refused.
func TestConnectZoomThroughTheLink(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			w := testworld.Start(t, testworld.Config{UserOAuth: true, NoJobs: true, Postgres: engine == "postgres"})
			link := w.ConnectLink(t)
			b := testworld.NewBrowser()
			status, page, err := testworld.Consent(b, b, w.Zoom.URL(), w.URL, link, robot, "allow")
			if err != nil {
				t.Fatal(err)
			}
			if status != http.StatusOK || !strings.Contains(page, "Connected as "+robot) {
				t.Fatalf("callback: HTTP %d\n%s", status, page)
			}
			if n := connectedHosts(t, w); n != 1 {
				t.Fatalf("%d Zoom accounts stored after connecting, want 1", n)
			}
			status, h, page, err := testworld.Get(b, link)
			if err != nil {
				t.Fatal(err)
			}
			if status != http.StatusBadRequest || h.Get("Location") != "" || !strings.Contains(html.UnescapeString(page), "already been used") {
				t.Errorf("a used link: HTTP %d (Location %q)\n%s", status, h.Get("Location"), page)
			}
		})
	}
}

// /zoom/connect refuses what warroom did not issue, or no longer honours,
// and stores nothing.
func TestConnectRefusesBadStates(t *testing.T) {
	clock := testworld.NewClock(time.Now())
	w := testworld.Start(t, testworld.Config{UserOAuth: true, NoJobs: true, Now: clock.Now})
	b := testworld.NewBrowser()

	status, h, page, err := testworld.Get(b, w.URL+"/zoom/connect")
	if err != nil {
		t.Fatal(err)
	}
	refusedPage(t, w, "no state", status, h, page, blocks.ConnectStartHere)

	status, h, page, err = testworld.Get(b, w.URL+"/zoom/connect?state=forged")
	if err != nil {
		t.Fatal(err)
	}
	refusedPage(t, w, "a forged state", status, h, page, "This link was not issued by warroom.")

	link := w.ConnectLink(t)
	clock.Add(warroom.DefaultConnectLinkTTL + time.Second)
	status, h, page, err = testworld.Get(b, link)
	if err != nil {
		t.Fatal(err)
	}
	refusedPage(t, w, "an expired link", status, h, page, "This link has expired.")
}

// The callback only finishes a connection that its own browser started
// from warroom's link; anything else is refused and stores nothing.
func TestCallbackRefusesBadStates(t *testing.T) {
	w := testworld.Start(t, testworld.Config{UserOAuth: true, NoJobs: true})

	b := testworld.NewBrowser()
	status, h, page, err := testworld.Get(b, w.URL+"/zoom/oauth/callback?state=forged&code=abc")
	if err != nil {
		t.Fatal(err)
	}
	refusedPage(t, w, "a forged callback", status, h, page, "This link was not issued by warroom.")

	// A link issued but never opened through /zoom/connect.
	link := w.ConnectLink(t)
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	state := u.Query().Get("state")
	status, h, page, err = testworld.Get(b, w.URL+"/zoom/oauth/callback?code=abc&state="+url.QueryEscape(state))
	if err != nil {
		t.Fatal(err)
	}
	refusedPage(t, w, "a callback that skipped /zoom/connect", status, h, page, "did not start from warroom's Connect Zoom link")

	// Opened in one browser, finished in another: whoever else saw the
	// link cannot connect their own account through it.
	other := w.ConnectLink(t)
	_, page, err = testworld.Consent(testworld.NewBrowser(), testworld.NewBrowser(), w.Zoom.URL(), w.URL, other, robot, "allow")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.UnescapeString(page), "opened in another browser") {
		t.Errorf("a callback in another browser was not refused:\n%s", page)
	}
	if n := connectedHosts(t, w); n != 0 {
		t.Errorf("a callback in another browser stored %d Zoom accounts", n)
	}

	// Declining at Zoom says so, and stores nothing.
	_, page, err = testworld.Consent(b, b, w.Zoom.URL(), w.URL, w.ConnectLink(t), robot, "deny")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.UnescapeString(page), blocks.ConnectDeclined) || connectedHosts(t, w) != 0 {
		t.Errorf("a declined consent: %d accounts stored\n%s", connectedHosts(t, w), page)
	}
}

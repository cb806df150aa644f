package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserPath finds Debian's Chromium. Without one the browser test skips,
// unless CI demands it with WARROOM_REQUIRE_BROWSER=1.
func browserPath(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("WARROOM_REQUIRE_BROWSER") == "1" {
		tb.Fatal("no Chromium found, and WARROOM_REQUIRE_BROWSER=1: install Debian's chromium package")
	}
	tb.Skip("no Chromium found: install Debian's chromium package to run the browser test")
	return ""
}

// TestConnectZoomInBrowser clicks through the whole connect flow in a real
// headless Chromium: the Connect Zoom link from Slack, Zoom's consent page,
// the Authorize button, warroom's success page; then an incident gets its
// meeting from the connected account.
func TestConnectZoomInBrowser(t *testing.T) {
	chrome := browserPath(t)
	e := MustRunConnect(t, nil)
	link := e.connectLink(t)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	err := chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.ID("authorize")),
	)
	if err != nil {
		t.Fatalf("browser: the consent page did not show: %v\nlog:\n%s", err, e.run.Log.String())
	}
	consentTitle, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("user"), robotEmail),
		chromedp.Click(chromedp.ID("authorize")),
		chromedp.WaitVisible(chromedp.ID("result")),
	)
	if err != nil {
		t.Fatalf("browser: after Authorize: %v\nlog:\n%s", err, e.run.Log.String())
	}
	result, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("result")))
	if err != nil {
		t.Fatal(err)
	}
	message, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("message")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(consentTitle, "would like to access your Zoom account") {
		t.Errorf("consent page heading = %q", consentTitle)
	}
	if result != "Connected as "+robotEmail || !strings.Contains(message, "close this tab") {
		t.Errorf("success page says %q / %q", result, message)
	}

	declare(t, e.w, "U1", "declare Browser connected")
	assertRoomOnHost(t, e, "Browser connected", robotEmail)
}

package testworld

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/blocks"
)

// NewBrowser is an HTTP client that keeps cookies, as a browser does, and
// shows redirects instead of following them.
func NewBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Timeout: 10 * time.Second, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Get fetches u in browser and returns the status, headers and body.
func Get(browser *http.Client, u string) (int, http.Header, string, error) {
	resp, err := browser.Get(u)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body), err
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// Consent follows a Connect Zoom link through the fake Zoom's consent
// page at zoomURL as a browser without JavaScript would, as user with
// decision ("allow" or "deny"), and returns warroom's callback page. The
// link is opened in opener; Zoom and the callback are visited in finisher
// (the same browser, normally). public is warroom's public URL.
func Consent(opener, finisher *http.Client, zoomURL, public, link, user, decision string) (int, string, error) {
	status, h, _, err := Get(opener, link)
	if err != nil {
		return 0, "", err
	}
	if status != http.StatusFound {
		return 0, "", fmt.Errorf("GET %s: HTTP %d, want a redirect to Zoom", link, status)
	}
	authorize := h.Get("Location")
	if !strings.HasPrefix(authorize, zoomURL+"/oauth/authorize?") || !strings.Contains(authorize, "code_challenge_method=S256") {
		return 0, "", fmt.Errorf("redirect to %q, want Zoom's authorize page with PKCE S256", authorize)
	}
	status, _, page, err := Get(finisher, authorize)
	if err != nil || status != http.StatusOK {
		return 0, "", fmt.Errorf("authorize page: HTTP %d %v\n%s", status, err, page)
	}
	form := url.Values{"user": {user}, "decision": {decision}}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	resp, err := finisher.PostForm(zoomURL+"/oauth/authorize", form)
	if err != nil {
		return 0, "", err
	}
	resp.Body.Close()
	callback := resp.Header.Get("Location")
	if !strings.HasPrefix(callback, public+"/zoom/oauth/callback?") {
		return 0, "", fmt.Errorf("Zoom sent the browser to %q, want the callback", callback)
	}
	status, _, body, err := Get(finisher, callback)
	return status, body, err
}

// ConnectLink has the admin run /incident zoom connect and returns the
// Connect Zoom button's link (UserOAuth worlds).
func (w *World) ConnectLink(tb testing.TB) string {
	tb.Helper()
	d, _ := w.Slash(tb, Admin, "zoom connect")
	ans := w.Answer(tb, Admin, d)
	link := ButtonURL(ans.Blocks, blocks.ActionConnectZoom)
	if !strings.HasPrefix(link, w.URL+"/zoom/connect?state=") {
		tb.Fatalf("zoom connect answered without a Connect Zoom button to %s: %q %s", w.URL, ans.Text, ans.Blocks)
	}
	return link
}

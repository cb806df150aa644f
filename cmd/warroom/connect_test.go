package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/config"
	"github.com/warroom-dev/warroom/internal/testworld"
	"github.com/warroom-dev/warroom/web"

	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/zoom"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

const (
	robotEmail   = "robot@example.com"
	backupEmail  = "backup@example.com"
	hookSecret   = testworld.WebhookSecret
	connectAdmin = testworld.Admin
	notAnAdmin   = testworld.NotAdmin
)

// connectEnv is warroom with user-managed OAuth: a public URL, a secret
// key and webhooks, and no Server-to-Server account.
type connectEnv struct {
	w      *world
	run    *running
	public string
	dir    string
}

func MustRunConnect(tb testing.TB, tune func(*Tuning)) *connectEnv {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	e := MustConnectWorld(tb, "http://"+ln.Addr().String())
	e.run = e.start(tb, ln, tune)
	return e
}

// MustConnectWorld makes the simulated Slack and Zoom for a warroom whose
// public URL is public, without starting warroom.
func MustConnectWorld(tb testing.TB, public string) *connectEnv {
	tb.Helper()
	w, err := startWorldWith(slackfake.Config{AckTimeout: 500 * time.Millisecond, PingInterval: time.Second}, func(c *zoomfake.Config) {
		c.Hosts = []zoomfake.User{
			{Email: robotEmail, FirstName: "Robot", LastName: "Host", Type: 2},
			{Email: backupEmail, FirstName: "Backup", LastName: "Host", Type: 1},
		}
		c.RedirectURIs = []string{public + "/zoom/oauth/callback"}
		c.WebhookURL = public + "/zoom/webhook"
		c.WebhookSecret = hookSecret
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(w.Close)
	return &connectEnv{w: w, public: public, dir: tb.TempDir()}
}

// env is the connect configuration as environment variables, for the
// real binary.
func (e *connectEnv) env() []string {
	c := e.config()
	return []string{
		"SLACK_BOT_TOKEN=" + c.SlackBotToken, "SLACK_APP_TOKEN=" + c.SlackAppToken, "SLACK_API_URL=" + c.SlackAPIURL,
		"ZOOM_API_URL=" + c.ZoomAPIURL, "ZOOM_OAUTH_URL=" + c.ZoomOAuthURL,
		"ZOOM_CLIENT_ID=" + c.ZoomClientID, "ZOOM_CLIENT_SECRET=" + c.ZoomClientSecret,
		"ZOOM_WEBHOOK_SECRET=" + hookSecret, "WARROOM_DB=" + c.DB,
		"WARROOM_PUBLIC_URL=" + e.public, "WARROOM_HTTP_ADDR=" + strings.TrimPrefix(e.public, "http://"),
		"WARROOM_SECRET_KEY=" + base64.StdEncoding.EncodeToString(c.SecretKey),
	}
}

func (e *connectEnv) config() config.Config {
	cfg := e.w.config(e.dir)
	cfg.ZoomAccountID = "" // user OAuth only
	cfg.ZoomHosts = nil
	cfg.PublicURL = e.public
	cfg.SecretKey = bytes.Repeat([]byte{7}, 32)
	cfg.ZoomWebhookKey = hookSecret
	return cfg
}

func (e *connectEnv) start(tb testing.TB, ln net.Listener, tune func(*Tuning)) *running {
	tb.Helper()
	m, log := newTestMain(e.config())
	m.Listener = ln
	m.Tune = func(t *Tuning) {
		fastRetries(t)
		if tune != nil {
			tune(t)
		}
	}
	return MustStart(tb, e.w, m, log)
}

// slash runs a slash command and returns the answer the user got through
// the response_url.
func (e *connectEnv) slash(tb testing.TB, user, text string) slackfake.Ephemeral {
	tb.Helper()
	d, _ := declare(tb, e.w, user, text)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got slackfake.Ephemeral
	err := waitFor(ctx, func() bool {
		for _, x := range e.w.Slack.Ephemerals(user) {
			// Only this command's answer: other replies (a declare's
			// confirmation) may land meanwhile.
			if x.Via == "response_url" && x.ResponseURL == d.ResponseURL {
				got = x
				return true
			}
		}
		return false
	})
	if err != nil {
		tb.Fatalf("/incident %s: no answer for %s", text, user)
	}
	return got
}

// connectLink asks for /incident zoom connect and returns the button's URL.
func (e *connectEnv) connectLink(tb testing.TB) string {
	tb.Helper()
	ans := e.slash(tb, connectAdmin, "zoom connect")
	link := buttonURL(ans.Blocks, blocks.ActionConnectZoom)
	if !strings.HasPrefix(link, e.public+"/zoom/connect?state=") {
		tb.Fatalf("connect answer has no Connect Zoom button to %s: %q %s", e.public, ans.Text, ans.Blocks)
	}
	return link
}

var noRedirects = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func get(tb testing.TB, u string) (int, http.Header, string) {
	tb.Helper()
	resp, err := noRedirects.Get(u)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

// consent follows a Connect Zoom link through Zoom's consent page as a
// browser without JavaScript would, choosing user and decision, and
// returns the callback page.
func (e *connectEnv) consent(tb testing.TB, link, user, decision string) (int, string) {
	tb.Helper()
	status, body, err := e.tryConsent(link, user, decision)
	if err != nil {
		tb.Fatal(err)
	}
	return status, body
}

func (e *connectEnv) tryConsent(link, user, decision string) (int, string, error) {
	b := testworld.NewBrowser()
	return e.tryConsentIn(b, b, link, user, decision)
}

// tryConsentIn opens the link in one browser and finishes at Zoom and on
// the callback in another (the same one, normally).
func (e *connectEnv) tryConsentIn(opener, finisher *http.Client, link, user, decision string) (int, string, error) {
	return testworld.Consent(opener, finisher, e.w.Zoom.URL(), e.public, link, user, decision)
}

func (e *connectEnv) hosts(tb testing.TB) int {
	tb.Helper()
	hosts, err := e.run.Main.store.ZoomHosts(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return len(hosts)
}

func TestConnectZoomEndToEnd(t *testing.T) {
	// Backoffs far longer than the test: the incident waiting for a host
	// gets its call because connecting retries it at once.
	e := MustRunConnect(t, func(c *Tuning) {
		c.Jobs.RetryBase, c.Jobs.RetryMax = time.Hour, time.Hour
		c.Workflow.MeetingRetryBase, c.Workflow.MeetingRetryMax = time.Hour, time.Hour
	})

	// Without a connection, an incident still gets its channel and says why
	// there is no call.
	declare(t, e.w, "U1", "declare Before connect")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := waitFor(ctx, func() bool {
		r, ok := e.w.room(todayName("Before connect", 1))
		return ok && len(r.Pins) == 1 && strings.Contains(string(r.Pins[0].Blocks), "no Zoom account is connected")
	}); err != nil {
		t.Fatal("an incident without any Zoom host did not say so")
	}

	status, page := e.consent(t, e.connectLink(t), robotEmail, "allow")
	if status != http.StatusOK || !strings.Contains(page, "Connected as "+robotEmail) || !strings.Contains(page, "close this tab") {
		t.Fatalf("callback: HTTP %d\n%s", status, page)
	}
	// The admin hears it in Slack too.
	if err := waitFor(ctx, func() bool {
		for _, m := range e.w.Slack.DirectMessages(connectAdmin) {
			if strings.Contains(m.Text, "Zoom is connected as "+robotEmail) {
				return true
			}
		}
		return false
	}); err != nil {
		t.Errorf("admin got no Slack confirmation: %+v", e.w.Slack.DirectMessages(connectAdmin))
	}

	// The waiting incident gets its call on the connected account, and new
	// ones are created with that account's token.
	assertRoomOnHost(t, e, "Before connect", robotEmail)
	declare(t, e.w, "U2", "declare After connect")
	assertRoomOnHost(t, e, "After connect", robotEmail)
	if n := e.w.Zoom.TokenRequests("authorization_code"); n != 1 {
		t.Errorf("%d authorization_code exchanges, want 1", n)
	}
	if n := e.w.Zoom.TokenRequests("account_credentials"); n != 0 {
		t.Errorf("%d Server-to-Server token requests in user-OAuth mode", n)
	}

	// Status shows the host, its licence, capacity and today's use.
	st := e.slash(t, connectAdmin, "zoom status").Text
	for _, want := range []string{"user OAuth", robotEmail, "Licensed", "2 of 2 concurrent", "2/100 meeting requests today", "token ok"} {
		if !strings.Contains(st, want) {
			t.Errorf("status lacks %q:\n%s", want, st)
		}
	}

	// The DB holds no token in the clear.
	e.run.Stop(t)
	db, err := os.ReadFile(e.config().DB)
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(e.config().DB + "-wal")
	for _, tok := range e.w.Zoom.IssuedTokens() {
		if bytes.Contains(db, []byte(tok)) || bytes.Contains(wal, []byte(tok)) {
			t.Errorf("the database holds a Zoom token in plain text (%s…)", tok[:6])
		}
	}
	logHasNoSecrets(t, e.w, e.run.Log.String())
}

func assertRoomOnHost(tb testing.TB, e *connectEnv, title, host string) {
	tb.Helper()
	r := MustWaitRoom(tb, e.w, todayName(title, 1))
	for _, m := range e.w.Zoom.Meetings() {
		if m.JoinURL == r.JoinURL() {
			if m.HostEmail != host {
				tb.Errorf("%s: meeting hosted by %s, want %s", title, m.HostEmail, host)
			}
			return
		}
	}
	tb.Errorf("%s: the Join Call URL %s is no meeting at Zoom", title, r.JoinURL())
}

func TestConnectRefusals(t *testing.T) {
	e := MustRunConnect(t, nil)

	// A non-admin is refused politely and nothing is issued.
	if got := e.slash(t, notAnAdmin, "zoom connect"); !strings.Contains(got.Text, "only warroom admins") || len(got.Blocks) > 2 && strings.Contains(string(got.Blocks), "/zoom/connect") {
		t.Errorf("non-admin got %q %s", got.Text, got.Blocks)
	}
	for _, cmd := range []string{"zoom status", "zoom disconnect"} {
		if got := e.slash(t, notAnAdmin, cmd).Text; !strings.Contains(got, "only warroom admins") {
			t.Errorf("non-admin /incident %s got %q", cmd, got)
		}
	}

	// Denied consent stores nothing.
	status, page := e.consent(t, e.connectLink(t), robotEmail, "deny")
	if status != http.StatusOK || !strings.Contains(page, "declined") || e.hosts(t) != 0 {
		t.Errorf("deny: HTTP %d, %d hosts stored\n%s", status, e.hosts(t), page)
	}

	// A forged state is refused at both ends.
	for _, u := range []string{e.public + "/zoom/connect?state=forged", e.public + "/zoom/oauth/callback?code=x&state=forged", e.public + "/zoom/connect"} {
		if status, _, body := get(t, u); status != http.StatusBadRequest || !strings.Contains(body, "Zoom was not connected") {
			t.Errorf("GET %s: HTTP %d\n%s", u, status, body)
		}
	}

	// A used link cannot be replayed.
	link := e.connectLink(t)
	status, _ = e.consent(t, link, robotEmail, "allow")
	if status != http.StatusOK || e.hosts(t) != 1 {
		t.Fatalf("connect: HTTP %d, %d hosts", status, e.hosts(t))
	}
	if status, _, body := get(t, link); status != http.StatusBadRequest || !strings.Contains(body, "already been used") {
		t.Errorf("reused link: HTTP %d\n%s", status, body)
	}

	// A code Zoom refuses (wrong or replayed) stores nothing new.
	link = e.connectLink(t)
	state := strings.TrimPrefix(link, e.public+"/zoom/connect?state=")
	browser := testworld.NewBrowser()
	browser.Get(link) // starts the flow: the verifier is made, the browser bound
	resp, err := browser.Get(e.public + "/zoom/oauth/callback?code=bogus&state=" + url.QueryEscape(state))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "Nothing was stored") {
		t.Errorf("bad code: HTTP %d\n%s", resp.StatusCode, body)
	}
	if e.hosts(t) != 1 {
		t.Errorf("%d hosts after refusals, want the one connected", e.hosts(t))
	}
}

// TestAnExpiredConnectLinkIsRefused has links of its own that live 300 ms:
// the other refusals must not depend on being quicker than that.
func TestAnExpiredConnectLinkIsRefused(t *testing.T) {
	e := MustRunConnect(t, func(c *Tuning) { c.Bot.StateTTL = 300 * time.Millisecond })
	link := e.connectLink(t)
	time.Sleep(400 * time.Millisecond) // past the link's lifetime: a slower machine only makes it older
	if status, _, body := get(t, link); status != http.StatusBadRequest || !strings.Contains(body, "expired") {
		t.Errorf("expired link: HTTP %d\n%s", status, body)
	}
	if e.hosts(t) != 0 {
		t.Errorf("%d hosts after an expired link, want none", e.hosts(t))
	}
}

func TestDisconnectRevokesAndDeletes(t *testing.T) {
	e := MustRunConnect(t, nil)
	if status, _ := e.consent(t, e.connectLink(t), robotEmail, "allow"); status != http.StatusOK {
		t.Fatal("connect failed")
	}
	declare(t, e.w, "U1", "declare Hosted then removed")
	name := todayName("Hosted then removed", 1)
	MustWaitRoom(t, e.w, name)

	ans := e.slash(t, connectAdmin, "zoom disconnect "+robotEmail).Text
	if !strings.Contains(ans, "Disconnected "+robotEmail) || !strings.Contains(ans, "1 incident") {
		t.Errorf("disconnect answer %q", ans)
	}
	if e.hosts(t) != 0 {
		t.Error("the account is still stored")
	}
	// Zoom no longer honours its tokens.
	for _, tok := range e.w.Zoom.IssuedTokens() {
		c := zoom.NewClientWithTokens(e.w.Zoom.APIURL(), nil, staticTokenSource(tok))
		if _, err := c.GetUser(context.Background(), "me"); err == nil {
			t.Errorf("token %s… still works after disconnect", tok[:6])
		}
	}
	// The incident keeps its channel; its message says the call was removed.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := waitFor(ctx, func() bool {
		r, ok := e.w.room(name)
		return ok && len(r.Pins) == 1 && strings.Contains(string(r.Pins[0].Blocks), "Zoom connection was removed") &&
			r.JoinURL() == "" && !strings.Contains(r.Channel.Topic, "zoom.us")
	}); err != nil {
		r, _ := e.w.room(name)
		t.Errorf("the channel still offers the removed call: topic %q, message:\n%s", r.Channel.Topic, strings.Join(renderBlocks(r.Pins[0].Blocks), "\n"))
	}
	// The deauthorization Zoom sends after the revoke is harmless.
	time.Sleep(100 * time.Millisecond)
	if strings.Contains(e.run.Log.String(), `"level":"error"`) {
		t.Errorf("errors logged:\n%s", e.run.Log.String())
	}
}

type staticTokenSource string

func (s staticTokenSource) AccessToken(context.Context) (string, error) { return string(s), nil }
func (s staticTokenSource) Invalidate(string)                           {}

func TestDeauthorizationWebhookDeletesAccount(t *testing.T) {
	e := MustRunConnect(t, nil)
	if status, _ := e.consent(t, e.connectLink(t), robotEmail, "allow"); status != http.StatusOK {
		t.Fatal("connect failed")
	}
	if err := e.w.Zoom.Deauthorize(robotEmail); err != nil {
		t.Fatalf("deauthorize: %v", err)
	}
	// Acknowledged once recorded; applied by its job right after.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	told := func() bool {
		for _, m := range e.w.Slack.DirectMessages(connectAdmin) {
			if strings.Contains(m.Text, "removed warroom in Zoom") {
				return true
			}
		}
		return false
	}
	if err := waitFor(ctx, func() bool { return e.hosts(t) == 0 && told() }); err != nil {
		t.Errorf("after the deauthorization: %d accounts stored, admins told %v", e.hosts(t), told())
	}
	if err := e.w.Zoom.ValidateWebhookURL(context.Background()); err != nil {
		t.Errorf("URL validation: %v", err)
	}
}

func TestWebhookSignatures(t *testing.T) {
	e := MustRunConnect(t, nil)
	body := []byte(`{"event":"meeting.started","event_ts":1,"payload":{"object":{"id":"1"}}}`)
	post := func(ts time.Time, sig string, body []byte) int {
		req, _ := http.NewRequest("POST", e.public+"/zoom/webhook", bytes.NewReader(body))
		req.Header.Set("x-zm-request-timestamp", fmt.Sprint(ts.Unix()))
		req.Header.Set("x-zm-signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	now := time.Now()
	if got := post(now, zoom.SignWebhook(hookSecret, now, body), body); got != http.StatusOK {
		t.Errorf("good signature: HTTP %d", got)
	}
	// A replay is acknowledged (so Zoom stops retrying) but not acted on:
	// a replayed deauthorization below must delete nothing.
	if got := post(now, zoom.SignWebhook(hookSecret, now, body), body); got != http.StatusOK {
		t.Errorf("replay: HTTP %d, want 200", got)
	}
	if got := post(now, zoom.SignWebhook("wrong", now, body), body); got != http.StatusUnauthorized {
		t.Errorf("bad signature: HTTP %d, want 401", got)
	}
	old := now.Add(-10 * time.Minute)
	if got := post(old, zoom.SignWebhook(hookSecret, old, body), body); got != http.StatusUnauthorized {
		t.Errorf("stale: HTTP %d, want 401", got)
	}
	// A forged deauthorization deletes nothing.
	if status, _ := e.consent(t, e.connectLink(t), robotEmail, "allow"); status != http.StatusOK {
		t.Fatal("connect failed")
	}
	forged := []byte(`{"event":"app_deauthorized","event_ts":1,"payload":{"user_id":"x"}}`)
	if got := post(now, "v0=deadbeef", forged); got != http.StatusUnauthorized || e.hosts(t) != 1 {
		t.Errorf("forged deauthorization: HTTP %d, %d hosts", got, e.hosts(t))
	}
	// A captured, genuine deauthorization replayed later deletes nothing
	// either: its signature was seen (and past the window it is stale).
	hosts, _ := e.run.Main.store.ZoomHosts(context.Background())
	deauth := []byte(`{"event":"app_deauthorized","event_ts":1,"payload":{"user_id":"` + hosts[0].ZoomUserID + `"}}`)
	sig := zoom.SignWebhook(hookSecret, now, deauth)
	h := http.Header{}
	h.Set("x-zm-request-timestamp", fmt.Sprint(now.Unix()))
	e.run.Main.store.SeenWebhook(context.Background(), web.WebhookDigest(h, deauth), time.Hour) // as if received before
	if got := post(now, sig, deauth); got != http.StatusOK || e.hosts(t) != 1 {
		t.Errorf("replayed deauthorization: HTTP %d, %d hosts", got, e.hosts(t))
	}
}

// TestDeadRefreshTokenTellsAdmins: when Zoom stops accepting an account's
// refresh token, the admins hear in Slack that it must be reconnected, the
// incident says why it has no call, and reconnecting brings the call.
func TestDeadRefreshTokenTellsAdmins(t *testing.T) {
	e := MustRunConnect(t, nil)
	if status, _ := e.consent(t, e.connectLink(t), robotEmail, "allow"); status != http.StatusOK {
		t.Fatal("connect failed")
	}
	// Another party uses the refresh token, so warroom's copy dies.
	ctx := context.Background()
	st := e.run.Main.store
	hosts, _ := st.ZoomHosts(ctx)
	tok, err := st.Tokens(ctx, hosts[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.Refresh}}
	req, _ := http.NewRequest("POST", e.w.Zoom.URL()+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(demoZoomClient, demoZoomSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("out-of-band refresh: %v %v", err, resp)
	}
	resp.Body.Close()
	e.w.Zoom.ExpireAccessTokens()

	declare(t, e.w, "U1", "declare Dead token")
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := waitFor(wctx, func() bool {
		for _, m := range e.w.Slack.DirectMessages(connectAdmin) {
			if strings.Contains(m.Text, robotEmail+" must be reconnected") {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("admins were not told: %+v", e.w.Slack.DirectMessages(connectAdmin))
	}
	if st := e.slash(t, connectAdmin, "zoom status").Text; !strings.Contains(st, "must be reconnected") {
		t.Errorf("status does not show the dead token:\n%s", st)
	}
	// Reconnecting brings the waiting incident its call.
	if status, _ := e.consent(t, e.connectLink(t), robotEmail, "allow"); status != http.StatusOK {
		t.Fatal("reconnect failed")
	}
	assertRoomOnHost(t, e, "Dead token", robotEmail)
}

// TestMalformedAndOversizedInput: payloads no sane sender makes get a
// clear refusal and change nothing.
func TestMalformedAndOversizedInput(t *testing.T) {
	e := MustRunConnect(t, nil)
	post := func(body []byte) int {
		now := time.Now()
		req, _ := http.NewRequest("POST", e.public+"/zoom/webhook", bytes.NewReader(body))
		req.Header.Set("x-zm-request-timestamp", fmt.Sprint(now.Unix()))
		req.Header.Set("x-zm-signature", zoom.SignWebhook(hookSecret, now, body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(bytes.Repeat([]byte("x"), 300<<10)); got != http.StatusRequestEntityTooLarge {
		t.Errorf("300 KiB webhook: HTTP %d, want 413", got)
	}
	if got := post([]byte(`{"event":`)); got != http.StatusBadRequest {
		t.Errorf("truncated JSON webhook: HTTP %d, want 400", got)
	}
	if got := post([]byte(`{"event":"app_deauthorized","payload":{}}`)); got != http.StatusBadRequest {
		t.Errorf("deauthorization without a user: HTTP %d, want 400", got)
	}
	// A 40,000-character command full of control characters and unicode.
	huge := strings.Repeat("ünïcödé 🔥\t\x00 ", 2500)
	_, ack := declare(t, e.w, "U1", "declare "+huge)
	if len(ack.Payload) > 20000 {
		t.Errorf("ack of %d bytes: Slack drops acks of 20 KiB or more", len(ack.Payload))
	}
	if !strings.Contains(string(ack.Payload), "Declaring") {
		t.Errorf("huge declare not accepted: %s", ack.Payload[:200])
	}
	if got := e.slash(t, connectAdmin, "zoom status").Text; !strings.Contains(got, "No Zoom host yet") {
		t.Errorf("status after bad input: %q", got)
	}
}

// The Connect Zoom link works only in the browser that opened it: someone
// else who saw it (or the consent page's address) cannot connect their own
// Zoom account through it. The admin is told which Zoom user was connected,
// with a button to disconnect it.
func TestConnectLinkIsBoundToItsBrowser(t *testing.T) {
	e := MustRunConnect(t, nil)
	admin, other := testworld.NewBrowser(), testworld.NewBrowser()
	link := e.connectLink(t)

	// The admin opens it; someone else opening it afterwards is refused.
	if resp, err := admin.Get(link); err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("the admin's browser: %v %v", resp, err)
	}
	resp, err := other.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "another browser") {
		t.Errorf("another browser opening the link: HTTP %d\n%s", resp.StatusCode, body)
	}

	// Someone who copied the consent page's address signs in at Zoom as
	// their own user: Zoom sends their browser back, and warroom refuses.
	status, page, err := e.tryConsentIn(admin, other, link, backupEmail, "allow")
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusBadRequest || e.hosts(t) != 0 {
		t.Fatalf("a callback in another browser: HTTP %d, %d hosts stored\n%s", status, e.hosts(t), page)
	}

	// The admin can still finish, in their own browser.
	if status, page, err := e.tryConsentIn(admin, admin, link, robotEmail, "allow"); err != nil || status != http.StatusOK || e.hosts(t) != 1 {
		t.Fatalf("the admin finishing: HTTP %d %v, %d hosts\n%s", status, err, e.hosts(t), page)
	}
	hosts, _ := e.run.Main.store.ZoomHosts(context.Background())
	var dm slackfake.Message
	for _, m := range e.w.Slack.DirectMessages(connectAdmin) {
		if strings.Contains(m.Text, "Zoom is connected as "+robotEmail) {
			dm = m
		}
	}
	if dm.TS == "" || !strings.Contains(dm.Text, hosts[0].ZoomUserID) || !strings.Contains(string(dm.Blocks), blocks.ActionDisconnectZoom) {
		t.Fatalf("the admin's confirmation does not name the Zoom user or lacks Disconnect: %q %s", dm.Text, dm.Blocks)
	}

	// Disconnect from the confirmation: a non-admin's click changes nothing.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	click := func(user string) {
		d, err := e.w.Slack.ClickButton(ctx, user, dm.Channel, dm.TS, blocks.ActionDisconnectZoom)
		if err != nil {
			t.Fatal(err)
		}
		e.w.Slack.WaitAck(ctx, d.EnvelopeID)
	}
	click(notAnAdmin)
	time.Sleep(200 * time.Millisecond)
	if e.hosts(t) != 1 {
		t.Fatal("a non-admin's click disconnected the account")
	}
	click(connectAdmin)
	if err := waitFor(ctx, func() bool { return e.hosts(t) == 0 }); err != nil {
		t.Fatal("the admin's Disconnect click left the account connected")
	}
}

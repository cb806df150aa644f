package meetings_test

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/meetings"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

const redirect = "http://127.0.0.1:1/zoom/oauth/callback"

type fixture struct {
	zf    *zoomfake.Server
	st    *store.Store
	pool  *meetings.Pool
	dead  atomic.Int32
	ctx   context.Context
	hosts []zoomfake.User
	cfg   meetings.Config
}

func newFixture(tb testing.TB, s2s bool) *fixture {
	tb.Helper()
	return newFixtureOn(tb, s2s, filepath.Join(tb.TempDir(), "w.db"))
}

// newFixtureOn is newFixture with its store at dsn (a SQLite file or a
// PostgreSQL URL).
func newFixtureOn(tb testing.TB, s2s bool, dsn string) *fixture {
	tb.Helper()
	f := &fixture{ctx: context.Background(), hosts: []zoomfake.User{
		{Email: "business@example.com", Type: 2},
		{Email: "basic@example.com", Type: 1},
		{Email: "pro@example.com", Type: 2},
	}}
	zf, err := zoomfake.Start(zoomfake.Config{AccountID: "acct", ClientID: "cid", ClientSecret: "secret", Hosts: f.hosts, RedirectURIs: []string{redirect}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(zf.Close)
	zf.SetConcurrentMeeting("pro@example.com", "None") // Pro: one meeting at a time
	f.zf = zf
	c, _ := store.NewCipher(bytes.Repeat([]byte{1}, 32))
	st, err := store.Open(f.ctx, dsn, store.WithCipher(c))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	f.st = st
	cfg := meetings.Config{APIURL: zf.APIURL(), OAuthURL: zf.URL(), ClientID: "cid", ClientSecret: "secret", RedirectURL: redirect,
		OnTokenDead: func(context.Context, warroom.ZoomHost, string) { f.dead.Add(1) }}
	if s2s {
		cfg.AccountID = "acct"
		cfg.S2SHosts = []string{"business@example.com", "basic@example.com", "pro@example.com"}
	}
	f.cfg = cfg
	f.pool, err = meetings.New(f.ctx, cfg, st)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// occupy records an active incident whose meeting is on host.
func (f *fixture) occupy(tb testing.TB, host string) {
	tb.Helper()
	rec, _, err := f.st.Declare(f.ctx, store.NewIncident{DedupeKey: time.Now().String() + host, Title: "t", FullTitle: "t",
		Severity: warroom.SEV2, DeclaredBy: "U1"})
	if err != nil {
		tb.Fatal(err)
	}
	if err := f.st.RecordMeetingAttempt(f.ctx, jobtype.Fence{}, rec.ID, store.MeetingAttempt{Tag: "t", Host: host}); err != nil {
		tb.Fatal(err)
	}
}

func TestPickFillsFreeCapacityFirst(t *testing.T) {
	f := newFixture(t, true)
	for _, h := range []string{"business@example.com", "basic@example.com", "pro@example.com"} {
		if _, err := f.pool.LoadProfile(f.ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	status, _ := f.pool.Status(f.ctx)
	caps := map[string]int{}
	for _, s := range status {
		caps[s.Email] = s.Capacity
	}
	if caps["business@example.com"] != 2 || caps["basic@example.com"] != 1 || caps["pro@example.com"] != 1 {
		t.Fatalf("capacities = %v, want business 2, basic 1, pro 1", caps)
	}
	// Four free slots in all: each pick takes a free one, least loaded first.
	var got []string
	for range 4 {
		h, crowded, err := f.pool.Pick(f.ctx, nil)
		if err != nil || crowded {
			t.Fatalf("pick %d: %s crowded=%v err=%v", len(got), h, crowded, err)
		}
		got = append(got, h)
		f.occupy(t, h)
	}
	count := map[string]int{}
	for _, h := range got {
		count[h]++
	}
	if count["business@example.com"] != 2 || count["basic@example.com"] != 1 || count["pro@example.com"] != 1 {
		t.Fatalf("picks %v do not fill each host's capacity", got)
	}
	// Full: the least loaded host is shared, and the caller is told.
	h, crowded, err := f.pool.Pick(f.ctx, nil)
	if err != nil || !crowded || h == "business@example.com" {
		t.Fatalf("pick when full: %s crowded=%v err=%v; want a one-meeting host, crowded", h, crowded, err)
	}
}

func TestPickSkipsHostsAtDailyCap(t *testing.T) {
	f := newFixture(t, true)
	day := time.Now().UTC().Format("2006-01-02")
	for range meetings.DailyCap {
		if _, err := f.st.CountZoomRequest(f.ctx, "business@example.com", day); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.pool.NoteDailyCap(f.ctx, "basic@example.com", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if h, _, err := f.pool.Pick(f.ctx, nil); err != nil || h != "pro@example.com" {
			t.Fatalf("pick = %s, %v; want the only host under its cap", h, err)
		}
	}
	f.pool.NoteDailyCap(f.ctx, "pro@example.com", time.Time{})
	if _, _, err := f.pool.Pick(f.ctx, nil); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("every host capped: err = %v", err)
	}
}

var hidden = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// connect runs the OAuth code flow against the fake for email and stores
// the account through the pool.
func (f *fixture) connect(tb testing.TB, email string) string {
	tb.Helper()
	verifier := oauth2.GenerateVerifier()
	authURL := f.pool.OAuthConfig().AuthCodeURL("st", oauth2.S256ChallengeOption(verifier))
	resp, err := http.Get(authURL)
	if err != nil {
		tb.Fatal(err)
	}
	var page bytes.Buffer
	page.ReadFrom(resp.Body)
	resp.Body.Close()
	form := url.Values{"user": {email}, "decision": {"allow"}}
	for _, m := range hidden.FindAllStringSubmatch(page.String(), -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.PostForm(f.zf.URL()+"/oauth/authorize", form)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	h, err := f.pool.Connect(f.ctx, loc.Query().Get("code"), verifier, "U1")
	if err != nil {
		tb.Fatal(err)
	}
	return h.Key
}

func TestConcurrentCallsRefreshOnce(t *testing.T) {
	f := newFixture(t, false)
	key := f.connect(t, "business@example.com")
	f.zf.ExpireAccessTokens()
	if err := f.st.ExpireAccessToken(f.ctx, key); err != nil {
		t.Fatal(err)
	}
	before, _ := f.st.Tokens(f.ctx, key)

	c, user, err := f.pool.Client(f.ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			if _, err := c.GetUser(f.ctx, user); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("call during refresh: %v", err)
	}
	if n := f.zf.TokenRequests("refresh_token"); n != 1 {
		t.Errorf("%d refreshes for 20 concurrent calls, want 1", n)
	}
	after, _ := f.st.Tokens(f.ctx, key)
	if after.Refresh == before.Refresh || after.Access == before.Access {
		t.Error("the rotated tokens were not stored")
	}
	// The stored refresh token is the live one: another refresh works.
	f.zf.ExpireAccessTokens()
	f.st.ExpireAccessToken(f.ctx, key)
	if _, err := c.GetUser(f.ctx, user); err != nil {
		t.Errorf("second refresh: %v", err)
	}
	if f.dead.Load() != 0 {
		t.Error("a healthy account was reported dead")
	}
}

func TestRefreshFailingForGoodRetiresTheAccount(t *testing.T) {
	f := newFixture(t, false)
	key := f.connect(t, "business@example.com")
	// Someone else uses the refresh token: ours is now dead at Zoom.
	tok, _ := f.st.Tokens(f.ctx, key)
	octx := context.Background()
	if _, err := f.pool.OAuthConfig().TokenSource(octx, &oauth2.Token{RefreshToken: tok.Refresh, Expiry: time.Unix(1, 0)}).Token(); err != nil {
		t.Fatal(err)
	}
	f.zf.ExpireAccessTokens()
	f.st.ExpireAccessToken(f.ctx, key)

	c, user, _ := f.pool.Client(f.ctx, key)
	if _, err := c.GetUser(f.ctx, user); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("call with a dead refresh token: %v", err)
	}
	if f.dead.Load() != 1 {
		t.Errorf("OnTokenDead called %d times, want 1", f.dead.Load())
	}
	h, _ := f.st.ZoomHost(f.ctx, key)
	if h.Status != warroom.HostNeedsReconnect {
		t.Errorf("host status %q", h.Status)
	}
	if _, _, err := f.pool.Pick(f.ctx, nil); err == nil {
		t.Error("the pool still offers an account that must be reconnected")
	}
	if _, _, err := f.pool.Client(f.ctx, key); err == nil {
		t.Error("Client still hands out the dead account")
	}
	// Reconnecting brings it back.
	f.connect(t, "business@example.com")
	if h, _, err := f.pool.Pick(f.ctx, nil); err != nil || h != key {
		t.Errorf("after reconnect: %s, %v", h, err)
	}
}

func TestPasscodeMeetsHostRules(t *testing.T) {
	f := newFixture(t, true)
	f.zf.SetPasscodeRules("business@example.com", zoomfake.PasscodeRules{Length: 10, OnlyAllowNumeric: true})
	if _, err := f.pool.LoadProfile(f.ctx, "business@example.com"); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		p, err := f.pool.Passcode(f.ctx, "business@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != 10 || strings.Trim(p, "0123456789") != "" {
			t.Fatalf("passcode %q breaks the host's rule of 10 digits", p)
		}
	}
	c, user, _ := f.pool.Client(f.ctx, "business@example.com")
	p, _ := f.pool.Passcode(f.ctx, "business@example.com")
	m, err := c.CreateMeeting(f.ctx, user, zoom.CreateMeetingRequest{Topic: "t", Type: 3, Password: p})
	if err != nil {
		t.Fatalf("Zoom refused a generated passcode: %v", err)
	}
	if !strings.Contains(m.JoinURL, "pwd=") {
		t.Errorf("join URL %s does not carry the passcode", m.JoinURL)
	}
}

// The pool's view of its hosts counts each pick, and is read again from
// the store only by a pick: a reading taken by some other use of the pool
// (a host's client, while profiles load at start) between a pick and its
// record would forget that pick, and the next meeting would land on the
// same one-meeting host.
func TestAPickIsNotForgottenBeforeItIsRecorded(t *testing.T) {
	f := newFixture(t, true)
	for _, h := range []string{"business@example.com", "basic@example.com", "pro@example.com"} {
		if _, err := f.pool.LoadProfile(f.ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	oneMeetingHosts := map[string]bool{"business@example.com": true} // leave the two-meeting host out
	first, _, err := f.pool.Pick(f.ctx, oneMeetingHosts)
	if err != nil {
		t.Fatal(err)
	}
	// Meanwhile: a profile is read (the view must be read anew), and the
	// pool is used for another host.
	if _, err := f.pool.LoadProfile(f.ctx, "pro@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.pool.Client(f.ctx, "pro@example.com"); err != nil {
		t.Fatal(err)
	}
	f.occupy(t, first) // the pick's record lands
	second, crowded, err := f.pool.Pick(f.ctx, oneMeetingHosts)
	if err != nil || crowded || second == first {
		t.Fatalf("picks %s then %s (crowded %v, %v): the first, a one-meeting host, was picked twice", first, second, crowded, err)
	}
}

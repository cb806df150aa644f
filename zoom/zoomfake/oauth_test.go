package zoomfake_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

const callback = "https://app.example.com/zoom/callback"

var browser = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func authParams(extra ...string) url.Values {
	v := url.Values{"response_type": {"code"}, "client_id": {"fake-client-id"}, "redirect_uri": {callback}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

// decide submits the authorization form and returns the redirect.
func decide(tb testing.TB, s *zoomfake.Server, form url.Values) (int, *url.URL, string) {
	tb.Helper()
	resp, err := browser.PostForm(s.URL()+"/oauth/authorize", form)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	return resp.StatusCode, loc, string(body)
}

// mustCode gets an authorization code for user, with PKCE extras.
func mustCode(tb testing.TB, s *zoomfake.Server, user string, extra ...string) string {
	tb.Helper()
	form := authParams(extra...)
	form.Set("user", user)
	form.Set("decision", "allow")
	status, loc, body := decide(tb, s, form)
	if status != http.StatusFound || loc.Query().Get("code") == "" {
		tb.Fatalf("authorize: HTTP %d %s %s", status, loc, body)
	}
	return loc.Query().Get("code")
}

func codeForm(code string, extra ...string) url.Values {
	v := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {callback}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

// userToken runs the code flow (no PKCE) for user and returns the answer.
func userToken(tb testing.TB, s *zoomfake.Server, user string) map[string]any {
	tb.Helper()
	status, m := postToken(tb, s, "fake-client-id", "fake-client-secret", codeForm(mustCode(tb, s, user)))
	if status != http.StatusOK {
		tb.Fatalf("code exchange: HTTP %d %v", status, m)
	}
	return m
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func twoHosts() []zoomfake.User {
	return []zoomfake.User{{ID: "u-one", Email: "one@example.com"}, {ID: "u-two", Email: "two@example.com", Type: 1}}
}

func TestAuthorizePage(t *testing.T) {
	s := mustStart(t, zoomfake.Config{AppName: "Incident <Bot>", Hosts: twoHosts(), RedirectURIs: []string{callback}})
	q := authParams("state", `"><script>alert(1)</script>`, "code_challenge", s256("v"), "code_challenge_method", "S256")
	resp, err := browser.Get(s.URL() + "/oauth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("HTTP %d %v", resp.StatusCode, resp.Header)
	}
	for _, want := range []string{
		"Incident &lt;Bot&gt; would like to access your Zoom account",
		`<form method="post" action="/oauth/authorize">`,
		`<select name="user" id="user">`,
		`<option value="one@example.com" selected>one@example.com</option>`,
		`<option value="two@example.com">two@example.com</option>`,
		`<button type="submit" name="decision" value="allow" id="authorize">Authorize</button>`,
		`<button type="submit" name="decision" value="deny" id="deny">Deny</button>`,
		`<input type="hidden" name="code_challenge_method" value="S256">`,
		`<input type="hidden" name="redirect_uri" value="` + callback + `">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(page, "<script>") {
		t.Error("the state is not escaped")
	}
	if n := strings.Count(page, "<form"); n != 1 {
		t.Errorf("%d forms, want one", n)
	}
}

func TestAuthorizeRefusals(t *testing.T) {
	s := mustStart(t, zoomfake.Config{})
	cases := map[string]url.Values{
		"no client_id":           authParams("client_id", ""),
		"unknown client_id":      authParams("client_id", "other"),
		"response_type token":    authParams("response_type", "token"),
		"no redirect_uri":        authParams("redirect_uri", ""),
		"javascript redirect":    authParams("redirect_uri", "javascript:alert(1)"),
		"relative redirect":      authParams("redirect_uri", "/callback"),
		"redirect with fragment": authParams("redirect_uri", callback+"#x"),
		"plain http is fine":     authParams("redirect_uri", "http://localhost:8080/cb"),
		"unknown method":         authParams("code_challenge", s256("v"), "code_challenge_method", "S1"),
	}
	for name, q := range cases {
		t.Run(name, func(t *testing.T) {
			resp, err := browser.Get(s.URL() + "/oauth/authorize?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := http.StatusBadRequest
			if name == "plain http is fine" { // no allow list: any http(s) URL
				want = http.StatusOK
			}
			if resp.StatusCode != want || resp.Header.Get("Location") != "" {
				t.Errorf("HTTP %d Location %q, want %d and no redirect:\n%s", resp.StatusCode, resp.Header.Get("Location"), want, body)
			}
		})
	}

	// A fault on the page is a page too.
	s.InjectFault(zoomfake.Fault{Op: "authorize", Status: 503})
	resp, err := browser.Get(s.URL() + "/oauth/authorize?" + authParams().Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("authorize fault: HTTP %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// The POST repeats every check, and also wants a known user and a
	// decision.
	for name, form := range map[string]url.Values{
		"unknown user": authParams("user", "nobody@example.com", "decision", "allow"),
		"no decision":  authParams("user", "incident-bot@example.com"),
		"bad redirect": authParams("redirect_uri", "ftp://x", "user", "incident-bot@example.com", "decision", "allow"),
	} {
		if status, loc, _ := decide(t, s, form); status != 400 || loc.String() != "" {
			t.Errorf("POST %s: HTTP %d to %q, want 400", name, status, loc)
		}
	}
}

func TestAuthorizeDecision(t *testing.T) {
	s := mustStart(t, zoomfake.Config{RedirectURIs: []string{callback + "?tenant=7"}})
	form := authParams("redirect_uri", callback+"?tenant=7", "state", "s t", "user", "incident-bot@example.com", "decision", "deny")
	status, loc, _ := decide(t, s, form)
	if status != 302 || loc.String() != callback+"?error=access_denied&state=s+t&tenant=7" {
		t.Errorf("deny: HTTP %d to %s", status, loc)
	}
	form.Set("decision", "allow")
	status, loc, _ = decide(t, s, form)
	if q := loc.Query(); status != 302 || q.Get("tenant") != "7" || q.Get("state") != "s t" || len(q.Get("code")) < 32 || q.Has("error") {
		t.Errorf("allow: HTTP %d to %s", status, loc)
	}
	// A redirect_uri that differs from the allowed one even slightly is
	// refused.
	form.Set("redirect_uri", callback)
	if status, _, _ := decide(t, s, form); status != 400 {
		t.Errorf("redirect_uri not on the list: HTTP %d", status)
	}
}

func TestCodeGrant(t *testing.T) {
	clk := newClock(time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC))
	s := mustStart(t, zoomfake.Config{Now: clk.Now, Hosts: twoHosts()})
	const id, secret = "fake-client-id", "fake-client-secret"
	invalidCode := map[string]any{"reason": "Invalid authorization code", "error": "invalid_grant"}
	badVerifier := map[string]any{"reason": "Invalid code_verifier", "error": "invalid_grant"}
	verifier := strings.Repeat("v", 43)

	cases := []struct {
		name   string
		code   func() string
		form   []string
		status int
		want   map[string]any // nil: success
	}{
		{"no PKCE", func() string { return mustCode(t, s, "two@example.com") }, nil, 200, nil},
		{"S256", func() string {
			return mustCode(t, s, "two@example.com", "code_challenge", s256(verifier), "code_challenge_method", "S256")
		}, []string{"code_verifier", verifier}, 200, nil},
		{"plain, by default", func() string { return mustCode(t, s, "two@example.com", "code_challenge", verifier) },
			[]string{"code_verifier", verifier}, 200, nil},
		{"S256 given the challenge itself", func() string {
			return mustCode(t, s, "two@example.com", "code_challenge", s256(verifier), "code_challenge_method", "S256")
		}, []string{"code_verifier", s256(verifier)}, 400, badVerifier},
		{"no verifier", func() string {
			return mustCode(t, s, "two@example.com", "code_challenge", s256(verifier), "code_challenge_method", "S256")
		}, nil, 400, badVerifier},
		{"unknown code", func() string { return "made-up" }, nil, 400, invalidCode},
		{"other redirect_uri", func() string { return mustCode(t, s, "two@example.com") },
			[]string{"redirect_uri", callback + "/x"}, 400, map[string]any{"reason": "Redirect URI mismatch.", "error": "invalid_request"}},
		{"expired", func() string {
			c := mustCode(t, s, "two@example.com")
			clk.Add(5*time.Minute + time.Second)
			return c
		}, nil, 400, invalidCode},
		{"just in time", func() string {
			c := mustCode(t, s, "two@example.com")
			clk.Add(5*time.Minute - time.Second)
			return c
		}, nil, 200, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code := tc.code()
			status, m := postToken(t, s, id, secret, codeForm(code, tc.form...))
			if tc.want != nil {
				if status != tc.status || !cmp.Equal(m, tc.want) {
					t.Errorf("HTTP %d %v, want HTTP %d %v", status, m, tc.status, tc.want)
				}
				return
			}
			if status != 200 || m["token_type"] != "bearer" || m["refresh_token"] == "" || m["expires_in"] != float64(3599) ||
				m["scope"] != "meeting:write:meeting meeting:read:meeting meeting:update:meeting meeting:delete:meeting meeting:read:list_meetings user:read:user user:read:settings" {
				t.Fatalf("HTTP %d %v", status, m)
			}
			// The token acts as the user who signed in.
			_, _, body := call(t, "GET", s.APIURL()+"/users/me", m["access_token"].(string), "")
			if got := decode(t, body)["id"]; got != "u-two" {
				t.Errorf("me = %v, want u-two", got)
			}
			// A code works once.
			if status, m := postToken(t, s, id, secret, codeForm(code, tc.form...)); status != 400 || !cmp.Equal(m, invalidCode) {
				t.Errorf("second exchange: HTTP %d %v", status, m)
			}
		})
	}

	// Four exchanges twice, five refused once.
	if got, want := s.TokenRequests("authorization_code"), 4*2+5; got != want {
		t.Errorf("TokenRequests(authorization_code) = %d, want %d", got, want)
	}
}

// postTokenQuery posts to the token endpoint with query in the URL and
// body as the form body ("" for none).
func postTokenQuery(tb testing.TB, s *zoomfake.Server, query, body url.Values) (int, map[string]any) {
	tb.Helper()
	req, err := http.NewRequest("POST", s.URL()+"/oauth/token?"+query.Encode(), strings.NewReader(body.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("fake-client-id", "fake-client-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		tb.Fatalf("token answer is not JSON: %v", err)
	}
	return resp.StatusCode, m
}

// Zoom takes the token request's parameters in the query string as well
// as in the form body (its documentation shows both, its WebSocket sample
// uses the query string); where both name one, the body's wins.
func TestTokenParametersInTheQueryString(t *testing.T) {
	s := mustStart(t, zoomfake.Config{})
	ok := func(what string, status int, m map[string]any) {
		t.Helper()
		if status != http.StatusOK || m["access_token"] == nil {
			t.Errorf("%s: HTTP %d %v", what, status, m)
		}
	}
	status, m := postTokenQuery(t, s, s2sForm("fake-account"), nil)
	ok("account_credentials in the query string", status, m)
	status, m = postTokenQuery(t, s, url.Values{"grant_type": {"client_credentials"}}, nil)
	ok("client_credentials in the query string", status, m)
	status, m = postTokenQuery(t, s, codeForm(mustCode(t, s, "incident-bot@example.com")), nil)
	ok("authorization_code in the query string", status, m)
	rt, _ := m["refresh_token"].(string)
	status, m = postTokenQuery(t, s, refreshForm(rt), nil)
	ok("refresh_token in the query string", status, m)

	status, m = postTokenQuery(t, s, s2sForm("someone-elses"), s2sForm("fake-account"))
	ok("a wrong account_id in the query string, the right one in the body", status, m)
	status, m = postTokenQuery(t, s, s2sForm("fake-account"), s2sForm("someone-elses"))
	if want := map[string]any{"reason": "Invalid account_id", "error": "invalid_grant"}; status != http.StatusBadRequest || !cmp.Equal(m, want) {
		t.Errorf("the right account_id in the query string, a wrong one in the body: HTTP %d %v", status, m)
	}
	for grant, want := range map[string]int{"account_credentials": 3, "client_credentials": 1, "authorization_code": 1, "refresh_token": 1} {
		if got := s.TokenRequests(grant); got != want {
			t.Errorf("TokenRequests(%s) = %d, want %d", grant, got, want)
		}
	}

	// Revocation reads the query string too.
	tok := mustToken(t, s)
	req, _ := http.NewRequest("POST", s.URL()+"/oauth/revoke?token="+url.QueryEscape(tok), nil)
	req.SetBasicAuth("fake-client-id", "fake-client-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("revoke with the token in the query string: HTTP %d", resp.StatusCode)
	}
	if status, _, body := call(t, "GET", s.APIURL()+"/users/me", tok, ""); status != http.StatusUnauthorized {
		t.Errorf("the revoked token still works: HTTP %d %s", status, body)
	}
}

func refreshForm(rt string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
}

func TestRefreshRotation(t *testing.T) {
	s := mustStart(t, zoomfake.Config{})
	const id, secret = "fake-client-id", "fake-client-secret"
	invalid := map[string]any{"reason": "Invalid Token!", "error": "invalid_grant"}
	first := userToken(t, s, "incident-bot@example.com")

	status, second := postToken(t, s, id, secret, refreshForm(first["refresh_token"].(string)))
	if status != 200 || second["refresh_token"] == first["refresh_token"] || second["access_token"] == first["access_token"] ||
		second["scope"] != first["scope"] || second["expires_in"] != float64(3599) {
		t.Fatalf("refresh: HTTP %d %v", status, second)
	}
	if status, m := postToken(t, s, id, secret, refreshForm(first["refresh_token"].(string))); status != 400 || !cmp.Equal(m, invalid) {
		t.Errorf("old refresh token: HTTP %d %v, want 400 %v", status, m, invalid)
	}
	// The old access token lives on until it expires.
	if status, _, _ := call(t, "GET", s.APIURL()+"/users/me", first["access_token"].(string), ""); status != 200 {
		t.Errorf("access token of the previous refresh: HTTP %d", status)
	}
	// An access token is not a refresh token.
	if status, m := postToken(t, s, id, secret, refreshForm(second["access_token"].(string))); status != 400 || !cmp.Equal(m, invalid) {
		t.Errorf("access token as refresh token: HTTP %d %v", status, m)
	}

	// Two refreshes racing with the same token: exactly one wins, as when
	// two replicas refresh at once.
	rt := second["refresh_token"].(string)
	var wg sync.WaitGroup
	wins := make(chan bool, 8)
	for range 8 {
		wg.Go(func() {
			status, _ := postToken(t, s, id, secret, refreshForm(rt))
			wins <- status == 200
		})
	}
	wg.Wait()
	close(wins)
	n := 0
	for w := range wins {
		if w {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d of 8 concurrent refreshes with one token succeeded, want 1", n)
	}
	if got := s.TokenRequests("refresh_token"); got != 11 {
		t.Errorf("TokenRequests(refresh_token) = %d, want 11", got)
	}
}

func TestUserTokenIsThatUser(t *testing.T) {
	s := mustStart(t, zoomfake.Config{Hosts: twoHosts()})
	tok := userToken(t, s, "two@example.com")["access_token"].(string)
	s2s := mustToken(t, s)
	noPermission := `{"code":200,"message":"No permission."}`

	for _, u := range []string{"me", "u-two", "TWO@example.com"} {
		if status, _, body := call(t, "GET", s.APIURL()+"/users/"+u, tok, ""); status != 200 || decode(t, body)["id"] != "u-two" {
			t.Errorf("GET /users/%s: HTTP %d %s", u, status, body)
		}
	}
	for _, path := range []string{"/users/one@example.com", "/users/u-one/settings", "/users/u-one/meetings"} {
		if status, _, body := call(t, "GET", s.APIURL()+path, tok, ""); status != 400 || strings.TrimSpace(body) != noPermission {
			t.Errorf("GET %s: HTTP %d %s, want 400 %s", path, status, body, noPermission)
		}
	}
	status, _, body := call(t, "POST", s.APIURL()+"/users/u-one/meetings", tok, `{"topic":"t"}`)
	if status != 400 || strings.TrimSpace(body) != noPermission {
		t.Errorf("create for another user: HTTP %d %s", status, body)
	}
	theirs := createMeeting(t, s, s2s, "one@example.com", `{"topic":"theirs","type":2}`)
	mine := createMeeting(t, s, tok, "me", `{"topic":"mine","type":2}`)
	u := fmt.Sprintf("%s/meetings/%d", s.APIURL(), theirs)
	for _, m := range []struct{ method, body string }{{"GET", ""}, {"PATCH", `{"topic":"x"}`}, {"DELETE", ""}, {"PUT", `{"action":"end"}`}} {
		path := u
		if m.method == "PUT" {
			path += "/status"
		}
		if status, _, body := call(t, m.method, path, tok, m.body); status != 400 || strings.TrimSpace(body) != noPermission {
			t.Errorf("%s another user's meeting: HTTP %d %s", m.method, status, body)
		}
	}
	if status, _, body := call(t, "GET", fmt.Sprintf("%s/meetings/%d", s.APIURL(), mine), tok, ""); status != 200 || decode(t, body)["host_id"] != "u-two" {
		t.Errorf("own meeting: HTTP %d %s", status, body)
	}
	// The account token is not tied to a user.
	if status, _, _ := call(t, "GET", u, s2s, ""); status != 200 {
		t.Errorf("S2S GET: HTTP %d", status)
	}
	if m, _ := s.Meeting(theirs); m.Topic != "theirs" {
		t.Errorf("another user's meeting changed: %+v", m)
	}
}

// webhookSink records raw webhook requests and answers status.
type webhookSink struct {
	*httptest.Server
	got chan *http.Request
}

func newSink(t *testing.T, status int) *webhookSink {
	t.Helper()
	ws := &webhookSink{got: make(chan *http.Request, 10)}
	ws.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		ws.got <- r
		w.WriteHeader(status)
	}))
	t.Cleanup(ws.Close)
	return ws
}

func (ws *webhookSink) next(t *testing.T) (*http.Request, []byte) {
	t.Helper()
	select {
	case r := <-ws.got:
		b, _ := io.ReadAll(r.Body)
		return r, b
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook arrived")
	}
	return nil, nil
}

// checkSignature verifies Zoom's webhook signature independently of the
// client package.
func checkSignature(t *testing.T, secret string, r *http.Request, body []byte) {
	t.Helper()
	ts := r.Header.Get("x-zm-request-timestamp")
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + ts + ":" + string(body)))
	if want := "v0=" + hex.EncodeToString(m.Sum(nil)); r.Header.Get("x-zm-signature") != want {
		t.Errorf("x-zm-signature %q, want %q", r.Header.Get("x-zm-signature"), want)
	}
}

func TestRevokeSendsDeauthorization(t *testing.T) {
	clk := newClock(time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC))
	sink := newSink(t, http.StatusOK)
	s := mustStart(t, zoomfake.Config{Now: clk.Now, Hosts: twoHosts(), WebhookURL: sink.URL, WebhookSecret: "whs"})
	const id, secret = "fake-client-id", "fake-client-secret"
	revoke := func(user, pass, tok string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", s.URL()+"/oauth/revoke", strings.NewReader(url.Values{"token": {tok}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(user, pass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	one := userToken(t, s, "one@example.com")
	two := userToken(t, s, "two@example.com")
	twoAgain := userToken(t, s, "two@example.com") // a second connection of the same user

	if status, m := revoke(id, "wrong", two["access_token"].(string)); status != 401 || m["error"] != "invalid_client" {
		t.Errorf("wrong secret: HTTP %d %v", status, m)
	}
	if status, m := revoke(id, secret, ""); status != 400 || m["reason"] != "Token cannot be empty." {
		t.Errorf("no token: HTTP %d %v", status, m)
	}
	if status, m := revoke(id, secret, two["refresh_token"].(string)); status != 200 || !cmp.Equal(m, map[string]any{"status": "success"}) {
		t.Fatalf("revoke: HTTP %d %v", status, m)
	}
	// Every token of that user's grant is dead, the other user's are not.
	for _, tok := range []string{two["access_token"].(string), twoAgain["access_token"].(string)} {
		if status, _, body := call(t, "GET", s.APIURL()+"/users/me", tok, ""); status != 401 || decode(t, body)["code"] != json.Number("124") {
			t.Errorf("revoked access token: HTTP %d %s", status, body)
		}
	}
	if status, _ := postToken(t, s, id, secret, refreshForm(twoAgain["refresh_token"].(string))); status != 400 {
		t.Errorf("refresh token of the revoked grant: HTTP %d", status)
	}
	if status, _, _ := call(t, "GET", s.APIURL()+"/users/me", one["access_token"].(string), ""); status != 200 {
		t.Errorf("the other user's token: HTTP %d", status)
	}
	if status, m := revoke(id, secret, two["refresh_token"].(string)); status != 400 || !cmp.Equal(m, map[string]any{"reason": "Invalid Token!", "error": "invalid_grant"}) {
		t.Errorf("revoking again: HTTP %d %v", status, m)
	}

	r, body := sink.next(t)
	checkSignature(t, "whs", r, body)
	if r.Header.Get("x-zm-request-timestamp") != strconv.FormatInt(clk.Now().Unix(), 10) ||
		r.Header.Get("User-Agent") != "Zoom Marketplace/1.0a" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("webhook headers %v", r.Header)
	}
	var ev struct {
		Event   string            `json:"event"`
		EventTS int64             `json:"event_ts"`
		Payload map[string]string `json:"payload"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	sig := ev.Payload["signature"]
	delete(ev.Payload, "signature")
	want := map[string]string{"account_id": "fake-account", "client_id": id, "user_id": "u-two",
		"deauthorization_time": "2026-03-14T12:00:00Z", "user_data_retention": "false"}
	if ev.Event != "app_deauthorized" || ev.EventTS != clk.Now().UnixMilli() || sig == "" || !cmp.Equal(ev.Payload, want) {
		t.Errorf("event %s at %d, signature %q, payload %v", ev.Event, ev.EventTS, sig, ev.Payload)
	}
	select {
	case r := <-sink.got:
		t.Errorf("a second webhook: %v", r.Header)
	case <-time.After(100 * time.Millisecond):
	}

	// Revoking a Server-to-Server token revokes that token, nothing else.
	s2s := mustToken(t, s)
	if status, _ := revoke(id, secret, s2s); status != 200 {
		t.Errorf("revoke S2S token: HTTP %d", status)
	}
	if status, _, _ := call(t, "GET", s.APIURL()+"/users/me", s2s, ""); status != 401 {
		t.Errorf("revoked S2S token: HTTP %d", status)
	}
	select {
	case <-sink.got:
		t.Error("an S2S revocation sent app_deauthorized")
	case <-time.After(100 * time.Millisecond):
	}
}

func TestDeauthorize(t *testing.T) {
	if err := mustStart(t, zoomfake.Config{}).Deauthorize("incident-bot@example.com"); err == nil {
		t.Error("Deauthorize without a WebhookURL succeeded")
	}
	sink := newSink(t, http.StatusInternalServerError)
	s := mustStart(t, zoomfake.Config{Hosts: twoHosts(), WebhookURL: sink.URL})
	if err := s.Deauthorize("nobody@example.com"); err == nil {
		t.Error("Deauthorize of an unknown user succeeded")
	}
	tok := userToken(t, s, "one@example.com")
	// The receiver fails: the error says so, and the grant is gone anyway.
	if err := s.Deauthorize("one@example.com"); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("err = %v, want the receiver's HTTP 500", err)
	}
	r, body := sink.next(t)
	checkSignature(t, "fake-webhook-secret", r, body)
	if status, _, _ := call(t, "GET", s.APIURL()+"/users/me", tok["access_token"].(string), ""); status != 401 {
		t.Errorf("access token after Deauthorize: HTTP %d", status)
	}
	if err := s.Deauthorize("one@example.com"); err == nil {
		t.Error("a second Deauthorize succeeded: the app is no longer installed")
	}
}

func TestWebhookValidation(t *testing.T) {
	answer := func(f func(plain string) any) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var ev struct {
				Event   string
				Payload struct{ PlainToken string }
			}
			_ = json.NewDecoder(r.Body).Decode(&ev)
			if ev.Event != "endpoint.url_validation" || ev.Payload.PlainToken == "" {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			_ = json.NewEncoder(w).Encode(f(ev.Payload.PlainToken))
		}
	}
	encrypt := func(secret, plain string) string {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(plain))
		return hex.EncodeToString(m.Sum(nil))
	}
	cases := map[string]struct {
		h  http.HandlerFunc
		ok bool
	}{
		"right": {answer(func(p string) any {
			return map[string]string{"plainToken": p, "encryptedToken": encrypt("fake-webhook-secret", p)}
		}), true},
		"wrong secret": {answer(func(p string) any {
			return map[string]string{"plainToken": p, "encryptedToken": encrypt("other", p)}
		}), false},
		"other plainToken": {answer(func(p string) any {
			return map[string]string{"plainToken": p + "x", "encryptedToken": encrypt("fake-webhook-secret", p+"x")}
		}), false},
		"no answer": {answer(func(string) any { return map[string]string{} }), false},
		"not 200":   {func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			s := mustStart(t, zoomfake.Config{WebhookURL: srv.URL})
			if err := s.ValidateWebhookURL(context.Background()); (err == nil) != tc.ok {
				t.Errorf("err = %v, want ok=%t", err, tc.ok)
			}
		})
	}
	if err := mustStart(t, zoomfake.Config{}).ValidateWebhookURL(context.Background()); err == nil {
		t.Error("validation without a WebhookURL succeeded")
	}
}

func TestTokenLifetime(t *testing.T) {
	clk := newClock(time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC))
	s := mustStart(t, zoomfake.Config{Now: clk.Now, TokenLifetime: 90*time.Second + time.Millisecond})
	status, m := postToken(t, s, "fake-client-id", "fake-client-secret", s2sForm("fake-account"))
	if status != 200 || m["expires_in"] != float64(91) {
		t.Errorf("HTTP %d expires_in %v, want 91 (rounded up)", status, m["expires_in"])
	}
	tok := m["access_token"].(string)
	user := userToken(t, s, "incident-bot@example.com")["access_token"].(string)
	clk.Add(90 * time.Second)
	for _, tk := range []string{tok, user} {
		if status, _, _ := call(t, "GET", s.APIURL()+"/users/me", tk, ""); status != 200 {
			t.Errorf("before expiry: HTTP %d", status)
		}
	}
	clk.Add(time.Millisecond)
	if status, _, body := call(t, "GET", s.APIURL()+"/users/me", tok, ""); status != 401 || decode(t, body)["code"] != json.Number("124") {
		t.Errorf("at expiry: HTTP %d %s", status, body)
	}

	fresh := mustToken(t, s)
	s.ExpireAccessTokens()
	if status, _, body := call(t, "GET", s.APIURL()+"/users/me", fresh, ""); status != 401 || decode(t, body)["code"] != json.Number("124") {
		t.Errorf("after ExpireAccessTokens: HTTP %d %s", status, body)
	}
	later := mustToken(t, s)
	if status, _, _ := call(t, "GET", s.APIURL()+"/users/me", later, ""); status != 200 {
		t.Errorf("a token issued after ExpireAccessTokens: HTTP %d", status)
	}
	if a, c, r := s.TokenRequests("account_credentials"), s.TokenRequests("authorization_code"), s.TokenRequests("refresh_token"); a != 3 || c != 1 || r != 0 {
		t.Errorf("TokenRequests: account_credentials %d, authorization_code %d, refresh_token %d; want 3, 1, 0", a, c, r)
	}
}

// TestNothingSecretInTheRequestLog runs every OAuth flow and checks that
// Requests, the fake's only log, shows no token, code or secret.
func TestNothingSecretInTheRequestLog(t *testing.T) {
	sink := newSink(t, http.StatusOK)
	s := mustStart(t, zoomfake.Config{WebhookURL: sink.URL})
	code := mustCode(t, s, "incident-bot@example.com")
	status, m := postToken(t, s, "fake-client-id", "fake-client-secret", codeForm(code))
	if status != 200 {
		t.Fatal(m)
	}
	postToken(t, s, "fake-client-id", "fake-client-secret", refreshForm(m["refresh_token"].(string)))
	call(t, "GET", s.APIURL()+"/users/me?access_token="+m["access_token"].(string), m["access_token"].(string), "")
	mustToken(t, s)
	issued := s.IssuedTokens()
	if len(issued) != 5 || !slices.Contains(issued, m["refresh_token"].(string)) || !slices.Contains(issued, m["access_token"].(string)) {
		t.Fatalf("IssuedTokens has %d tokens, want 3 access and 2 refresh tokens", len(issued))
	}
	secrets := append(issued, code, "fake-client-secret")
	for _, r := range s.Requests() {
		line := fmt.Sprintf("%+v", r)
		for _, sec := range secrets {
			if strings.Contains(line, sec) {
				t.Errorf("request log %s shows a secret", line)
			}
		}
	}
}

func TestUserSettingsAnswers(t *testing.T) {
	s := mustStart(t, zoomfake.Config{Hosts: twoHosts()})
	tok := mustToken(t, s)
	get := func(path string) map[string]any {
		t.Helper()
		status, _, body := call(t, "GET", s.APIURL()+path, tok, "")
		if status != 200 {
			t.Fatalf("GET %s: HTTP %d %s", path, status, body)
		}
		return decode(t, body)
	}
	section := func(m map[string]any, keys ...string) map[string]any {
		for _, k := range keys {
			m, _ = m[k].(map[string]any)
		}
		return m
	}
	defaultRules := map[string]any{
		"length": json.Number("6"), "have_letter": true, "have_number": true, "have_special_character": false,
		"have_upper_and_lower_characters": false, "only_allow_numeric": false,
		"consecutive_characters_length": json.Number("0"), "weak_enhance_detection": false,
	}

	general := get("/users/one@example.com/settings")
	if section(general, "schedule_meeting")["require_password_for_scheduling_new_meetings"] != true ||
		section(general, "feature")["concurrent_meeting"] != "Basic" || general["meeting_security"] != nil {
		t.Errorf("general settings: %v", general)
	}
	if diff := cmp.Diff(defaultRules, section(general, "schedule_meeting", "meeting_password_requirement")); diff != "" {
		t.Errorf("schedule_meeting.meeting_password_requirement (-want +got):\n%s", diff)
	}
	security := get("/users/one@example.com/settings?option=meeting_security")
	if len(security) != 1 || section(security, "meeting_security")["meeting_password"] != true {
		t.Errorf("meeting security settings: %v", security)
	}
	if diff := cmp.Diff(defaultRules, section(security, "meeting_security", "meeting_password_requirement")); diff != "" {
		t.Errorf("meeting_security.meeting_password_requirement (-want +got):\n%s", diff)
	}
	if got := section(get("/users/two@example.com/settings"), "feature")["concurrent_meeting"]; got != "None" {
		t.Errorf("basic user's concurrent_meeting = %v, want None", got)
	}

	s.SetPasscodeRules("one@example.com", zoomfake.PasscodeRules{Length: 8, OnlyAllowNumeric: true, ConsecutiveCharactersLength: 4, WeakEnhanceDetection: true})
	s.SetConcurrentMeeting("one@example.com", "")
	s.SetRequirePasscode("one@example.com", false)
	general = get("/users/me/settings")
	if _, ok := section(general, "feature")["concurrent_meeting"]; ok {
		t.Errorf("concurrent_meeting present after SetConcurrentMeeting(\"\"): %v", section(general, "feature"))
	}
	if section(general, "schedule_meeting")["require_password_for_scheduling_new_meetings"] != false {
		t.Error("require_password_for_scheduling_new_meetings still true")
	}
	rules := section(get("/users/me/settings?option=meeting_security"), "meeting_security", "meeting_password_requirement")
	if rules["length"] != json.Number("8") || rules["only_allow_numeric"] != true || rules["consecutive_characters_length"] != json.Number("4") ||
		rules["weak_enhance_detection"] != true || rules["have_letter"] != false {
		t.Errorf("rules after SetPasscodeRules: %v", rules)
	}

	if status, _, body := call(t, "GET", s.APIURL()+"/users/me/settings?option=recording_authentication", tok, ""); status != 400 {
		t.Errorf("an option the fake does not simulate: HTTP %d %s", status, body)
	}
	if status, _, body := call(t, "GET", s.APIURL()+"/users/nobody@example.com/settings", tok, ""); status != 404 ||
		strings.TrimSpace(body) != `{"code":1001,"message":"User does not exist: nobody@example.com."}` {
		t.Errorf("unknown user: HTTP %d %s", status, body)
	}
	for _, bad := range []func(){
		func() { s.SetPasscodeRules("one@example.com", zoomfake.PasscodeRules{ConsecutiveCharactersLength: 3}) },
		func() { s.SetPasscodeRules("one@example.com", zoomfake.PasscodeRules{Length: 11}) },
		func() { s.SetConcurrentMeeting("one@example.com", "Gold") },
		func() { s.SetRequirePasscode("nobody@example.com", true) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("a setting Zoom does not have was accepted")
				}
			}()
			bad()
		}()
	}
}

func TestCreateMeetingPasscodeRules(t *testing.T) {
	s := mustStart(t, zoomfake.Config{})
	tok := mustToken(t, s)
	s.SetPasscodeRules("incident-bot@example.com", zoomfake.PasscodeRules{Length: 8, HaveUpperAndLowerCharacters: true, HaveSpecialCharacter: true})
	for _, pw := range []string{"abcd-efgh", "ABCD-EFGH", "abCDefgh", "aB-c"} {
		status, _, body := call(t, "POST", s.APIURL()+"/users/me/meetings", tok, `{"topic":"t","password":"`+pw+`"}`)
		if status != 400 || strings.TrimSpace(body) != `{"code":300,"message":"Invalid parameter: password."}` {
			t.Errorf("password %q: HTTP %d %s", pw, status, body)
		}
	}
	id := createMeeting(t, s, tok, "me", `{"topic":"t","password":"abCD-efgh"}`)
	if m, _ := s.Meeting(id); m.Password != "abCD-efgh" {
		t.Errorf("password = %q", m.Password)
	}
	id = createMeeting(t, s, tok, "me", `{"topic":"t"}`)
	m, _ := s.Meeting(id)
	if len(m.Password) != 8 || strings.ToLower(m.Password) == m.Password || strings.ToUpper(m.Password) == m.Password ||
		!strings.ContainsAny(m.Password, "@-_*") || !strings.Contains(m.JoinURL, "?pwd="+m.EncryptedPassword) {
		t.Errorf("made-up passcode %q, join URL %s", m.Password, m.JoinURL)
	}

	s.SetRequirePasscode("incident-bot@example.com", false)
	status, _, body := call(t, "POST", s.APIURL()+"/users/me/meetings", tok, `{"topic":"open"}`)
	if status != 201 {
		t.Fatalf("HTTP %d %s", status, body)
	}
	got := decode(t, body)
	for _, k := range []string{"password", "h323_password", "pstn_password", "encrypted_password"} {
		if _, ok := got[k]; ok {
			t.Errorf("a meeting without passcode has %s", k)
		}
	}
	if ju := got["join_url"].(string); strings.Contains(ju, "pwd=") {
		t.Errorf("join_url %s carries a passcode", ju)
	}
}

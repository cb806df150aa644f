package zoomfake_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// These tests speak raw HTTP, so they pin down the wire format the fake
// answers independently of warroom's client.

// clock is a settable clock for Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func mustStart(tb testing.TB, cfg zoomfake.Config) *zoomfake.Server {
	tb.Helper()
	s, err := zoomfake.Start(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// call sends one request and returns the status, headers and body.
func call(tb testing.TB, method, u, bearer, body string) (int, http.Header, string) {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// postToken asks the token endpoint for a token with the given form.
func postToken(tb testing.TB, s *zoomfake.Server, user, pass string, form url.Values) (int, map[string]any) {
	tb.Helper()
	req, err := http.NewRequest("POST", s.URL()+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
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

func s2sForm(account string) url.Values {
	return url.Values{"grant_type": {"account_credentials"}, "account_id": {account}}
}

// mustToken gets an access token with the default credentials.
func mustToken(tb testing.TB, s *zoomfake.Server) string {
	tb.Helper()
	c := s.Config()
	status, m := postToken(tb, s, c.ClientID, c.ClientSecret, s2sForm(c.AccountID))
	if status != http.StatusOK {
		tb.Fatalf("token: HTTP %d %v", status, m)
	}
	return m["access_token"].(string)
}

func decode(tb testing.TB, body string) map[string]any {
	tb.Helper()
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(body))
	d.UseNumber() // keep meeting IDs exact
	if err := d.Decode(&m); err != nil {
		tb.Fatalf("not JSON: %v: %s", err, body)
	}
	return m
}

func TestTokenEndpoint(t *testing.T) {
	s := mustStart(t, zoomfake.Config{AccountID: "acct", ClientID: "cid", ClientSecret: "secret"})

	status, m := postToken(t, s, "cid", "secret", s2sForm("acct"))
	if status != http.StatusOK {
		t.Fatalf("HTTP %d, want 200: %v", status, m)
	}
	if m["token_type"] != "bearer" || m["expires_in"] != float64(3599) || m["access_token"] == "" {
		t.Errorf("token answer = %v", m)
	}
	if _, ok := m["refresh_token"]; ok {
		t.Errorf("Server-to-Server answer has a refresh_token: %v", m)
	}
	if scope, _ := m["scope"].(string); !strings.Contains(scope, "meeting:write:meeting:admin") {
		t.Errorf("scope = %q, want the granular admin meeting scopes", scope)
	}
	_, m2 := postToken(t, s, "cid", "secret", s2sForm("acct"))
	if m2["access_token"] == m["access_token"] {
		t.Error("two token requests got the same token")
	}
	if diff := cmp.Diff([]string{m["access_token"].(string), m2["access_token"].(string)}, s.IssuedTokens()); diff != "" {
		t.Errorf("IssuedTokens (-want +got):\n%s", diff)
	}

	errorCases := []struct {
		name       string
		user, pass string
		form       url.Values
		query      string
		wantStatus int
		wantError  string
		wantReason string
	}{
		{"no client auth", "", "", s2sForm("acct"), "", 401, "invalid_client", "Invalid client_id or client_secret"},
		{"wrong secret", "cid", "nope", s2sForm("acct"), "", 401, "invalid_client", "Invalid client_id or client_secret"},
		{"wrong account", "cid", "secret", s2sForm("other"), "", 400, "invalid_grant", "Invalid account_id"},
		{"no grant type", "cid", "secret", url.Values{"account_id": {"acct"}}, "", 400, "invalid_request", "Missing grant type"},
		{"wrong account in the query string", "cid", "secret", url.Values{}, "?grant_type=account_credentials&account_id=other", 400, "invalid_grant", "Invalid account_id"},
		{"unknown grant", "cid", "secret", url.Values{"grant_type": {"password"}}, "", 400, "unsupported_grant_type", "unsupported grant type"},
	}
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", s.URL()+"/oauth/token"+tc.query, strings.NewReader(tc.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.user != "" {
				req.SetBasicAuth(tc.user, tc.pass)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got map[string]string
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"error": tc.wantError, "reason": tc.wantReason}
			if resp.StatusCode != tc.wantStatus || !cmp.Equal(got, want) {
				t.Errorf("HTTP %d %v, want HTTP %d %v", resp.StatusCode, got, tc.wantStatus, want)
			}
		})
	}
	if n := len(s.IssuedTokens()); n != 2 {
		t.Errorf("%d tokens issued, want 2: failed requests must not issue any", n)
	}
}

func TestAPIRequiresValidToken(t *testing.T) {
	clk := newClock(time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC))
	s := mustStart(t, zoomfake.Config{Now: clk.Now})
	tok := mustToken(t, s)

	for _, bearer := range []string{"", "not-a-token"} {
		status, _, body := call(t, "GET", s.APIURL()+"/users/me", bearer, "")
		if status != 401 || body != `{"code":124,"message":"Invalid access token."}`+"\n" {
			t.Errorf("bearer %q: HTTP %d %s, want 401 code 124", bearer, status, body)
		}
	}
	if status, _, body := call(t, "GET", s.APIURL()+"/users/me", tok, ""); status != 200 {
		t.Fatalf("valid token: HTTP %d %s", status, body)
	}
	clk.Add(time.Hour)
	status, _, body := call(t, "GET", s.APIURL()+"/users/me", tok, "")
	if status != 401 || decode(t, body)["message"] != "Access token is expired." {
		t.Errorf("expired token: HTTP %d %s, want 401 Access token is expired.", status, body)
	}
}

func TestCreateMeetingAnswer(t *testing.T) {
	clk := newClock(time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC))
	s := mustStart(t, zoomfake.Config{Now: clk.Now})
	tok := mustToken(t, s)

	status, h, body := call(t, "POST", s.APIURL()+"/users/me/meetings", tok,
		`{"topic":"SEV1 checkout down","type":2,"start_time":"2026-03-14T12:30:00Z","duration":30,
		  "agenda":"warroom:INC-42","settings":{"join_before_host":true,"waiting_room":true,"jbh_time":0}}`)
	if status != http.StatusCreated {
		t.Fatalf("HTTP %d %s, want 201", status, body)
	}
	if h.Get("x-zm-trackingid") == "" {
		t.Error("no x-zm-trackingid header")
	}
	m := decode(t, body)
	id, err := m["id"].(json.Number).Int64()
	if err != nil || id < 1<<32 || len(m["id"].(json.Number).String()) != 11 {
		t.Errorf("id = %v, want an 11-digit int64 above 2^32", m["id"])
	}
	stored, ok := s.Meeting(id)
	if !ok {
		t.Fatalf("Meeting(%d) not found", id)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9+/]{22}==$`).MatchString(m["uuid"].(string)) {
		t.Errorf("uuid = %v, want Zoom's base64 form", m["uuid"])
	}
	want := map[string]any{
		"topic": "SEV1 checkout down", "type": json.Number("2"), "status": "waiting",
		"start_time": "2026-03-14T12:30:00Z", "duration": json.Number("30"), "timezone": "UTC",
		"agenda": "warroom:INC-42", "created_at": "2026-03-14T12:00:00Z",
		"host_email": "incident-bot@example.com", "host_id": stored.HostID,
		"join_url": fmt.Sprintf("https://fake.zoom.us/j/%d?pwd=%s", id, stored.EncryptedPassword),
		"password": stored.Password,
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	settings := m["settings"].(map[string]any)
	if settings["waiting_room"] != true || settings["join_before_host"] != false {
		t.Errorf("settings = %v: waiting_room must turn join_before_host off", settings)
	}
	if settings["auto_recording"] != "none" || settings["audio"] != "both" {
		t.Errorf("settings = %v, want Zoom's defaults filled in", settings)
	}
	if len(stored.Password) == 0 || len(stored.Password) > 10 {
		t.Errorf("generated password %q", stored.Password)
	}
}

func TestCreateMeetingValidation(t *testing.T) {
	s := mustStart(t, zoomfake.Config{})
	tok := mustToken(t, s)
	cases := []struct {
		body string
		want string // the answer body
	}{
		{`{"topic":"` + strings.Repeat("x", 201) + `","type":2}`,
			`{"code":300,"message":"Validation Failed.","errors":[{"field":"topic","message":"Invalid field."}]}`},
		{`{"topic":"t","type":4,"settings":{"jbh_time":7}}`,
			`{"code":300,"message":"Validation Failed.","errors":[{"field":"type","message":"Invalid field."},{"field":"settings.jbh_time","message":"Invalid field."}]}`},
		{`{"topic":"t","type":2,"start_time":"tomorrow"}`,
			`{"code":300,"message":"Validation Failed.","errors":[{"field":"start_time","message":"Invalid field."}]}`},
		{`{"topic":"t","password":"has space","agenda":"` + strings.Repeat("a", 2001) + `"}`,
			`{"code":300,"message":"Validation Failed.","errors":[{"field":"agenda","message":"Invalid field."},{"field":"password","message":"Invalid field."}]}`},
		{`{"topic":"t","password":"elevenchars"}`,
			`{"code":300,"message":"Validation Failed.","errors":[{"field":"password","message":"Invalid field."}]}`},
		{`{"topic":`, `{"code":300,"message":"Request Body should be a valid JSON object."}`},
		{`{"topic":"t","type":"2"}`,
			`{"code":300,"message":"Validation Failed.","errors":[{"field":"type","message":"Invalid field."}]}`},
	}
	for _, tc := range cases {
		status, _, body := call(t, "POST", s.APIURL()+"/users/me/meetings", tok, tc.body)
		if status != http.StatusBadRequest || strings.TrimSpace(body) != tc.want {
			t.Errorf("POST %.40s…: HTTP %d %s\nwant HTTP 400 %s", tc.body, status, body, tc.want)
		}
	}
	if n := len(s.Meetings()); n != 0 {
		t.Errorf("%d meetings created by invalid requests", n)
	}
	// A password of the allowed characters, at the limit, passes.
	if status, _, body := call(t, "POST", s.APIURL()+"/users/me/meetings", tok, `{"topic":"t","password":"aZ9@-_*xyz"}`); status != 201 {
		t.Errorf("valid password: HTTP %d %s", status, body)
	}
}

func TestUsers(t *testing.T) {
	s := mustStart(t, zoomfake.Config{AccountID: "acct", Hosts: []zoomfake.User{
		{ID: "host-1", Email: "one@example.com", FirstName: "One", Type: 2},
		{Email: "Two@Example.com", Type: 1},
	}})
	tok := mustToken(t, s)
	for _, userID := range []string{"me", "host-1", "ONE@example.com"} {
		status, _, body := call(t, "GET", s.APIURL()+"/users/"+userID, tok, "")
		m := decode(t, body)
		if status != 200 || m["id"] != "host-1" || m["email"] != "one@example.com" || m["status"] != "active" ||
			m["account_id"] != "acct" || m["type"] != json.Number("2") {
			t.Errorf("GET /users/%s: HTTP %d %v", userID, status, m)
		}
	}
	status, _, body := call(t, "GET", s.APIURL()+"/users/two@example.com", tok, "")
	if m := decode(t, body); status != 200 || m["type"] != json.Number("1") || m["id"] == "" {
		t.Errorf("second host: HTTP %d %v", status, m)
	}
	status, _, body = call(t, "GET", s.APIURL()+"/users/nobody@example.com", tok, "")
	if status != 404 || strings.TrimSpace(body) != `{"code":1001,"message":"User does not exist: nobody@example.com."}` {
		t.Errorf("unknown user: HTTP %d %s", status, body)
	}
	status, _, body = call(t, "POST", s.APIURL()+"/users/nobody@example.com/meetings", tok, `{"topic":"t"}`)
	if status != 404 || decode(t, body)["code"] != json.Number("1001") {
		t.Errorf("create for unknown user: HTTP %d %s", status, body)
	}
}

// createMeeting creates a meeting with body and returns its ID.
func createMeeting(tb testing.TB, s *zoomfake.Server, tok, user, body string) int64 {
	tb.Helper()
	status, _, b := call(tb, "POST", s.APIURL()+"/users/"+user+"/meetings", tok, body)
	if status != http.StatusCreated {
		tb.Fatalf("create: HTTP %d %s", status, b)
	}
	id, err := decode(tb, b)["id"].(json.Number).Int64()
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

func TestMeetingLifecycle(t *testing.T) {
	s := mustStart(t, zoomfake.Config{})
	tok := mustToken(t, s)
	id := createMeeting(t, s, tok, "me", `{"topic":"before","type":2}`)
	u := fmt.Sprintf("%s/meetings/%d", s.APIURL(), id)

	status, _, body := call(t, "PATCH", u, tok, `{"topic":"after","settings":{"mute_upon_entry":true}}`)
	if status != http.StatusNoContent || body != "" {
		t.Errorf("PATCH: HTTP %d %q, want 204 and no body", status, body)
	}
	status, _, body = call(t, "GET", u, tok, "")
	m := decode(t, body)
	if status != 200 || m["topic"] != "after" || m["settings"].(map[string]any)["mute_upon_entry"] != true {
		t.Errorf("GET after PATCH: HTTP %d %v", status, m)
	}

	s.SetMeetingStatus(id, zoomfake.StatusStarted)
	if status, _, body := call(t, "GET", u, tok, ""); decode(t, body)["status"] != "started" {
		t.Errorf("GET started meeting: HTTP %d %s", status, body)
	}
	status, _, body = call(t, "PATCH", u, tok, `{"topic":"during"}`)
	if status != 400 || strings.TrimSpace(body) != `{"code":3000,"message":"Cannot access meeting information."}` {
		t.Errorf("PATCH started meeting: HTTP %d %s", status, body)
	}
	status, _, body = call(t, "DELETE", u, tok, "")
	if status != 400 || strings.TrimSpace(body) != `{"code":3002,"message":"Sorry, you cannot delete this meeting since it is in progress."}` {
		t.Errorf("DELETE started meeting: HTTP %d %s", status, body)
	}
	status, _, body = call(t, "PUT", u+"/status", tok, `{"action":"end"}`)
	if status != http.StatusNoContent || body != "" {
		t.Errorf("end: HTTP %d %q", status, body)
	}
	if m, _ := s.Meeting(id); m.Status != zoomfake.StatusFinished {
		t.Errorf("status after end = %q, want finished", m.Status)
	}
	// Zoom's API has no "finished": the meeting is waiting to be started again.
	if _, _, body := call(t, "GET", u, tok, ""); decode(t, body)["status"] != "waiting" {
		t.Errorf("GET ended meeting: %s", body)
	}

	if status, _, body := call(t, "DELETE", u, tok, ""); status != http.StatusNoContent || body != "" {
		t.Errorf("DELETE: HTTP %d %q", status, body)
	}
	notFound := fmt.Sprintf(`{"code":3001,"message":"Meeting does not exist: %d."}`, id)
	for _, method := range []string{"GET", "DELETE", "PATCH"} {
		body := ""
		if method == "PATCH" {
			body = `{"topic":"x"}`
		}
		status, _, got := call(t, method, u, tok, body)
		if status != 404 || strings.TrimSpace(got) != notFound {
			t.Errorf("%s deleted meeting: HTTP %d %s", method, status, got)
		}
	}
	if len(s.Meetings()) != 0 {
		t.Errorf("Meetings() = %v after delete", s.Meetings())
	}
	if status, _, body := call(t, "PUT", u+"/status", tok, `{"action":"recover"}`); status != http.StatusNoContent {
		t.Errorf("recover: HTTP %d %s", status, body)
	}
	if m, ok := s.Meeting(id); !ok || m.Topic != "after" {
		t.Errorf("recovered meeting = %+v, %v", m, ok)
	}
}

func TestInstantMeetingEndedCannotBeDeleted(t *testing.T) {
	s := mustStart(t, zoomfake.Config{})
	tok := mustToken(t, s)
	id := createMeeting(t, s, tok, "me", `{"topic":"now","type":1}`)
	s.SetMeetingStatus(id, zoomfake.StatusFinished)
	status, _, body := call(t, "DELETE", fmt.Sprintf("%s/meetings/%d", s.APIURL(), id), tok, "")
	if status != 400 || decode(t, body)["code"] != json.Number("3007") {
		t.Errorf("DELETE ended instant meeting: HTTP %d %s, want 400 code 3007", status, body)
	}
}

func TestListMeetings(t *testing.T) {
	s := mustStart(t, zoomfake.Config{Hosts: []zoomfake.User{{Email: "a@example.com"}, {Email: "b@example.com"}}})
	tok := mustToken(t, s)
	var want []int64
	for i := range 5 {
		agenda := fmt.Sprintf("meeting %d ", i) + strings.Repeat("x", 300)
		want = append(want, createMeeting(t, s, tok, "a@example.com", `{"topic":"t","type":2,"agenda":"`+agenda+`"}`))
	}
	createMeeting(t, s, tok, "a@example.com", `{"topic":"instant","type":1}`) // never listed
	createMeeting(t, s, tok, "b@example.com", `{"topic":"other host","type":2}`)

	var got []int64
	next := ""
	pages := 0
	for {
		u := s.APIURL() + "/users/a@example.com/meetings?type=scheduled&page_size=2&next_page_token=" + url.QueryEscape(next)
		status, _, body := call(t, "GET", u, tok, "")
		if status != 200 {
			t.Fatalf("list: HTTP %d %s", status, body)
		}
		pages++
		m := decode(t, body)
		if m["total_records"] != json.Number("5") {
			t.Errorf("total_records = %v, want 5", m["total_records"])
		}
		for _, it := range m["meetings"].([]any) {
			item := it.(map[string]any)
			id, _ := item["id"].(json.Number).Int64()
			got = append(got, id)
			if n := len([]rune(item["agenda"].(string))); n != 250 {
				t.Errorf("listed agenda has %d characters, want Zoom's 250", n)
			}
		}
		next, _ = m["next_page_token"].(string)
		if next == "" {
			break
		}
	}
	if diff := cmp.Diff(want, got); diff != "" || pages != 3 {
		t.Errorf("listed IDs in %d pages (-want +got):\n%s", pages, diff)
	}
	status, _, body := call(t, "GET", s.APIURL()+"/users/me/meetings?next_page_token=bogus", tok, "")
	if status != 400 {
		t.Errorf("bogus page token: HTTP %d %s", status, body)
	}
	s.SetMeetingStatus(want[3], zoomfake.StatusStarted)
	_, _, body = call(t, "GET", s.APIURL()+"/users/me/meetings?type=live", tok, "")
	if items := decode(t, body)["meetings"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != json.Number(fmt.Sprint(want[3])) {
		t.Errorf("live meetings = %v, want only %d", items, want[3])
	}
}

func TestRateLimits(t *testing.T) {
	clk := newClock(time.Date(2026, 3, 14, 23, 59, 0, 0, time.UTC))
	s := mustStart(t, zoomfake.Config{Now: clk.Now, Hosts: []zoomfake.User{{Email: "a@example.com"}, {Email: "b@example.com"}}})
	tok := mustToken(t, s)

	t.Run("daily", func(t *testing.T) {
		s.SetDailyLimit(2)
		id := createMeeting(t, s, tok, "a@example.com", `{"topic":"1"}`)
		if status, _, body := call(t, "PATCH", fmt.Sprintf("%s/meetings/%d", s.APIURL(), id), tok, `{"topic":"2"}`); status != 204 {
			t.Fatalf("update: HTTP %d %s", status, body)
		}
		status, h, body := call(t, "POST", s.APIURL()+"/users/a@example.com/meetings", tok, `{"topic":"3"}`)
		want := `{"code":429,"message":"You have exceeded the daily rate limit (2) of Meeting Create/Update API requests permitted for this particular user. You may resume these requests at GMT 00:00:00."}`
		if status != 429 || strings.TrimSpace(body) != want {
			t.Errorf("third create: HTTP %d %s", status, body)
		}
		if h.Get("X-RateLimit-Type") != "Daily-limit" || h.Get("Retry-After") != "2026-03-15T00:00:00Z" {
			t.Errorf("headers = %v", h)
		}
		// The cap is per host…
		createMeeting(t, s, tok, "b@example.com", `{"topic":"other host"}`)
		// …and resets at 00:00 UTC.
		clk.Add(time.Minute)
		createMeeting(t, s, tok, "a@example.com", `{"topic":"next day"}`)
	})

	t.Run("QPS", func(t *testing.T) {
		s.SetQPSLimit(2)
		defer s.SetQPSLimit(0)
		clk.Add(time.Second) // a fresh window
		for i := range 3 {
			status, h, body := call(t, "GET", s.APIURL()+"/users/me", tok, "")
			if i < 2 && status != 200 {
				t.Errorf("request %d: HTTP %d %s", i, status, body)
			}
			if i == 2 && (status != 429 || h.Get("X-RateLimit-Type") != "QPS" || h.Get("Retry-After") != "1" ||
				strings.TrimSpace(body) != `{"code":429,"message":"You have reached the maximum per-second rate limit for this API. Try again later."}`) {
				t.Errorf("request over the limit: HTTP %d %v %s", status, h, body)
			}
		}
		clk.Add(time.Second)
		if status, _, _ := call(t, "GET", s.APIURL()+"/users/me", tok, ""); status != 200 {
			t.Errorf("next second: HTTP %d", status)
		}
	})
}

func TestFaults(t *testing.T) {
	s := mustStart(t, zoomfake.Config{})
	tok := mustToken(t, s)
	s.InjectFault(zoomfake.Fault{Op: "meetingCreate", Times: 2, Status: 503, Header: map[string]string{"Retry-After": "3"}})
	s.InjectFault(zoomfake.Fault{Op: "user", Status: 500, Code: 5000, Message: "boom"})

	for i := range 2 {
		status, h, body := call(t, "POST", s.APIURL()+"/users/me/meetings", tok, `{"topic":"t"}`)
		if status != 503 || h.Get("Retry-After") != "3" || strings.TrimSpace(body) != `{"code":503,"message":"Service Unavailable"}` {
			t.Errorf("create %d: HTTP %d %v %s", i, status, h, body)
		}
	}
	// The user fault is still queued: it only matches its own operation.
	createMeeting(t, s, tok, "me", `{"topic":"t"}`)
	if status, _, body := call(t, "GET", s.APIURL()+"/users/me", tok, ""); status != 500 || strings.TrimSpace(body) != `{"code":5000,"message":"boom"}` {
		t.Errorf("user: HTTP %d %s", status, body)
	}
	if status, _, _ := call(t, "GET", s.APIURL()+"/users/me", tok, ""); status != 200 {
		t.Errorf("user after fault: HTTP %d", status)
	}
	if n := len(s.Meetings()); n != 1 {
		t.Errorf("%d meetings, want 1: faulted creates must not create", n)
	}

	// Faults come before the token check, and Op "token" hits the OAuth endpoint.
	s.InjectFault(zoomfake.Fault{Op: "token", Status: 500})
	c := s.Config()
	if status, m := postToken(t, s, c.ClientID, c.ClientSecret, s2sForm(c.AccountID)); status != 500 || m["error"] != "server_error" {
		t.Errorf("token fault: HTTP %d %v", status, m)
	}

	// A delay-only fault slows the answer and then answers normally.
	s.InjectFault(zoomfake.Fault{Delay: 150 * time.Millisecond})
	start := time.Now()
	status, _, _ := call(t, "GET", s.APIURL()+"/users/me", tok, "")
	if took := time.Since(start); status != 200 || took < 150*time.Millisecond {
		t.Errorf("delay fault: HTTP %d after %v", status, took)
	}

	var got []string
	for _, r := range s.Requests() {
		got = append(got, fmt.Sprintf("%s %s %s %d", r.Method, r.Path, r.Op, r.Status))
	}
	want := []string{
		"POST /oauth/token token 200",
		"POST /v2/users/me/meetings meetingCreate 503",
		"POST /v2/users/me/meetings meetingCreate 503",
		"POST /v2/users/me/meetings meetingCreate 201",
		"GET /v2/users/me user 500",
		"GET /v2/users/me user 200",
		"POST /oauth/token token 500",
		"GET /v2/users/me user 200",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Requests() (-want +got):\n%s", diff)
	}
}

func TestLatency(t *testing.T) {
	s := mustStart(t, zoomfake.Config{})
	s.SetLatency(100 * time.Millisecond)
	start := time.Now()
	tok := mustToken(t, s) // OAuth is slowed down too
	call(t, "GET", s.APIURL()+"/users/me", tok, "")
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Errorf("two requests took %v, want at least 2×100ms", took)
	}
}

func TestUnknownRoute(t *testing.T) {
	s := mustStart(t, zoomfake.Config{})
	status, h, body := call(t, "GET", s.APIURL()+"/nothing/here", "", "")
	if status != 404 || h.Get("x-zm-trackingid") == "" || decode(t, body)["code"] != json.Number("404") {
		t.Errorf("HTTP %d %v %s", status, h, body)
	}
}

// TestConcurrentCreates runs creates in parallel: under -race this checks
// the locking, and the IDs must stay unique and all be recorded.
func TestConcurrentCreates(t *testing.T) {
	s := mustStart(t, zoomfake.Config{})
	s.SetDailyLimit(1000)
	tok := mustToken(t, s)
	const n = 40
	ids := make(chan int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ids <- createMeeting(t, s, tok, "me", fmt.Sprintf(`{"topic":"m%d"}`, i))
		})
	}
	wg.Wait()
	close(ids)
	seen := map[int64]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("duplicate meeting ID %d", id)
		}
		seen[id] = true
	}
	ms := s.Meetings()
	if len(ms) != n || len(seen) != n {
		t.Fatalf("%d meetings stored, %d IDs returned, want %d", len(ms), len(seen), n)
	}
	for i := 1; i < len(ms); i++ {
		if ms[i].ID <= ms[i-1].ID {
			t.Errorf("Meetings() not in creation order at %d: %d after %d", i, ms[i].ID, ms[i-1].ID)
		}
	}
}

func TestCloseCutsHangingRequests(t *testing.T) {
	s, err := zoomfake.Start(zoomfake.Config{})
	if err != nil {
		t.Fatal(err)
	}
	s.InjectFault(zoomfake.Fault{Delay: time.Hour, Status: 500})
	done := make(chan error, 1)
	go func() {
		resp, err := http.Get(s.APIURL() + "/users/me")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	s.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Error("request succeeded, want a cut connection")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close left a request hanging")
	}
}

func TestLoseAnswerActsThenHangs(t *testing.T) {
	s := mustStart(t, zoomfake.Config{})
	tok := mustToken(t, s)
	s.InjectFault(zoomfake.Fault{Op: "meetingCreate", LoseAnswer: true})

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", s.APIURL()+"/users/me/meetings", strings.NewReader(`{"topic":"lost","type":3}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("LoseAnswer answered HTTP %d", resp.StatusCode)
	}
	if m := s.Meetings(); len(m) != 1 || m[0].Topic != "lost" {
		t.Fatalf("the create must happen even though its answer is lost: %+v", m)
	}
	// The next create is answered as usual.
	createMeeting(t, s, tok, "me", `{"topic":"t","type":3}`)
}

package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/api"
	"github.com/warroom-dev/warroom/internal/testworld"
)

// A declare answers 201 with the incident; the same key again answers 200
// with the same incident and records nothing more.
func TestDeclareThenReplay(t *testing.T) {
	c := startAPI(t, testworld.Config{NoJobs: true})
	body := `{"title":"Checkout is down","severity":"SEV1","summary":"5xx from the payment provider"}`
	first := c.declare(pagerduty, "key-1", body, http.StatusCreated)
	if !strings.HasPrefix(first.ID, "INC-") || first.Title != "Checkout is down" || first.Severity != "SEV1" ||
		first.Status != "active" || first.Call.State != "pending" || first.Channel != nil {
		t.Errorf("declared = %+v", first)
	}
	again := c.declare(pagerduty, "key-1", body, http.StatusOK)
	if again.ID != first.ID {
		t.Errorf("the same key made %s, then %s", first.ID, again.ID)
	}
	recs := c.w.Incidents(t)
	if len(recs) != 1 {
		t.Fatalf("%d incidents, want 1", len(recs))
	}
	r := recs[0]
	if r.DeclaredBy != "" || r.Commander != "" || r.Origin.Door != warroom.DoorAPI || r.Origin.By != "pagerduty" ||
		r.Origin.Description != "5xx from the payment provider" || r.DedupeKey != "api:pagerduty:key-1" {
		t.Errorf("recorded %+v (origin %+v)", r.Incident, r.Origin)
	}
	if got := r.Declarer(); got != "pagerduty via the API" {
		t.Errorf("declarer = %q", got)
	}
}

// Twenty declares with one key at once make one incident: the store's
// dedupe decides, in one transaction, not the API.
// On PostgreSQL the requests race across the pool's connections.
func TestConcurrentSameKey(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { concurrentSameKey(t, false) })
	t.Run("postgres", func(t *testing.T) { concurrentSameKey(t, true) })
}

func concurrentSameKey(t *testing.T, postgres bool) {
	c := startAPI(t, testworld.Config{NoJobs: true, Postgres: postgres, Tune: func(tu *testworld.Tuning) { tu.API.Burst = 100 }})
	const n = 20
	var wg sync.WaitGroup
	answers := make([]answer, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = c.do(req{Method: "POST", Path: "/api/v1/incidents", Token: ci.Secret,
				Body: `{"title":"Disk full on db-3"}`, Header: map[string]string{"Idempotency-Key": "same"}})
		}()
	}
	wg.Wait()
	created, ids := 0, map[string]bool{}
	for _, a := range answers {
		switch a.Status {
		case http.StatusCreated:
			created++
		case http.StatusOK:
		default:
			t.Fatalf("answer %d %s", a.Status, a.Body)
		}
		ids[decode[incident](t, a).ID] = true
	}
	if created != 1 || len(ids) != 1 || len(c.w.Incidents(t)) != 1 {
		t.Errorf("%d created, ids %v, %d incidents; want one of each", created, ids, len(c.w.Incidents(t)))
	}
}

// A key belongs to its token: another token's same key is another
// incident. Without a key, every declare is a new incident.
func TestKeysArePerToken(t *testing.T) {
	c := startAPI(t, testworld.Config{NoJobs: true})
	a := c.declare(pagerduty, "shared", `{"title":"API latency"}`, http.StatusCreated)
	b := c.declare(ci, "shared", `{"title":"API latency"}`, http.StatusCreated)
	if a.ID == b.ID {
		t.Errorf("two tokens, one key: both %s", a.ID)
	}
	x := c.declare(ci, "", `{"title":"Flaky deploys"}`, http.StatusCreated)
	y := c.declare(ci, "", `{"title":"Flaky deploys"}`, http.StatusCreated)
	if x.ID == y.ID || len(c.w.Incidents(t)) != 4 {
		t.Errorf("declares without a key: %s and %s, %d incidents", x.ID, y.ID, len(c.w.Incidents(t)))
	}
	// A key reused for something else is refused rather than answered
	// with an incident the client did not mean.
	a2 := c.do(req{Method: "POST", Path: "/api/v1/incidents", Token: pagerduty.Secret, Body: `{"title":"Something else"}`,
		Header: map[string]string{"Idempotency-Key": "shared"}})
	if p := decode[problem](t, a2); a2.Status != http.StatusUnprocessableEntity || len(p.Errors) != 1 || p.Errors[0].Field != "Idempotency-Key" {
		t.Errorf("a key reused with another title: %d %s", a2.Status, a2.Body)
	}
}

// Severity is a number or a string; absent, the default.
func TestSeverities(t *testing.T) {
	c := startAPI(t, testworld.Config{NoJobs: true})
	for sev, want := range map[string]string{`1`: "SEV1", `"SEV3"`: "SEV3", `"sev4"`: "SEV4", `"2"`: "SEV2", `null`: warroom.DefaultSeverity.String()} {
		got := c.declare(ci, "", `{"title":"t","severity":`+sev+`}`, http.StatusCreated)
		if got.Severity != want {
			t.Errorf("severity %s = %s, want %s", sev, got.Severity, want)
		}
	}
	if got := c.declare(ci, "", `{"title":"t"}`, http.StatusCreated); got.Severity != warroom.DefaultSeverity.String() {
		t.Errorf("no severity = %s", got.Severity)
	}
}

// The commander is a Slack user ID or the email of a Slack user.
func TestCommander(t *testing.T) {
	c := startAPI(t, testworld.Config{NoJobs: true})
	c.declare(ci, "by-email", `{"title":"t","commander":"Bob@example.com"}`, http.StatusCreated)
	c.declare(ci, "by-id", `{"title":"t","commander":"U3"}`, http.StatusCreated)
	want := map[string]string{"api:ci:by-email": "U2", "api:ci:by-id": "U3"}
	for _, r := range c.w.Incidents(t) {
		if r.Commander != want[r.DedupeKey] {
			t.Errorf("%s: commander %q, want %q", r.DedupeKey, r.Commander, want[r.DedupeKey])
		}
	}
}

// Each bad request is a 400 naming the field at fault.
func TestBadRequests(t *testing.T) {
	c := startAPI(t, testworld.Config{NoJobs: true, Tune: func(tu *testworld.Tuning) { tu.API.Burst = 100 }})
	for _, tt := range []struct {
		name, body, key, field string
	}{
		{"not JSON", `{"title":`, "", "body"},
		{"an array", `[1]`, "", "body"},
		{"two objects", `{"title":"a"}{"title":"b"}`, "", "body"},
		{"no title", `{"severity":1}`, "", "title"},
		{"a blank title", `{"title":"   "}`, "", "title"},
		{"a long title", `{"title":"` + strings.Repeat("x", 501) + `"}`, "", "title"},
		{"severity 0", `{"title":"t","severity":0}`, "", "severity"},
		{"severity 5", `{"title":"t","severity":"SEV5"}`, "", "severity"},
		{"severity true", `{"title":"t","severity":true}`, "", "severity"},
		{"severity 1.5", `{"title":"t","severity":1.5}`, "", "severity"},
		{"an unknown email", `{"title":"t","commander":"nobody@example.com"}`, "", "commander"},
		{"an unknown user", `{"title":"t","commander":"U999"}`, "", "commander"},
		{"not a user", `{"title":"t","commander":"@bob"}`, "", "commander"},
		{"an unknown field", `{"title":"t","severty":1}`, "", "severty"},
		{"private as a string", `{"title":"t","private":"yes"}`, "", "private"},
		{"a key with a space", `{"title":"t"}`, "a b", "Idempotency-Key"},
		{"a long key", `{"title":"t"}`, strings.Repeat("k", 256), "Idempotency-Key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := req{Method: "POST", Path: "/api/v1/incidents", Token: ci.Secret, Body: tt.body}
			if tt.key != "" {
				r.Header = map[string]string{"Idempotency-Key": tt.key}
			}
			a := c.do(r)
			p := decode[problem](t, a)
			if a.Status != http.StatusBadRequest || p.Status != 400 || len(p.Errors) == 0 || p.Errors[0].Field != tt.field ||
				p.Errors[0].Reason == "" || !strings.Contains(p.Detail, tt.field) {
				t.Errorf("%s: %d %s, want 400 naming %s", tt.body, a.Status, a.Body, tt.field)
			}
		})
	}
	if n := len(c.w.Incidents(t)); n != 0 {
		t.Errorf("bad requests recorded %d incidents", n)
	}
}

// A body over 1 MiB is refused with 413 before it is read to its end.
func TestTooLarge(t *testing.T) {
	c := startAPI(t, testworld.Config{NoJobs: true})
	a := c.do(req{Method: "POST", Path: "/api/v1/incidents", Token: ci.Secret,
		Body: `{"title":"t","summary":"` + strings.Repeat("x", api.MaxBody) + `"}`})
	if a.Status != http.StatusRequestEntityTooLarge || decode[problem](t, a).Status != 413 {
		t.Errorf("a 1 MiB body: %d %s", a.Status, a.Body)
	}
	a = c.do(req{Method: "POST", Path: "/api/v1/incidents", Token: ci.Secret, Body: `{"title":"t"}`,
		Header: map[string]string{"Content-Type": "text/plain"}})
	if a.Status != http.StatusUnsupportedMediaType {
		t.Errorf("a text/plain body: %d %s", a.Status, a.Body)
	}
}

// No token, a wrong one or another scheme is a 401 with Bearer's
// challenge, and no token ever reaches the log.
func TestUnauthorized(t *testing.T) {
	c := startAPI(t, testworld.Config{NoJobs: true})
	for _, tt := range []struct {
		name, auth, challenge string
	}{
		{"none", "", `Bearer realm="warroom"`},
		{"wrong", "Bearer not-" + ci.Secret, `Bearer realm="warroom", error="invalid_token"`},
		{"basic", "Basic " + ci.Secret, `Bearer realm="warroom"`},
		{"empty", "Bearer ", `Bearer realm="warroom"`},
	} {
		for _, r := range []req{
			{Method: "POST", Path: "/api/v1/incidents", Body: `{"title":"t"}`},
			{Method: "GET", Path: "/api/v1/incidents"},
			{Method: "GET", Path: "/api/v1/incidents/INC-1"},
		} {
			r.Header = map[string]string{"Authorization": tt.auth}
			a := c.do(r)
			if a.Status != http.StatusUnauthorized || a.Header.Get("WWW-Authenticate") != tt.challenge ||
				decode[problem](t, a).Status != 401 {
				t.Errorf("%s %s with %s token: %d %q %s", r.Method, r.Path, tt.name, a.Status, a.Header.Get("WWW-Authenticate"), a.Body)
			}
		}
	}
	if len(c.w.Incidents(t)) != 0 {
		t.Error("an unauthorized declare was recorded")
	}
	c.declare(ci, "", `{"title":"t"}`, http.StatusCreated)
	for _, secret := range []string{ci.Secret, pagerduty.Secret} {
		if strings.Contains(c.w.Log.String(), secret) {
			t.Errorf("the log holds a token")
		}
	}
}

// Past a token's budget the API answers 429 with Retry-After; another
// token's budget is its own.
func TestRateLimit(t *testing.T) {
	c := startAPI(t, testworld.Config{NoJobs: true, Tune: func(tu *testworld.Tuning) {
		tu.API.RatePerMinute, tu.API.Burst = 1, 3
	}})
	list := req{Method: "GET", Path: "/api/v1/incidents", Token: ci.Secret}
	for i := range 3 {
		if a := c.do(list); a.Status != http.StatusOK {
			t.Fatalf("request %d within the burst: %d %s", i+1, a.Status, a.Body)
		}
	}
	a := c.do(list)
	secs, err := strconv.Atoi(a.Header.Get("Retry-After"))
	if a.Status != http.StatusTooManyRequests || err != nil || secs < 1 || secs > 60 || decode[problem](t, a).Status != 429 {
		t.Errorf("past the burst: %d Retry-After %q %s", a.Status, a.Header.Get("Retry-After"), a.Body)
	}
	if a := c.do(req{Method: "GET", Path: "/api/v1/incidents", Token: pagerduty.Secret}); a.Status != http.StatusOK {
		t.Errorf("another token: %d", a.Status)
	}
}

// With no tokens the API is off: its routes answer 404, the OpenAPI
// document is still served.
func TestOff(t *testing.T) {
	c := newClient(t, testworld.Start(t, testworld.Config{NoJobs: true}))
	a := c.do(req{Method: "POST", Path: "/api/v1/incidents", Token: ci.Secret, Body: `{"title":"t"}`})
	if a.Status != http.StatusNotFound || decode[problem](t, a).Status != 404 {
		t.Errorf("POST with the API off: %d %s", a.Status, a.Body)
	}
	if a := c.do(req{Method: "GET", Path: "/api/v1/openapi.json"}); a.Status != http.StatusOK || string(a.Body) != string(api.OpenAPI()) {
		t.Errorf("GET /api/v1/openapi.json: %d %.80s", a.Status, a.Body)
	}
}

// A database that does not answer is a 503 with Retry-After, as the
// document says: the client retries with the same key, and nothing is
// recorded twice.
func TestDatabaseGoneIsServiceUnavailable(t *testing.T) {
	c := startAPI(t, testworld.Config{NoJobs: true})
	if err := c.w.Store.Close(); err != nil {
		t.Fatal(err)
	}
	a := c.do(req{Method: "POST", Path: "/api/v1/incidents", Token: ci.Secret, Body: `{"title":"Checkout is down"}`,
		Header: map[string]string{"Idempotency-Key": "k-503"}})
	if a.Status != http.StatusServiceUnavailable || a.Header.Get("Retry-After") == "" {
		t.Fatalf("POST with the database gone = %d (Retry-After %q) %s; want 503 with Retry-After", a.Status, a.Header.Get("Retry-After"), a.Body)
	}
	a = c.do(req{Method: "GET", Path: "/api/v1/incidents/1", Token: ci.Secret})
	if a.Status != http.StatusServiceUnavailable {
		t.Fatalf("GET with the database gone = %d %s; want 503", a.Status, a.Body)
	}
}

package zoom_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/warroom-dev/warroom/zoom"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// The client is tested against zoomfake over real HTTP: what matters is what
// a caller sees when Zoom answers the way it does.

const (
	testAccount = "acct-1"
	testClient  = "client-1"
	testSecret  = "s3cr3t-do-not-log"
)

// clock is a settable clock for zoomfake.Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

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

// setup starts a fake Zoom (with the test credentials unless cfg names
// others) and returns a Server-to-Server client for it.
func setup(tb testing.TB, cfg zoomfake.Config) (*zoom.Client, *zoomfake.Server) {
	tb.Helper()
	if cfg.AccountID == "" {
		cfg.AccountID, cfg.ClientID, cfg.ClientSecret = testAccount, testClient, testSecret
	}
	fake, err := zoomfake.Start(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(fake.Close)
	return s2sClient(fake, cfg.AccountID, cfg.ClientID, cfg.ClientSecret, nil), fake
}

func s2sClient(fake *zoomfake.Server, account, id, secret string, base *http.Client) *zoom.Client {
	if base == nil {
		base = &http.Client{Timeout: 10 * time.Second}
	}
	return zoom.NewServerToServerClient(context.Background(), fake.APIURL(), fake.URL(), account, id, secret, base)
}

func ptr[T any](v T) *T { return &v }

// countOp counts the requests the fake answered for one operation.
func countOp(fake *zoomfake.Server, op string) int {
	n := 0
	for _, r := range fake.Requests() {
		if r.Op == op {
			n++
		}
	}
	return n
}

func TestMeetingLifecycle(t *testing.T) {
	c, fake := setup(t, zoomfake.Config{})
	ctx := context.Background()

	created, err := c.CreateMeeting(ctx, "me", zoom.CreateMeetingRequest{
		Topic:     "SEV1: checkout is down",
		Type:      zoom.MeetingScheduled,
		StartTime: "2026-03-14T12:00:00Z",
		Duration:  60,
		Agenda:    "warroom incident INC-42",
		Password:  "war-42",
		Settings: &zoom.MeetingSettings{
			JoinBeforeHost: ptr(true),
			JBHTime:        ptr(0),
			WaitingRoom:    ptr(false),
			MuteUponEntry:  ptr(true),
			AutoRecording:  "cloud",
			MeetingInvitees: []zoom.Invitee{
				{Email: "oncall@example.com"},
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	stored, ok := fake.Meeting(created.ID)
	if !ok {
		t.Fatalf("the fake has no meeting %d", created.ID)
	}
	if created.ID < 1<<32 {
		t.Errorf("ID %d: the fake's IDs exceed 2^32", created.ID)
	}
	if created.Topic != "SEV1: checkout is down" || created.Status != "waiting" || created.Password != "war-42" ||
		created.HostEmail != "incident-bot@example.com" || created.HostID != stored.HostID ||
		created.JoinURL != stored.JoinURL || !strings.Contains(created.JoinURL, fmt.Sprint(created.ID)) ||
		created.StartTime != "2026-03-14T12:00:00Z" || created.UUID != stored.UUID {
		t.Errorf("created = %+v\nstored = %+v", created, stored)
	}
	if s := created.Settings; !*s.JoinBeforeHost || *s.WaitingRoom || !*s.MuteUponEntry || s.AutoRecording != "cloud" {
		t.Errorf("settings = %+v", s)
	}
	if got := stored.Settings.MeetingInvitees; len(got) != 1 || got[0].Email != "oncall@example.com" {
		t.Errorf("invitees reached the fake as %v", got)
	}

	got, err := c.GetMeeting(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(created, got); diff != "" {
		t.Errorf("GetMeeting differs from CreateMeeting (-created +got):\n%s", diff)
	}

	if err := c.UpdateMeeting(ctx, created.ID, zoom.UpdateMeetingRequest{
		Topic:  ptr("SEV2: checkout is slow"),
		Agenda: ptr("warroom incident INC-42 (downgraded)"),
	}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetMeeting(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := *created
	want.Topic, want.Agenda = "SEV2: checkout is slow", "warroom incident INC-42 (downgraded)"
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("after update (-want +got):\n%s", diff)
	}

	list, err := c.ListMeetings(ctx, "me", zoom.ListScheduled)
	if err != nil {
		t.Fatal(err)
	}
	wantList := []zoom.MeetingSummary{{
		ID: created.ID, UUID: created.UUID, HostID: created.HostID, Topic: want.Topic, Agenda: want.Agenda,
		JoinURL: created.JoinURL, StartTime: created.StartTime, CreatedAt: created.CreatedAt, Type: zoom.MeetingScheduled,
	}}
	if diff := cmp.Diff(wantList, list); diff != "" {
		t.Errorf("ListMeetings (-want +got):\n%s", diff)
	}

	fake.SetMeetingStatus(created.ID, zoomfake.StatusStarted)
	if err := c.EndMeeting(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if m, _ := fake.Meeting(created.ID); m.Status != zoomfake.StatusFinished {
		t.Errorf("after EndMeeting the fake says %q, want finished", m.Status)
	}

	if err := c.DeleteMeeting(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetMeeting(ctx, created.ID); !zoom.IsNotFound(err) {
		t.Errorf("GetMeeting after delete: %v, want not found", err)
	}
	var zerr *zoom.Error
	if err := c.DeleteMeeting(ctx, created.ID); !errors.As(err, &zerr) || zerr.Code != 3001 || zoom.Retryable(err) {
		t.Errorf("second delete: %v, want final *zoom.Error code 3001", err)
	}
	if list, err := c.ListMeetings(ctx, "me", ""); err != nil || len(list) != 0 {
		t.Errorf("ListMeetings after delete = %v, %v", list, err)
	}
}

func TestCreateMeetingForAnotherHost(t *testing.T) {
	c, fake := setup(t, zoomfake.Config{Hosts: []zoomfake.User{
		{Email: "bot-1@example.com"}, {Email: "bot-2@example.com", FirstName: "Bot", LastName: "Two"},
	}})
	ctx := context.Background()
	m, err := c.CreateMeeting(ctx, "bot-2@example.com", zoom.CreateMeetingRequest{Topic: "t", Type: zoom.MeetingScheduled})
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.GetUser(ctx, "bot-2@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if m.HostEmail != "bot-2@example.com" || m.HostID != u.ID {
		t.Errorf("meeting host = %s %s, want bot-2 (%s)", m.HostEmail, m.HostID, u.ID)
	}
	want := &zoom.User{ID: u.ID, Email: "bot-2@example.com", FirstName: "Bot", LastName: "Two",
		AccountID: testAccount, Timezone: "UTC", Status: "active", Type: zoom.UserLicensed}
	if diff := cmp.Diff(want, u); diff != "" {
		t.Errorf("GetUser (-want +got):\n%s", diff)
	}
	if got := fake.Meetings(); len(got) != 1 || got[0].HostEmail != "bot-2@example.com" {
		t.Errorf("fake meetings = %+v", got)
	}

	_, err = c.CreateMeeting(ctx, "nobody@example.com", zoom.CreateMeetingRequest{Topic: "t", Type: zoom.MeetingScheduled})
	var zerr *zoom.Error
	if !errors.As(err, &zerr) || zerr.Status != 404 || zerr.Code != 1001 || !zoom.IsNotFound(err) {
		t.Errorf("create for unknown user: %v, want 404 code 1001", err)
	}
	if _, err := c.GetUser(ctx, ""); err == nil {
		t.Error("GetUser(\"\") succeeded")
	}
}

func TestValidationError(t *testing.T) {
	c, fake := setup(t, zoomfake.Config{})
	_, err := c.CreateMeeting(context.Background(), "me", zoom.CreateMeetingRequest{
		Topic: strings.Repeat("x", 201), Type: zoom.MeetingScheduled, Password: "not valid!",
	})
	var zerr *zoom.Error
	if !errors.As(err, &zerr) {
		t.Fatalf("err = %v, want *zoom.Error", err)
	}
	want := []zoom.FieldError{{Field: "topic", Message: "Invalid field."}, {Field: "password", Message: "Invalid field."}}
	if zerr.Status != 400 || zerr.Code != 300 || zerr.Message != "Validation Failed." || zerr.TrackingID == "" {
		t.Errorf("error = %+v", zerr)
	}
	if diff := cmp.Diff(want, zerr.Errors); diff != "" {
		t.Errorf("field errors (-want +got):\n%s", diff)
	}
	if zoom.Retryable(err) || zoom.IsNotFound(err) {
		t.Errorf("validation error is retryable or not-found: %v", err)
	}
	msg := err.Error()
	for _, part := range []string{"zoom: create meeting", "400", "300", "Validation Failed.", "topic"} {
		if !strings.Contains(msg, part) {
			t.Errorf("error %q does not mention %q", msg, part)
		}
	}
	if len(fake.Meetings()) != 0 {
		t.Error("an invalid request created a meeting")
	}
}

func TestTokenFetchedOnceAndNeverShown(t *testing.T) {
	c, fake := setup(t, zoomfake.Config{})
	ctx := context.Background()
	m, err := c.CreateMeeting(ctx, "me", zoom.CreateMeetingRequest{Topic: "t", Type: zoom.MeetingScheduled})
	if err != nil {
		t.Fatal(err)
	}
	var errs []error
	for range 3 {
		_, err := c.GetMeeting(ctx, m.ID)
		errs = append(errs, err)
		_, err = c.GetUser(ctx, "me")
		errs = append(errs, err)
		_, err = c.ListMeetings(ctx, "me", "")
		errs = append(errs, err)
	}
	_, err = c.GetMeeting(ctx, m.ID+1) // an error, to check its text
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if n := countOp(fake, "token"); n != 1 {
		t.Errorf("%d token requests for 10 API calls, want 1 (the token is cached)", n)
	}
	tokens := fake.IssuedTokens()
	if len(tokens) != 1 || err == nil {
		t.Fatalf("tokens %v, err %v", tokens, err)
	}
	if strings.Contains(err.Error(), tokens[0]) || strings.Contains(err.Error(), testSecret) {
		t.Errorf("error text %q shows a credential", err)
	}
}

func TestConcurrentCallsShareOneToken(t *testing.T) {
	c, fake := setup(t, zoomfake.Config{})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, err := c.GetUser(context.Background(), "me")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := countOp(fake, "token"); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}

func TestTokenErrors(t *testing.T) {
	_, fake := setup(t, zoomfake.Config{})
	cases := []struct {
		name                 string
		account, id, secret  string
		wantStatus           int
		wantCode, wantReason string
	}{
		{"wrong secret", testAccount, testClient, "wrong-secret-value", 401, "invalid_client", "Invalid client_id or client_secret"},
		{"wrong client", testAccount, "someone-else", testSecret, 401, "invalid_client", "Invalid client_id or client_secret"},
		{"wrong account", "other-account", testClient, testSecret, 400, "invalid_grant", "Invalid account_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := countOp(fake, "user")
			c := s2sClient(fake, tc.account, tc.id, tc.secret, nil)
			_, err := c.GetUser(context.Background(), "me")
			var te *zoom.TokenError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want *zoom.TokenError", err)
			}
			if te.Status != tc.wantStatus || te.Code != tc.wantCode || te.Reason != tc.wantReason {
				t.Errorf("token error = %+v", te)
			}
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) {
				t.Error("the *oauth2.RetrieveError is not reachable with errors.As")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.wantCode) || !strings.Contains(msg, tc.wantReason) ||
				strings.Contains(msg, tc.secret) || strings.Contains(msg, "127.0.0.1") {
				t.Errorf("error text %q: want the code and reason, no secret and no API URL", msg)
			}
			if zoom.Retryable(err) {
				t.Error("a rejected credential is retryable")
			}
			if n := countOp(fake, "user") - before; n != 0 {
				t.Errorf("the API was called %d times without a token", n)
			}
		})
	}
}

// TestRevokedTokenIsReplacedOnce: Zoom can reject a token before its
// expiry (it revokes older ones); the client then gets a new token and
// retries, but only once, so a broken app does not hammer the token endpoint.
func TestRevokedTokenIsReplacedOnce(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)}
	c, fake := setup(t, zoomfake.Config{Now: clk.Now})
	ctx := context.Background()
	if _, err := c.GetUser(ctx, "me"); err != nil {
		t.Fatal(err)
	}
	clk.Add(2 * time.Hour) // the fake now calls the cached token expired
	if _, err := c.GetUser(ctx, "me"); err != nil {
		t.Fatalf("after the fake expired the token: %v", err)
	}
	if n := countOp(fake, "token"); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}

	fake.InjectFault(zoomfake.Fault{Op: "user", Times: 2, Status: 401, Code: 124, Message: "Invalid access token."})
	_, err := c.GetUser(ctx, "me")
	var zerr *zoom.Error
	if !errors.As(err, &zerr) || zerr.Code != 124 {
		t.Fatalf("err = %v, want the second 401 code 124", err)
	}
	if n := countOp(fake, "token"); n != 3 {
		t.Errorf("%d token requests, want 3: one new token per rejected call", n)
	}
	if n := countOp(fake, "user"); n != 5 {
		t.Errorf("%d user requests, want 5: 1, a 401 and its retry, two injected 401s", n)
	}
}

func TestInvalidAccessToken(t *testing.T) {
	_, fake := setup(t, zoomfake.Config{})
	hc := oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "forged"}))
	c := zoom.NewClient(fake.APIURL()+"/", hc) // a trailing slash is fine
	_, err := c.GetUser(context.Background(), "me")
	var zerr *zoom.Error
	if !errors.As(err, &zerr) || zerr.Status != 401 || zerr.Code != 124 || zerr.Message != "Invalid access token." {
		t.Fatalf("err = %v, want 401 code 124", err)
	}
	if zoom.Retryable(err) {
		t.Error("an invalid token is retryable")
	}
}

// TestInt64IDs checks IDs survive exactly: JSON numbers above 2^53 lose
// precision as float64, and Zoom's IDs already pass 10 digits.
func TestInt64IDs(t *testing.T) {
	c, fake := setup(t, zoomfake.Config{})
	ctx := context.Background()
	for range 5 {
		m, err := c.CreateMeeting(ctx, "me", zoom.CreateMeetingRequest{Topic: "t", Type: zoom.MeetingScheduled})
		if err != nil {
			t.Fatal(err)
		}
		if len(fmt.Sprint(m.ID)) != 11 {
			t.Errorf("ID %d is not 11 digits", m.ID)
		}
		got, err := c.GetMeeting(ctx, m.ID)
		if err != nil || got.ID != m.ID {
			t.Errorf("GetMeeting(%d) = %v, %v", m.ID, got, err)
		}
	}
	var fakeIDs []int64
	for _, m := range fake.Meetings() {
		fakeIDs = append(fakeIDs, m.ID)
	}
	list, err := c.ListMeetings(ctx, "me", "")
	if err != nil {
		t.Fatal(err)
	}
	var listed []int64
	for _, m := range list {
		listed = append(listed, m.ID)
	}
	if diff := cmp.Diff(fakeIDs, listed); diff != "" {
		t.Errorf("listed IDs differ from the fake's (-fake +listed):\n%s", diff)
	}

	// Beyond 2^53 the fake does not go, so a canned server answers here.
	const big = int64(9007199254740993) // 2^53 + 1: a float64 reads 9007199254740992
	var gotPath string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/meetings") {
			fmt.Fprintf(w, `{"next_page_token":"","meetings":[{"id":%d,"topic":"t","type":2}]}`, big)
			return
		}
		fmt.Fprintf(w, `{"id":%d,"topic":"t","type":2,"status":"waiting"}`, big)
	}))
	defer srv.Close()
	bc := zoom.NewClient(srv.URL, srv.Client())
	m, err := bc.GetMeeting(ctx, big)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != big || gotPath != "/meetings/9007199254740993" {
		t.Errorf("GetMeeting(%d): path %s, id %d", big, gotPath, m.ID)
	}
	l, err := bc.ListMeetings(ctx, "me", "")
	if err != nil || len(l) != 1 || l[0].ID != big {
		t.Errorf("ListMeetings = %v, %v, want ID %d", l, err, big)
	}
}

func TestListMeetingsFollowsPages(t *testing.T) {
	c, fake := setup(t, zoomfake.Config{})
	fake.SetDailyLimit(1000)
	ctx := context.Background()
	var want []int64
	for i := range 305 { // more than one page of 300
		m, err := c.CreateMeeting(ctx, "me", zoom.CreateMeetingRequest{
			Topic: fmt.Sprintf("m%d", i), Type: zoom.MeetingScheduled, Agenda: strings.Repeat("a", 300),
		})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, m.ID)
	}
	// Zoom never lists instant meetings: recovery code must not rely on it.
	if _, err := c.CreateMeeting(ctx, "me", zoom.CreateMeetingRequest{Topic: "instant", Type: zoom.MeetingInstant}); err != nil {
		t.Fatal(err)
	}
	before := countOp(fake, "meetings")
	list, err := c.ListMeetings(ctx, "me", zoom.ListScheduled)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, m := range list {
		got = append(got, m.ID)
		if len(m.Agenda) != 250 {
			t.Errorf("meeting %d: listed agenda has %d characters, want 250", m.ID, len(m.Agenda))
			break
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("listed IDs (-want +got):\n%s", diff)
	}
	if n := countOp(fake, "meetings") - before; n != 2 {
		t.Errorf("%d list requests, want 2 pages of up to 300", n)
	}
}

func TestQPSRateLimit(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)}
	c, fake := setup(t, zoomfake.Config{Now: clk.Now})
	ctx := context.Background()
	if _, err := c.GetUser(ctx, "me"); err != nil { // the token, outside the limit
		t.Fatal(err)
	}
	fake.SetQPSLimit(1)
	clk.Add(time.Second)
	if _, err := c.GetUser(ctx, "me"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := c.GetUser(ctx, "me")
	var rle *zoom.RateLimitError
	if !errors.As(err, &rle) {
		t.Fatalf("err = %v, want *zoom.RateLimitError", err)
	}
	if rle.Type != zoom.RateLimitQPS || rle.Code != 429 ||
		rle.Message != "You have reached the maximum per-second rate limit for this API. Try again later." {
		t.Errorf("rate limit error = %+v", rle)
	}
	if d := rle.RetryAfter.Sub(start); d < 900*time.Millisecond || d > 2*time.Second {
		t.Errorf("RetryAfter is %v from now, want about 1s (Retry-After: 1)", d)
	}
	if !zoom.Retryable(err) || zoom.IsNotFound(err) {
		t.Error("a QPS limit must be retryable")
	}
	clk.Add(time.Second)
	if _, err := c.GetUser(ctx, "me"); err != nil {
		t.Errorf("next second: %v", err)
	}
}

func TestDailyRateLimit(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 14, 18, 30, 0, 0, time.UTC)}
	c, fake := setup(t, zoomfake.Config{Now: clk.Now, Hosts: []zoomfake.User{{Email: "bot-1@example.com"}, {Email: "bot-2@example.com"}}})
	fake.SetDailyLimit(3)
	ctx := context.Background()
	req := zoom.CreateMeetingRequest{Topic: "t", Type: zoom.MeetingScheduled}
	m, err := c.CreateMeeting(ctx, "bot-1@example.com", req)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // updates count too
		if err := c.UpdateMeeting(ctx, m.ID, zoom.UpdateMeetingRequest{Topic: ptr("u")}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.CreateMeeting(ctx, "bot-1@example.com", req)
	var rle *zoom.RateLimitError
	if !errors.As(err, &rle) {
		t.Fatalf("err = %v, want *zoom.RateLimitError", err)
	}
	wantRetry := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	if rle.Type != zoom.RateLimitDaily || !rle.RetryAfter.Equal(wantRetry) || !strings.Contains(rle.Message, "daily rate limit (3)") {
		t.Errorf("rate limit error = %+v, want Daily-limit until %v", rle, wantRetry)
	}
	if err := c.UpdateMeeting(ctx, m.ID, zoom.UpdateMeetingRequest{Topic: ptr("v")}); !errors.As(err, &rle) {
		t.Errorf("update over the cap: %v", err)
	}
	if !zoom.Retryable(err) {
		t.Error("the daily cap is retryable (after RetryAfter)")
	}
	// Another host of the pool is not capped…
	if _, err := c.CreateMeeting(ctx, "bot-2@example.com", req); err != nil {
		t.Errorf("other host: %v", err)
	}
	// …and the cap lifts at 00:00 UTC.
	clk.Add(6 * time.Hour)
	if _, err := c.CreateMeeting(ctx, "bot-1@example.com", req); err != nil {
		t.Errorf("next day: %v", err)
	}
}

func TestRetryAfterForms(t *testing.T) {
	c, fake := setup(t, zoomfake.Config{})
	ctx := context.Background()
	daily := "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests permitted for this particular user. You may resume these requests at GMT 00:00:00."
	cases := []struct {
		name     string
		header   map[string]string
		message  string
		wantType string
		want     func(now time.Time) time.Time
	}{
		{"seconds", map[string]string{"Retry-After": "120", "X-RateLimit-Type": "QPS"}, "", zoom.RateLimitQPS,
			func(now time.Time) time.Time { return now.Add(120 * time.Second) }},
		{"RFC 3339 date", map[string]string{"Retry-After": "2020-05-31T00:00:00Z", "X-RateLimit-Type": "Daily-limit"}, daily, zoom.RateLimitDaily,
			func(time.Time) time.Time { return time.Date(2020, 5, 31, 0, 0, 0, 0, time.UTC) }},
		{"HTTP date", map[string]string{"Retry-After": "Sun, 31 May 2020 00:00:00 GMT"}, "", "",
			func(time.Time) time.Time { return time.Date(2020, 5, 31, 0, 0, 0, 0, time.UTC) }},
		// Zoom sometimes sends the daily cap without its headers.
		{"no headers", nil, daily, zoom.RateLimitDaily, func(time.Time) time.Time { return time.Time{} }},
		{"garbage", map[string]string{"Retry-After": "soon"}, "", "", func(time.Time) time.Time { return time.Time{} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake.InjectFault(zoomfake.Fault{Op: "user", Status: 429, Code: 429, Message: tc.message, Header: tc.header})
			now := time.Now()
			_, err := c.GetUser(ctx, "me")
			var rle *zoom.RateLimitError
			if !errors.As(err, &rle) {
				t.Fatalf("err = %v, want *zoom.RateLimitError", err)
			}
			want := tc.want(now)
			if rle.Type != tc.wantType || rle.RetryAfter.Sub(want).Abs() > 2*time.Second || rle.RetryAfter.IsZero() != want.IsZero() {
				t.Errorf("got type %q retry after %v, want %q %v", rle.Type, rle.RetryAfter, tc.wantType, want)
			}
		})
	}
}

func TestFaultsAreRetryable(t *testing.T) {
	c, fake := setup(t, zoomfake.Config{})
	ctx := context.Background()
	req := zoom.CreateMeetingRequest{Topic: "t", Type: zoom.MeetingScheduled}

	fake.InjectFault(zoomfake.Fault{Op: "meetingCreate", Times: 2, Status: 503})
	for i := range 2 {
		_, err := c.CreateMeeting(ctx, "me", req)
		var zerr *zoom.Error
		if !errors.As(err, &zerr) || zerr.Status != 503 || !zoom.Retryable(err) {
			t.Errorf("create %d: %v, want a retryable 503", i, err)
		}
	}
	if _, err := c.CreateMeeting(ctx, "me", req); err != nil {
		t.Errorf("after the fault: %v", err)
	}
	if n := len(fake.Meetings()); n != 1 {
		t.Errorf("%d meetings, want 1", n)
	}

	t.Run("timeout", func(t *testing.T) {
		fake.InjectFault(zoomfake.Fault{Op: "meeting", Delay: 5 * time.Second, Status: 500})
		tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.GetMeeting(tctx, fake.Meetings()[0].ID)
		if err == nil || !errors.Is(err, context.DeadlineExceeded) || !zoom.Retryable(err) {
			t.Errorf("err = %v, want a retryable deadline error", err)
		}
		if time.Since(start) > 2*time.Second {
			t.Error("the client waited for the hanging server")
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := c.GetUser(cctx, "me"); err == nil || zoom.Retryable(err) {
			t.Errorf("err = %v, want a final error: the caller gave up", err)
		}
	})

	t.Run("token endpoint down", func(t *testing.T) {
		fresh := s2sClient(fake, testAccount, testClient, testSecret, nil)
		fake.InjectFault(zoomfake.Fault{Op: "token", Status: 503})
		_, err := fresh.GetUser(ctx, "me")
		var te *zoom.TokenError
		if !errors.As(err, &te) || te.Status != 503 || !zoom.Retryable(err) {
			t.Errorf("err = %v, want a retryable *zoom.TokenError", err)
		}
		if _, err := fresh.GetUser(ctx, "me"); err != nil {
			t.Errorf("after the token endpoint recovered: %v", err)
		}
	})

	t.Run("connection refused", func(t *testing.T) {
		dead, err := zoomfake.Start(zoomfake.Config{})
		if err != nil {
			t.Fatal(err)
		}
		dead.Close()
		_, err = s2sClient(dead, "a", "b", "c", nil).GetUser(ctx, "me")
		if err == nil || !zoom.Retryable(err) {
			t.Errorf("err = %v, want a retryable network error", err)
		}
	})
}

func TestRetryable(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{&zoom.Error{Status: 400, Code: 300}, false},
		{&zoom.Error{Status: 401, Code: 124}, false},
		{&zoom.Error{Status: 404, Code: 3001}, false},
		{fmt.Errorf("zoom: get meeting: %w", &zoom.Error{Status: 502}), true},
		{&zoom.RateLimitError{Type: zoom.RateLimitQPS}, true},
		{&zoom.RateLimitError{Type: zoom.RateLimitDaily}, true},
		{&zoom.TokenError{Status: 401, Code: "invalid_client"}, false},
		{&zoom.TokenError{Status: 500}, true},
		{context.Canceled, false},
		{context.DeadlineExceeded, true},
		{errors.New("zoom: decode 200 answer: invalid character"), false},
	}
	for _, tc := range cases {
		if got := zoom.Retryable(tc.err); got != tc.want {
			t.Errorf("Retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestStartedMeetingCannotChange(t *testing.T) {
	c, fake := setup(t, zoomfake.Config{})
	ctx := context.Background()
	m, err := c.CreateMeeting(ctx, "me", zoom.CreateMeetingRequest{Topic: "t", Type: zoom.MeetingScheduled})
	if err != nil {
		t.Fatal(err)
	}
	fake.SetMeetingStatus(m.ID, zoomfake.StatusStarted)
	got, err := c.GetMeeting(ctx, m.ID)
	if err != nil || got.Status != "started" {
		t.Fatalf("GetMeeting = %+v, %v", got, err)
	}
	var zerr *zoom.Error
	if err := c.UpdateMeeting(ctx, m.ID, zoom.UpdateMeetingRequest{Topic: ptr("x")}); !errors.As(err, &zerr) || zerr.Code != 3000 {
		t.Errorf("update started meeting: %v, want code 3000", err)
	}
	if err := c.DeleteMeeting(ctx, m.ID); !errors.As(err, &zerr) || zerr.Code != 3002 || zoom.Retryable(err) {
		t.Errorf("delete started meeting: %v, want code 3002", err)
	}
}

// Alternative hosts are set and taken away again: an empty list is sent
// as such, not left out as "unchanged".
func TestAlternativeHostsSetAndCleared(t *testing.T) {
	c, fake := setup(t, zoomfake.Config{Hosts: []zoomfake.User{{Email: "incident-bot@example.com"}, {Email: "alice@example.com"}}})
	ctx := context.Background()
	m, err := c.CreateMeeting(ctx, "me", zoom.CreateMeetingRequest{Topic: "t", Type: zoom.MeetingRecurringNoFixed})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetAlternativeHosts(ctx, m.ID, "alice@example.com"); err != nil {
		t.Fatal(err)
	}
	if got, _ := fake.Meeting(m.ID); got.Settings.AlternativeHosts != "alice@example.com" {
		t.Fatalf("alternative hosts %q after setting alice", got.Settings.AlternativeHosts)
	}
	if err := c.SetAlternativeHosts(ctx, m.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := fake.Meeting(m.ID); got.Settings.AlternativeHosts != "" {
		t.Errorf("alternative hosts %q after clearing them", got.Settings.AlternativeHosts)
	}
	fake.SetMeetingStatus(m.ID, zoomfake.StatusStarted)
	var zerr *zoom.Error
	if err := c.SetAlternativeHosts(ctx, m.ID, "alice@example.com"); !errors.As(err, &zerr) || zerr.Code != 3000 {
		t.Errorf("a running meeting's hosts: %v, want code 3000", err)
	}
}

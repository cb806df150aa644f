package zoom_test

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/warroom-dev/warroom/zoom"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// The user-managed OAuth app, end to end over HTTP: golang.org/x/oauth2
// configured by zoom.UserOAuthConfig, the fake's authorization page driven
// the way a browser would, and a zoom.Client acting with the user's token.

const testRedirect = "https://warroom.example.com/zoom/oauth/callback"

// noRedirects is a browser that stops at each redirect, so a test can see
// where it would go.
var noRedirects = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// userOAuth starts a fake with two hosts and the test app, and returns it
// with the app's OAuth configuration.
func userOAuth(t *testing.T, cfg zoomfake.Config) (*zoomfake.Server, *oauth2.Config) {
	t.Helper()
	cfg.AccountID, cfg.ClientID, cfg.ClientSecret = testAccount, testClient, testSecret
	if cfg.Hosts == nil {
		cfg.Hosts = []zoomfake.User{{Email: "bot-1@example.com"}, {Email: "bot-2@example.com"}}
	}
	if cfg.RedirectURIs == nil {
		cfg.RedirectURIs = []string{testRedirect}
	}
	fake, err := zoomfake.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	return fake, zoom.UserOAuthConfig(fake.URL()+"/", testClient, testSecret, testRedirect)
}

// oauthCtx makes golang.org/x/oauth2 use a client with a timeout.
func oauthCtx() context.Context {
	return context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Timeout: 10 * time.Second})
}

var (
	hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	optionRE = regexp.MustCompile(`<option value="([^"]+)"( selected)?>`)
	formRE   = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
)

// authorize does what an admin's browser does with the authorization page
// at authURL: load it, pick user ("" keeps the preselected one) and press
// the button for decision ("allow" or "deny"). It returns where Zoom sends
// the browser back to.
func authorize(t *testing.T, authURL, user, decision string) *url.URL {
	t.Helper()
	resp, err := noRedirects.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("authorization page: HTTP %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), page)
	}
	for _, button := range []string{
		`<button type="submit" name="decision" value="allow" id="authorize">Authorize</button>`,
		`<button type="submit" name="decision" value="deny" id="deny">Deny</button>`,
	} {
		if !strings.Contains(string(page), button) {
			t.Fatalf("the page has no %s:\n%s", button, page)
		}
	}
	form := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(string(page), -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range optionRE.FindAllStringSubmatch(string(page), -1) {
		if m[2] != "" {
			form.Set("user", html.UnescapeString(m[1]))
		}
	}
	if user != "" {
		form.Set("user", user)
	}
	form.Set("decision", decision)
	action := formRE.FindStringSubmatch(string(page))
	if action == nil {
		t.Fatalf("the page has no POST form:\n%s", page)
	}
	base, _ := url.Parse(authURL)
	target, err := base.Parse(html.UnescapeString(action[1]))
	if err != nil {
		t.Fatal(err)
	}
	resp, err = noRedirects.PostForm(target.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("submitting the form: HTTP %d, want 302:\n%s", resp.StatusCode, body)
	}
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// connect runs the whole flow with PKCE for user and returns the token.
func connect(t *testing.T, cfg *oauth2.Config, user string) *oauth2.Token {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	back := authorize(t, cfg.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier)), user, "allow")
	tok, err := cfg.Exchange(oauthCtx(), back.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// userTokens is a zoom.TokenSource for a user-managed app, like the one the
// bot keeps (without the database): one refresh at a time, and the rotated
// refresh token kept.
type userTokens struct {
	cfg *oauth2.Config

	mu          sync.Mutex
	tok         *oauth2.Token
	invalidated []string
}

func (u *userTokens) AccessToken(ctx context.Context) (string, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.tok.Valid() {
		return u.tok.AccessToken, nil
	}
	t, err := u.cfg.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Timeout: 10 * time.Second}), u.tok).Token()
	if err != nil {
		return "", err
	}
	u.tok = t
	return t.AccessToken, nil
}

func (u *userTokens) Invalidate(access string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.invalidated = append(u.invalidated, access)
	if u.tok != nil && u.tok.AccessToken == access {
		expired := *u.tok
		expired.Expiry = time.Unix(1, 0)
		u.tok = &expired
	}
}

func (u *userTokens) current() oauth2.Token {
	u.mu.Lock()
	defer u.mu.Unlock()
	return *u.tok
}

func TestUserOAuthConfig(t *testing.T) {
	cfg := zoom.UserOAuthConfig("https://zoom.us/", "cid", "secret", testRedirect)
	if cfg.Endpoint.AuthURL != "https://zoom.us/oauth/authorize" || cfg.Endpoint.TokenURL != "https://zoom.us/oauth/token" ||
		cfg.Endpoint.AuthStyle != oauth2.AuthStyleInHeader || len(cfg.Scopes) != 0 ||
		cfg.ClientID != "cid" || cfg.ClientSecret != "secret" || cfg.RedirectURL != testRedirect {
		t.Errorf("config = %+v", cfg)
	}
	u, _ := url.Parse(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption("v")))
	q := u.Query()
	if q.Get("response_type") != "code" || q.Get("client_id") != "cid" || q.Get("redirect_uri") != testRedirect ||
		q.Get("state") != "st" || q.Get("code_challenge_method") != "S256" || q.Has("scope") {
		t.Errorf("authorization URL %s", u)
	}
}

func TestUserOAuthCodeFlowWithPKCE(t *testing.T) {
	fake, cfg := userOAuth(t, zoomfake.Config{})
	ctx := context.Background()

	verifier := oauth2.GenerateVerifier()
	authURL := cfg.AuthCodeURL("st-42", oauth2.S256ChallengeOption(verifier))
	resp, err := http.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "warroom would like to access your Zoom account") {
		t.Errorf("the page does not say who asks:\n%s", page)
	}
	options := optionRE.FindAllStringSubmatch(string(page), -1)
	if len(options) != 2 || options[0][1] != "bot-1@example.com" || options[0][2] == "" ||
		options[1][1] != "bot-2@example.com" || options[1][2] != "" {
		t.Errorf("user choices = %q, want both hosts, the first selected", options)
	}

	// The second host signs in: the tokens must act as that user.
	back := authorize(t, authURL, "bot-2@example.com", "allow")
	if got := back.Scheme + "://" + back.Host + back.Path; got != testRedirect {
		t.Errorf("sent back to %s, want %s", got, testRedirect)
	}
	code := back.Query().Get("code")
	if back.Query().Get("state") != "st-42" || code == "" || back.Query().Has("error") {
		t.Fatalf("sent back with %v", back.Query())
	}
	tok, err := cfg.Exchange(oauthCtx(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.TokenType != "bearer" ||
		time.Until(tok.Expiry) < 59*time.Minute || time.Until(tok.Expiry) > time.Hour {
		t.Errorf("token: type %q, refresh token %t, expires in %v", tok.TokenType, tok.RefreshToken != "", time.Until(tok.Expiry))
	}
	if scope, _ := tok.Extra("scope").(string); !strings.Contains(scope, "meeting:write:meeting") || strings.Contains(scope, ":admin") {
		t.Errorf("scope = %q, want the user-level granular scopes", scope)
	}
	if n := fake.TokenRequests("authorization_code"); n != 1 {
		t.Errorf("%d authorization_code requests, want 1", n)
	}

	c := zoom.NewClientWithTokens(fake.APIURL(), &http.Client{Timeout: 10 * time.Second}, &userTokens{cfg: cfg, tok: tok})
	me, err := c.GetUser(ctx, "me")
	if err != nil {
		t.Fatal(err)
	}
	if me.Email != "bot-2@example.com" {
		t.Errorf("me = %s, want the user who authorized", me.Email)
	}
}

func TestUserOAuthDeny(t *testing.T) {
	fake, cfg := userOAuth(t, zoomfake.Config{})
	back := authorize(t, cfg.AuthCodeURL("st-7", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "", "deny")
	q := back.Query()
	if q.Get("error") != "access_denied" || q.Get("state") != "st-7" || q.Has("code") {
		t.Errorf("sent back with %v, want error=access_denied and the state", q)
	}
	if n := len(fake.IssuedTokens()); n != 0 {
		t.Errorf("%d tokens issued after a denial", n)
	}
}

// retrieveError checks that err is the token endpoint refusing with HTTP
// status, OAuth error code and Zoom's reason.
func retrieveError(t *testing.T, err error, status int, code, reason string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want *oauth2.RetrieveError", err)
	}
	var body struct{ Error, Reason string }
	_ = json.Unmarshal(re.Body, &body)
	if re.Response.StatusCode != status || re.ErrorCode != code || body.Reason != reason {
		t.Errorf("HTTP %d %s %q, want HTTP %d %s %q", re.Response.StatusCode, re.ErrorCode, body.Reason, status, code, reason)
	}
}

func TestAuthorizationCodeIsSingleUseAndShortLived(t *testing.T) {
	clk := &clock{t: time.Now()}
	_, cfg := userOAuth(t, zoomfake.Config{Now: clk.Now})

	t.Run("reused", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		back := authorize(t, cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)), "", "allow")
		code := back.Query().Get("code")
		if _, err := cfg.Exchange(oauthCtx(), code, oauth2.VerifierOption(verifier)); err != nil {
			t.Fatal(err)
		}
		_, err := cfg.Exchange(oauthCtx(), code, oauth2.VerifierOption(verifier))
		retrieveError(t, err, 400, "invalid_grant", "Invalid authorization code")
	})
	t.Run("expired", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		back := authorize(t, cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)), "", "allow")
		clk.Add(5*time.Minute + time.Second)
		_, err := cfg.Exchange(oauthCtx(), back.Query().Get("code"), oauth2.VerifierOption(verifier))
		retrieveError(t, err, 400, "invalid_grant", "Invalid authorization code")
	})
	t.Run("wrong verifier", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		back := authorize(t, cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)), "", "allow")
		code := back.Query().Get("code")
		_, err := cfg.Exchange(oauthCtx(), code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
		retrieveError(t, err, 400, "invalid_grant", "Invalid code_verifier")
		// The code is used up: the right verifier comes too late.
		_, err = cfg.Exchange(oauthCtx(), code, oauth2.VerifierOption(verifier))
		retrieveError(t, err, 400, "invalid_grant", "Invalid authorization code")
	})
	t.Run("no verifier", func(t *testing.T) {
		back := authorize(t, cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "", "allow")
		_, err := cfg.Exchange(oauthCtx(), back.Query().Get("code"))
		retrieveError(t, err, 400, "invalid_grant", "Invalid code_verifier")
	})
	t.Run("other redirect_uri", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		back := authorize(t, cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)), "", "allow")
		other := *cfg
		other.RedirectURL = "https://warroom.example.com/elsewhere"
		_, err := other.Exchange(oauthCtx(), back.Query().Get("code"), oauth2.VerifierOption(verifier))
		retrieveError(t, err, 400, "invalid_request", "Redirect URI mismatch.")
	})
}

func TestAuthorizePageRefusesBadRequests(t *testing.T) {
	fake, cfg := userOAuth(t, zoomfake.Config{})
	good := cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	with := func(key, value string) string {
		u, _ := url.Parse(good)
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	for name, u := range map[string]string{
		"unknown client":            with("client_id", "someone-else"),
		"implicit grant":            with("response_type", "token"),
		"redirect not allowed":      with("redirect_uri", "https://evil.example.com/callback"),
		"challenge method unknown":  with("code_challenge_method", "S512"),
		"challenge of wrong length": with("code_challenge", "short"),
	} {
		t.Run(name, func(t *testing.T) {
			resp, err := noRedirects.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 400 || resp.Header.Get("Location") != "" ||
				!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), `id="error"`) {
				t.Errorf("HTTP %d, Location %q, %s", resp.StatusCode, resp.Header.Get("Location"), body)
			}
		})
	}
	// The form is checked again when submitted: a redirect_uri changed in
	// the browser goes nowhere.
	resp, err := noRedirects.PostForm(fake.URL()+"/oauth/authorize", url.Values{
		"response_type": {"code"}, "client_id": {testClient}, "redirect_uri": {"https://evil.example.com/callback"},
		"user": {"bot-1@example.com"}, "decision": {"allow"},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("Location") != "" {
		t.Errorf("tampered form: HTTP %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestRefreshTokensRotate(t *testing.T) {
	fake, cfg := userOAuth(t, zoomfake.Config{})
	first := connect(t, cfg, "")
	refresh := func(rt string) (*oauth2.Token, error) {
		return cfg.TokenSource(oauthCtx(), &oauth2.Token{RefreshToken: rt}).Token()
	}
	second, err := refresh(first.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if second.RefreshToken == "" || second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Fatal("a refresh must answer a new access token and a new refresh token")
	}
	_, err = refresh(first.RefreshToken)
	retrieveError(t, err, 400, "invalid_grant", "Invalid Token!")
	third, err := refresh(second.RefreshToken)
	if err != nil {
		t.Fatalf("the new refresh token: %v", err)
	}
	_, err = refresh("made-up")
	retrieveError(t, err, 400, "invalid_grant", "Invalid Token!")
	if n := fake.TokenRequests("refresh_token"); n != 4 {
		t.Errorf("%d refresh_token requests, want 4", n)
	}

	// Through the Client: a rejected (expired) access token is reported to
	// the TokenSource, which refreshes once, and the call goes through.
	ts := &userTokens{cfg: cfg, tok: third}
	c := zoom.NewClientWithTokens(fake.APIURL(), nil, ts)
	fake.ExpireAccessTokens()
	if _, err := c.GetUser(context.Background(), "me"); err != nil {
		t.Fatalf("after the access token expired: %v", err)
	}
	if len(ts.invalidated) != 1 || ts.invalidated[0] != third.AccessToken {
		t.Errorf("invalidated %d tokens, want the expired one", len(ts.invalidated))
	}
	if n := fake.TokenRequests("refresh_token"); n != 5 {
		t.Errorf("%d refresh_token requests, want 5", n)
	}
	if cur := ts.current(); cur.RefreshToken == third.RefreshToken {
		t.Error("the TokenSource still holds the used refresh token")
	}

	// A dead grant surfaces as a final *zoom.TokenError.
	fake.ExpireAccessTokens()
	_, _ = refresh(ts.current().RefreshToken) // someone else rotates it away
	_, err = c.GetUser(context.Background(), "me")
	var te *zoom.TokenError
	if !errors.As(err, &te) || te.Code != "invalid_grant" || te.Reason != "Invalid Token!" || zoom.Retryable(err) {
		t.Errorf("err = %v, want a final *zoom.TokenError invalid_grant", err)
	}
}

func TestUserTokenActsAsItsUser(t *testing.T) {
	fake, cfg := userOAuth(t, zoomfake.Config{})
	ctx := context.Background()
	s2s := s2sClient(fake, testAccount, testClient, testSecret, nil)
	c := zoom.NewClientWithTokens(fake.APIURL(), nil, &userTokens{cfg: cfg, tok: connect(t, cfg, "bot-2@example.com")})

	other, err := s2s.CreateMeeting(ctx, "bot-1@example.com", zoom.CreateMeetingRequest{Topic: "bot-1's", Type: zoom.MeetingScheduled})
	if err != nil {
		t.Fatal(err)
	}
	own, err := c.CreateMeeting(ctx, "me", zoom.CreateMeetingRequest{Topic: "mine", Type: zoom.MeetingScheduled})
	if err != nil {
		t.Fatal(err)
	}
	if own.HostEmail != "bot-2@example.com" {
		t.Errorf("created for %s, want bot-2", own.HostEmail)
	}
	if _, err := c.GetMeeting(ctx, own.ID); err != nil {
		t.Error(err)
	}
	if list, err := c.ListMeetings(ctx, "me", ""); err != nil || len(list) != 1 || list[0].ID != own.ID {
		t.Errorf("ListMeetings(me) = %v, %v, want only its own meeting", list, err)
	}

	noPermission := func(what string, err error) {
		t.Helper()
		var zerr *zoom.Error
		if !errors.As(err, &zerr) || zerr.Status != 400 || zerr.Code != 200 || zerr.Message != "No permission." {
			t.Errorf("%s: %v, want HTTP 400 code 200 No permission.", what, err)
		}
	}
	_, err = c.GetUser(ctx, "bot-1@example.com")
	noPermission("another user", err)
	_, err = c.CreateMeeting(ctx, "bot-1@example.com", zoom.CreateMeetingRequest{Topic: "t", Type: zoom.MeetingScheduled})
	noPermission("a meeting for another user", err)
	_, err = c.GetMeeting(ctx, other.ID)
	noPermission("another user's meeting", err)
	noPermission("deleting another user's meeting", c.DeleteMeeting(ctx, other.ID))
	_, err = c.GetUserSettings(ctx, "bot-1@example.com")
	noPermission("another user's settings", err)
	if _, err := c.GetUser(ctx, "nobody@example.com"); !zoom.IsNotFound(err) {
		t.Errorf("unknown user: %v, want 404", err)
	}

	// The account's Server-to-Server token still reaches every host.
	if _, err := s2s.GetMeeting(ctx, own.ID); err != nil {
		t.Error(err)
	}
	if me, err := s2s.GetUser(ctx, "me"); err != nil || me.Email != "bot-1@example.com" {
		t.Errorf("S2S me = %v, %v, want the first host", me, err)
	}
	if got := len(fake.Meetings()); got != 2 {
		t.Errorf("%d meetings, want 2: refused requests must not act", got)
	}
}

// webhookReceiver records the webhooks it gets, as raw requests.
type webhookReceiver struct {
	*httptest.Server
	got chan receivedWebhook
}

type receivedWebhook struct {
	header http.Header
	body   []byte
}

func newWebhookReceiver(t *testing.T, status int) *webhookReceiver {
	t.Helper()
	wr := &webhookReceiver{got: make(chan receivedWebhook, 10)}
	wr.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		wr.got <- receivedWebhook{r.Header.Clone(), body}
		w.WriteHeader(status)
	}))
	t.Cleanup(wr.Close)
	return wr
}

func (wr *webhookReceiver) next(t *testing.T) receivedWebhook {
	t.Helper()
	select {
	case w := <-wr.got:
		return w
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook arrived")
	}
	return receivedWebhook{}
}

func TestRevoke(t *testing.T) {
	const secret = "webhook-secret-token"
	rcv := newWebhookReceiver(t, http.StatusOK)
	fake, cfg := userOAuth(t, zoomfake.Config{WebhookURL: rcv.URL, WebhookSecret: secret})
	ctx := context.Background()
	tok := connect(t, cfg, "bot-2@example.com")
	c := zoom.NewClientWithTokens(fake.APIURL(), nil, &userTokens{cfg: cfg, tok: tok})
	me, err := c.GetUser(ctx, "me")
	if err != nil {
		t.Fatal(err)
	}

	if err := zoom.Revoke(ctx, nil, fake.URL(), testClient, testSecret, tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	// Both tokens are dead: the access token is refused and the retry's
	// refresh fails.
	_, err = c.GetUser(ctx, "me")
	var te *zoom.TokenError
	if !errors.As(err, &te) || te.Code != "invalid_grant" {
		t.Errorf("after revoke: %v, want invalid_grant from the refresh", err)
	}
	status, _, _ := rawGet(t, fake.APIURL()+"/users/me", tok.AccessToken)
	if status != 401 {
		t.Errorf("revoked access token: HTTP %d, want 401", status)
	}

	hook := rcv.next(t)
	ts, err := zoom.VerifyWebhook(secret, hook.header, hook.body, time.Now(), time.Minute)
	if err != nil {
		t.Fatalf("the app_deauthorized webhook does not verify: %v", err)
	}
	if time.Since(ts).Abs() > time.Minute {
		t.Errorf("webhook timestamp %v", ts)
	}
	var ev zoom.WebhookEvent
	if err := json.Unmarshal(hook.body, &ev); err != nil {
		t.Fatal(err)
	}
	var p zoom.DeauthorizationPayload
	if err := json.Unmarshal(ev.Payload, &p); err != nil {
		t.Fatal(err)
	}
	deauthAt, err := time.Parse(time.RFC3339, p.DeauthorizationTime)
	if ev.Event != "app_deauthorized" || time.Since(time.UnixMilli(ev.EventTS)).Abs() > time.Minute ||
		p.AccountID != testAccount || p.ClientID != testClient || p.UserID != me.ID ||
		p.UserDataRetention != "false" || p.Signature == "" || err != nil || time.Since(deauthAt) > time.Minute {
		t.Errorf("event %+v payload %+v", ev, p)
	}

	// Revoking again: Zoom no longer knows the token.
	err = zoom.Revoke(ctx, nil, fake.URL(), testClient, testSecret, tok.RefreshToken)
	if !errors.As(err, &te) || te.Status != 400 || te.Code != "invalid_grant" || !strings.Contains(err.Error(), "token revocation failed") {
		t.Errorf("second revoke: %v, want a *zoom.TokenError invalid_grant", err)
	}
	err = zoom.Revoke(ctx, nil, fake.URL(), testClient, "wrong-secret", tok.RefreshToken)
	if !errors.As(err, &te) || te.Status != 401 || te.Code != "invalid_client" || strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("wrong secret: %v, want a *zoom.TokenError invalid_client", err)
	}
}

func TestDeauthorizeFromMarketplace(t *testing.T) {
	const secret = "webhook-secret-token"
	rcv := newWebhookReceiver(t, http.StatusNoContent)
	fake, cfg := userOAuth(t, zoomfake.Config{WebhookURL: rcv.URL, WebhookSecret: secret})
	if err := fake.Deauthorize("bot-1@example.com"); err == nil {
		t.Error("Deauthorize of a user who never authorized succeeded")
	}
	tok := connect(t, cfg, "bot-1@example.com")
	if err := fake.Deauthorize("BOT-1@example.com"); err != nil {
		t.Fatal(err)
	}
	hook := rcv.next(t) // the failed call above sent nothing
	if _, err := zoom.VerifyWebhook(secret, hook.header, hook.body, time.Now(), 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(hook.body), `"event":"app_deauthorized"`) {
		t.Errorf("webhook body %s", hook.body)
	}
	if _, err := cfg.TokenSource(oauthCtx(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
		t.Error("the refresh token still works after the user removed the app")
	}
}

// rawGet is an API call without the client.
func rawGet(t *testing.T, u, bearer string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestRevokeFaults(t *testing.T) {
	fake, cfg := userOAuth(t, zoomfake.Config{})
	tok := connect(t, cfg, "")
	fake.InjectFault(zoomfake.Fault{Op: "revoke", Status: 503})
	err := zoom.Revoke(context.Background(), nil, fake.URL(), testClient, testSecret, tok.AccessToken)
	var te *zoom.TokenError
	if !errors.As(err, &te) || te.Status != 503 || !zoom.Retryable(err) {
		t.Errorf("err = %v, want a retryable *zoom.TokenError", err)
	}
	if err := zoom.Revoke(context.Background(), nil, fake.URL(), testClient, testSecret, tok.AccessToken); err != nil {
		t.Errorf("after the fault: %v", err)
	}
	if err := zoom.Revoke(context.Background(), nil, fake.URL(), testClient, testSecret, ""); err == nil {
		t.Error("revoking an empty token succeeded")
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := zoom.Revoke(canceled, nil, fake.URL(), testClient, testSecret, tok.RefreshToken); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

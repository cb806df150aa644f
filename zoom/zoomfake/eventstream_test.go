package zoomfake_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/warroom-dev/warroom/zoom"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

func dialStream(t *testing.T, s *zoomfake.Server, sub, token string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	u := "ws" + strings.TrimPrefix(s.URL(), "http") + "/ws?subscriptionId=" + sub + "&access_token=" + token
	return websocket.DefaultDialer.Dial(u, nil)
}

func appToken(t *testing.T, s *zoomfake.Server) string {
	t.Helper()
	cfg := s.Config()
	tok, err := zoom.AppToken(s.URL(), cfg.AccountID, cfg.ClientID, cfg.ClientSecret, nil)(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type frame struct {
	Module  string `json:"module"`
	Content string `json:"content"`
	Success bool   `json:"success"`
}

// The stream refuses what Zoom refuses, answers heartbeats, and carries
// each event as the webhook's body in a string; an event emitted while no
// connection is open is lost for good.
func TestEventStreamFrames(t *testing.T) {
	var mu sync.Mutex
	var hooks []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		hooks = append(hooks, string(b))
		mu.Unlock()
	}))
	defer hook.Close()
	s := mustStart(t, zoomfake.Config{WebhookURL: hook.URL})
	tok := appToken(t, s)
	sub := s.Config().WSSubscriptionID

	if _, resp, err := dialStream(t, s, "someone-elses", tok); err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("an unknown subscription: %v", err)
	}
	if _, resp, err := dialStream(t, s, sub, "made-up-token"); err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a token the fake did not issue: %v", err)
	}

	// No connection: the start is lost.
	m := createMeeting(t, s, tok, "me", `{"topic":"INC-1","type":2}`)
	if err := s.StartMeeting(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	c, _, err := dialStream(t, s, sub, tok)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.WriteJSON(map[string]string{"module": "heartbeat"})
	var f frame
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if err := c.ReadJSON(&f); err != nil || f.Module != "heartbeat" || !f.Success || f.Content != "live" {
		t.Fatalf("heartbeat answer %+v %v", f, err)
	}
	if err := s.EndMeeting(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if err := c.ReadJSON(&f); err != nil || f.Module != "message" {
		t.Fatalf("event frame %+v %v", f, err)
	}
	var ev struct {
		Event string `json:"event"`
	}
	if json.Unmarshal([]byte(f.Content), &ev); ev.Event != "meeting.ended" {
		t.Fatalf("the stream's first event is %q, want meeting.ended (the start was lost)", ev.Event)
	}
	mu.Lock()
	if len(hooks) != 2 || hooks[1] != f.Content {
		t.Errorf("the stream's body differs from the webhook's:\n%s\n%v", f.Content, hooks)
	}
	mu.Unlock()
	delivered, lost := s.StreamedEvents()
	if strings.Join(lost, ",") != "meeting.started" || strings.Join(delivered, ",") != "meeting.ended" {
		t.Errorf("delivered %v, lost %v", delivered, lost)
	}
	if s.EventStreams() != 1 {
		t.Fatalf("%d streams open", s.EventStreams())
	}
	s.DropEventStreams()
	if err := c.ReadJSON(&f); err == nil {
		t.Fatal("the stream stayed open after the drop")
	}
}

// Alternative hosts must be licensed, active users of the host's own
// account: anyone else is refused, on create and on update, and nothing
// changes.
func TestAlternativeHostsAreValidated(t *testing.T) {
	s := mustStart(t, zoomfake.Config{Hosts: []zoomfake.User{
		{Email: "robot@example.com", Type: 2}, {Email: "alice@example.com", Type: 2}, {Email: "basic@example.com", Type: 1},
	}})
	tok := appToken(t, s)
	id := createMeeting(t, s, tok, "robot@example.com", `{"topic":"INC-1","type":2,"settings":{"alternative_hosts":"alice@example.com"}}`)
	status, _, body := call(t, "GET", s.APIURL()+"/meetings/"+strconv.FormatInt(id, 10), tok, "")
	if status != http.StatusOK || !strings.Contains(string(body), `"alternative_hosts":"alice@example.com"`) {
		t.Fatalf("the licensed alternative host: HTTP %d %s", status, body)
	}
	for _, who := range []string{"basic@example.com", "outsider@elsewhere.example", "robot@example.com"} {
		status, _, body := call(t, "PATCH", s.APIURL()+"/meetings/"+strconv.FormatInt(id, 10), tok,
			`{"settings":{"alternative_hosts":"`+who+`"}}`)
		if status != http.StatusBadRequest || !strings.Contains(string(body), `"code":1114`) {
			t.Errorf("%s as alternative host: HTTP %d %s", who, status, body)
		}
	}
	if status, _, body := call(t, "POST", s.APIURL()+"/users/robot@example.com/meetings", tok,
		`{"topic":"INC-2","type":2,"settings":{"alternative_hosts":"outsider@elsewhere.example"}}`); status != http.StatusBadRequest {
		t.Errorf("create with an outside alternative host: HTTP %d %s", status, body)
	}
	_, _, body = call(t, "GET", s.APIURL()+"/meetings/"+strconv.FormatInt(id, 10), tok, "")
	if !strings.Contains(string(body), `"alternative_hosts":"alice@example.com"`) {
		t.Errorf("a refused update changed the meeting: %s", body)
	}
}

// A general app authenticates with its client ID and secret alone
// (client_credentials) and gets an app-level token, as warroom's
// zoom.AppToken asks when no account ID is set: it lasts an hour, opens
// the event stream, and is no key to the REST API, which has no user or
// account for it.
func TestClientCredentialsTokenOpensTheStream(t *testing.T) {
	s := mustStart(t, zoomfake.Config{})
	cfg := s.Config()
	form := url.Values{"grant_type": {"client_credentials"}}

	status, m := postToken(t, s, cfg.ClientID, cfg.ClientSecret, form)
	if status != http.StatusOK || m["token_type"] != "bearer" || m["expires_in"] != float64(3599) || m["access_token"] == "" {
		t.Fatalf("client_credentials: HTTP %d %v", status, m)
	}
	if _, ok := m["refresh_token"]; ok {
		t.Errorf("a client_credentials answer carries a refresh token: %v", m)
	}
	if status, m := postToken(t, s, cfg.ClientID, "wrong-secret", form); status != http.StatusUnauthorized || m["error"] != "invalid_client" {
		t.Errorf("client_credentials with a wrong secret: HTTP %d %v", status, m)
	}

	// warroom's own client, as a general app (no account ID).
	tok, err := zoom.AppToken(s.URL(), "", cfg.ClientID, cfg.ClientSecret, nil)(context.Background())
	if err != nil {
		t.Fatalf("zoom.AppToken without an account ID: %v", err)
	}
	if got := s.TokenRequests("client_credentials"); got != 3 {
		t.Errorf("TokenRequests(client_credentials) = %d, want 3", got)
	}
	if got := s.TokenRequests("account_credentials"); got != 0 {
		t.Errorf("TokenRequests(account_credentials) = %d, want 0", got)
	}

	c, _, err := dialStream(t, s, cfg.WSSubscriptionID, tok)
	if err != nil {
		t.Fatalf("dial with a client_credentials token: %v", err)
	}
	defer c.Close()
	c.WriteJSON(map[string]string{"module": "heartbeat"})
	var f frame
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if err := c.ReadJSON(&f); err != nil || f.Module != "heartbeat" || !f.Success {
		t.Fatalf("heartbeat answer %+v %v", f, err)
	}
	// Events reach it like any stream.
	m2 := createMeeting(t, s, mustToken(t, s), "me", `{"topic":"INC-1","type":2}`)
	if err := s.StartMeeting(context.Background(), m2); err != nil {
		t.Fatal(err)
	}
	if err := c.ReadJSON(&f); err != nil || f.Module != "message" || !strings.Contains(f.Content, `"meeting.started"`) {
		t.Fatalf("event frame %+v %v", f, err)
	}

	status, _, body := call(t, "GET", s.APIURL()+"/users/me", tok, "")
	if got := decode(t, body); status != http.StatusBadRequest || got["code"] != json.Number("4711") ||
		got["message"] != "Invalid access token, does not contain scopes:[user:read:user, user:read:user:admin]" {
		t.Errorf("the REST API with an app token: HTTP %d %s", status, body)
	}

	s.ExpireAccessTokens()
	if _, resp, err := dialStream(t, s, cfg.WSSubscriptionID, tok); err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("dial with an expired client_credentials token: %v", err)
	}
}

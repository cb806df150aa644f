package slackfake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// Channels in conversations.create, info and list answers carry the
// fields Slack's conversation object always has: is_frozen, the Slack
// Connect lists (empty), parent_conversation (null) and updated, in
// milliseconds, which moves when the channel changes.
func TestChannelObjectFields(t *testing.T) {
	clock := newFakeClock()
	s := mustStart(t, Config{Now: clock.Now})
	created := clock.Now().UnixMilli()
	check := func(what string, ch map[string]any, updated int64) {
		t.Helper()
		if ch == nil {
			t.Fatalf("%s: no channel", what)
		}
		if ch["is_frozen"] != false {
			t.Errorf("%s: is_frozen = %v, want false", what, ch["is_frozen"])
		}
		for _, k := range []string{"pending_shared", "pending_connected_team_ids"} {
			if l, ok := ch[k].([]any); !ok || len(l) != 0 {
				t.Errorf("%s: %s = %v, want []", what, k, ch[k])
			}
		}
		if v, ok := ch["parent_conversation"]; !ok || v != nil {
			t.Errorf("%s: parent_conversation = %v (present: %v), want null", what, v, ok)
		}
		if got, _ := ch["updated"].(float64); int64(got) != updated {
			t.Errorf("%s: updated = %v, want %d", what, ch["updated"], updated)
		}
	}

	body, _ := postAPI(t, s, "conversations.create", url.Values{"name": {"inc-db"}})
	ch, _ := body["channel"].(map[string]any)
	check("conversations.create", ch, created)
	id, _ := ch["id"].(string)

	clock.Advance(5 * time.Second)
	body, _ = postAPI(t, s, "conversations.setTopic", url.Values{"channel": {id}, "topic": {"SEV1"}})
	check("conversations.setTopic", body["channel"].(map[string]any), created+5000)
	body, _ = postAPI(t, s, "conversations.info", url.Values{"channel": {id}})
	check("conversations.info", body["channel"].(map[string]any), created+5000)
	body, _ = postAPI(t, s, "conversations.list", url.Values{"types": {"public_channel"}})
	for _, c := range body["channels"].([]any) {
		if c := c.(map[string]any); c["id"] == id {
			check("conversations.list", c, created+5000)
		}
	}
}

// postJSON calls a JSON Web API method with the bot token.
func postJSON(t *testing.T, s *Server, method string, body any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", s.APIURL()+method, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+s.BotToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return out
}

// Views in views.open and views.update answers carry every field of
// Slack's view object: close and submit (the buttons' text, or null when
// the app gave none), clear_on_close and notify_on_close.
func TestViewObjectFields(t *testing.T) {
	s := mustStart(t, Config{})
	s.mu.Lock()
	trigger := s.issueTrigger("", "U1")
	s.mu.Unlock()
	title := map[string]any{"type": "plain_text", "text": "Declare"}
	cancel := map[string]any{"type": "plain_text", "text": "Cancel", "emoji": true}

	opened := postJSON(t, s, "views.open", map[string]any{"trigger_id": trigger, "view": map[string]any{
		"type": "modal", "title": title, "close": cancel, "notify_on_close": true, "blocks": []any{},
	}})
	v, _ := opened["view"].(map[string]any)
	if v == nil {
		t.Fatalf("views.open: %v", opened)
	}
	if c, _ := v["close"].(map[string]any); c["text"] != "Cancel" || c["type"] != "plain_text" {
		t.Errorf("views.open: close = %v, want the Cancel text", v["close"])
	}
	for k, want := range map[string]any{"submit": nil, "clear_on_close": false, "notify_on_close": true} {
		if got, ok := v[k]; !ok || got != want {
			t.Errorf("views.open: %s = %v (present: %v), want %v", k, got, ok, want)
		}
	}

	updated := postJSON(t, s, "views.update", map[string]any{"view_id": v["id"], "view": map[string]any{
		"type": "modal", "title": title, "submit": map[string]any{"type": "plain_text", "text": "Go"}, "blocks": []any{},
	}})
	v, _ = updated["view"].(map[string]any)
	if v == nil {
		t.Fatalf("views.update: %v", updated)
	}
	if c, ok := v["close"]; !ok || c != nil {
		t.Errorf("views.update without close: close = %v (present: %v), want null", c, ok)
	}
	if sb, _ := v["submit"].(map[string]any); sb["text"] != "Go" {
		t.Errorf("views.update: submit = %v", v["submit"])
	}
	for _, k := range []string{"clear_on_close", "notify_on_close"} {
		if got, ok := v[k]; !ok || got != false {
			t.Errorf("views.update: %s = %v (present: %v), want false", k, got, ok)
		}
	}
}

package slackfake

import (
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

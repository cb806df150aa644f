package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/warroom-dev/warroom/config"
)

// The Main `warroom run` uses serves the HTTP API with the configured
// tokens: a declare through it ends in the same war room as a slash
// command, and the log never holds the token.
func TestAPIDeclareThroughMain(t *testing.T) {
	w := MustStartWorld(t)
	cfg := w.config(t.TempDir())
	const secret = "deploy-5ecret-0b7c2e9d"
	cfg.APITokens = []config.APIToken{{Name: "deploybot", Token: secret}}
	m, log := newTestMain(cfg)
	r := MustStart(t, w, m, log)
	base := "http://" + r.Main.HTTPAddr() + "/api/v1/incidents"

	req, _ := http.NewRequest("POST", base, strings.NewReader(`{"title":"Deploy broke login","severity":"SEV2"}`))
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Idempotency-Key", "deploy-981")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var inc struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&inc)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || inc.ID == "" {
		t.Fatalf("POST = %d %+v", resp.StatusCode, inc)
	}
	room := assertOneOfEach(t, w, todayName("Deploy broke login", 1))
	if meetings := w.Zoom.Meetings(); len(meetings) != 1 || room.JoinURL() != meetings[0].JoinURL {
		t.Errorf("the pinned Join Call opens %q; the meetings are %+v", room.JoinURL(), meetings)
	}

	// Without the token: refused, and nothing more is recorded.
	resp, err = http.Post(base, "application/json", strings.NewReader(`{"title":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST without a token = %d", resp.StatusCode)
	}
	if strings.Contains(log.String(), secret) {
		t.Error("the log holds the API token")
	}
}

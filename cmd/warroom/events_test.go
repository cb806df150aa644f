package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom/zoom"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// Zoom retries webhooks: a meeting.started that arrives after the
// meeting.ended that followed it does not put the call back "In progress".
func TestLateMeetingStartedDoesNotReviveTheCall(t *testing.T) {
	e := MustRunConnect(t, nil)
	if status, _ := e.consent(t, e.connectLink(t), robotEmail, "allow"); status != http.StatusOK {
		t.Fatal("connect failed")
	}
	declare(t, e.w, "U1", "declare Live call")
	name := todayName("Live call", 1)
	MustWaitRoom(t, e.w, name)
	m := e.w.Zoom.Meetings()[0]
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	obj := map[string]any{"account_id": "a", "object": map[string]any{"id": m.ID, "uuid": m.UUID, "host_id": m.HostID, "topic": m.Topic}}
	started := time.Now().Add(-time.Minute)
	e.w.Zoom.SetMeetingStatus(m.ID, zoomfake.StatusStarted)
	if status, err := e.w.Zoom.RetryWebhook(ctx, "meeting.started", obj, started); err != nil || status != 200 {
		t.Fatalf("meeting.started: %d %v", status, err)
	}
	waitPinned(t, e.w, name, "the call in progress", func(text string, r room) bool { return strings.Contains(text, "In progress") })
	e.w.Zoom.SetMeetingStatus(m.ID, zoomfake.StatusWaiting)
	if status, err := e.w.Zoom.SendWebhook(ctx, "meeting.ended", obj); err != nil || status != 200 {
		t.Fatalf("meeting.ended: %d %v", status, err)
	}
	waitPinned(t, e.w, name, "the call ended", func(text string, r room) bool { return strings.Contains(text, "Ended") })
	// Zoom delivers the start again, late.
	if status, err := e.w.Zoom.RetryWebhook(ctx, "meeting.started", obj, started); err != nil || status != 200 {
		t.Fatalf("late meeting.started: %d %v", status, err)
	}
	time.Sleep(500 * time.Millisecond)
	r, _ := e.w.room(name)
	if text := strings.Join(renderBlocks(r.Pins[0].Blocks), "\n"); !strings.Contains(text, "Ended") || strings.Contains(text, "In progress") {
		t.Fatalf("after a late meeting.started the pinned message shows:\n%s", text)
	}
}

// A captured webhook replayed with its signature in upper case is
// recognised as the same webhook: acknowledged, not acted on.
func TestWebhookReplayInAnyCaseIsRecognised(t *testing.T) {
	e := MustRunConnect(t, nil)
	post := func(ts time.Time, sig string, body []byte) (int, string) {
		req, _ := http.NewRequest("POST", e.public+"/zoom/webhook", bytes.NewReader(body))
		req.Header.Set("x-zm-request-timestamp", fmt.Sprint(ts.Unix()))
		req.Header.Set("x-zm-signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	now := time.Now()
	body := []byte(`{"event":"recording.completed","event_ts":1,"payload":{"object":{"id":424242}}}`)
	sig := zoom.SignWebhook(hookSecret, now, body)
	if status, answer := post(now, sig, body); status != http.StatusOK || strings.Contains(answer, "already") {
		t.Fatalf("first delivery: HTTP %d %q", status, answer)
	}
	for _, replay := range []string{sig, "v0=" + strings.ToUpper(strings.TrimPrefix(sig, "v0=")), "V0=" + strings.TrimPrefix(sig, "v0=")} {
		status, answer := post(now, replay, body)
		if status == http.StatusUnauthorized {
			continue // refused outright is fine too
		}
		if status != http.StatusOK || !strings.Contains(answer, "already received") {
			t.Errorf("replay signed %s…: HTTP %d %q, want it recognised as received", replay[:8], status, answer)
		}
	}
}

package workflow_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/internal/testworld"
	"github.com/warroom-dev/warroom/store"
)

// An incident declared by something that is no Slack user (an API client,
// an alert) gets the same war room; its channel says who declared it and
// through which door, and the commander it named is invited.
func TestAWarRoomWithoutASlackDeclarer(t *testing.T) {
	w := testworld.Start(t, testworld.Config{})
	const commander = "U3" // carol
	rec, created, err := w.Store.Declare(context.Background(), store.NewIncident{DedupeKey: "api:bridge:1", Title: "Checkout is down",
		FullTitle: "Checkout is down", Severity: warroom.SEV2, Commander: commander,
		Origin: warroom.Origin{Door: warroom.DoorAPI, By: "pagerduty-bridge"}})
	if err != nil || !created {
		t.Fatalf("declare: created=%v err=%v", created, err)
	}
	w.Jobs.Kick()
	r := w.WaitRoom(t, rec.ID)
	if got, want := r.JoinURL(), w.MeetingJoinURL(r); got == "" || got != want {
		t.Fatalf("Join Call opens %q; the meeting's join_url is %q", got, want)
	}
	pinned := string(r.Pins[0].Blocks)
	if !strings.Contains(pinned, "pagerduty-bridge via the API") {
		t.Errorf("the pinned message does not say who declared: %s", pinned)
	}
	if !strings.Contains(pinned, `\u003c@`+commander+`\u003e`) { // <@U3>, as JSON writes it
		t.Errorf("the pinned message does not name the commander: %s", pinned)
	}
	if !slices.Contains(r.Channel.Members, commander) {
		t.Errorf("the commander %s was not invited; members %v", commander, r.Channel.Members)
	}
}

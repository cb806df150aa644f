package blocks

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
)

// The Home holds at most Slack's 100 blocks however many incidents are
// open, never shows a private one, and offers Join only for a call that
// is ready.
func TestHomeViewFitsAndHidesPrivateIncidents(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	var open, resolved []warroom.Incident
	for i := range 60 {
		inc := warroom.Incident{ID: int64(i + 1), Title: fmt.Sprintf("Open %d", i), Severity: warroom.SEV2,
			Status: warroom.StatusActive, Commander: "U1", CreatedAt: now.Add(-30 * time.Hour), Call: warroom.CallPending}
		if i == 0 {
			inc.Call, inc.Meeting = warroom.CallReady, &warroom.Meeting{ID: 81234567890, JoinURL: "https://zoom.example/j/81234567890"}
		}
		if i == 1 {
			inc.Private, inc.Title = true, "Payroll leak"
		}
		open = append(open, inc)
	}
	for i := range 8 {
		resolved = append(resolved, warroom.Incident{ID: int64(100 + i), Title: "Done", Status: warroom.StatusResolved, ResolvedAt: now})
	}
	blks := HomeView(open, resolved, now)
	if len(blks) > 100 {
		t.Fatalf("%d blocks; Slack takes 100", len(blks))
	}
	raw, _ := json.Marshal(blks)
	text := string(raw)
	for _, want := range []string{"INC-1 · SEV2 · Open 0", "open 30 h", "And 19 more", "1 private incident(s) not shown", "Recently resolved",
		"https://zoom.example/j/81234567890", ActionHomeDeclare} {
		if !strings.Contains(text, want) {
			t.Errorf("the Home lacks %q", want)
		}
	}
	if strings.Contains(text, "Payroll") {
		t.Error("the Home shows a private incident's title")
	}
	if n := strings.Count(text, `"url":`); n != 1 {
		t.Errorf("%d Join buttons; only the incident whose call is ready has one", n)
	}
	if got := strings.Count(text, "✅ INC-"); got != homeMaxResolved {
		t.Errorf("%d resolved incidents shown, want %d", got, homeMaxResolved)
	}
}

package zoom_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/warroom-dev/warroom/zoom"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

func TestGetUserSettings(t *testing.T) {
	c, fake := setup(t, zoomfake.Config{Hosts: []zoomfake.User{
		{Email: "licensed@example.com", Type: 2}, {Email: "basic@example.com", Type: 1},
	}})
	ctx := context.Background()
	get := func(user string) *zoom.UserSettings {
		t.Helper()
		s, err := c.GetUserSettings(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	// Zoom's defaults.
	want := &zoom.UserSettings{RequirePasscode: true, ConcurrentMeeting: "Basic",
		Passcode: zoom.PasscodeRules{Length: 6, HaveLetter: true, HaveNumber: true}}
	if diff := cmp.Diff(want, get("me")); diff != "" {
		t.Errorf("licensed user (-want +got):\n%s", diff)
	}
	if got := get("basic@example.com"); got.ConcurrentMeeting != "None" {
		t.Errorf("basic user: concurrent meeting %q, want None", got.ConcurrentMeeting)
	}

	rules := zoomfake.PasscodeRules{Length: 10, HaveLetter: true, HaveNumber: true, HaveSpecialCharacter: true,
		HaveUpperAndLowerCharacters: true, ConsecutiveCharactersLength: 5, WeakEnhanceDetection: true}
	fake.SetPasscodeRules("licensed@example.com", rules)
	fake.SetConcurrentMeeting("licensed@example.com", "Plus")
	fake.SetRequirePasscode("licensed@example.com", false)
	want = &zoom.UserSettings{RequirePasscode: false, ConcurrentMeeting: "Plus", Passcode: zoom.PasscodeRules{
		Length: 10, HaveLetter: true, HaveNumber: true, HaveSpecialCharacter: true,
		HaveUpperAndLowerCharacters: true, ConsecutiveCharactersLength: 5, WeakEnhanceDetection: true}}
	if diff := cmp.Diff(want, get("licensed@example.com")); diff != "" {
		t.Errorf("after the changes (-want +got):\n%s", diff)
	}
	fake.SetConcurrentMeeting("licensed@example.com", "")
	fake.SetPasscodeRules("licensed@example.com", zoomfake.PasscodeRules{OnlyAllowNumeric: true})
	want = &zoom.UserSettings{Passcode: zoom.PasscodeRules{OnlyAllowNumeric: true}}
	if diff := cmp.Diff(want, get("me")); diff != "" {
		t.Errorf("numeric only, no concurrent plan (-want +got):\n%s", diff)
	}

	if n := countOp(fake, "userSettings"); n != 8 {
		t.Errorf("%d settings requests for 4 calls, want 8 (general and meeting_security)", n)
	}
	if _, err := c.GetUserSettings(ctx, "nobody@example.com"); !zoom.IsNotFound(err) {
		t.Errorf("unknown user: %v, want not found", err)
	}
	if _, err := c.GetUserSettings(ctx, ""); err == nil {
		t.Error("GetUserSettings(\"\") succeeded")
	}
}

package warroom

import (
	"testing"
	"time"
)

func TestPolicyWithDefaults(t *testing.T) {
	if got, want := (Policy{}).WithDefaults(), DefaultPolicy(); got.ChannelPrefix != want.ChannelPrefix ||
		got.FollowupAfter != want.FollowupAfter || got.FollowupDuration != want.FollowupDuration ||
		got.ReminderBefore != want.ReminderBefore || got.RecordingPollFor != want.RecordingPollFor ||
		got.RecordingPollMax != want.RecordingPollMax || got.PasscodeDisplay != want.PasscodeDisplay ||
		got.WorkdayStart != want.WorkdayStart || got.WorkdayEnd != want.WorkdayEnd {
		t.Errorf("the zero policy with defaults: %+v, want %+v", got, want)
	}
	set := Policy{ChannelPrefix: "sev-", FollowupAfter: time.Hour, FollowupOff: true, FollowupWorkingHours: true,
		WorkdayStart: 8, WorkdayEnd: 16, PasscodeDisplay: PasscodeHidden, Admins: []string{"U1"}}
	if got := set.WithDefaults(); got.ChannelPrefix != "sev-" || got.FollowupAfter != time.Hour || !got.FollowupOff ||
		!got.FollowupWorkingHours || got.WorkdayStart != 8 || got.WorkdayEnd != 16 ||
		got.PasscodeDisplay != PasscodeHidden || len(got.Admins) != 1 {
		t.Errorf("settings were overridden by defaults: %+v", got)
	}
	if got := (Policy{WorkdayStart: 17, WorkdayEnd: 9, PasscodeDisplay: "shown"}).WithDefaults(); got.WorkdayStart != DefaultWorkdayStart ||
		got.WorkdayEnd != DefaultWorkdayEnd || got.PasscodeDisplay != DefaultPasscodeDisplay {
		t.Errorf("senseless settings kept: %+v", got)
	}
}

func TestLooksLikeChannelID(t *testing.T) {
	for v, want := range map[string]bool{
		"C0123ABCD": true, "G0123ABCDEF": true, "C0GENERAL": true,
		"incidents": false, "C012": false, "c0123abcd": false, "D0123ABCD": false, "C0123ABCDEFGHIJK": false,
	} {
		if got := LooksLikeChannelID(v); got != want {
			t.Errorf("LooksLikeChannelID(%q) = %v, want %v", v, got, want)
		}
	}
}

package warroom

import (
	"strings"
	"time"
)

// Followup is a scheduled post-incident review meeting: one is made when an
// incident is resolved, and more by hand with /incident followup.
type Followup struct {
	ID         int64
	IncidentID int64
	// N numbers an incident's follow-ups 1, 2, … in the order they were
	// made; it is what people type in "/incident followup cancel <n>".
	N        int
	Topic    string // what the scheduler typed; empty: the incident's title
	Start    time.Time
	Duration time.Duration // 0: DefaultFollowupDuration
	Invitees []string      // Slack user IDs
	// Meeting is the follow-up's Zoom meeting, nil until Zoom has made it.
	Meeting   *Meeting
	Cancelled bool
	// Removed: the Zoom account that hosted its meeting was disconnected,
	// and the meeting's details were deleted with it.
	Removed bool
}

// Follow-up defaults and bounds.
const (
	// DefaultFollowupAfter is how long after resolution the review is held
	// unless WARROOM_FOLLOWUP_AFTER says otherwise.
	DefaultFollowupAfter = 48 * time.Hour
	// DefaultFollowupDuration is a review's length unless someone gives one.
	DefaultFollowupDuration = 30 * time.Minute
	// DefaultFollowupReminder is how long before the start the reminder with
	// the Join button is posted.
	DefaultFollowupReminder = 10 * time.Minute
	// MinFollowupDuration and MaxFollowupDuration bound "for 45m".
	MinFollowupDuration = 5 * time.Minute
	MaxFollowupDuration = 8 * time.Hour

	// DefaultWorkdayStart and DefaultWorkdayEnd are the working hours
	// NextWorkingTime uses when the ones it is given make no sense.
	DefaultWorkdayStart = 9
	DefaultWorkdayEnd   = 17
)

// Length is the follow-up's duration, DefaultFollowupDuration when unset.
func (f *Followup) Length() time.Duration {
	if f.Duration <= 0 {
		return DefaultFollowupDuration
	}
	return f.Duration
}

// End is when the follow-up is planned to end.
func (f *Followup) End() time.Time { return f.Start.Add(f.Length()) }

// NextWorkingTime moves t to the next moment inside working hours: Monday
// to Friday, from startHour (inclusive) to endHour (exclusive), on the wall
// clock of loc (nil: UTC). A time already inside stays, minutes and all;
// otherwise the result is startHour:00 of the next working day (the same
// day when t is before startHour), Mondays after weekends. The result is in
// loc.
//
// Days are counted on the calendar, not in 24-hour steps, so the start
// hour is the same wall-clock hour on either side of a daylight-saving
// change. A start hour that a change skips (clocks jump from 00:00 to
// 01:00) gives the first moment after the jump.
//
// Hours outside 0 ≤ startHour < endHour ≤ 24 mean DefaultWorkdayStart and
// DefaultWorkdayEnd.
func NextWorkingTime(t time.Time, loc *time.Location, startHour, endHour int) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	if startHour < 0 || endHour > 24 || startHour >= endHour {
		startHour, endHour = DefaultWorkdayStart, DefaultWorkdayEnd
	}
	inside := func(lt time.Time) bool {
		wd := lt.Weekday()
		return wd != time.Saturday && wd != time.Sunday && lt.Hour() >= startHour && lt.Hour() < endHour
	}
	lt := t.In(loc)
	if inside(lt) {
		return lt
	}
	y, m, d := lt.Date()
	// A week always holds a working day; a few more days cover a start
	// hour that a time-zone change swallows.
	for i := range 14 {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, time.UTC) // calendar arithmetic only
		c := WallTime(day.Year(), day.Month(), day.Day(), startHour, 0, loc)
		if c.After(lt) && inside(c) {
			return c
		}
	}
	return lt // unreachable for real time zones
}

// WallTime is the moment the clocks of loc show hour:min on that day.
// Unlike time.Date, a wall time that a daylight-saving change skips moves
// forward by the gap (02:30 on a spring-forward night is 03:30), the way
// people expect a meeting set in the skipped hour to happen just after it.
// A repeated wall time (fall back) is its first occurrence. Fields out of
// range roll over as in time.Date (November 31 is December 1).
func WallTime(year int, month time.Month, day, hour, min int, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	// Out-of-range fields (day 32, hour 24) roll over on the calendar first.
	n := time.Date(year, month, day, hour, min, 0, 0, time.UTC)
	year, month, day = n.Date()
	hour, min = n.Hour(), n.Minute()
	t := time.Date(year, month, day, hour, min, 0, 0, loc)
	if y, m, d := t.Date(); y == year && m == month && d == day && t.Hour() == hour && t.Minute() == min {
		return t
	}
	// The wall time is in a gap: read it with the offset in force a day
	// before, the one the clocks jumped from, which lands after the gap.
	asUTC := time.Date(year, month, day, hour, min, 0, 0, time.UTC)
	_, offset := asUTC.Add(-24 * time.Hour).In(loc).Zone()
	return asUTC.Add(-time.Duration(offset) * time.Second).In(loc)
}

// PasscodeDisplay says how a recording's passcode is shown when its link is
// posted in the incident channel.
type PasscodeDisplay string

// How recording passcodes are shown.
const (
	// PasscodeInline puts the passcode in the share link (?pwd=…): one click.
	PasscodeInline PasscodeDisplay = "inline"
	// PasscodeSeparate posts the plain link, then "Passcode: …" on its own line.
	PasscodeSeparate PasscodeDisplay = "separate"
	// PasscodeHidden shows no passcode: people ask the meeting host.
	PasscodeHidden PasscodeDisplay = "hidden"

	// DefaultPasscodeDisplay is used until an admin chooses: the recording
	// is posted only in the incident channel, where the call's own passcode
	// is shown already.
	DefaultPasscodeDisplay = PasscodeInline
)

// Valid reports whether d is one of the three displays.
func (d PasscodeDisplay) Valid() bool {
	return d == PasscodeInline || d == PasscodeSeparate || d == PasscodeHidden
}

// ParsePasscodeDisplay reads a setting: "inline", "separate" or "hidden",
// any case; empty (or blank) means DefaultPasscodeDisplay.
func ParsePasscodeDisplay(s string) (PasscodeDisplay, error) {
	if strings.TrimSpace(s) == "" {
		return DefaultPasscodeDisplay, nil
	}
	d := PasscodeDisplay(strings.ToLower(strings.TrimSpace(s)))
	if !d.Valid() {
		return "", Errorf(EINVALID, "The passcode display must be inline, separate or hidden, not %q.", s)
	}
	return d, nil
}

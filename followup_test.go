package warroom_test

import (
	"math/rand/v2"
	"testing"
	"time"
	_ "time/tzdata" // the DST tests must not depend on the machine's zoneinfo

	"github.com/warroom-dev/warroom"
)

func mustLoad(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func TestNextWorkingTime(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	tokyo := mustLoad(t, "Asia/Tokyo")
	cairo := mustLoad(t, "Africa/Cairo")
	at := func(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, loc)
	}
	tests := []struct {
		name        string
		t           time.Time
		loc         *time.Location
		start, end  int
		want        time.Time
		wantOffsetH int // the result's UTC offset, in hours (0: not checked)
	}{
		{"inside stays", at(ny, 2026, 11, 24, 10, 15), ny, 9, 17, at(ny, 2026, 11, 24, 10, 15), -5},
		{"at the start hour", at(ny, 2026, 11, 24, 9, 0), ny, 9, 17, at(ny, 2026, 11, 24, 9, 0), 0},
		{"a minute before the end", at(ny, 2026, 11, 24, 16, 59), ny, 9, 17, at(ny, 2026, 11, 24, 16, 59), 0},
		{"exactly at the end hour", at(ny, 2026, 11, 24, 17, 0), ny, 9, 17, at(ny, 2026, 11, 25, 9, 0), 0},
		{"before hours: the same day", at(ny, 2026, 11, 24, 7, 40), ny, 9, 17, at(ny, 2026, 11, 24, 9, 0), 0},
		{"just after midnight", at(ny, 2026, 11, 24, 0, 0), ny, 9, 17, at(ny, 2026, 11, 24, 9, 0), 0},
		{"after hours: the next day", at(ny, 2026, 11, 24, 22, 5), ny, 9, 17, at(ny, 2026, 11, 25, 9, 0), 0},
		{"friday evening: monday", at(ny, 2026, 11, 27, 18, 0), ny, 9, 17, at(ny, 2026, 11, 30, 9, 0), 0},
		{"saturday: monday", at(ny, 2026, 11, 28, 11, 0), ny, 9, 17, at(ny, 2026, 11, 30, 9, 0), 0},
		{"sunday before hours: monday", at(ny, 2026, 11, 29, 8, 0), ny, 9, 17, at(ny, 2026, 11, 30, 9, 0), 0},
		{"sunday late: monday", at(ny, 2026, 11, 29, 23, 59), ny, 9, 17, at(ny, 2026, 11, 30, 9, 0), 0},
		{"across a month and a year", at(ny, 2026, 12, 31, 17, 30), ny, 9, 17, at(ny, 2027, 1, 1, 9, 0), 0},

		// Spring forward: Sunday 2026-03-08 02:00 EST → 03:00 EDT.
		{"weekend before spring forward", at(ny, 2026, 3, 7, 12, 0), ny, 9, 17, at(ny, 2026, 3, 9, 9, 0), -4},
		{"in the skipped hour", time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC), ny, 9, 17, at(ny, 2026, 3, 9, 9, 0), -4},
		{"friday + 48h lands on the DST sunday", at(ny, 2026, 3, 6, 10, 0).Add(48 * time.Hour), ny, 9, 17, at(ny, 2026, 3, 9, 9, 0), -4},
		{"friday after hours, before spring forward", at(ny, 2026, 3, 6, 17, 0), ny, 9, 17, at(ny, 2026, 3, 9, 9, 0), -4},
		// Fall back: Sunday 2026-11-01 02:00 EDT → 01:00 EST.
		{"friday after hours, before fall back", at(ny, 2026, 10, 30, 17, 30), ny, 9, 17, at(ny, 2026, 11, 2, 9, 0), -5},
		{"the repeated hour, first time", time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), ny, 9, 17, at(ny, 2026, 11, 2, 9, 0), -5},
		{"the repeated hour, second time", time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC), ny, 9, 17, at(ny, 2026, 11, 2, 9, 0), -5},
		{"working hours from 1, fall-back night", at(ny, 2026, 10, 30, 20, 0), ny, 1, 17, at(ny, 2026, 11, 2, 1, 0), -5},
		// Egypt springs forward on a Friday at midnight: 00:00 does not exist.
		{"start hour skipped on a weekday", at(cairo, 2026, 4, 23, 20, 0), cairo, 0, 17, time.Date(2026, 4, 23, 22, 0, 0, 0, time.UTC), 3},

		// t in one zone, working hours in another.
		{"evening in New York, read from UTC", time.Date(2026, 11, 24, 23, 0, 0, 0, time.UTC), ny, 9, 17, at(ny, 2026, 11, 25, 9, 0), 0},
		{"already the next morning in Tokyo", time.Date(2026, 11, 24, 23, 0, 0, 0, time.UTC), tokyo, 9, 17, at(tokyo, 2026, 11, 25, 9, 0), 9},
		{"inside in Tokyo", time.Date(2026, 11, 25, 1, 30, 0, 0, time.UTC), tokyo, 9, 17, at(tokyo, 2026, 11, 25, 10, 30), 9},

		{"nil loc is UTC", time.Date(2026, 11, 28, 10, 0, 0, 0, ny), nil, 9, 17, time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC), 0},
		{"other hours", at(ny, 2026, 11, 24, 17, 30), ny, 8, 18, at(ny, 2026, 11, 24, 17, 30), 0},
		{"other hours, after", at(ny, 2026, 11, 24, 18, 0), ny, 8, 18, at(ny, 2026, 11, 25, 8, 0), 0},
		{"until midnight", at(ny, 2026, 11, 27, 23, 59), ny, 0, 24, at(ny, 2026, 11, 27, 23, 59), 0},
		{"start after end: the defaults", at(ny, 2026, 11, 24, 8, 0), ny, 17, 9, at(ny, 2026, 11, 24, 9, 0), 0},
		{"negative start: the defaults", at(ny, 2026, 11, 24, 8, 0), ny, -1, 17, at(ny, 2026, 11, 24, 9, 0), 0},
		{"end past 24: the defaults", at(ny, 2026, 11, 24, 18, 0), ny, 9, 25, at(ny, 2026, 11, 25, 9, 0), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := warroom.NextWorkingTime(tt.t, tt.loc, tt.start, tt.end)
			if !got.Equal(tt.want) {
				t.Errorf("NextWorkingTime(%v, %v, %d, %d) = %v, want %v", tt.t, tt.loc, tt.start, tt.end, got, tt.want)
			}
			wantLoc := tt.loc
			if wantLoc == nil {
				wantLoc = time.UTC
			}
			if got.Location() != wantLoc {
				t.Errorf("result in %v, want %v", got.Location(), wantLoc)
			}
			if _, off := got.Zone(); tt.wantOffsetH != 0 && off != tt.wantOffsetH*3600 {
				t.Errorf("result %v has offset %ds, want %dh", got, off, tt.wantOffsetH)
			}
		})
	}
}

func TestNextWorkingTimeKeepsSeconds(t *testing.T) {
	in := time.Date(2026, 11, 24, 10, 15, 42, 500, time.UTC)
	if got := warroom.NextWorkingTime(in, time.UTC, 9, 17); !got.Equal(in) {
		t.Errorf("inside: %v, want %v", got, in)
	}
	before := time.Date(2026, 11, 24, 8, 59, 59, 999, time.UTC)
	if got, want := warroom.NextWorkingTime(before, time.UTC, 9, 17), time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("before hours: %v, want %v", got, want)
	}
}

// TestNextWorkingTimeProperties checks random times in zones with and
// without daylight saving: the result is inside working hours, never
// before t, t itself when t was inside, and otherwise the start of the
// first working day that follows.
func TestNextWorkingTimeProperties(t *testing.T) {
	zones := []*time.Location{
		time.UTC, mustLoad(t, "America/New_York"), mustLoad(t, "Europe/London"), mustLoad(t, "Australia/Lord_Howe"),
		mustLoad(t, "Africa/Cairo"), mustLoad(t, "Asia/Kolkata"), mustLoad(t, "America/Santiago"), mustLoad(t, "Pacific/Chatham"),
	}
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for range 20000 {
		loc := zones[r.IntN(len(zones))]
		start := r.IntN(12)
		end := start + 1 + r.IntN(24-start)
		in := base.Add(time.Duration(r.Int64N(int64(2 * 365 * 24 * time.Hour))))
		got := warroom.NextWorkingTime(in, loc, start, end)
		lt, lg := in.In(loc), got
		inside := func(x time.Time) bool {
			return x.Weekday() != time.Saturday && x.Weekday() != time.Sunday && x.Hour() >= start && x.Hour() < end
		}
		switch {
		case got.Location() != loc:
			t.Fatalf("%v in %v [%d,%d): result in %v", lt, loc, start, end, got.Location())
		case !inside(lg):
			t.Fatalf("%v in %v [%d,%d): %v is outside working hours", lt, loc, start, end, lg)
		case got.Before(in):
			t.Fatalf("%v in %v [%d,%d): %v is earlier", lt, loc, start, end, lg)
		case inside(lt) && !got.Equal(in):
			t.Fatalf("%v in %v [%d,%d): inside, but moved to %v", lt, loc, start, end, lg)
		case !inside(lt) && got.Sub(in) > 4*24*time.Hour:
			t.Fatalf("%v in %v [%d,%d): moved %v, to %v", lt, loc, start, end, got.Sub(in), lg)
		case !inside(lt) && !got.Equal(warroom.WallTime(lg.Year(), lg.Month(), lg.Day(), start, 0, loc)):
			t.Fatalf("%v in %v [%d,%d): moved to %v, not the start of a day", lt, loc, start, end, lg)
		}
		// No working day between t and the result still had working time
		// left after t.
		if !got.Equal(in) {
			for d := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, time.UTC); d.Before(time.Date(lg.Year(), lg.Month(), lg.Day(), 0, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
				if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
					continue
				}
				if closes := warroom.WallTime(d.Year(), d.Month(), d.Day(), end, 0, loc); closes.After(in) {
					t.Fatalf("%v in %v [%d,%d): %v, but %s was working until %v", lt, loc, start, end, lg, d.Format("Mon 2006-01-02"), closes)
				}
			}
		}
	}
}

func TestWallTime(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	lordHowe := mustLoad(t, "Australia/Lord_Howe") // moves by 30 minutes
	tests := []struct {
		name string
		got  time.Time
		want time.Time
	}{
		{"ordinary", warroom.WallTime(2026, 11, 24, 14, 0, ny), time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)},
		{"skipped: moved forward by the gap", warroom.WallTime(2026, 3, 8, 2, 30, ny), time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC)},
		{"just after the gap", warroom.WallTime(2026, 3, 8, 3, 0, ny), time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC)},
		{"repeated: the first", warroom.WallTime(2026, 11, 1, 1, 30, ny), time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)},
		{"a 30-minute gap", warroom.WallTime(2026, 10, 4, 2, 0, lordHowe), time.Date(2026, 10, 3, 15, 30, 0, 0, time.UTC)},
		{"nil is UTC", warroom.WallTime(2026, 11, 24, 14, 0, nil), time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)},
		{"day 31 of a 30-day month normalizes", warroom.WallTime(2026, 11, 31, 9, 0, time.UTC), time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		if !tt.got.Equal(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, tt.got, tt.want.In(tt.got.Location()))
		}
	}
}

func TestFollowupLength(t *testing.T) {
	start := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	f := warroom.Followup{Start: start}
	if f.Length() != warroom.DefaultFollowupDuration || !f.End().Equal(start.Add(30*time.Minute)) {
		t.Errorf("default: %v, ends %v", f.Length(), f.End())
	}
	f.Duration = 45 * time.Minute
	if f.Length() != 45*time.Minute || !f.End().Equal(start.Add(45*time.Minute)) {
		t.Errorf("45m: %v, ends %v", f.Length(), f.End())
	}
}

func TestParsePasscodeDisplay(t *testing.T) {
	for in, want := range map[string]warroom.PasscodeDisplay{
		"": warroom.DefaultPasscodeDisplay, "  ": warroom.DefaultPasscodeDisplay,
		"inline": warroom.PasscodeInline, "SEPARATE": warroom.PasscodeSeparate, " Hidden ": warroom.PasscodeHidden,
	} {
		if got, err := warroom.ParsePasscodeDisplay(in); err != nil || got != want || !got.Valid() {
			t.Errorf("ParsePasscodeDisplay(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"shown", "inline,hidden", "none"} {
		if got, err := warroom.ParsePasscodeDisplay(in); warroom.ErrorCode(err) != warroom.EINVALID || got != "" {
			t.Errorf("ParsePasscodeDisplay(%q) = %q, %v; want an EINVALID error", in, got, err)
		}
	}
	if warroom.PasscodeDisplay("").Valid() || warroom.PasscodeDisplay("Inline").Valid() {
		t.Error("Valid accepts what is not a display")
	}
}

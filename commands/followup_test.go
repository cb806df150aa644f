package commands_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the DST cases must not depend on the machine's zoneinfo
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/warroom-dev/warroom/commands"
)

func TestParseFollowup(t *testing.T) {
	tests := []struct {
		text string
		want commands.Command
	}{
		{"followup", commands.Followup{}},
		{"followup   ", commands.Followup{}},
		{"FOLLOWUP", commands.Followup{}},
		{"follow-up in 2d", commands.Followup{When: "in 2d"}},
		{"followup in 3h", commands.Followup{When: "in 3h"}},
		{"followup in 90m", commands.Followup{When: "in 90m"}},
		{"followup in 1w", commands.Followup{When: "in 1w"}},
		{"followup in 1h30m", commands.Followup{When: "in 1h30m"}},
		{"followup in 1h 30m", commands.Followup{When: "in 1h 30m"}},
		{"followup in 2 days Retro", commands.Followup{When: "in 2 days", Topic: "Retro"}},
		{"followup 2d", commands.Followup{When: "2d"}},
		{"followup tomorrow", commands.Followup{When: "tomorrow"}},
		{"followup tomorrow 14:00", commands.Followup{When: "tomorrow 14:00"}},
		{"followup Tomorrow at 2:30PM", commands.Followup{When: "Tomorrow at 2:30PM"}},
		{"followup 14:00 tomorrow", commands.Followup{When: "14:00 tomorrow"}},
		{"followup today 17:30", commands.Followup{When: "today 17:30"}},
		{"followup monday 9:30", commands.Followup{When: "monday 9:30"}},
		{"followup next fri 2 pm", commands.Followup{When: "next fri 2 pm"}},
		{"followup sunday", commands.Followup{When: "sunday"}},
		{"followup 2026-12-01 10:00", commands.Followup{When: "2026-12-01 10:00"}},
		{"followup 2026-12-01", commands.Followup{When: "2026-12-01"}},
		{"followup 14:00", commands.Followup{When: "14:00"}},
		{"followup 2pm Retro", commands.Followup{When: "2pm", Topic: "Retro"}},
		{"followup at 9:30am", commands.Followup{When: "at 9:30am"}},
		{"followup 2:30 PM Retro", commands.Followup{When: "2:30 PM", Topic: "Retro"}},
		{"followup at 12 am", commands.Followup{When: "at 12 am"}},

		// Lengths.
		{"followup for 45m", commands.Followup{Duration: 45 * time.Minute}},
		{"followup for 1h", commands.Followup{Duration: time.Hour}},
		{"followup for 1h30m", commands.Followup{Duration: 90 * time.Minute}},
		{"followup for 1h 30m", commands.Followup{Duration: 90 * time.Minute}},
		{"followup for 90 min", commands.Followup{Duration: 90 * time.Minute}},
		{"followup for 1 hour", commands.Followup{Duration: time.Hour}},
		{"followup For 5M", commands.Followup{Duration: 5 * time.Minute}},
		{"followup for 8h", commands.Followup{Duration: 8 * time.Hour}},
		{"followup for 1h 5 whys", commands.Followup{Duration: time.Hour, Topic: "5 whys"}},

		// Everything, and in another order before the topic.
		{"followup tomorrow 14:00 for 45m <@U1|ana> <@W2> Root cause &amp; fixes",
			commands.Followup{When: "tomorrow 14:00", Duration: 45 * time.Minute, Invitees: []string{"U1", "W2"}, Topic: "Root cause & fixes"}},
		{"followup for 45m <@U1|ana> tomorrow 10:00 Retro",
			commands.Followup{When: "tomorrow 10:00", Duration: 45 * time.Minute, Invitees: []string{"U1"}, Topic: "Retro"}},
		{"followup <@U1|ana> in 2d", commands.Followup{When: "in 2d", Invitees: []string{"U1"}}},
		// Mentions in the topic invite too and read as Slack shows them.
		{"followup tomorrow <@U1|bob smith> and <@U2> review with <@U1|bob smith>",
			commands.Followup{When: "tomorrow", Invitees: []string{"U1", "U2"}, Topic: "and @U2 review with @bob smith"}},
		{"followup Review with<@U3|cy>, please", commands.Followup{Invitees: []string{"U3"}, Topic: "Review with@cy, please"}},

		// Words that only look like a time start the topic.
		{"followup in review of the DB", commands.Followup{Topic: "in review of the DB"}},
		{"followup at the office", commands.Followup{Topic: "at the office"}},
		{"followup next steps", commands.Followup{Topic: "next steps"}},
		{"followup 5 whys", commands.Followup{Topic: "5 whys"}},
		{"followup for the team", commands.Followup{Topic: "for the team"}},
		{"followup Monday's outage", commands.Followup{Topic: "Monday's outage"}},
		{"followup tomorrow for 1h 2pm", commands.Followup{When: "tomorrow", Duration: time.Hour, Topic: "2pm"}},
		{"followup &lt;@U1&gt; is not a mention", commands.Followup{Topic: "<@U1> is not a mention"}},
		{"followup <!channel> review\n\tnow", commands.Followup{Topic: "<!channel> review now"}},

		{"followup list", commands.FollowupList{}},
		{"FOLLOWUP LIST", commands.FollowupList{}},
		{"followup cancel 2", commands.FollowupCancel{N: 2}},
		{"followup Cancel #3", commands.FollowupCancel{N: 3}},
		{"follow-up cancel 10", commands.FollowupCancel{N: 10}},
	}
	for _, tt := range tests {
		got, err := commands.Parse(tt.text)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.text, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", tt.text, diff)
		}
	}
}

func TestParseFollowupErrors(t *testing.T) {
	const (
		timeHelp = "time"
		usage    = "usage"
	)
	tests := []struct{ text, sentence, then string }{
		{"followup 25:00", "`25:00` is not a time of day; use 0:00 to 23:59.", timeHelp},
		{"followup 9:60", "`9:60` is not a time of day; use 0:00 to 23:59.", timeHelp},
		{"followup 13pm", "`13pm` is not a time of day; use 1am to 12pm, like `2pm` or `2:30pm`.", timeHelp},
		{"followup 0 am", "`0am` is not a time of day; use 1am to 12pm, like `2pm` or `2:30pm`.", timeHelp},
		{"followup 2026-02-30", "There is no such date as `2026-02-30`.", timeHelp},
		{"followup 2026-13-01 Retro", "There is no such date as `2026-13-01`.", timeHelp},
		{"followup today", "Say what time today, for example `today 17:30`.", timeHelp},
		{"followup in 0m", "Give a time in the future, like `in 30m`.", timeHelp},
		{"followup in 400d", "That is more than a year away; pick a time within the next year.", timeHelp},
		{"followup in 99999999999999999999m", "That is more than a year away; pick a time within the next year.", timeHelp},
		{"followup tomorrow monday", "I can't read `tomorrow monday` as a time.", timeHelp},
		{"followup in 2d 14:00", "I can't read `in 2d 14:00` as a time.", timeHelp},
		{"followup 2pm 14:00 x", "I can't read `2pm 14:00` as a time.", timeHelp},
		{"followup for 4m", "A follow-up lasts from 5 minutes to 8 hours, like `for 45m` or `for 1h30m`.", usage},
		{"followup for 8h1m", "A follow-up lasts from 5 minutes to 8 hours, like `for 45m` or `for 1h30m`.", usage},
		{"followup for 1d", "A follow-up lasts from 5 minutes to 8 hours, like `for 45m` or `for 1h30m`.", usage},
		{"followup for 0m", "A follow-up lasts from 5 minutes to 8 hours, like `for 45m` or `for 1h30m`.", usage},
		{"followup for 99999999999999999999h", "A follow-up lasts from 5 minutes to 8 hours, like `for 45m` or `for 1h30m`.", usage},
		{"followup for 45", "Say how long with a unit, like `for 45m` or `for 1h`.", usage},
		{"followup for 1h for 2h", "You gave two lengths; give just one, like `for 45m`.", usage},
		{"followup list all", "`/incident followup list` takes nothing after it.", usage},
		{"followup cancel", "Say which follow-up to cancel by its number, like `/incident followup cancel 2`; `/incident followup list` shows the numbers.", usage},
		{"followup cancel 1 2", "Cancel one follow-up at a time, like `/incident followup cancel 2`.", usage},
		{"followup cancel 0", "`0` is not a follow-up number; `/incident followup list` shows the numbers.", usage},
		{"followup cancel -1", "`-1` is not a follow-up number; `/incident followup list` shows the numbers.", usage},
		{"followup cancel +1", "`+1` is not a follow-up number; `/incident followup list` shows the numbers.", usage},
		{"followup cancel #", "`#` is not a follow-up number; `/incident followup list` shows the numbers.", usage},
		{"followup cancel two", "`two` is not a follow-up number; `/incident followup list` shows the numbers.", usage},
		{"followup cancel 99999999999999999999", "`99999999999999999999` is not a follow-up number; `/incident followup list` shows the numbers.", usage},
		{"followup cancel <@U1|x>", "`<@U1|x>` is not a follow-up number; `/incident followup list` shows the numbers.", usage},
	}
	for _, tt := range tests {
		cmd, err := commands.Parse(tt.text)
		var ue *commands.UsageError
		if !errors.As(err, &ue) {
			t.Errorf("Parse(%q) = %#v, %v; want a *UsageError", tt.text, cmd, err)
			continue
		}
		want := tt.sentence + "\n\n" + commands.FollowupUsage()
		if tt.then == timeHelp {
			want = tt.sentence + "\n\n" + commands.FollowupTimeHelp()
		}
		if ue.Message != want {
			t.Errorf("Parse(%q) error:\n%s\nwant:\n%s", tt.text, ue.Message, want)
		}
	}
	// Help is the follow-up usage alone.
	var ue *commands.UsageError
	if _, err := commands.Parse("followup help"); !errors.As(err, &ue) || ue.Message != commands.FollowupUsage() {
		t.Errorf("followup help: %v", err)
	}
}

// tue is Tuesday 2026-11-24, 10:30:20 in New York.
var ny = mustLoad("America/New_York")

var tue = time.Date(2026, 11, 24, 10, 30, 20, 0, ny)

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func TestParseWhen(t *testing.T) {
	at := func(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, loc)
	}
	satBeforeSpring := time.Date(2026, 3, 7, 10, 0, 0, 0, ny) // DST starts Sunday 02:00
	satBeforeFall := time.Date(2026, 10, 31, 10, 0, 0, 0, ny) // DST ends Sunday 02:00
	tests := []struct {
		words string
		now   time.Time
		loc   *time.Location
		want  time.Time
	}{
		{"in 2d", tue, ny, at(ny, 2026, 11, 26, 10, 30)},
		{"IN 2D", tue, ny, at(ny, 2026, 11, 26, 10, 30)},
		{"2d", tue, ny, at(ny, 2026, 11, 26, 10, 30)},
		{"in 2 days", tue, ny, at(ny, 2026, 11, 26, 10, 30)},
		{"in 3h", tue, ny, at(ny, 2026, 11, 24, 13, 30)},
		{"in 3 hours", tue, ny, at(ny, 2026, 11, 24, 13, 30)},
		{"in 90m", tue, ny, at(ny, 2026, 11, 24, 12, 0)},
		{"in 90mins", tue, ny, at(ny, 2026, 11, 24, 12, 0)},
		{"in 1h30m", tue, ny, at(ny, 2026, 11, 24, 12, 0)},
		{"in 1h 30m", tue, ny, at(ny, 2026, 11, 24, 12, 0)},
		{"in 1m", tue, ny, at(ny, 2026, 11, 24, 10, 31)},
		{"in 1w", tue, ny, at(ny, 2026, 12, 1, 10, 30)},
		{"in 1d 2h", tue, ny, at(ny, 2026, 11, 25, 12, 30)},
		{"tomorrow", tue, ny, at(ny, 2026, 11, 25, 9, 0)},
		{"tomorrow 14:00", tue, ny, at(ny, 2026, 11, 25, 14, 0)},
		{"Tomorrow at 2pm", tue, ny, at(ny, 2026, 11, 25, 14, 0)},
		{"14:00 tomorrow", tue, ny, at(ny, 2026, 11, 25, 14, 0)},
		{"today 17:30", tue, ny, at(ny, 2026, 11, 24, 17, 30)},
		{"today 10:31", tue, ny, at(ny, 2026, 11, 24, 10, 31)},
		{"monday 9:30", tue, ny, at(ny, 2026, 11, 30, 9, 30)},
		{"mon", tue, ny, at(ny, 2026, 11, 30, 9, 0)},
		{"tuesday", tue, ny, at(ny, 2026, 12, 1, 9, 0)}, // today is Tuesday: the next one
		{"tuesday 17:00", tue, ny, at(ny, 2026, 12, 1, 17, 0)},
		{"wednesday", tue, ny, at(ny, 2026, 11, 25, 9, 0)},
		{"next fri 2pm", tue, ny, at(ny, 2026, 11, 27, 14, 0)},
		{"sunday", tue, ny, at(ny, 2026, 11, 29, 9, 0)},
		{"sat 2 pm", tue, ny, at(ny, 2026, 11, 28, 14, 0)},
		{"2026-12-01 10:00", tue, ny, at(ny, 2026, 12, 1, 10, 0)},
		{"2026-12-01", tue, ny, at(ny, 2026, 12, 1, 9, 0)},
		{"10:00 2026-12-01", tue, ny, at(ny, 2026, 12, 1, 10, 0)},
		{"14:00", tue, ny, at(ny, 2026, 11, 24, 14, 0)},
		{"at 14:00", tue, ny, at(ny, 2026, 11, 24, 14, 0)},
		{"9:00", tue, ny, at(ny, 2026, 11, 25, 9, 0)},    // past today: tomorrow
		{"10:30", tue, ny, at(ny, 2026, 11, 25, 10, 30)}, // 20 seconds ago
		{"2pm", tue, ny, at(ny, 2026, 11, 24, 14, 0)},
		{"2:30pm", tue, ny, at(ny, 2026, 11, 24, 14, 30)},
		{"2:30 PM", tue, ny, at(ny, 2026, 11, 24, 14, 30)},
		{"12pm", tue, ny, at(ny, 2026, 11, 24, 12, 0)},
		{"12am", tue, ny, at(ny, 2026, 11, 25, 0, 0)},
		{"9am", tue, ny, at(ny, 2026, 11, 25, 9, 0)},
		// Exactly a year ahead is allowed.
		{"2027-11-24 10:30", tue, ny, at(ny, 2027, 11, 24, 10, 30)},
		{"in 365d", tue, ny, at(ny, 2027, 11, 24, 10, 30)},
		{"in 52w", tue, ny, at(ny, 2027, 11, 23, 10, 30)},

		// Spring forward (2026-03-08 02:00 EST → 03:00 EDT): days keep the
		// time of day, hours are hours, a skipped time moves forward.
		{"in 1d", satBeforeSpring, ny, at(ny, 2026, 3, 8, 10, 0)},
		{"in 24h", satBeforeSpring, ny, at(ny, 2026, 3, 8, 11, 0)},
		{"tomorrow 2:30", satBeforeSpring, ny, time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC)},
		{"2026-03-08 02:30", satBeforeSpring, ny, time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC)},
		{"monday", satBeforeSpring, ny, at(ny, 2026, 3, 9, 9, 0)},
		// Fall back (2026-11-01 02:00 EDT → 01:00 EST).
		{"in 1d", satBeforeFall, ny, at(ny, 2026, 11, 1, 10, 0)},
		{"in 24h", satBeforeFall, ny, at(ny, 2026, 11, 1, 9, 0)},
		{"tomorrow 1:30", satBeforeFall, ny, time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)}, // the first 1:30, EDT

		// nil is UTC; now in another zone is read in loc.
		{"tomorrow 14:00", tue, nil, time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)},
		{"today 23:00", time.Date(2026, 11, 24, 22, 0, 0, 0, time.UTC), mustLoad("Asia/Tokyo"), time.Date(2026, 11, 25, 23, 0, 0, 0, mustLoad("Asia/Tokyo"))},
	}
	for _, tt := range tests {
		got, err := commands.ParseWhen(tt.words, tt.now, tt.loc)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseWhen(%q, %v) = %v, %v; want %v", tt.words, tt.now, got, err, tt.want)
			continue
		}
		wantLoc := tt.loc
		if wantLoc == nil {
			wantLoc = time.UTC
		}
		if got.Location() != wantLoc {
			t.Errorf("ParseWhen(%q) in %v, want %v", tt.words, got.Location(), wantLoc)
		}
	}
}

func TestParseWhenErrors(t *testing.T) {
	const (
		passed  = "That time has already passed."
		tooFar  = "That is more than a year away; pick a time within the next year."
		notTime = "` as a time."
	)
	tests := []struct{ words, sentence string }{
		{"", "Say when, for example `tomorrow 14:00` or `in 2d`."},
		{"   ", "Say when, for example `tomorrow 14:00` or `in 2d`."},
		{"yesterday", "I can't read `yesterday" + notTime},
		{"in", "I can't read `in" + notTime},
		{"in 0m", "Give a time in the future, like `in 30m`."},
		{"in 0 days", "Give a time in the future, like `in 30m`."},
		{"in tomorrow", "I can't read `in tomorrow" + notTime},
		{"in 2d 14:00", "I can't read `in 2d 14:00" + notTime},
		{"14:00 in 2d", "I can't read `14:00 in 2d" + notTime},
		{"tomorrow monday", "I can't read `tomorrow monday" + notTime},
		{"14:00 15:00", "I can't read `14:00 15:00" + notTime},
		{"next", "I can't read `next" + notTime},
		{"tomorrow at", "I can't read `tomorrow at" + notTime},
		{"2 potatoes", "I can't read `2 potatoes" + notTime},
		{"\xff", "I can't read `\uFFFD" + notTime},
		{"in `rm` " + strings.Repeat("x", 40), "I can't read `in 'rm' " + strings.Repeat("x", 21) + "…" + notTime},
		{"today", "Say what time today, for example `today 17:30`."},
		{"24:00", "`24:00` is not a time of day; use 0:00 to 23:59."},
		{"13pm", "`13pm` is not a time of day; use 1am to 12pm, like `2pm` or `2:30pm`."},
		{"0pm", "`0pm` is not a time of day; use 1am to 12pm, like `2pm` or `2:30pm`."},
		{"2:60pm", "`2:60pm` is not a time of day; use 1am to 12pm, like `2pm` or `2:30pm`."},
		{"2026-02-29", "There is no such date as `2026-02-29`."},
		{"2026-00-10", "There is no such date as `2026-00-10`."},
		{"2026-11-31 10:00", "There is no such date as `2026-11-31`."},

		{"today 9:00", passed},
		{"today 10:30", passed},
		{"2026-11-24 10:30", passed},
		{"2026-11-23", passed},
		{"2025-01-01", passed},
		{"0000-01-01", passed},

		{"2027-11-24 10:31", tooFar},
		{"2028-02-29", tooFar},
		{"9999-12-31 23:59", tooFar},
		{"in 366d", tooFar},
		{"in 53w", tooFar},
		{"in 8785h", tooFar},
		{"in 999999999999999999999d", tooFar},
		{"in 9999999999w", tooFar},
		{"in 99999999999h", tooFar},
	}
	for _, tt := range tests {
		got, err := commands.ParseWhen(tt.words, tue, ny)
		var ue *commands.UsageError
		if !errors.As(err, &ue) || !got.IsZero() {
			t.Errorf("ParseWhen(%q) = %v, %v; want a *UsageError", tt.words, got, err)
			continue
		}
		if ue.Message != tt.sentence || err.Error() != tt.sentence {
			t.Errorf("ParseWhen(%q) error %q, want %q", tt.words, ue.Message, tt.sentence)
		}
	}
}

func TestFollowupWithTime(t *testing.T) {
	f := commands.Followup{When: "tomorrow 14:00", Topic: "Retro"}
	got, err := f.WithTime(tue, ny)
	if want := time.Date(2026, 11, 25, 14, 0, 0, 0, ny); err != nil || !got.At.Equal(want) || got.Topic != "Retro" || got.When != f.When {
		t.Errorf("WithTime = %+v, %v; want At %v", got, err, want)
	}
	if got, err := (commands.Followup{Topic: "x"}).WithTime(tue, ny); err != nil || !got.At.IsZero() {
		t.Errorf("no When: %+v, %v; want a zero At", got, err)
	}
	_, err = commands.Followup{When: "today 9:00"}.WithTime(tue, ny)
	var ue *commands.UsageError
	if !errors.As(err, &ue) || ue.Message != "That time has already passed.\n\n"+commands.FollowupTimeHelp() {
		t.Errorf("past: %v", err)
	}
}

// TestFollowupHelp checks that every example the help gives works as it says.
func TestFollowupHelp(t *testing.T) {
	for what, help := range map[string]string{"time help": commands.FollowupTimeHelp(), "usage": commands.FollowupUsage(), "Usage": commands.Usage()} {
		if strings.ContainsAny(help, "<>&") {
			t.Errorf("%s holds characters mrkdwn would take as markup:\n%s", what, help)
		}
	}
	if !strings.Contains(commands.FollowupUsage(), commands.FollowupTimeHelp()) {
		t.Error("the follow-up usage lacks the time help")
	}
	examples := regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(commands.FollowupTimeHelp(), -1)
	if len(examples) < 15 {
		t.Fatalf("only %d examples", len(examples))
	}
	for _, m := range examples {
		ex := m[1]
		if strings.HasPrefix(ex, "for ") {
			if c, err := commands.Parse("followup " + ex); err != nil || c.(commands.Followup).Duration == 0 {
				t.Errorf("example %q: %#v, %v", ex, c, err)
			}
			continue
		}
		c, err := commands.Parse("followup " + ex + " Retro")
		if f, ok := c.(commands.Followup); err != nil || !ok || f.When != ex || f.Topic != "Retro" {
			t.Errorf("example %q: Parse = %#v, %v", ex, c, err)
		}
		if _, err := commands.ParseWhen(ex, tue, ny); err != nil {
			t.Errorf("example %q: ParseWhen: %v", ex, err)
		}
	}
	for _, m := range regexp.MustCompile("`(/incident followup[^`]*)`").FindAllStringSubmatch(commands.FollowupUsage()+commands.Usage(), -1) {
		text := strings.TrimPrefix(strings.ReplaceAll(m[1], "@ana", "<@U1|ana>"), "/incident ")
		text = strings.ReplaceAll(strings.ReplaceAll(text, "@raj", "<@U2|raj>"), "[topic]", "Retro")
		if c, err := commands.Parse(text); err != nil {
			var ue *commands.UsageError
			if text != "followup help" || !errors.As(err, &ue) {
				t.Errorf("usage example %q: %#v, %v", text, c, err)
			}
		}
	}
}

var zones = []*time.Location{
	nil, time.UTC, ny, mustLoad("Europe/London"), mustLoad("Africa/Cairo"), mustLoad("Australia/Lord_Howe"),
	mustLoad("Asia/Kolkata"), mustLoad("Pacific/Chatham"), mustLoad("America/Santiago"), mustLoad("Pacific/Kiritimati"),
}

// FuzzParseWhen checks that no words and no clock make ParseWhen panic,
// that every time it returns is after now and within a year, in loc, and
// that a phrase Parse accepted fails only for being past or too far.
func FuzzParseWhen(f *testing.F) {
	for _, s := range []string{
		"in 2d", "in 1h30m", "tomorrow 14:00", "today 17:30", "monday 9:30", "next sun 12am", "2026-12-01 10:00",
		"2026-12-01", "14:00", "2pm", "2:30 pm", "in 99999999999999999999w", "2026-02-29", "24:00", "0000-01-01",
		"9999-12-31", "at", "in in", "\xff", "tomorrow 2:30", "2026-03-08 02:30", "in 366d", "10:30 tomorrow",
	} {
		f.Add(s, int64(0), uint8(2))
	}
	f.Add("in 1d", int64(5_500_000), uint8(2)) // a few days before spring forward
	f.Fuzz(func(t *testing.T, words string, offset int64, zone uint8) {
		const span = 200 * 365 * 24 * 3600
		now := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(((offset%span)+span)%span) * time.Second)
		loc := zones[int(zone)%len(zones)]
		got, err := commands.ParseWhen(words, now, loc)
		if err != nil {
			var ue *commands.UsageError
			if !errors.As(err, &ue) || ue.Message == "" || !utf8.ValidString(ue.Message) || !got.IsZero() {
				t.Fatalf("ParseWhen(%q) = %v, %v; want a zero time and a *UsageError", words, got, err)
			}
		} else {
			wantLoc := loc
			if wantLoc == nil {
				wantLoc = time.UTC
			}
			if !got.After(now) || got.After(now.AddDate(1, 0, 0)) || got.Location() != wantLoc {
				t.Fatalf("ParseWhen(%q, %v, %v) = %v: not within a year ahead, in loc", words, now, loc, got)
			}
		}
		// What Parse takes as a whole time phrase, ParseWhen reads: it can only
		// be past or too far.
		if c, perr := commands.Parse("followup " + words); perr == nil {
			if fu, ok := c.(commands.Followup); ok && fu.When != "" {
				_, err := commands.ParseWhen(fu.When, now, loc)
				if err != nil && err.Error() != "That time has already passed." && !strings.HasPrefix(err.Error(), "That is more than a year away") {
					t.Fatalf("Parse took %q as a time, ParseWhen says %v", fu.When, err)
				}
			}
		}
	})
}

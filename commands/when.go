package commands

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/warroom-dev/warroom"
)

// defaultHour is the time of a day named without one ("tomorrow",
// "monday", "2026-12-01").
const defaultHour = 9

// maxAheadYears is how far ahead a follow-up may be scheduled.
const maxAheadYears = 1

// The words of a time phrase. Parse uses their shapes to find where the
// phrase ends, without a clock; ParseWhen reads them with one.
var (
	isoDate  = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)
	clock24  = regexp.MustCompile(`^(\d{1,2}):(\d{2})$`)
	clock12  = regexp.MustCompile(`^(\d{1,2})(?::(\d{2}))?(am|pm)$`)
	hour12   = regexp.MustCompile(`^(\d{1,2})(?::(\d{2}))?$`) // before a separate "am"/"pm"
	amount   = regexp.MustCompile(`^(?:\d+(?:m|min|mins|h|hr|hrs|d|w|wk|wks))+$`)
	amountIn = regexp.MustCompile(`(\d+)(mins|min|m|hrs|hr|h|d|wks|wk|w)`)
	number   = regexp.MustCompile(`^\d+$`)
)

var unitWords = map[string]time.Duration{
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": day, "day": day, "days": day,
	"w": week, "wk": week, "wks": week, "week": week, "weeks": week,
}

// day and week stand for calendar days: "in 2d" keeps the wall-clock time
// across a daylight-saving change.
const (
	day  = 24 * time.Hour
	week = 7 * day
)

var weekdays = map[string]time.Weekday{
	"monday": time.Monday, "mon": time.Monday,
	"tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday,
	"wednesday": time.Wednesday, "wed": time.Wednesday,
	"thursday": time.Thursday, "thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday,
	"friday": time.Friday, "fri": time.Friday,
	"saturday": time.Saturday, "sat": time.Saturday,
	"sunday": time.Sunday, "sun": time.Sunday,
}

// timeWords returns how many of words, from the first, read as one piece of
// a time phrase (0: none). It looks at shapes only: "25:00" is a piece, and
// ParseWhen says what is wrong with it.
func timeWords(words []string, i int) int {
	w := strings.ToLower(words[i])
	next := func(k int) string {
		if i+k < len(words) {
			return strings.ToLower(words[i+k])
		}
		return ""
	}
	switch {
	case w == "today" || w == "tomorrow" || isWeekday(w):
		return 1
	case hour12.MatchString(w) && (next(1) == "am" || next(1) == "pm"): // before "2:30" alone
		return 2
	case isoDate.MatchString(w) || clock24.MatchString(w) || clock12.MatchString(w) || amount.MatchString(w):
		return 1
	case number.MatchString(w) && unitWords[next(1)] != 0:
		return 2
	case w == "in": // "in" only before an amount: "in review" is a topic
		if amount.MatchString(next(1)) || number.MatchString(next(1)) && unitWords[next(2)] != 0 {
			return 1
		}
	case w == "at": // "at" only before a time of day
		n := next(1)
		if clock24.MatchString(n) || clock12.MatchString(n) || hour12.MatchString(n) && (next(2) == "am" || next(2) == "pm") {
			return 1
		}
	case w == "next": // "next monday"
		if isWeekday(next(1)) {
			return 1
		}
	}
	return 0
}

// when is a time phrase read without a clock: either an amount of time
// from now, or a day and/or a time of day.
type when struct {
	relative bool
	days     int           // calendar days (d, w)
	span     time.Duration // hours and minutes

	dayKind   string // "", "today", "tomorrow", "weekday", "date"
	weekday   time.Weekday
	y, d      int
	m         time.Month
	hasClock  bool
	hour, min int
}

// timeError is a ParseWhen error: a sentence, shown before FollowupTimeHelp.
func timeError(sentence string) *UsageError { return &UsageError{Message: sentence} }

// readWhen reads a time phrase without a clock.
func readWhen(phrase string) (when, error) {
	words := strings.Fields(strings.ToLower(strings.ToValidUTF8(phrase, string(utf8.RuneError))))
	if len(words) == 0 {
		return when{}, timeError("Say when, for example `tomorrow 14:00` or `in 2d`.")
	}
	r := &whenReader{words: words}
	for ; r.i < len(words); r.i++ {
		if err := r.word(); err != nil {
			return when{}, err
		}
	}
	if err := r.complete(); err != nil {
		return when{}, err
	}
	return r.w, nil
}

// whenReader reads a phrase word by word into w. A word may take the one
// after it too ("2 pm", "3 days"), which is why it keeps the index.
type whenReader struct {
	words []string
	i     int
	w     when
}

func (r *whenReader) unreadable() error {
	return timeError("I can't read `" + echo(strings.Join(r.words, " ")) + "` as a time.")
}

// following is the word after the current one, or "".
func (r *whenReader) following() string {
	if r.i+1 < len(r.words) {
		return r.words[r.i+1]
	}
	return ""
}

// word reads the current word, and the one after it when they belong
// together.
func (r *whenReader) word() error {
	word, following := r.words[r.i], r.following()
	switch {
	case word == "in" && r.i == 0 && len(r.words) > 1:
		r.w.relative = true
	case word == "at" && r.i+1 < len(r.words):
		// filler before a time of day
	case word == "next" && isWeekday(following):
		// "next monday" is "monday": the next one anyway
	case word == "today" || word == "tomorrow":
		return r.setDay(word)
	case isWeekday(word):
		if err := r.setDay("weekday"); err != nil {
			return err
		}
		r.w.weekday = weekdays[word]
	case isoDate.MatchString(word):
		return r.date(word)
	case clock12.MatchString(word), hour12.MatchString(word) && (following == "am" || following == "pm"):
		return r.clock12(word, following)
	case clock24.MatchString(word):
		return r.clock24(word)
	case amount.MatchString(word), number.MatchString(word) && unitWords[following] != 0:
		return r.amount(word, following)
	default:
		return r.unreadable()
	}
	return nil
}

// setDay refuses a second day, and a day in a relative phrase: "tomorrow
// monday" and "in 2h tomorrow" have no one meaning.
func (r *whenReader) setDay(kind string) error {
	if r.w.dayKind != "" || r.w.relative {
		return r.unreadable()
	}
	r.w.dayKind = kind
	return nil
}

// setClock refuses a second time of day, and one in a relative phrase.
func (r *whenReader) setClock(h, m int) error {
	if r.w.hasClock || r.w.relative {
		return r.unreadable()
	}
	r.w.hasClock, r.w.hour, r.w.min = true, h, m
	return nil
}

func (r *whenReader) date(word string) error {
	if err := r.setDay("date"); err != nil {
		return err
	}
	m := isoDate.FindStringSubmatch(word)
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(time.Month(mo), y) {
		return timeError("There is no such date as `" + word + "`.")
	}
	r.w.y, r.w.m, r.w.d = y, time.Month(mo), d
	return nil
}

// clock12 reads "2pm" and "2:30pm", or "2" and "2:30" followed by a
// separate "am" or "pm", which it takes too.
func (r *whenReader) clock12(word, following string) error {
	text := word
	if !clock12.MatchString(word) {
		text += following
		r.i++
	}
	h, mi, ok := twelveHour(text)
	if !ok {
		return timeError("`" + text + "` is not a time of day; use 1am to 12pm, like `2pm` or `2:30pm`.")
	}
	return r.setClock(h, mi)
}

func (r *whenReader) clock24(word string) error {
	m := clock24.FindStringSubmatch(word)
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	if h > 23 || mi > 59 {
		return timeError("`" + word + "` is not a time of day; use 0:00 to 23:59.")
	}
	return r.setClock(h, mi)
}

// amount reads "1h30m", or a number followed by a separate unit word,
// which it takes too. An amount makes the phrase relative, so it cannot
// follow a day or a time of day.
func (r *whenReader) amount(word, following string) error {
	if r.w.dayKind != "" || r.w.hasClock {
		return r.unreadable()
	}
	r.w.relative = true
	if !amount.MatchString(word) {
		r.i++
		if !r.w.add(word, unitWords[following]) {
			return tooFar()
		}
		return nil
	}
	for _, m := range amountIn.FindAllStringSubmatch(word, -1) {
		if !r.w.add(m[1], unitWords[m[2]]) {
			return tooFar()
		}
	}
	return nil
}

// complete rejects phrases whose words each read well but that together
// do not name a moment, such as "in 0m" or "today".
func (r *whenReader) complete() error {
	w, words := r.w, r.words
	switch {
	case w.relative && w.days == 0 && w.span == 0:
		if words[0] == "in" && len(words) > 1 && (amount.MatchString(words[1]) || number.MatchString(words[1])) {
			return timeError("Give a time in the future, like `in 30m`.")
		}
		return r.unreadable()
	case w.dayKind == "today" && !w.hasClock:
		return timeError("Say what time today, for example `today 17:30`.")
	case !w.relative && w.dayKind == "" && !w.hasClock:
		return r.unreadable()
	}
	return nil
}

// add adds n units to a relative time, reporting false when that is
// plainly more than a year (which also keeps the sums from overflowing).
func (w *when) add(n string, unit time.Duration) bool {
	const limit = 367 * day
	v, err := strconv.Atoi(n)
	if err != nil || time.Duration(v) > limit/unit {
		return false
	}
	switch unit {
	case day, week:
		w.days += v * int(unit/day)
		return w.days <= 366
	}
	w.span += time.Duration(v) * unit
	return w.span <= limit
}

func tooFar() *UsageError {
	return timeError("That is more than a year away; pick a time within the next year.")
}

func isWeekday(w string) bool {
	_, ok := weekdays[w]
	return ok
}

// twelveHour reads "2pm", "2:30pm", "12am" as a 24-hour clock.
func twelveHour(s string) (hour, min int, ok bool) {
	m := clock12.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, false
	}
	h, _ := strconv.Atoi(m[1])
	if m[2] != "" {
		min, _ = strconv.Atoi(m[2])
	}
	if h < 1 || h > 12 || min > 59 {
		return 0, 0, false
	}
	h %= 12
	if m[3] == "pm" {
		h += 12
	}
	return h, min, true
}

func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// ParseWhen reads when a follow-up should be, in loc (nil: UTC), as of now:
//
//	in 2d, in 3h, in 90m, in 1w, in 1h30m, in 2 days   (from now; days keep the time of day)
//	tomorrow, tomorrow 14:00, today 17:30              (a day alone is at 9:00)
//	monday 9:30, next fri 2pm                          (the coming one, never today)
//	2026-12-01 10:00, 2026-12-01                       (9:00)
//	14:00, 2pm, 2:30pm, 2 pm, at 14:00                 (today, or tomorrow if already past)
//
// Words may come in any order ("14:00 tomorrow") and in any case. Times are
// wall-clock times in loc: one that a daylight-saving change skips is
// moved forward by the gap. Relative times are cut to the whole minute.
//
// The result is after now and at most a year after it. Errors are
// *UsageError whose Message is one sentence ("That time has already
// passed."), to be shown followed by FollowupTimeHelp().
func ParseWhen(words string, now time.Time, loc *time.Location) (time.Time, error) {
	w, err := readWhen(words)
	if err != nil {
		return time.Time{}, err
	}
	return w.at(now, loc)
}

// at places a time phrase on the calendar.
func (w when) at(now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	now = now.In(loc)
	var t time.Time
	if w.relative {
		t = now.Truncate(time.Minute)
		if w.days > 0 {
			// Days keep the time of day, whatever daylight saving does.
			y, m, d := now.Date()
			t = warroom.WallTime(y, m, d+w.days, now.Hour(), now.Minute(), loc)
		}
		t = t.Add(w.span)
	} else {
		h, mi := defaultHour, 0
		if w.hasClock {
			h, mi = w.hour, w.min
		}
		y, m, d := now.Date()
		switch w.dayKind {
		case "today":
		case "tomorrow":
			d++
		case "weekday":
			ahead := (int(w.weekday) - int(now.Weekday()) + 7) % 7
			if ahead == 0 {
				ahead = 7
			}
			d += ahead
		case "date":
			y, m, d = w.y, w.m, w.d
		}
		t = warroom.WallTime(y, m, d, h, mi, loc)
		if w.dayKind == "" && !t.After(now) {
			t = warroom.WallTime(y, m, d+1, h, mi, loc)
		}
	}
	switch {
	case !t.After(now):
		return time.Time{}, timeError("That time has already passed.")
	case t.After(now.AddDate(maxAheadYears, 0, 0)):
		return time.Time{}, tooFar()
	}
	return t, nil
}

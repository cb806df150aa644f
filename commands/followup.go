package commands

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/warroom-dev/warroom"
)

// Followup schedules a post-incident review by hand:
// "followup [when] [for <duration>] [@people…] [topic]".
//
// The time phrase runs from the start up to "for <duration>", the first
// mention, or the first word that cannot be part of a time phrase (see
// ParseWhen for the words). "for <duration>", mentions and the time phrase
// may come in any order before the topic; everything after them is the
// topic: "followup tomorrow 14:00 for 45m @ana Root cause review".
type Followup struct {
	// When is the time phrase as typed ("tomorrow 14:00"); "" asks for the
	// default time. Parse has checked that ParseWhen can read it, but only
	// ParseWhen, with a clock and the person's time zone, says when it is
	// (and whether that is past): see WithTime.
	When string
	// At is zero from Parse (the default offset, or not yet read); WithTime
	// sets it from When.
	At time.Time
	// Duration is 0 for the default, else between warroom.MinFollowupDuration
	// and warroom.MaxFollowupDuration.
	Duration time.Duration
	// Invitees are the users mentioned anywhere in the text, in order, each once.
	Invitees []string
	// Topic is the rest of the text, spaces collapsed, Slack's entity
	// encoding undone, mentions spelled "@name"; escaped when shown.
	Topic string
}

// FollowupList shows the incident's follow-ups: "followup list".
type FollowupList struct{}

// FollowupCancel cancels follow-up number N (as the list numbers them):
// "followup cancel 2" (or "#2").
type FollowupCancel struct{ N int }

func (Followup) command()       {}
func (FollowupList) command()   {}
func (FollowupCancel) command() {}

// WithTime returns f with At read from When by ParseWhen, as of now in
// loc. An empty When leaves At zero: the default time. An error is a
// *UsageError holding the reason and FollowupTimeHelp, ready to show.
func (f Followup) WithTime(now time.Time, loc *time.Location) (Followup, error) {
	if strings.TrimSpace(f.When) == "" {
		f.At = time.Time{}
		return f, nil
	}
	at, err := ParseWhen(f.When, now, loc)
	if err != nil {
		return f, withTimeHelp(err.(*UsageError).Message)
	}
	f.At = at
	return f, nil
}

// FollowupTimeHelp lists the times and durations a follow-up takes, in
// mrkdwn without '<', '>' or '&'. It follows a ParseWhen error.
func FollowupTimeHelp() string {
	return "*When?* In your Slack time zone:\n" +
		"• `in 2d`, `in 3h`, `in 90m`, `in 1w`\n" +
		"• `tomorrow` (at 9:00), `tomorrow 14:00`, `today 17:30`\n" +
		"• `monday 9:30` (the coming Monday), `fri 2pm`\n" +
		"• `2026-12-01 10:00`, `2026-12-01` (at 9:00)\n" +
		"• `14:00`, `2pm`, `2:30pm` (today, or tomorrow if that time has passed)\n" +
		"*How long?* `for 45m`, `for 1h`, `for 1h30m`: from 5 minutes to 8 hours."
}

// FollowupUsage is the help for the follow-up commands, in mrkdwn without
// '<', '>' or '&'.
func FollowupUsage() string {
	return "*Follow-up meetings (post-incident reviews)*\n" +
		"• `/incident followup` schedules one at the usual time. Add when, how long, who and what: " +
		"`/incident followup tomorrow 14:00 for 45m @ana @raj Checkout root cause`.\n" +
		"• `/incident followup list` shows them with their numbers; `/incident followup cancel 2` cancels number 2.\n\n" +
		FollowupTimeHelp()
}

func withTimeHelp(sentence string) *UsageError {
	return &UsageError{Message: sentence + "\n\n" + FollowupTimeHelp()}
}

func followupError(sentence string) *UsageError {
	return &UsageError{Message: sentence + "\n\n" + FollowupUsage()}
}

// sentinel stands for the i-th mention while the words are read. clean
// has turned every control character into a space, so it cannot be typed.
func sentinel(i int) string { return "\x00" + strconv.Itoa(i) + "\x00" }

var sentinels = regexp.MustCompile("\x00([0-9]+)\x00")

// parseFollowup reads the text after "followup".
func parseFollowup(rest string) (Command, error) {
	if c, ok, err := followupSubcommand(strings.Fields(rest)); ok {
		return c, err
	}
	r := &followupReader{seen: map[string]bool{}}
	words := strings.Fields(r.hideMentions(rest))
	i, err := r.lead(words)
	if err != nil {
		return nil, err
	}
	r.f.Topic = r.topic(words[i:])
	return r.f, nil
}

// followupSubcommand reads "list", "cancel" and "help"; ok is false when
// the first word is none of them, so the text schedules a follow-up.
func followupSubcommand(words []string) (c Command, ok bool, err error) {
	if len(words) == 0 {
		return nil, false, nil
	}
	switch strings.ToLower(words[0]) {
	case "list":
		if len(words) > 1 {
			return nil, true, followupError("`/incident followup list` takes nothing after it.")
		}
		return FollowupList{}, true, nil
	case "cancel":
		c, err := parseFollowupCancel(words[1:])
		return c, true, err
	case "help":
		return nil, true, &UsageError{Message: FollowupUsage()}
	}
	return nil, false, nil
}

// followupReader reads "followup [when] [for <duration>] [@people…] [topic]"
// into f, remembering the mentions it has hidden behind sentinels.
type followupReader struct {
	f    Followup
	refs []mentionRef
	seen map[string]bool // invitees already in f.Invitees
}

type mentionRef struct{ id, name string }

// hideMentions replaces each mention with a sentinel. Mentions may hold
// spaces (<@U1|bob smith>): each becomes one word first, so the words can
// be read one by one.
func (r *followupReader) hideMentions(rest string) string {
	return mention.ReplaceAllStringFunc(rest, func(m string) string {
		sub := mention.FindStringSubmatch(m)
		r.refs = append(r.refs, mentionRef{sub[1], strings.TrimPrefix(strings.TrimSpace(sub[2]), "@")})
		return sentinel(len(r.refs) - 1)
	})
}

// mentionAt reports which mention the word w stands for, if it is a
// sentinel and nothing else.
func mentionAt(w string) (int, bool) {
	m := sentinels.FindStringSubmatch(w)
	if m == nil || m[0] != w {
		return 0, false
	}
	k, _ := strconv.Atoi(m[1])
	return k, true
}

func (r *followupReader) invite(id string) {
	if !r.seen[id] {
		r.seen[id] = true
		r.f.Invitees = append(r.f.Invitees, id)
	}
}

// lead reads the time phrase, the length and the mentions, in any order,
// and returns how many words they took: the rest is the topic.
func (r *followupReader) lead(words []string) (int, error) {
	i := 0
	for i < len(words) {
		n, err := r.leadPart(words[i:])
		if err != nil {
			return 0, err
		}
		if n == 0 {
			break
		}
		i += n
	}
	return i, nil
}

// leadPart reads one part of the lead from the start of words and returns
// how many words it took; 0 means the topic starts there.
func (r *followupReader) leadPart(words []string) (int, error) {
	if r.f.When == "" {
		if n := timePhrase(words); n > 0 {
			r.f.When = strings.Join(words[:n], " ")
			if _, err := readWhen(r.f.When); err != nil {
				return 0, withTimeHelp(err.(*UsageError).Message)
			}
			return n, nil
		}
	}
	if strings.EqualFold(words[0], "for") {
		d, n, err := readDuration(words[1:])
		if err != nil {
			return 0, err
		}
		if n > 0 {
			if r.f.Duration != 0 {
				return 0, followupError("You gave two lengths; give just one, like `for 45m`.")
			}
			r.f.Duration = d
			return 1 + n, nil
		}
	}
	if k, ok := mentionAt(words[0]); ok {
		r.invite(r.refs[k].id)
		return 1, nil
	}
	return 0, nil
}

// topic spells the mentions left in the topic as "@name", inviting those
// people too, and undoes Slack's entity encoding.
func (r *followupReader) topic(words []string) string {
	topic := sentinels.ReplaceAllStringFunc(strings.Join(words, " "), func(w string) string {
		k, _ := mentionAt(w)
		r.invite(r.refs[k].id)
		if r.refs[k].name == "" {
			return "@" + r.refs[k].id
		}
		return "@" + r.refs[k].name
	})
	return strings.Join(strings.Fields(decode(topic)), " ")
}

// timePhrase returns how many words from the first make one time phrase.
func timePhrase(words []string) int {
	n := 0
	for n < len(words) {
		k := timeWords(words, n)
		if k == 0 {
			break
		}
		n += k
	}
	return n
}

// readDuration reads the length after "for": "45m", "1h30m", "1h 30m",
// "90 min", "1 hour". n is how many words it took; 0 (and no error) when the
// words are no length at all ("for the team"), which makes "for" topic.
func readDuration(words []string) (d time.Duration, n int, err error) {
	lower := func(k int) string {
		if k < len(words) {
			return strings.ToLower(words[k])
		}
		return ""
	}
	var w when
	for {
		switch word := lower(n); {
		case amount.MatchString(word):
			for _, m := range amountIn.FindAllStringSubmatch(word, -1) {
				if !w.add(m[1], unitWords[m[2]]) {
					return 0, 0, badDuration()
				}
			}
			n++
			continue
		case number.MatchString(word) && unitWords[lower(n+1)] != 0:
			if !w.add(word, unitWords[lower(n+1)]) {
				return 0, 0, badDuration()
			}
			n += 2
			continue
		case number.MatchString(word) && n == 0:
			return 0, 0, followupError("Say how long with a unit, like `for 45m` or `for 1h`.")
		}
		break
	}
	if n == 0 {
		return 0, 0, nil
	}
	d = time.Duration(w.days)*day + w.span
	if d < warroom.MinFollowupDuration || d > warroom.MaxFollowupDuration {
		return 0, 0, badDuration()
	}
	return d, n, nil
}

func badDuration() *UsageError {
	return followupError("A follow-up lasts from 5 minutes to 8 hours, like `for 45m` or `for 1h30m`.")
}

// parseFollowupCancel reads the number after "followup cancel".
func parseFollowupCancel(args []string) (Command, error) {
	switch len(args) {
	case 0:
		return nil, followupError("Say which follow-up to cancel by its number, like `/incident followup cancel 2`; `/incident followup list` shows the numbers.")
	case 1:
	default:
		return nil, followupError("Cancel one follow-up at a time, like `/incident followup cancel 2`.")
	}
	arg := strings.TrimPrefix(args[0], "#")
	n, err := strconv.Atoi(arg)
	if err != nil || n < 1 || strings.HasPrefix(arg, "+") {
		return nil, followupError("`" + echo(decode(args[0])) + "` is not a follow-up number; `/incident followup list` shows the numbers.")
	}
	return FollowupCancel{N: n}, nil
}

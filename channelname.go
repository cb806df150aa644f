package warroom

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// MaxChannelName is Slack's limit on a channel name; conversations.create
// answers invalid_name_maxlength beyond it.
const MaxChannelName = 80

// emptySlug stands in for a title with nothing to transliterate ("🔥🔥",
// "日本語"), so the channel name still says what it is.
const emptySlug = "incident"

// ChannelName returns the incident channel name for attempt n (1 = no suffix, 2 → "-2", …):
// prefix + yyyymmdd (of t, in t's location) + "-" + slug(title) [+ "-n"], at most 80 chars in all,
// the slug cut (at a '-' boundary when possible, never leaving a trailing '-') so the suffix always fits.
//
// The result is a valid Slack channel name whenever prefix is made of valid
// characters (see ValidChannelName); checking the configured prefix is the
// caller's job, so a mistake there is reported rather than silently mangled.
// A prefix too long to leave room for the slug loses the slug, then its own
// tail, but never the "-n" suffix that makes a retry distinct.
func ChannelName(prefix string, t time.Time, title string, n int) string {
	suffix := ""
	if n > 1 {
		suffix = "-" + strconv.Itoa(n)
	}
	head := prefix + t.Format("20060102")
	room := MaxChannelName - len(head) - len("-") - len(suffix)
	if room < 1 {
		return head[:min(len(head), MaxChannelName-len(suffix))] + suffix
	}
	return head + "-" + cutSlug(Slug(title), room) + suffix
}

// cutSlug shortens slug to at most max bytes (all ASCII), preferring to end
// at a word so a name reads "checkout-is" rather than "checkout-i".
func cutSlug(slug string, max int) string {
	if len(slug) <= max {
		return slug
	}
	cut := slug[:max]
	// slug[max] == '-' means the cut already falls between words. Otherwise back
	// up to the last '-', unless that would throw away more than half the room.
	if slug[max] != '-' {
		if i := strings.LastIndexByte(cut, '-'); i >= max/2 {
			cut = cut[:i]
		}
	}
	return strings.TrimRight(cut, "-")
}

// Slug turns a title into lowercase ASCII words joined by '-': accents are
// folded (é→e, ß→ss, ø→o), everything else that is not a letter or digit
// separates words. A title with nothing left becomes "incident".
func Slug(title string) string {
	// NFKD splits accents off their letters (and folds compatibility forms such
	// as full-width letters and ligatures); dropping the marks leaves ASCII.
	folded, _, err := transform.String(transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn))), title)
	if err != nil {
		folded = title // never happens with these transformers; fall back to separators
	}

	var b strings.Builder
	dash := false // a separator is owed before the next word
	for _, r := range folded {
		s, ok := slugRune(r)
		if !ok {
			dash = b.Len() > 0
			continue
		}
		if dash {
			b.WriteByte('-')
			dash = false
		}
		b.WriteString(s)
	}
	if b.Len() == 0 {
		return emptySlug
	}
	return b.String()
}

// slugRune maps one (already NFKD-folded, mark-free) rune to its slug text,
// or reports that it separates words.
func slugRune(r rune) (string, bool) {
	switch {
	case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		return string(r), true
	case r >= 'A' && r <= 'Z':
		return string(r + 'a' - 'A'), true
	}
	// Letters that NFD does not decompose: they are letters of their own, not
	// a base letter plus an accent, so they need spelling out.
	switch r {
	case 'ß', 'ẞ':
		return "ss", true
	case 'æ', 'Æ':
		return "ae", true
	case 'œ', 'Œ':
		return "oe", true
	case 'ø', 'Ø':
		return "o", true
	case 'ł', 'Ł':
		return "l", true
	case 'đ', 'Đ', 'ð', 'Ð':
		return "d", true
	case 'þ', 'Þ':
		return "th", true
	case 'ħ', 'Ħ':
		return "h", true
	case 'ŧ', 'Ŧ':
		return "t", true
	case 'ı':
		return "i", true
	case 'ŋ', 'Ŋ':
		return "ng", true
	}
	return "", false
}

// ValidChannelName reports whether s is a name Slack accepts for a channel:
// 1 to 80 lowercase letters, digits, '-' and '_'. A configured channel prefix
// should pass it too.
func ValidChannelName(s string) bool {
	if len(s) == 0 || len(s) > MaxChannelName {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// LooksLikeChannelID reports whether v is shaped like a Slack channel ID
// (C… or G…) rather than a channel's name: settings and commands accept
// either.
func LooksLikeChannelID(v string) bool {
	if len(v) < 9 || len(v) > 15 || (v[0] != 'C' && v[0] != 'G') {
		return false
	}
	for _, r := range v {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

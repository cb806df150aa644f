package blocks

import (
	"strings"
	"unicode/utf8"
)

// Block Kit and API limits, in characters, that these messages are cut to.
const (
	maxHeader       = 150
	maxSectionText  = 3000
	maxField        = 2000
	maxURL          = 3000
	maxChannelTopic = 250
	maxMeetingTopic = 200 // Zoom's limit on a meeting topic
	// maxFallback bounds the title in notification texts: they are read at a
	// glance, and the full title is one click away.
	maxFallbackTitle = 300
	// maxCallError bounds a failure reason: past a few lines it is a log, not
	// a message for responders.
	maxCallError = 500
)

// Escape makes user text safe inside mrkdwn: & < > → &amp; &lt; &gt; so "<!channel>" pings nobody.
//
// Invalid UTF-8 becomes U+FFFD, as it would on the wire anyway, so lengths
// measured here are the lengths Slack sees.
func Escape(s string) string {
	if !strings.ContainsAny(s, "&<>") && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// clip escapes s and cuts it to at most max characters (escaped), ending
// in "…" when cut. It never splits an entity such as "&amp;".
func clip(s string, max int) (string, bool) {
	prefix, cut := fit(s, max, escapedWidth)
	if !cut {
		return Escape(s), false
	}
	return Escape(prefix) + "…", true
}

func escapedWidth(r rune) int {
	switch r {
	case '&':
		return len("&amp;")
	case '<', '>':
		return len("&lt;")
	}
	return width(r)
}

// width is how many characters r may count for against a limit. Slack and
// Zoom do not say whether they count code points or UTF-16 units; counting
// an emoji as two satisfies either.
func width(r rune) int {
	if r > 0xFFFF {
		return 2
	}
	return 1
}

// fit returns s unchanged if its width (the sum of width over its runes) is
// at most max, and otherwise reports a cut and returns the longest prefix that
// leaves room for "…", backed up to a space when one is near so the last
// word stays whole.
func fit(s string, max int, width func(rune) int) (string, bool) {
	total := 0
	for _, r := range s {
		total += width(r)
	}
	if total <= max {
		return s, false
	}
	if max < 1 {
		return "", true
	}
	budget := max - 1 // for "…"
	end, used := 0, 0
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if used+width(r) > budget {
			break
		}
		used += width(r)
		end += size
	}
	const near = 20 // characters we give up to keep a word whole
	if i := strings.LastIndexByte(s[:end], ' '); i > 0 && utf8.RuneCountInString(s[i:end]) <= near && s[end] != ' ' {
		end = i
	}
	return strings.TrimRight(s[:end], " "), true
}

// chars measures s as width does.
func chars(s string) int {
	n := 0
	for _, r := range s {
		n += width(r)
	}
	return n
}

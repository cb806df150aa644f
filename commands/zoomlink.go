package commands

import (
	neturl "net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// linkCandidate finds what may be a link in Slack message text, in order:
// a Slack link <target|label> or <target> (group 1 is everything inside the
// brackets), or a bare http(s) URL.
var linkCandidate = regexp.MustCompile(`<([^<>]*)>|(?i:https?://)[^\s<>|]+`)

// ZoomLink finds the first Zoom meeting link in message or command text:
// Slack's <url|label> and <url> forms or a bare URL. A meeting link has the
// host zoom.us or a subdomain of it (us05web.zoom.us, acme.zoom.us, and
// fake.zoom.us of the simulated Zoom) and the path /j/<meeting ID>; personal
// links (/my/…), start links (/s/…) and webinars are not meetings anyone can
// adopt. Only link targets count: a label is display text, and a link to
// elsewhere labelled with a Zoom URL is not a Zoom link.
//
// url is the link as posted, query (?pwd=…) and all, with Slack's entity
// encoding (&amp;) undone; meetingID is the number in its path.
func ZoomLink(text string) (url string, meetingID int64, ok bool) {
	text = strings.ToValidUTF8(text, string(utf8.RuneError))
	for _, m := range linkCandidate.FindAllStringSubmatchIndex(text, -1) {
		var candidate string
		if m[2] >= 0 { // <target|label>
			candidate, _, _ = strings.Cut(text[m[2]:m[3]], "|")
		} else {
			// A bare URL at the end of a sentence carries its punctuation.
			candidate = strings.TrimRight(text[m[0]:m[1]], ".,;:!?)]}'\"")
		}
		if u, id, ok := zoomMeeting(candidate); ok {
			return u, id, true
		}
	}
	return "", 0, false
}

// zoomMeeting reports whether s is a Zoom meeting join link.
func zoomMeeting(s string) (string, int64, bool) {
	s = decode(s)
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") {
		return "", 0, false
	}
	// A link Slack or Zoom would print never holds these; refusing them also
	// keeps the result the same when it is read again.
	if strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError || strings.ContainsRune(`<>|"\`, r)
	}) || strings.Contains(s, "&lt;") || strings.Contains(s, "&gt;") || strings.Contains(s, "&amp;") {
		return "", 0, false
	}
	u, err := neturl.Parse(s)
	if err != nil || u.User != nil || u.Opaque != "" || u.Port() != "" || u.RawPath != "" {
		return "", 0, false
	}
	if !zoomHost(u.Host) {
		return "", 0, false
	}
	digits, ok := strings.CutPrefix(u.Path, "/j/")
	if !ok {
		return "", 0, false
	}
	digits = strings.TrimSuffix(digits, "/")
	if digits == "" || digits[0] == '0' || len(digits) > 19 || strings.TrimLeft(digits, "0123456789") != "" {
		return "", 0, false
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || id <= 0 {
		return "", 0, false
	}
	return s, id, true
}

// zoomHost accepts zoom.us and its subdomains, and nothing that merely
// ends in those letters (evilzoom.us) or hides another host.
func zoomHost(host string) bool {
	host = strings.ToLower(host)
	if host != "zoom.us" && !strings.HasSuffix(host, ".zoom.us") {
		return false
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 || strings.TrimLeft(label, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return false
		}
	}
	return true
}

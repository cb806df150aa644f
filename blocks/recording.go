package blocks

import (
	neturl "net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/warroom-dev/warroom"
)

// RecordingPost is what a recording message shows.
type RecordingPost struct {
	MeetingLabel  string // "the incident call" or "the post-incident review"; empty: the former
	ShareURL      string // Zoom's share_url
	Passcode      string // recording_play_passcode, if any
	Display       warroom.PasscodeDisplay
	TranscriptURL string // empty when there is no transcript
	Duration      time.Duration
}

// Recording announces a meeting's cloud recording in the incident channel:
// a "Watch recording" button (ActionWatchRecording) on the share link, the
// passcode as Display says (an unknown display shows none), the transcript
// when there is one (ActionOpenTranscript) and how long the meeting was.
func Recording(inc warroom.Incident, r RecordingPost) (text string, blocks []slack.Block) {
	label := strings.TrimSpace(r.MeetingLabel)
	if label == "" {
		label = "the incident call"
	}
	label, _ = clip(label, 200)
	length := ""
	if r.Duration >= 30*time.Second {
		length = " (" + minutes(r.Duration) + ")"
	}
	text = "🎥 The recording of " + label + " is ready" + length
	blocks = append(blocks, section("🎥 *The recording of "+label+" is ready*"+length+" · "+inc.Ref()))

	buttons, display := recordingButtons(r, passcodeDisplay(r.Display))
	if len(buttons) > 0 {
		blocks = append(blocks, slack.NewActionBlock("", buttons...))
	}
	if !linkable(r.ShareURL) {
		blocks = append(blocks, note("Its link cannot be shown here; the meeting host can share it from Zoom."))
		return text, blocks
	}
	if r.Passcode != "" {
		switch display {
		case warroom.PasscodeSeparate:
			blocks = append(blocks, note("🔑 Passcode: "+passcodeText(r.Passcode)))
		case warroom.PasscodeHidden:
			blocks = append(blocks, note("🔒 The recording has a passcode: ask the meeting host for it."))
		}
	}
	return text, blocks
}

// passcodeDisplay is d, the default when unset; an unknown display hides
// the passcode rather than guess where it may be shown.
func passcodeDisplay(d warroom.PasscodeDisplay) warroom.PasscodeDisplay {
	if d == "" {
		d = warroom.DefaultPasscodeDisplay
	}
	if !d.Valid() {
		d = warroom.PasscodeHidden
	}
	return d
}

// recordingButtons are the Watch and Transcript buttons for the links that
// Slack will take. A passcode shown inline that makes the watch link too
// long is shown separately instead, so it returns the display to use.
func recordingButtons(r RecordingPost, display warroom.PasscodeDisplay) ([]slack.BlockElement, warroom.PasscodeDisplay) {
	var buttons []slack.BlockElement
	if linkable(r.ShareURL) {
		link := r.ShareURL
		if display == warroom.PasscodeInline && r.Passcode != "" {
			if withPwd := withPasscode(r.ShareURL, r.Passcode); linkable(withPwd) {
				link = withPwd
			} else {
				display = warroom.PasscodeSeparate // too long for a button: say it instead
			}
		}
		buttons = append(buttons, slack.NewButtonBlockElement(ActionWatchRecording, "", textObj(plainText, "Watch recording")).
			WithURL(link).WithStyle(slack.StylePrimary))
	}
	if linkable(r.TranscriptURL) {
		buttons = append(buttons, slack.NewButtonBlockElement(ActionOpenTranscript, "", textObj(plainText, "Open transcript")).
			WithURL(r.TranscriptURL))
	}
	return buttons, display
}

// linkable is usableURL for links warroom did not make itself (share and
// transcript links, follow-up meetings): also a URL with a host, so Slack
// does not refuse the whole message over one button.
func linkable(u string) bool {
	if !usableURL(u) {
		return false
	}
	parsed, err := neturl.Parse(u)
	return err == nil && parsed.Host != ""
}

// withPasscode adds ?pwd=<passcode> to a share link, after any query it
// has and before any fragment; a link that carries a pwd already is kept.
func withPasscode(link, passcode string) string {
	base, fragment, hasFragment := strings.Cut(link, "#")
	_, query, hasQuery := strings.Cut(base, "?")
	for _, kv := range strings.Split(query, "&") {
		if k, _, _ := strings.Cut(kv, "="); k == "pwd" {
			return link
		}
	}
	param := "pwd=" + neturl.QueryEscape(passcode)
	switch {
	case !hasQuery:
		base += "?" + param
	case query == "" || strings.HasSuffix(query, "&"):
		base += param
	default:
		base += "&" + param
	}
	if hasFragment {
		base += "#" + fragment
	}
	return base
}

// passcodeText shows a passcode as code, so characters like * and _ stay
// as typed; escaped, and plain when a backtick would end the code early.
func passcodeText(p string) string {
	s, _ := clip(p, 100)
	if strings.Contains(p, "`") {
		return s
	}
	return "`" + s + "`"
}

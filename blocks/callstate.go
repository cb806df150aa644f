package blocks

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/warroom-dev/warroom"
)

// callState reads inc.Call, treating an unknown state, or "ready" without a
// meeting, as still pending: the message then promises nothing it can't show.
func callState(inc warroom.Incident) warroom.CallState {
	switch {
	case inc.Call == warroom.CallReady && inc.Meeting != nil:
		return warroom.CallReady
	case inc.Call == warroom.CallFailed:
		return warroom.CallFailed
	case inc.Call == warroom.CallRemoved:
		return warroom.CallRemoved
	}
	return warroom.CallPending
}

// joinable reports whether the Join button may be shown at all: a ready call
// with a usable link, on an incident that is not resolved. Whether the place
// it goes may see the link (private incidents) is the caller's question.
func joinable(inc warroom.Incident) (string, bool) {
	if resolved(inc) || callState(inc) != warroom.CallReady {
		return "", false
	}
	return joinURL(inc)
}

// joinURL returns the meeting's join URL, exactly, if Slack will take it as a
// button link (http(s), ≤3000 characters); a bad one would make Slack reject
// the whole message with invalid_blocks.
func joinURL(inc warroom.Incident) (string, bool) {
	if inc.Meeting == nil {
		return "", false
	}
	u := inc.Meeting.JoinURL
	ok := (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) &&
		chars(u) <= maxURL && utf8.ValidString(u) &&
		!strings.ContainsAny(u, " \t\r\n")
	return u, ok
}

func joinButton(url string) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(ActionJoinCall, "", textObj(plainText, "Join Call")).
		WithURL(url).
		WithStyle(slack.StylePrimary)
}

// joinBlocks are a ready call's Join button (or, when its link cannot be
// shown, noLink) and its details line, which is returned too for texts.
func joinBlocks(inc warroom.Incident, noLink string) ([]slack.Block, string) {
	var out []slack.Block
	if url, ok := joinURL(inc); ok {
		out = append(out, slack.NewActionBlock("", joinButton(url)))
	} else {
		out = append(out, note(noLink))
	}
	details := meetingDetails(inc.Meeting)
	if details != "" {
		out = append(out, note(details))
	}
	return out, details
}

// retryButton asks for another try at the incident's meeting.
func retryButton(inc warroom.Incident) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(ActionRetryCall, strconv.FormatInt(inc.ID, 10), textObj(plainText, "Retry"))
}

// meetingDetails is the line people read aloud or type into a Zoom room:
// "Meeting ID: 812 3456 7890 · Passcode: 123456".
func meetingDetails(m *warroom.Meeting) string {
	var parts []string
	if m.ID > 0 {
		parts = append(parts, "Meeting ID: "+meetingID(m.ID))
	}
	if m.Password != "" {
		pw, _ := clip(m.Password, 100)
		parts = append(parts, "Passcode: "+pw)
	}
	return strings.Join(parts, " · ")
}

// meetingID formats a Zoom meeting ID the way Zoom shows it, in groups:
// 123 456 789, 123 456 7890, 812 3456 7890. Other lengths are left whole.
func meetingID(id int64) string {
	s := strconv.FormatInt(id, 10)
	switch len(s) {
	case 9:
		return s[:3] + " " + s[3:6] + " " + s[6:]
	case 10:
		return s[:3] + " " + s[3:6] + " " + s[6:]
	case 11:
		return s[:3] + " " + s[3:7] + " " + s[7:]
	}
	return s
}

// callPhase is where the call stands, as the incident's messages tell it.
type callPhase int

const (
	phaseSettingUp    callPhase = iota // not made yet, or a state warroom does not know
	phaseWaiting                       // made, nobody in yet
	phaseReady                         // made, in a state Zoom did not name
	phaseInProgress                    // people are in it
	phaseMeetingEnded                  // it ended, the incident still open
	phaseFailed                        // not made yet, and the last try failed
	phaseRemoved                       // gone with its Zoom connection
	phaseResolved                      // the incident is resolved: over, whatever Zoom last said
)

func phaseOf(inc warroom.Incident) callPhase {
	if resolved(inc) {
		return phaseResolved
	}
	switch callState(inc) {
	case warroom.CallReady:
		switch inc.Meeting.Status {
		case warroom.MeetingStarted:
			return phaseInProgress
		case warroom.MeetingWaiting, "":
			return phaseWaiting
		case warroom.MeetingEnded:
			return phaseMeetingEnded
		}
		return phaseReady
	case warroom.CallFailed:
		return phaseFailed
	case warroom.CallRemoved:
		return phaseRemoved
	}
	return phaseSettingUp
}

// callWording is how a phase is told: the short state of the Call field,
// what follows it there (who is in, how long it ran), and the sentence of
// fallback and confirmation texts.
type callWording struct {
	field    string
	more     func(*warroom.Meeting) string
	sentence string
}

func (p callPhase) words() callWording {
	return [...]callWording{
		phaseSettingUp:    {"Setting up", nil, "Setting up the Zoom call…"},
		phaseWaiting:      {"Waiting for people", nil, "The Zoom call is ready."},
		phaseReady:        {"Ready", nil, "The Zoom call is ready."},
		phaseInProgress:   {"In progress", callPeople, "The Zoom call is in progress."},
		phaseMeetingEnded: {"Ended", callLasted, "The Zoom call has ended."},
		phaseFailed:       {"Failed, retrying", nil, "The Zoom call could not be created yet; warroom keeps retrying."},
		phaseRemoved:      {"Removed", nil, "The Zoom connection was removed."},
		phaseResolved:     {"Ended", callLasted, "The call has ended."},
	}[p]
}

// callText is the short state shown in the Call field.
func callText(inc warroom.Incident) string {
	w := phaseOf(inc).words()
	if w.more != nil {
		return w.field + w.more(inc.Meeting)
	}
	return w.field
}

// callSentence is the call's state for fallback and confirmation texts.
func callSentence(inc warroom.Incident) string { return phaseOf(inc).words().sentence }

// callPeople is " · 4 people · since 14:02" (the time in each reader's
// own time zone), with what is known of it.
func callPeople(m *warroom.Meeting) string {
	var b strings.Builder
	switch {
	case m.People == 1:
		b.WriteString(" · 1 person")
	case m.People > 1:
		fmt.Fprintf(&b, " · %d people", m.People)
	}
	if !m.StartedAt.IsZero() {
		fmt.Fprintf(&b, " · since <!date^%d^{time}|%s>", m.StartedAt.Unix(), m.StartedAt.UTC().Format("15:04 UTC"))
	}
	return b.String()
}

// callLasted is " · 52 min" when the call's start and end are known.
func callLasted(m *warroom.Meeting) string {
	if m == nil || m.StartedAt.IsZero() || m.EndedAt.Before(m.StartedAt) {
		return ""
	}
	return " · " + lasted(m.EndedAt.Sub(m.StartedAt))
}

// lasted says how long a call ran: "52 min", "1 h 05 min".
func lasted(d time.Duration) string {
	minutes := int(d.Round(time.Minute) / time.Minute)
	if minutes < 60 {
		return fmt.Sprintf("%d min", max(minutes, 1))
	}
	return fmt.Sprintf("%d h %02d min", minutes/60, minutes%60)
}

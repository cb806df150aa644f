package warroom

import "time"

// EventKind is what a line of an incident's timeline tells.
type EventKind string

// The kinds of event an incident's timeline tells.
const (
	EventDeclared          EventKind = "declared"  // Detail: the door it came through
	EventSeverity          EventKind = "severity"  // Detail: the new severity, "SEV2"
	EventCommander         EventKind = "commander" // Detail: the new commander's Slack ID
	EventResolved          EventKind = "resolved"
	EventReopened          EventKind = "reopened"
	EventJoined            EventKind = "joined" // Detail: the participant's name, as Zoom gives it
	EventLeft              EventKind = "left"
	EventRecording         EventKind = "recording"  // Detail: which meeting's recording
	EventTranscript        EventKind = "transcript" // Detail: which meeting's transcript
	EventSummary           EventKind = "summary"
	EventFollowupScheduled EventKind = "followup_scheduled" // Detail: the follow-up's number
	EventFollowupCancelled EventKind = "followup_cancelled"
)

// Event is one line of an incident's timeline.
type Event struct {
	At     time.Time
	Kind   EventKind
	Actor  string // the Slack user who did it; "" for warroom, Zoom or a machine
	Detail string
}

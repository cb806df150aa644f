// Package warroom holds the domain of an incident war room: incidents, their
// Zoom meetings, severities and statuses, and the error codes every other
// package speaks. It imports nothing else of the project, so adapters (store,
// zoom, blocks, bot) can depend on it without depending on each other.
package warroom

import (
	"errors"
	"fmt"
	"time"
)

// Severity ranks an incident from SEV1 (worst) to SEV4.
type Severity int

// The four severities. SEV2 is the default when a declarer names none.
const (
	SEV1 Severity = 1
	SEV2 Severity = 2
	SEV3 Severity = 3
	SEV4 Severity = 4

	DefaultSeverity = SEV2
)

// Valid reports whether s is one of SEV1…SEV4.
func (s Severity) Valid() bool { return s >= SEV1 && s <= SEV4 }

// String renders the severity the way responders say it: "SEV2".
func (s Severity) String() string { return fmt.Sprintf("SEV%d", int(s)) }

// Status is where an incident is in its life.
type Status string

// Incident statuses.
const (
	StatusActive   Status = "active"
	StatusResolved Status = "resolved"
)

// CallState says whether the incident's Zoom bridge exists yet.
type CallState string

// Call states, as the pinned message shows them.
const (
	// CallPending: the meeting is being created (or about to be retried).
	CallPending CallState = "pending"
	// CallReady: the meeting exists and its join URL is known.
	CallReady CallState = "ready"
	// CallFailed: the last attempt failed; retries continue with backoff.
	CallFailed CallState = "failed"
	// CallRemoved: the Zoom connection that hosted the meeting was removed
	// (disconnected or deauthorized), and its meeting details with it.
	CallRemoved CallState = "removed"
)

// Incident is one declared incident and everything warroom made for it.
// Fields left empty are steps not done yet.
type Incident struct {
	ID            int64
	Title         string // shortened for display when the declarer wrote a long one
	FullTitle     string // exactly what the declarer typed (escaped only when rendered)
	Severity      Severity
	Status        Status
	DeclaredBy    string // Slack user ID
	SourceChannel string // where /incident declare was typed
	ResponseURL   string // slash command response_url, for the declarer's confirmation
	Private       bool

	ChannelName string // the name warroom chose (or is trying)
	ChannelID   string // set once the channel exists
	MessageTS   string // the incident message, once posted

	Call      CallState
	CallError string // plain-language reason when Call is CallFailed
	Meeting   *Meeting

	Commander  string // Slack user ID of the incident commander; the declarer at first
	Summary    string // what the resolver wrote
	ResolvedAt time.Time

	// HostControlsHolder is the Slack user who has host controls of the
	// call: the one Zoom holds as its alternative host ("" for nobody).
	// Usually the commander, but not while Zoom refuses to change the
	// hosts of a meeting that is running.
	HostControlsHolder string

	// Origin is where the incident came from (its door, the message it
	// was declared from, who declared it when no Slack user did).
	Origin Origin

	CreatedAt time.Time
	UpdatedAt time.Time
}

// Ref is the short reference people and logs use: "INC-42".
func (i *Incident) Ref() string { return fmt.Sprintf("INC-%d", i.ID) }

// Meeting is an incident's Zoom meeting. Zoom meeting IDs are int64 and can
// exceed ten digits, so they never pass through int or float64.
type Meeting struct {
	ID        int64
	UUID      string
	HostEmail string
	Topic     string
	JoinURL   string
	Password  string
	// Status is the meeting's live state as far as warroom knows:
	// "waiting" (nobody in yet), "started", or "ended".
	Status string
	// People is how many are in the call while it runs; StartedAt and
	// EndedAt are when it started and ended (zero: not known).
	People             int
	StartedAt, EndedAt time.Time
}

// Meeting live states.
const (
	MeetingWaiting = "waiting"
	MeetingStarted = "started"
	MeetingEnded   = "ended"
)

// MeetingDefaults are the admin-chosen settings applied to new incident
// meetings (/incident zoom settings).
type MeetingDefaults struct {
	TopicTemplate  string // e.g. "{{severity}} Incident – {{title}}"
	AgendaTemplate string
	JoinBeforeHost bool
	WaitingRoom    bool
	MuteOnEntry    bool
	AutoRecording  string // "none", "local" or "cloud"
	EndOnResolve   bool   // end the meeting at Zoom when the incident is resolved
	// AutoSummary starts Zoom's AI Companion meeting summary with the
	// call (settings.auto_start_meeting_summary); the summary is posted in
	// the incident's channel when Zoom has it.
	AutoSummary bool
}

// DefaultMeetingDefaults are used until an admin saves others.
func DefaultMeetingDefaults() MeetingDefaults {
	return MeetingDefaults{
		TopicTemplate:  "{{severity}} Incident – {{title}}",
		AgendaTemplate: "War room for {{ref}} ({{severity}}), declared in Slack by {{declarer}}.",
		JoinBeforeHost: true,
		AutoRecording:  "none",
	}
}

// Error codes, after the style of benbjohnson/wtf: adapters translate their
// failures into these so handlers can choose what to tell a person.
const (
	ECONFLICT = "conflict"
	EINTERNAL = "internal"
	EINVALID  = "invalid"
	ENOTFOUND = "not_found"
)

// Error is an error a person may read: Message is a whole sentence.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("warroom: %s: %s", e.Code, e.Message) }

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the person-readable message of the first *Error in
// err's chain, or a generic sentence that leaks no internals.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong inside warroom; the details are in its log."
}

// ErrLeaseLost is what a job's write gets once another worker holds the
// job: the job stops, and nothing it does after that is recorded.
var ErrLeaseLost = errors.New("warroom: the job's lease was lost to another worker")

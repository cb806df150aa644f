package workflow

import (
	"context"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/store"
)

// Incidents reads the incidents the workers act on, and the settings every
// meeting of theirs is made with.
type Incidents interface {
	Incident(ctx context.Context, id int64) (*store.Record, error)
	IncidentByChannel(ctx context.Context, channelID string) (*store.Record, error)
	OpenIncidents(ctx context.Context) ([]*store.Record, error)
	MeetingDefaults(ctx context.Context) (warroom.MeetingDefaults, error)
	// InstallID tags the installation's Zoom meetings.
	InstallID(ctx context.Context) (string, error)
}

// WarRooms is the incident sync's record of the room it builds: the
// ledger of its steps, and the channel names other incidents hold.
type WarRooms interface {
	Ledger(f jobtype.Fence, id int64) *store.Ledger
	ChannelNameClaimedByOther(ctx context.Context, id int64, name string) (bool, error)
}

// Calls are an incident's Zoom meetings: the one being made, the ones
// replaced, and what Zoom says of the current one.
type Calls interface {
	RecordMeetingAttempt(ctx context.Context, f jobtype.Fence, id int64, a store.MeetingAttempt) error
	SetMeeting(ctx context.Context, f jobtype.Fence, id int64, seq int, host string, m warroom.Meeting) (current bool, err error)
	SetCallFailed(ctx context.Context, f jobtype.Fence, id int64, seq int, reason string, failures int, retryAt time.Time) error
	RetiredMeetings(ctx context.Context, incidentID int64) ([]store.RetiredMeeting, error)
	UpdateRetired(ctx context.Context, f jobtype.Fence, r store.RetiredMeeting) error
	DoneRetired(ctx context.Context, f jobtype.Fence, retiredID int64) error
	SetMeetingStatus(ctx context.Context, meetingID int64, status string, at time.Time) (id int64, changed bool, err error)
	SetParticipantNamed(ctx context.Context, meetingID int64, who, name string, present bool, at time.Time) (changed bool, err error)
}

// HostControls records who holds the call's host controls, and that the
// channel was told.
type HostControls interface {
	SetHostControls(ctx context.Context, f jobtype.Fence, id int64, hc store.HostControls) error
	MarkHostControlsPosting(ctx context.Context, f jobtype.Fence, id int64) error
	SetHostControlsTold(ctx context.Context, f jobtype.Fence, id int64, told string) error
}

// Followups are the follow-up meetings and their reminders, step by step.
type Followups interface {
	Followup(ctx context.Context, id int64) (*store.FollowupRecord, error)
	SetFollowupStart(ctx context.Context, f jobtype.Fence, id int64, start time.Time) error
	RecordFollowupAttempt(ctx context.Context, f jobtype.Fence, id int64, tag, host string, tried []string, day string) error
	SetFollowupMeeting(ctx context.Context, f jobtype.Fence, id int64, host string, m warroom.Meeting) error
	SetFollowupError(ctx context.Context, f jobtype.Fence, id int64, reason string) error
	MarkFollowupPosting(ctx context.Context, f jobtype.Fence, id int64, reminder bool) error
	SetFollowupPost(ctx context.Context, f jobtype.Fence, id int64, reminder bool, ts string) error
	QueueReminder(ctx context.Context, f jobtype.Fence, fr *store.FollowupRecord, runAt time.Time, watch store.NewRecordingWatch) error
	MarkCancelDone(ctx context.Context, f jobtype.Fence, id int64) error
}

// Recordings are the watches for a meeting's recording and attendance.
type Recordings interface {
	RecordingWatch(ctx context.Context, id int64) (*store.RecordingWatch, error)
	WatchRecording(ctx context.Context, w store.NewRecordingWatch) error
	RecordingReady(ctx context.Context, meetingID int64) (bool, error)
	LookForRecordingsNow(ctx context.Context) error
	MarkWatch(ctx context.Context, f jobtype.Fence, id int64, step int) error
	SetWatchPost(ctx context.Context, f jobtype.Fence, id int64, attendance bool, ts string) error
}

// Summaries are the calls' AI Companion summaries and their posts.
type Summaries interface {
	Summary(ctx context.Context, id int64) (*store.MeetingSummary, error)
	HasSummary(ctx context.Context, uuid string) (bool, error)
	SaveSummary(ctx context.Context, n store.NewSummary) (created bool, err error)
	MarkSummaryPosting(ctx context.Context, f jobtype.Fence, id int64) error
	SetSummaryPost(ctx context.Context, f jobtype.Fence, id int64, ts string) error
}

// ZoomEvents are Zoom's events, recorded as they come and applied in
// each incident's order.
type ZoomEvents interface {
	ReceiveZoomEvent(ctx context.Context, key string, ev store.ZoomEvent, meetingID int64, account bool) (recorded bool, err error)
	PendingZoomEvents(ctx context.Context, incidentID, ref int64) ([]store.ZoomEvent, error)
	DoneZoomEvent(ctx context.Context, f jobtype.Fence, id int64) error
}

// AlertNotes are the changes of an incident's Alertmanager group waiting
// to be told in its channel.
type AlertNotes interface {
	PendingAlertNotes(ctx context.Context, incidentID int64) ([]store.AlertNote, error)
	MarkAlertNotePosting(ctx context.Context, f jobtype.Fence, id int64) error
	DoneAlertNote(ctx context.Context, f jobtype.Fence, id int64, ts string) error
}

// Store is what the workers record and read.
type Store interface {
	Incidents
	WarRooms
	Calls
	HostControls
	Followups
	Recordings
	Summaries
	ZoomEvents
	AlertNotes
	Homes
	Canvases
	SlackCalls
}

// SlackCalls are the incident's calls as Slack's own Call objects, who is
// in their meetings, and which Slack user an email is.
type SlackCalls interface {
	SlackCalls(ctx context.Context, incidentID int64) ([]store.SlackCall, error)
	SlackCallOf(ctx context.Context, incidentID, meetingID int64) (store.SlackCall, bool, error)
	StartSlackCall(ctx context.Context, f jobtype.Fence, c store.SlackCall) (store.SlackCall, error)
	UpdateSlackCall(ctx context.Context, f jobtype.Fence, c store.SlackCall) error
	SlackCallMeetingEnded(ctx context.Context, meetingID int64, at time.Time) (bool, error)
	NoteParticipant(ctx context.Context, meetingID int64, who, email, name string) error
	CallPeople(ctx context.Context, meetingID int64) ([]store.CallPerson, error)
	SlackUserByEmail(ctx context.Context, email string, since time.Time) (string, bool, error)
	RememberSlackUser(ctx context.Context, email, userID string) error
}

// Homes are the people whose App Home is kept current, and what it shows.
type Homes interface {
	HomeViewers(ctx context.Context, since time.Time) ([]store.HomeViewer, error)
	HomePublished(ctx context.Context, userID string, openedAt time.Time, fp, hash string) error
	OpenIncidents(ctx context.Context) ([]*store.Record, error)
	RecentlyResolved(ctx context.Context, n int) ([]*store.Record, error)
}

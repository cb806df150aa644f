package bot

import (
	"context"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/store"
)

// Declares records declared incidents, each with the job that builds its
// war room. Engine says how many batches the database takes at once.
type Declares interface {
	Declare(ctx context.Context, n store.NewIncident) (rec *store.Record, created bool, err error)
	DeclareMany(ctx context.Context, ns []store.NewIncident) ([]store.Declared, error)
	Engine() string
}

// Incidents finds the incident a command or an event is about.
type Incidents interface {
	Incident(ctx context.Context, id int64) (*store.Record, error)
	IncidentByChannel(ctx context.Context, channelID string) (*store.Record, error)
	OpenIncidents(ctx context.Context) ([]*store.Record, error)
	// DeadJobs is the work given up on, which /incident status shows.
	DeadJobs(ctx context.Context, incidentID int64, since time.Time, limit int) ([]jobtype.Job, error)
	// Canvas says whether the incident channel's canvas could be made.
	Canvas(ctx context.Context, incidentID int64) (store.Canvas, error)
}

// Changes are what the incident commands and buttons record; each returns
// the incident as it was before, to say what changed.
type Changes interface {
	SetSeverity(ctx context.Context, id int64, sev warroom.Severity) (*store.Record, error)
	SetCommander(ctx context.Context, id int64, userID string) (*store.Record, error)
	Resolve(ctx context.Context, id int64, summary string, o store.ResolveOptions) (before *store.Record, followup bool, err error)
	Reopen(ctx context.Context, id int64) (*store.Record, error)
	ReplaceMeeting(ctx context.Context, id int64) (*store.Record, error)
	AdoptMeeting(ctx context.Context, id int64, m warroom.Meeting) (*store.Record, error)
	RetryCall(ctx context.Context, id int64) (*store.Record, error)
}

// Followups are an incident's follow-up meetings as the commands ask for
// them.
type Followups interface {
	AddFollowup(ctx context.Context, f store.NewFollowup) (rec *store.FollowupRecord, created bool, err error)
	FollowupByN(ctx context.Context, incidentID int64, n int) (*store.FollowupRecord, error)
	Followups(ctx context.Context, incidentID int64) ([]store.FollowupRecord, error)
	CancelFollowup(ctx context.Context, id int64, by string) (*store.FollowupRecord, error)
}

// Admin is what the admins' Zoom commands read and write: the meeting
// settings, the accounts connected and the connect links issued.
type Admin interface {
	MeetingDefaults(ctx context.Context) (warroom.MeetingDefaults, error)
	SetMeetingDefaults(ctx context.Context, d warroom.MeetingDefaults) error
	ZoomHosts(ctx context.Context) ([]warroom.ZoomHost, error)
	CreateOAuthState(ctx context.Context, stateHash, slackUser string, ttl time.Duration) error
}

// Events remembers the Slack events handled, which Slack may deliver
// again.
type Events interface {
	SeenEvent(ctx context.Context, eventID string) (bool, error)
}

// Store is what the front door records and reads.
type Store interface {
	Declares
	Incidents
	Changes
	Followups
	Admin
	Events
	Homes
}

// Homes records who opened the App Home, whose Home the workers then
// keep current.
type Homes interface {
	HomeOpened(ctx context.Context, userID string) error
}

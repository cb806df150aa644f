// Package workflow holds warroom's workers: the incident sync (channel,
// Zoom meeting, pinned message, topic, bookmark, announcement — built once
// and kept true for the incident's whole life), follow-ups and their
// reminders, recordings, Alertmanager's notes, and the handler of Zoom's
// events. The front door (bot) and the web endpoints only record what was
// asked; the workers, run by the jobs engine, carry it out against Slack
// and Zoom.
package workflow

import (
	"context"
	"time"

	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/meetings"
	"github.com/warroom-dev/warroom/slackapi"
)

// Config holds the workers' settings (see the README's configuration).
type Config struct {
	// Policy is shared with the front door: channel names, admins (told
	// when a Zoom account must be reconnected), follow-ups, reminders and
	// recordings.
	warroom.Policy
	Location *time.Location // the time zone of the date in channel names
	// AnnounceChannel (WARROOM_ANNOUNCE_CHANNEL, an ID), if set, gets one
	// message per incident, kept current.
	AnnounceChannel string

	// MeetingRetryBase and MeetingRetryMax bound the backoff between
	// attempts at an incident's meeting.
	MeetingRetryBase time.Duration
	MeetingRetryMax  time.Duration

	// HomeTick is how often the App Homes are looked at; HomeEvery the
	// least time between two publishes to one person for a change (a
	// burst of changes is one publish); HomeWatch how long after opening
	// it a person's Home is kept current.
	HomeTick, HomeEvery, HomeWatch time.Duration
}

func (c *Config) setDefaults() {
	c.Policy = c.Policy.WithDefaults()
	if c.Location == nil {
		c.Location = time.UTC
	}
	if c.MeetingRetryBase <= 0 {
		c.MeetingRetryBase = 2 * time.Second
	}
	if c.MeetingRetryMax <= 0 {
		c.MeetingRetryMax = 5 * time.Minute
	}
	if c.HomeTick <= 0 {
		c.HomeTick = 2 * time.Second
	}
	if c.HomeEvery <= 0 {
		c.HomeEvery = 10 * time.Second
	}
	if c.HomeWatch <= 0 {
		c.HomeWatch = time.Hour
	}
}

// Workflow runs the workers against Slack, Zoom and the store.
type Workflow struct {
	cfg   Config
	slack *slackapi.Client
	pool  *meetings.Pool
	log   zerolog.Logger
	now   func() time.Time
	kick  func()

	// The store, as each worker sees it.
	incidents    Incidents
	rooms        WarRooms
	calls        Calls
	hostControls HostControls
	followups    Followups
	recordings   Recordings
	summaries    Summaries
	zoomEvents   ZoomEvents
	alerts       AlertNotes
	homes        Homes
	canvases     Canvases
	slackCalls   SlackCalls

	botUserID string
	installID string
}

// Deps are the workers' collaborators.
type Deps struct {
	Store Store
	Slack *slackapi.Client
	Pool  *meetings.Pool
	Log   zerolog.Logger
	Now   func() time.Time
	// Kick wakes the job engine when a worker records new work.
	Kick func()
}

// New returns the workers. Start must run before the engine does.
func New(cfg Config, d Deps) *Workflow {
	cfg.setDefaults()
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Kick == nil {
		d.Kick = func() {}
	}
	st := d.Store
	return &Workflow{cfg: cfg, slack: d.Slack, pool: d.Pool, log: d.Log, now: d.Now, kick: d.Kick,
		incidents: st, rooms: st, calls: st, hostControls: st, followups: st, recordings: st, summaries: st, zoomEvents: st, alerts: st,
		homes: st, canvases: st, slackCalls: st}
}

// Start learns who the bot is and the installation's ID, which the
// workers need: the bot's own channels are told from people's, and Zoom
// meetings are tagged with the installation.
func (w *Workflow) Start(ctx context.Context, botUserID string) error {
	id, err := w.incidents.InstallID(ctx)
	if err != nil {
		return err
	}
	w.botUserID, w.installID = botUserID, id
	return nil
}

// Register gives the engine a worker for every kind.
func (w *Workflow) Register(e *jobs.Engine) {
	jobs.Register(e, jobs.WorkFunc[jobtype.IncidentSync](w.syncIncident))
	jobs.Register(e, jobs.WorkFunc[jobtype.Followup](w.runFollowup))
	jobs.Register(e, jobs.WorkFunc[jobtype.Reminder](w.runReminder))
	jobs.Register(e, jobs.WorkFunc[jobtype.Recording](w.runRecording))
	jobs.Register(e, jobs.WorkFunc[jobtype.Summary](w.runSummary))
	jobs.Register(e, jobs.WorkFunc[jobtype.ZoomEvents](w.runZoomEvents))
	jobs.Register(e, jobs.WorkFunc[jobtype.AlertNotes](w.runAlertNotes))
}

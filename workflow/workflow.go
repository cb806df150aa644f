// Package workflow holds warroom's workers: the incident sync (channel,
// Zoom meeting, pinned message, topic, bookmark, announcement — built once
// and kept true for the incident's whole life), follow-ups and their
// reminders, recordings, and the handler of Zoom's events. The front door
// (bot) and the web endpoints only record what was asked; the workers,
// run by the jobs engine, carry it out against Slack and Zoom.
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
	"github.com/warroom-dev/warroom/store"
)

// Config holds the workers' settings (see the README's configuration).
type Config struct {
	ChannelPrefix string         // WARROOM_CHANNEL_PREFIX
	Location      *time.Location // the time zone of the date in channel names
	// AnnounceChannel (WARROOM_ANNOUNCE_CHANNEL, an ID), if set, gets one
	// message per incident, kept current.
	AnnounceChannel string
	Admins          []string // WARROOM_ADMINS: told when a Zoom account must be reconnected

	FollowupAfter        time.Duration // WARROOM_FOLLOWUP_AFTER: after resolution
	FollowupDuration     time.Duration // default length of a follow-up
	FollowupWorkingHours bool          // move follow-ups into the declarer's working hours
	WorkdayStart         int           // working hours, local to the declarer: [start, end)
	WorkdayEnd           int
	ReminderBefore       time.Duration // the reminder's lead time
	RecordingPollFor     time.Duration // how long to wait for a recording
	RecordingPollMax     time.Duration // the longest wait between two looks
	PasscodeDisplay      warroom.PasscodeDisplay
	// FallbackCallURL (WARROOM_FALLBACK_CALL_URL) is a standing bridge the
	// pinned message offers while the incident's meeting cannot be made.
	FallbackCallURL string

	// MeetingRetryBase and MeetingRetryMax bound the backoff between
	// attempts at an incident's meeting.
	MeetingRetryBase time.Duration
	MeetingRetryMax  time.Duration
}

func (c *Config) setDefaults() {
	if c.ChannelPrefix == "" {
		c.ChannelPrefix = warroom.DefaultChannelPrefix
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	if c.FollowupAfter <= 0 {
		c.FollowupAfter = warroom.DefaultFollowupAfter
	}
	if c.FollowupDuration <= 0 {
		c.FollowupDuration = warroom.DefaultFollowupDuration
	}
	if c.WorkdayEnd <= c.WorkdayStart || c.WorkdayStart < 0 || c.WorkdayEnd > 24 {
		c.WorkdayStart, c.WorkdayEnd = warroom.DefaultWorkdayStart, warroom.DefaultWorkdayEnd
	}
	if c.ReminderBefore <= 0 {
		c.ReminderBefore = warroom.DefaultFollowupReminder
	}
	if c.RecordingPollFor <= 0 {
		c.RecordingPollFor = warroom.DefaultRecordingWait
	}
	if c.RecordingPollMax <= 0 {
		c.RecordingPollMax = warroom.DefaultRecordingPollMax
	}
	if c.PasscodeDisplay == "" {
		c.PasscodeDisplay = warroom.DefaultPasscodeDisplay
	}
	if c.MeetingRetryBase <= 0 {
		c.MeetingRetryBase = 2 * time.Second
	}
	if c.MeetingRetryMax <= 0 {
		c.MeetingRetryMax = 5 * time.Minute
	}
}

// Workflow runs the workers against Slack, Zoom and the store.
type Workflow struct {
	cfg   Config
	store *store.Store
	slack *slackapi.Client
	pool  *meetings.Pool
	log   zerolog.Logger
	now   func() time.Time
	kick  func()

	botUserID string
	installID string
}

// Deps are the workers' collaborators.
type Deps struct {
	Store *store.Store
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
	return &Workflow{cfg: cfg, store: d.Store, slack: d.Slack, pool: d.Pool, log: d.Log, now: d.Now, kick: d.Kick}
}

// Start learns who the bot is and the installation's ID, which the
// workers need: the bot's own channels are told from people's, and Zoom
// meetings are tagged with the installation.
func (w *Workflow) Start(ctx context.Context, botUserID string) error {
	id, err := w.store.InstallID(ctx)
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
}

// meetingField logs a meeting's ID, except for private incidents: their
// call must not leave their channel, and a meeting ID is half of it.
func meetingField(private bool, id int64) func(*zerolog.Event) {
	return func(e *zerolog.Event) {
		if !private {
			e.Int64("meeting", id)
		}
	}
}

package warroom

import "time"

// Policy is how warroom runs an incident's life: how its channel is
// named, who administers, when the follow-up and its reminder happen, how
// long a recording is awaited and how it is shown. config fills it from
// the environment (the README's configuration table); the front door
// (bot) and the workers (workflow) share it as it is, so a setting is
// read, and defaulted, in one place.
type Policy struct {
	ChannelPrefix string   // WARROOM_CHANNEL_PREFIX
	Admins        []string // WARROOM_ADMINS, besides Slack's workspace admins and owners

	FollowupAfter    time.Duration // WARROOM_FOLLOWUP_AFTER: after resolution
	FollowupDuration time.Duration // WARROOM_FOLLOWUP_DURATION: a follow-up's default length
	FollowupOff      bool          // WARROOM_FOLLOWUP_ON_RESOLVE=false: none is scheduled on resolve
	// FollowupWorkingHours (WARROOM_FOLLOWUP_HOURS=9-17) moves automatic
	// follow-ups into working hours, Monday to Friday, in the declarer's
	// Slack time zone: from WorkdayStart (inclusive) to WorkdayEnd
	// (exclusive).
	FollowupWorkingHours     bool
	WorkdayStart, WorkdayEnd int
	ReminderBefore           time.Duration // WARROOM_REMINDER_BEFORE: the reminder's lead time

	RecordingPollFor time.Duration   // WARROOM_RECORDING_WAIT: how long a recording is awaited
	RecordingPollMax time.Duration   // the longest wait between two looks for it
	PasscodeDisplay  PasscodeDisplay // WARROOM_RECORDING_PASSCODE

	// FallbackCallURL (WARROOM_FALLBACK_CALL_URL) is a standing bridge the
	// pinned message offers while the incident's meeting cannot be made.
	FallbackCallURL string
}

// DefaultPolicy is the policy of an installation that sets nothing: the
// defaults the README's configuration table documents.
func DefaultPolicy() Policy {
	return Policy{
		ChannelPrefix:    DefaultChannelPrefix,
		FollowupAfter:    DefaultFollowupAfter,
		FollowupDuration: DefaultFollowupDuration,
		WorkdayStart:     DefaultWorkdayStart,
		WorkdayEnd:       DefaultWorkdayEnd,
		ReminderBefore:   DefaultFollowupReminder,
		RecordingPollFor: DefaultRecordingWait,
		RecordingPollMax: DefaultRecordingPollMax,
		PasscodeDisplay:  DefaultPasscodeDisplay,
	}
}

// WithDefaults returns p with every unset (zero) or senseless setting
// taken from DefaultPolicy. Switches (FollowupOff, FollowupWorkingHours),
// lists and the fallback bridge stay as they are: their zero is a choice.
func (p Policy) WithDefaults() Policy {
	d := DefaultPolicy()
	if p.ChannelPrefix == "" {
		p.ChannelPrefix = d.ChannelPrefix
	}
	positive(&p.FollowupAfter, d.FollowupAfter)
	positive(&p.FollowupDuration, d.FollowupDuration)
	positive(&p.ReminderBefore, d.ReminderBefore)
	positive(&p.RecordingPollFor, d.RecordingPollFor)
	positive(&p.RecordingPollMax, d.RecordingPollMax)
	if p.WorkdayEnd <= p.WorkdayStart || p.WorkdayStart < 0 || p.WorkdayEnd > 24 {
		p.WorkdayStart, p.WorkdayEnd = d.WorkdayStart, d.WorkdayEnd
	}
	if !p.PasscodeDisplay.Valid() {
		p.PasscodeDisplay = d.PasscodeDisplay
	}
	return p
}

func positive(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}

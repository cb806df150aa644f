package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/commands"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom"
)

// pollLater asks the runner to come back after a wait that is not a
// failure: a recording that Zoom has not finished yet.
type pollLater struct{ after time.Duration }

func (p *pollLater) Error() string { return "not ready yet; polling again in " + p.after.String() }

// pollDelay grows from a minute to an hour as a recording keeps not being
// ready: recordings of long calls take Zoom hours.
func pollDelay(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// userLocation is a Slack user's time zone (UTC if Slack does not say).
func (b *Bot) userLocation(ctx context.Context, userID string) *time.Location {
	u, err := b.api.GetUserInfoContext(ctx, userID)
	if err != nil || u.TZ == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(u.TZ)
	if err != nil {
		return time.UTC
	}
	return loc
}

// defaultFollowupStart is resolution + WARROOM_FOLLOWUP_AFTER, moved into
// working hours of the declarer's time zone when that setting is on.
func (b *Bot) defaultFollowupStart(ctx context.Context, from time.Time, declarer string) time.Time {
	start := from.Add(b.cfg.FollowupAfter)
	if b.cfg.FollowupWorkingHours {
		start = warroom.NextWorkingTime(start, b.userLocation(ctx, declarer), b.cfg.WorkdayStart, b.cfg.WorkdayEnd)
	}
	return start
}

// runFollowup schedules a follow-up meeting at Zoom and posts it in the
// incident channel, or, once cancelled, deletes the meeting and marks the
// post cancelled. Every step is recorded, so a rerun only does what is
// missing.
func (b *Bot) runFollowup(ctx context.Context, job store.Job) error {
	f, err := b.store.Followup(ctx, job.RefID)
	if err != nil {
		return err
	}
	rec, err := b.store.Incident(ctx, f.IncidentID)
	if err != nil {
		return err
	}
	if f.Cancelled {
		return b.cancelFollowup(ctx, rec, f)
	}
	if f.Start.IsZero() {
		from := rec.ResolvedAt
		if from.IsZero() {
			from = b.now()
		}
		f.Start = b.defaultFollowupStart(ctx, from, rec.DeclaredBy)
		if err := b.store.SetFollowupStart(ctx, f.ID, f.Start); err != nil {
			return err
		}
	}
	if f.Meeting == nil {
		if err := b.ensureFollowupMeeting(ctx, rec, f); err != nil {
			reason := callFailureReason(err)
			b.store.SetFollowupError(ctx, f.ID, reason)
			return err
		}
	}
	if f.PostTS == "" {
		text, blks := blocks.FollowupPosted(rec.Incident, f.Followup)
		ts, err := b.postOnce(ctx, rec.ChannelID, fmt.Sprintf("warroom-followup-%d", f.ID), f.PostPosting,
			func() error { return b.store.MarkFollowup(ctx, f.ID, store.FollowupPostPosting) }, text, blks)
		if err != nil {
			return err
		}
		if err := b.store.SetFollowupPost(ctx, f.ID, ts); err != nil {
			return err
		}
	}
	remindAt := f.Start.Add(-b.cfg.ReminderBefore)
	if remindAt.Before(b.now()) {
		remindAt = b.now()
	}
	end := f.Start.Add(f.Duration)
	return b.store.QueueReminder(ctx, f, remindAt, store.NewRecordingWatch{
		IncidentID: rec.ID, MeetingID: f.Meeting.ID, MeetingHost: f.MeetingHost, Label: "the post-incident review",
		StartAt: end, PollUntil: end.Add(b.cfg.RecordingPollFor),
	})
}

func (b *Bot) ensureFollowupMeeting(ctx context.Context, rec *store.Record, f *store.FollowupRecord) error {
	host, tag := f.MeetingHost, f.MeetingTag
	retry := tag != ""
	if !retry {
		var err error
		if host, _, err = b.pool.Pick(ctx); err != nil {
			return err
		}
		tag = fmt.Sprintf("[warroom %s/f%d]", b.installID, f.ID)
		if err := b.store.RecordFollowupIntent(ctx, f.ID, host, tag); err != nil {
			return err
		}
		f.MeetingHost, f.MeetingTag = host, tag
	}
	client, userID, err := b.pool.Client(ctx, host)
	if err != nil {
		return err
	}
	var m *zoom.Meeting
	if retry {
		if m, err = findTaggedMeeting(ctx, client, userID, tag); err != nil {
			return err
		}
	}
	if m == nil {
		var invitees []zoom.Invitee
		for _, id := range f.Invitees {
			if u, err := b.api.GetUserInfoContext(ctx, id); err == nil && u.Profile.Email != "" {
				invitees = append(invitees, zoom.Invitee{Email: u.Profile.Email})
			}
		}
		topic := "Post-incident review – " + rec.Ref() + ": " + blocks.MeetingTopicFrom("{{title}}", rec.Incident, "")
		if f.Topic != "" {
			topic = "Post-incident review – " + rec.Ref() + ": " + f.Topic
		}
		if r := []rune(topic); len(r) > 200 {
			topic = string(r[:200])
		}
		jbh, off := true, false
		req := zoom.CreateMeetingRequest{
			Topic:     topic,
			Type:      2, // scheduled: it has a start time, and calendars show it
			StartTime: f.Start.UTC().Format("2006-01-02T15:04:05Z"),
			Duration:  int(f.Duration / time.Minute),
			Timezone:  "UTC",
			Agenda:    tag + " Post-incident review of " + rec.Ref() + ". Scheduled by warroom.",
			Settings:  &zoom.MeetingSettings{JoinBeforeHost: &jbh, WaitingRoom: &off, MeetingInvitees: invitees},
		}
		if req.Password, err = b.pool.Passcode(ctx, host); err != nil {
			req.Password = ""
		}
		if err := b.pool.CountRequest(ctx, host); err != nil {
			return err
		}
		if m, err = client.CreateMeeting(ctx, userID, req); err != nil {
			return fmt.Errorf("schedule follow-up on %s: %w", host, err)
		}
	}
	meeting := warroom.Meeting{ID: m.ID, UUID: m.UUID, JoinURL: m.JoinURL, Password: m.Password, HostEmail: m.HostEmail}
	if err := b.store.SetFollowupMeeting(ctx, f.ID, meeting); err != nil {
		return err
	}
	f.Meeting = &meeting
	return nil
}

func (b *Bot) cancelFollowup(ctx context.Context, rec *store.Record, f *store.FollowupRecord) error {
	if f.CancelDone {
		return nil
	}
	if f.Meeting != nil && f.MeetingHost != "" {
		if client, _, err := b.pool.Client(ctx, f.MeetingHost); err == nil {
			if err := client.DeleteMeeting(ctx, f.Meeting.ID); err != nil && !zoom.IsNotFound(err) {
				return fmt.Errorf("delete follow-up meeting: %w", err)
			}
		}
	}
	text, blks := blocks.FollowupCancelled(rec.Incident, f.Followup, f.CancelledBy)
	if f.PostTS != "" {
		if _, _, _, err := b.api.UpdateMessageContext(ctx, rec.ChannelID, f.PostTS, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blks...)); err != nil {
			return fmt.Errorf("mark follow-up cancelled: %w", err)
		}
	}
	return b.store.MarkFollowup(ctx, f.ID, store.FollowupCancelDone)
}

// runReminder posts the follow-up's reminder once, shortly before it starts.
func (b *Bot) runReminder(ctx context.Context, job store.Job) error {
	f, err := b.store.Followup(ctx, job.RefID)
	if err != nil {
		return err
	}
	if f.Cancelled || f.ReminderTS != "" {
		return nil
	}
	rec, err := b.store.Incident(ctx, f.IncidentID)
	if err != nil {
		return err
	}
	text, blks := blocks.FollowupReminder(rec.Incident, f.Followup)
	ts, err := b.postOnce(ctx, rec.ChannelID, fmt.Sprintf("warroom-reminder-%d", f.ID), f.ReminderPosting,
		func() error { return b.store.MarkFollowup(ctx, f.ID, store.FollowupReminderPosting) }, text, blks)
	if err != nil {
		return err
	}
	return b.store.SetReminderPost(ctx, f.ID, ts)
}

// runRecording waits for a meeting's cloud recording (Zoom answers 3301
// until it is ready), posts its links once, then — for the incident's
// bridge — who attended, once.
func (b *Bot) runRecording(ctx context.Context, job store.Job) error {
	w, err := b.store.RecordingWatch(ctx, job.RefID)
	if err != nil {
		return err
	}
	if w.GaveUp || (w.RecTS != "" && (w.AttendanceDone || !w.Bridge)) {
		return nil
	}
	rec, err := b.store.Incident(ctx, w.IncidentID)
	if err != nil {
		return err
	}
	client, _, err := b.pool.Client(ctx, w.MeetingHost)
	if err != nil {
		return err
	}
	if w.RecTS == "" {
		r, err := client.GetRecordings(ctx, strconv.FormatInt(w.MeetingID, 10))
		if zoom.IsRecordingNotReady(err) || zoom.IsNotFound(err) {
			if b.now().After(w.PollUntil) {
				b.log.Info().Str("incident", rec.Ref()).Msg("no recording appeared; stopped waiting")
				return b.store.MarkWatch(ctx, w.ID, store.WatchGaveUp)
			}
			return &pollLater{pollDelay(job.Attempts)}
		}
		if err != nil {
			return fmt.Errorf("read recording: %w", err)
		}
		post := blocks.RecordingPost{MeetingLabel: w.Label, ShareURL: r.ShareURL, Passcode: r.RecordingPlayPasscode,
			Display: b.cfg.PasscodeDisplay, Duration: time.Duration(r.Duration) * time.Minute}
		if post.Passcode == "" {
			post.Passcode = r.Password
		}
		for _, f := range r.Files {
			if strings.EqualFold(f.FileType, "TRANSCRIPT") && f.PlayURL != "" {
				post.TranscriptURL = f.PlayURL
			}
		}
		text, blks := blocks.Recording(rec.Incident, post)
		ts, err := b.postOnce(ctx, rec.ChannelID, fmt.Sprintf("warroom-recording-%d", w.ID), w.RecPosting,
			func() error { return b.store.MarkWatch(ctx, w.ID, store.WatchRecPosting) }, text, blks)
		if err != nil {
			return err
		}
		if err := b.store.SetWatchPost(ctx, w.ID, false, ts); err != nil {
			return err
		}
	}
	if !w.Bridge || w.AttendanceDone {
		return nil
	}
	people, err := client.PastParticipants(ctx, strconv.FormatInt(w.MeetingID, 10))
	var ze *zoom.Error
	if errors.As(err, &ze) && (ze.Code == 4711 || ze.Status == 403 || ze.Status == 404) {
		// No scope for it, or no past instance: nothing to post.
		b.log.Info().Str("incident", rec.Ref()).Int("code", ze.Code).Msg("attendance not available")
		return b.store.MarkWatch(ctx, w.ID, store.WatchAttendanceDone)
	}
	if err != nil {
		return fmt.Errorf("read attendance: %w", err)
	}
	var attendees []blocks.Attendee
	for _, p := range people {
		attendees = append(attendees, blocks.Attendee{Name: p.Name, Email: p.UserEmail, Duration: time.Duration(p.Duration) * time.Second})
	}
	if len(attendees) > 0 {
		text, blks := blocks.Attendance(rec.Incident, w.Label, attendees)
		ts, err := b.postOnce(ctx, rec.ChannelID, fmt.Sprintf("warroom-attendance-%d", w.ID), w.AttendancePosting,
			func() error { return b.store.MarkWatch(ctx, w.ID, store.WatchAttendancePosting) }, text, blks)
		if err != nil {
			return err
		}
		if err := b.store.SetWatchPost(ctx, w.ID, true, ts); err != nil {
			return err
		}
	}
	return b.store.MarkWatch(ctx, w.ID, store.WatchAttendanceDone)
}

// postOnce posts a message tagged with blockID unless an earlier run did:
// the intent is recorded before posting (mark), and a run that finds the
// intent looks for the message in the channel first. So a crash between
// posting and recording the post never posts twice.
func (b *Bot) postOnce(ctx context.Context, channel, blockID string, intended bool, mark func() error, text string, blks []slack.Block) (string, error) {
	if intended {
		if _, ts, err := b.findBlockMessage(ctx, channel, blockID); err != nil {
			return "", err
		} else if ts != "" {
			return ts, nil
		}
	} else if err := mark(); err != nil {
		return "", err
	}
	if len(blks) > 0 {
		setBlockID(blks[0], blockID)
	}
	_, ts, err := b.api.PostMessageContext(ctx, channel, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blks...))
	if err != nil {
		return "", fmt.Errorf("post %s: %w", blockID, err)
	}
	return ts, nil
}

// followupCommand handles /incident followup … in an incident channel.
// The ack went out already; the answer goes to the response_url.
func (b *Bot) followupCommand(ctx context.Context, cmd slack.SlashCommand, rec *store.Record, c commands.Followup) string {
	loc := b.userLocation(ctx, cmd.UserID)
	start := time.Time{}
	if c.When != "" {
		var err error
		if start, err = commands.ParseWhen(c.When, b.now(), loc); err != nil {
			return err.Error() + "\n\n" + commands.FollowupTimeHelp()
		}
	} else {
		start = b.defaultFollowupStart(ctx, b.now(), rec.DeclaredBy)
	}
	duration := c.Duration
	if duration == 0 {
		duration = b.cfg.FollowupDuration
	}
	invitees := append([]string{cmd.UserID}, c.Invitees...)
	f, created, err := b.store.AddFollowup(ctx, store.NewFollowup{
		IncidentID: rec.ID, DedupeKey: "cmd:" + cmd.TriggerID, Topic: c.Topic, Start: start, Duration: duration,
		Invitees: invitees, RequestedBy: cmd.UserID,
	})
	if err != nil {
		return "warroom could not schedule the follow-up: " + warroom.ErrorMessage(err)
	}
	if created {
		b.kick()
	}
	return fmt.Sprintf("Scheduling follow-up #%d for %s (%d min). It appears in the channel with its Join button.",
		f.N, blocks.SlackDate(start), int(duration/time.Minute))
}

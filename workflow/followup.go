package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/meetings"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom"
)

// DefaultFollowupStart is resolution + WARROOM_FOLLOWUP_AFTER, moved into
// working hours of the declarer's time zone when that setting is on.
func (w *Workflow) DefaultFollowupStart(ctx context.Context, from time.Time, declarer string) time.Time {
	start := from.Add(w.cfg.FollowupAfter)
	if w.cfg.FollowupWorkingHours {
		loc := time.UTC
		if u, err := w.slack.UserInfo(ctx, declarer); err == nil {
			loc = u.Location()
		}
		start = warroom.NextWorkingTime(start, loc, w.cfg.WorkdayStart, w.cfg.WorkdayEnd)
	}
	return start
}

// runFollowup schedules a follow-up meeting at Zoom and posts it in the
// incident channel, or, once cancelled (or its Zoom account removed),
// deletes the meeting and marks the post so. Every step is recorded, so a
// rerun only does what is missing. Cancel wins: a cancellation recorded
// while this job makes the meeting refuses the post, and the job runs
// again to delete what it made.
func (w *Workflow) runFollowup(ctx context.Context, job *jobs.Job[jobtype.Followup]) error {
	f, err := w.followups.Followup(ctx, job.Args.FollowupID)
	if err != nil {
		return err
	}
	rec, err := w.incidents.Incident(ctx, f.IncidentID)
	if err != nil {
		return err
	}
	if f.Cancelled || f.Removed {
		return w.cancelFollowup(ctx, job.Fence, rec, f)
	}
	if f.Start.IsZero() {
		from := rec.ResolvedAt
		if from.IsZero() {
			from = w.now()
		}
		f.Start = w.DefaultFollowupStart(ctx, from, rec.DeclaredBy)
		if err := w.followups.SetFollowupStart(ctx, job.Fence, f.ID, f.Start); err != nil {
			return err
		}
	}
	if f.Meeting == nil {
		if err := w.ensureFollowupMeeting(ctx, job.Fence, rec, f); err != nil {
			return w.followupStopped(ctx, job.Fence, f, err)
		}
	}
	if f.PostTS == "" {
		mark := func() error { return w.followups.MarkFollowupPosting(ctx, job.Fence, f.ID, false) }
		msg := blocks.Msg(blocks.FollowupPosted(rec.Incident, f.Followup))
		_, ts, err := w.slack.PostOnce(ctx, rec.ChannelID, blocks.FollowupBlockID(f.ID), f.PostPosting, mark, msg)
		if err != nil {
			return w.followupStopped(ctx, job.Fence, f, err)
		}
		if err := w.followups.SetFollowupPost(ctx, job.Fence, f.ID, false, ts); err != nil {
			return err
		}
	}
	remindAt := f.Start.Add(-w.cfg.ReminderBefore)
	if remindAt.Before(w.now()) {
		remindAt = w.now()
	}
	end := f.Start.Add(f.Length())
	return w.followups.QueueReminder(ctx, job.Fence, f, remindAt, store.NewRecordingWatch{
		IncidentID: rec.ID, MeetingID: f.Meeting.ID, MeetingHost: f.MeetingHost, Label: "the post-incident review",
		StartAt: end, PollUntil: end.Add(w.cfg.RecordingPollFor),
	})
}

// followupStopped decides what a failed step means: a cancellation that
// won (the job's rerun deletes what was made), or a failure to retry.
func (w *Workflow) followupStopped(ctx context.Context, fence jobtype.Fence, f *store.FollowupRecord, err error) error {
	if warroom.ErrorCode(err) == warroom.ECONFLICT {
		w.log.Info().Int64("followup", f.ID).Msg("follow-up cancelled while it was being scheduled; cancel wins")
		return nil
	}
	if !errors.Is(err, warroom.ErrLeaseLost) {
		if serr := w.followups.SetFollowupError(ctx, fence, f.ID, blocks.CallProblem(meetings.Diagnose(err))); serr != nil {
			err = errors.Join(err, serr)
		}
	}
	return err
}

// ensureFollowupMeeting makes the follow-up's scheduled meeting on the same
// path as every meeting: host failover and the tag rule included.
func (w *Workflow) ensureFollowupMeeting(ctx context.Context, fence jobtype.Fence, rec *store.Record, f *store.FollowupRecord) error {
	var invitees []zoom.Invitee
	for _, id := range f.Invitees {
		if u, err := w.slack.UserInfo(ctx, id); err == nil && u.Email != "" {
			invitees = append(invitees, zoom.Invitee{Email: u.Email})
		}
	}
	topic := blocks.FollowupTopic(rec.Incident, f.Followup)
	jbh, off := true, false
	spec := meetings.Spec{
		Tag: fmt.Sprintf("[warroom %s/f%d]", w.installID, f.ID),
		Request: zoom.CreateMeetingRequest{
			Topic:     topic,
			Type:      zoom.MeetingScheduled, // it has a start time, and calendars show it
			StartTime: f.Start.UTC().Format("2006-01-02T15:04:05Z"),
			Duration:  int(f.Length() / time.Minute),
			Timezone:  "UTC",
			Agenda:    "Post-incident review of " + rec.Ref() + ". Scheduled by warroom.",
			Settings:  &zoom.MeetingSettings{JoinBeforeHost: &jbh, WaitingRoom: &off, MeetingInvitees: invitees},
		},
	}
	att := meetings.Attempt{Tag: f.MeetingTag, Host: f.MeetingHost, Tried: f.MeetingTried}
	record := func(ctx context.Context, a meetings.Attempt) error {
		return w.followups.RecordFollowupAttempt(ctx, fence, f.ID, a.Tag, a.Host, a.Tried, a.Day)
	}
	made, err := w.pool.Ensure(ctx, spec, att, record)
	if err != nil {
		return err
	}
	// Recorded even if the follow-up was cancelled meanwhile: the
	// cancellation must know what to delete.
	if err := w.followups.SetFollowupMeeting(ctx, fence, f.ID, made.Host, made.Meeting); err != nil {
		return err
	}
	f.Meeting, f.MeetingHost = &made.Meeting, made.Host
	return nil
}

// cancelFollowup deletes a cancelled follow-up's meeting (one still being
// made is found by its tag) and marks its post cancelled; a follow-up
// whose Zoom account was removed only has its post say so.
func (w *Workflow) cancelFollowup(ctx context.Context, fence jobtype.Fence, rec *store.Record, f *store.FollowupRecord) error {
	if f.CancelDone {
		return nil
	}
	if f.Cancelled && !f.Removed {
		if err := w.deleteFollowupMeeting(ctx, f); err != nil {
			return err
		}
	}
	if f.PostTS != "" {
		msg := blocks.Msg(blocks.FollowupCancelled(rec.Incident, f.Followup, f.CancelledBy))
		if f.Removed && !f.Cancelled {
			msg = blocks.Msg(blocks.FollowupRemoved(rec.Incident, f.Followup))
		}
		if err := w.slack.Update(ctx, rec.ChannelID, f.PostTS, msg); err != nil {
			return fmt.Errorf("mark follow-up cancelled: %w", err)
		}
	}
	return w.followups.MarkCancelDone(ctx, fence, f.ID)
}

func (w *Workflow) deleteFollowupMeeting(ctx context.Context, f *store.FollowupRecord) error {
	id, host := int64(0), f.MeetingHost
	if f.Meeting != nil {
		id = f.Meeting.ID
	} else if f.MeetingTag != "" {
		made, err := w.pool.FindTagged(ctx, f.MeetingTag, f.MeetingHost, f.MeetingTried)
		if err != nil {
			return fmt.Errorf("look for the follow-up's meeting: %w", err)
		}
		if made != nil {
			id, host = made.Meeting.ID, made.Host
		}
	}
	if id == 0 || host == "" {
		return nil
	}
	err := w.pool.Delete(ctx, host, id)
	if errors.Is(err, meetings.ErrHostUnreachable) {
		w.log.Warn().Err(err).Int64("followup", f.ID).Msg("the follow-up's Zoom host cannot be reached; its meeting is left")
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete follow-up meeting: %w", err)
	}
	return nil
}

// runReminder posts the follow-up's reminder once, shortly before it starts.
func (w *Workflow) runReminder(ctx context.Context, job *jobs.Job[jobtype.Reminder]) error {
	f, err := w.followups.Followup(ctx, job.Args.FollowupID)
	if err != nil {
		return err
	}
	if f.Cancelled || f.Removed || f.ReminderTS != "" || f.Meeting == nil {
		return nil
	}
	rec, err := w.incidents.Incident(ctx, f.IncidentID)
	if err != nil {
		return err
	}
	mark := func() error { return w.followups.MarkFollowupPosting(ctx, job.Fence, f.ID, true) }
	msg := blocks.Msg(blocks.FollowupReminder(rec.Incident, f.Followup))
	_, ts, err := w.slack.PostOnce(ctx, rec.ChannelID, blocks.ReminderBlockID(f.ID), f.ReminderPosting, mark, msg)
	if warroom.ErrorCode(err) == warroom.ECONFLICT {
		return nil // cancelled meanwhile
	}
	if err != nil {
		return err
	}
	return w.followups.SetFollowupPost(ctx, job.Fence, f.ID, true, ts)
}

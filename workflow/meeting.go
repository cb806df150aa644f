package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/meetings"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom"
)

// bridgeType is the Zoom meeting type of an incident bridge: 3, a recurring
// meeting with no fixed time. An instant meeting (1) dies when its last
// participant leaves, and a scheduled one (2) is tied to a start time and
// duration and expires 30 days after it; an incident can run for days with
// people dropping in and out, and the Join Call link must work every time.
// A type 3 meeting has no start time, stays valid for a year after its last
// use, and with join-before-host can be joined at any moment without the
// robot host ever appearing.
const bridgeType = zoom.MeetingRecurringNoFixed

// ensureMeeting makes the incident's Zoom meeting once (see
// meetings.Pool.Ensure). While attempts fail, the meeting keeps its own
// backoff: a run for another reason (a severity change) updates Slack at
// once and leaves Zoom alone until the next attempt is due. retryAt is
// when that is, if the meeting is not there yet.
func (r *syncRun) ensureMeeting(ctx context.Context) (retryAt time.Time, err error) {
	rec := r.snapshot()
	if rec.Meeting != nil || rec.Call == warroom.CallRemoved || rec.Status == warroom.StatusResolved {
		return time.Time{}, nil
	}
	w := r.w
	if now := w.now(); rec.MeetingRetryAt.After(now) {
		return rec.MeetingRetryAt, nil
	}
	spec := meetings.Spec{
		Tag:     fmt.Sprintf("[warroom %s/%d.%d]", w.installID, rec.ID, rec.MeetingSeq),
		Request: bridgeRequest(rec.Incident, r.defaults, declarerName(ctx, w.slack, rec.Incident)),
	}
	att := meetings.Attempt{Tag: rec.MeetingTag, Host: rec.MeetingHost, Tried: rec.MeetingTried}
	if rec.MeetingTag != spec.Tag {
		att = meetings.Attempt{} // nothing sent yet for this meeting
	}
	record := func(ctx context.Context, a meetings.Attempt) error {
		return w.calls.RecordMeetingAttempt(ctx, r.fence, rec.ID, store.MeetingAttempt{Seq: rec.MeetingSeq, Tag: a.Tag, Host: a.Host, Tried: a.Tried, Day: a.Day})
	}
	made, err := w.pool.Ensure(ctx, spec, att, record)
	if err != nil {
		if errors.Is(err, warroom.ErrLeaseLost) {
			return time.Time{}, err
		}
		if warroom.ErrorCode(err) == warroom.ECONFLICT {
			// The incident asked for another meeting (call new) meanwhile:
			// the rerun it asked for makes that one.
			return time.Time{}, nil
		}
		return r.meetingFailed(ctx, rec, err)
	}
	current, err := w.calls.SetMeeting(ctx, r.fence, rec.ID, rec.MeetingSeq, made.Host, made.Meeting)
	if err != nil {
		return time.Time{}, err
	}
	if !current {
		// A call new came while Zoom was making this one: it was retired
		// at once, and the rerun the command asked for deletes it.
		r.log.Info().Func(meetingField(rec.Private, made.Meeting.ID)).Msg("meeting made for a call that was replaced meanwhile; retiring it")
		return time.Time{}, nil
	}
	m := made.Meeting
	r.set(func(x *store.Record) {
		x.Meeting, x.Call, x.CallError, x.MeetingHost = &m, warroom.CallReady, "", made.Host
	})
	if made.Found {
		r.log.Info().Func(meetingField(rec.Private, m.ID)).Msg("recovered Zoom meeting created before a failure")
	}
	r.log.Info().Func(meetingField(rec.Private, m.ID)).Str("host", m.HostEmail).Msg("zoom meeting ready")
	return time.Time{}, nil
}

// declarerName is who declared, as a meeting's topic and agenda name
// them: a Slack user's name, else the API client's or alert source's.
func declarerName(ctx context.Context, users interface {
	Name(ctx context.Context, id string) string
}, inc warroom.Incident) string {
	if inc.DeclaredBy == "" {
		return inc.Origin.By
	}
	return users.Name(ctx, inc.DeclaredBy)
}

// meetingFailed records why the meeting is not there and when to try next.
func (r *syncRun) meetingFailed(ctx context.Context, rec store.Record, err error) (time.Time, error) {
	w := r.w
	reason := blocks.CallProblem(meetings.Diagnose(err))
	failures := rec.MeetingFailures + 1
	at := jobs.RetryTime(w.now(), jobs.Backoff(w.cfg.MeetingRetryBase, w.cfg.MeetingRetryMax, failures), err)
	if serr := w.calls.SetCallFailed(ctx, r.fence, rec.ID, rec.MeetingSeq, reason, failures, at); serr != nil {
		return time.Time{}, errors.Join(err, serr)
	}
	r.set(func(x *store.Record) { x.Call, x.CallError = warroom.CallFailed, reason })
	r.log.Warn().Err(err).Str("reason", reason).Time("retry_at", at).Msg("zoom meeting not created yet")
	return at, err
}

func bridgeRequest(inc warroom.Incident, d warroom.MeetingDefaults, declarer string) zoom.CreateMeetingRequest {
	jbhAnytime := 0
	noRegistration := 2
	// The robot host never joins: without join-before-host the bridge
	// would wait for it forever, and a waiting room turns join-before-host
	// off, so the settings modal refuses that pair.
	jbh := d.JoinBeforeHost
	waiting := d.WaitingRoom
	mute := d.MuteOnEntry
	auto := d.AutoRecording
	if auto == "" {
		auto = "none"
	}
	var summary *bool
	if d.AutoSummary {
		summary = &d.AutoSummary
	}
	return zoom.CreateMeetingRequest{
		Topic:  blocks.MeetingTopicFrom(d.TopicTemplate, inc, declarer),
		Type:   bridgeType,
		Agenda: blocks.AgendaFrom(d.AgendaTemplate, inc, declarer),
		Settings: &zoom.MeetingSettings{
			JoinBeforeHost: &jbh,
			JBHTime:        &jbhAnytime,
			WaitingRoom:    &waiting,
			MuteUponEntry:  &mute,
			AutoRecording:  auto,
			ApprovalType:   &noRegistration,
			// Sent only when asked for.
			AutoStartMeetingSummary: summary,
		},
	}
}

// ensureRetiredGone deals with the meetings the incident no longer uses:
// each is deleted at Zoom unless it has started (people are in it: it is
// left running and the channel is told), and its bookmark is removed. A
// meeting retired while it was still being made is found by its tag first.
func (r *syncRun) ensureRetiredGone(ctx context.Context) error {
	w := r.w
	rec := r.snapshot()
	retired, err := w.calls.RetiredMeetings(ctx, rec.ID)
	if err != nil {
		return err
	}
	for _, old := range retired {
		if err := r.retire(ctx, rec, old); err != nil {
			return err
		}
	}
	return nil
}

func (r *syncRun) retire(ctx context.Context, rec store.Record, old store.RetiredMeeting) error {
	w := r.w
	if old.MeetingID == 0 && old.Tag != "" {
		made, err := w.pool.FindTagged(ctx, old.Tag, old.Host, old.Tried)
		if err != nil {
			return fmt.Errorf("look for a replaced meeting: %w", err)
		}
		if made != nil {
			old.MeetingID, old.Host, old.JoinURL = made.Meeting.ID, made.Host, made.Meeting.JoinURL
			if err := w.calls.UpdateRetired(ctx, r.fence, old); err != nil {
				return err
			}
		}
	}
	if old.MeetingID != 0 && old.Host != "" {
		if err := r.deleteRetired(ctx, rec, &old); err != nil {
			return err
		}
	}
	if old.JoinURL != "" && rec.ChannelID != "" {
		if err := w.slack.RemoveBookmarks(ctx, rec.ChannelID, old.JoinURL); err != nil {
			return fmt.Errorf("remove the old call's bookmark: %w", err)
		}
		if rec.BookmarkLink == old.JoinURL {
			// The bookmark is gone with the old call: the bookmark step
			// adds one for the new call.
			r.steps.BookmarkLink("")
			r.set(func(x *store.Record) { x.BookmarkLink = "" })
		}
	}
	return w.calls.DoneRetired(ctx, r.fence, old.ID)
}

// deleteRetired deletes a replaced meeting at Zoom, or, if people are in
// it, leaves it and tells the channel once.
func (r *syncRun) deleteRetired(ctx context.Context, rec store.Record, old *store.RetiredMeeting) error {
	w := r.w
	outcome, err := w.pool.Retire(ctx, old.Host, old.MeetingID)
	switch {
	case err != nil:
		return fmt.Errorf("retire the replaced meeting: %w", err)
	case outcome == meetings.RetiredUnreachable:
		r.log.Warn().Msg("the host of a replaced meeting cannot be reached; leaving the meeting")
		return nil
	case outcome == meetings.RetiredGone:
		r.log.Info().Func(meetingField(rec.Private, old.MeetingID)).Msg("replaced meeting deleted at Zoom")
		return nil
	}
	r.log.Info().Func(meetingField(rec.Private, old.MeetingID)).Msg("replaced meeting is in progress; leaving it at Zoom")
	if rec.ChannelID == "" {
		return nil
	}
	mark := func() error {
		old.NotePosting = true
		return w.calls.UpdateRetired(ctx, r.fence, *old)
	}
	note := blocks.Msg(blocks.ReplacedCallStillRunning(rec.Incident, old.MeetingID))
	if _, _, err := w.slack.PostOnce(ctx, rec.ChannelID, blocks.RetiredBlockID(old.ID), old.NotePosting, mark, note); err != nil {
		return fmt.Errorf("tell the channel the old call runs on: %w", err)
	}
	return nil
}

// ensureEndedOnResolve ends the meeting at Zoom when the incident is
// resolved and the admins chose so (/incident zoom settings).
func (r *syncRun) ensureEndedOnResolve(ctx context.Context) error {
	rec := r.snapshot()
	if rec.Status != warroom.StatusResolved || !r.defaults.EndOnResolve || rec.Meeting == nil || rec.MeetingEnded || rec.MeetingHost == "" {
		return nil
	}
	if err := r.w.pool.End(ctx, rec.MeetingHost, rec.Meeting.ID); err != nil {
		return err
	}
	r.steps.Done(store.StepMeetingEnded)
	r.set(func(x *store.Record) { x.MeetingEnded = true })
	r.log.Info().Func(meetingField(rec.Private, rec.Meeting.ID)).Msg("meeting ended at Zoom on resolve")
	return nil
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

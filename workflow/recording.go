package workflow

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom"
)

// pollDelay grows from a minute as a recording keeps not being ready
// (recordings of long calls take Zoom a while), up to max: a recording
// appears at most max after it is ready even when no event says so.
func pollDelay(attempts int, max time.Duration) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}

// runRecording waits for a meeting's cloud recording (Zoom answers 3301
// until it is ready), posts its links once, then — for the incident's
// bridge — who attended, once.
func (w *Workflow) runRecording(ctx context.Context, job *jobs.Job[jobtype.Recording]) error {
	wt, err := w.recordings.RecordingWatch(ctx, job.Args.WatchID)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		return nil // its Zoom account was removed, and the watch with it
	}
	if err != nil {
		return err
	}
	if wt.GaveUp || wt.Removed || (wt.RecTS != "" && (wt.AttendanceDone || !wt.Bridge)) {
		return nil
	}
	rec, err := w.incidents.Incident(ctx, wt.IncidentID)
	if err != nil {
		return err
	}
	client, _, err := w.pool.Client(ctx, wt.MeetingHost)
	if err != nil {
		return w.recordingFailed(ctx, job, rec, wt, err)
	}
	if wt.RecTS == "" {
		r, err := client.GetRecordings(ctx, strconv.FormatInt(wt.MeetingID, 10))
		if zoom.IsRecordingNotReady(err) || zoom.IsNotFound(err) {
			// A call without a cloud recording may still have a summary.
			if wt.Bridge && job.Attempt <= summaryLooks {
				w.lookForSummary(ctx, rec, client, wt.MeetingID, nil)
			}
			if w.now().After(wt.PollUntil) {
				w.log.Info().Str("incident", rec.Ref()).Msg("no recording appeared; stopped waiting")
				return w.recordings.MarkWatch(ctx, job.Fence, wt.ID, store.WatchGaveUp)
			}
			return jobs.SnoozeUntil(w.now().Add(pollDelay(job.Attempt, w.cfg.RecordingPollMax)), nil)
		}
		if err != nil {
			return w.recordingFailed(ctx, job, rec, wt, fmt.Errorf("read recording: %w", err))
		}
		if err := w.postRecording(ctx, job.Fence, rec, wt, r); err != nil {
			return err
		}
		if wt.Bridge {
			w.lookForSummary(ctx, rec, client, wt.MeetingID, &zoom.PastMeeting{UUID: r.UUID, StartTime: r.StartTime})
		}
	}
	if !wt.Bridge || wt.AttendanceDone {
		return nil
	}
	return w.postAttendance(ctx, job.Fence, rec, wt, client)
}

// recordingFailed is a failed look for the recording: retried (the job's
// backoff, and its end if it keeps failing), until the watch's cap — which
// holds whatever the failure, not only while Zoom says "not ready".
func (w *Workflow) recordingFailed(ctx context.Context, job *jobs.Job[jobtype.Recording], rec *store.Record, wt *store.RecordingWatch, err error) error {
	if !w.now().After(wt.PollUntil) {
		return err
	}
	w.log.Warn().Err(err).Str("incident", rec.Ref()).Msg("the recording could not be read before the wait ended; stopped waiting")
	return w.recordings.MarkWatch(ctx, job.Fence, wt.ID, store.WatchGaveUp)
}

func (w *Workflow) postRecording(ctx context.Context, fence jobtype.Fence, rec *store.Record, wt *store.RecordingWatch, r *zoom.Recording) error {
	post := blocks.RecordingPost{MeetingLabel: wt.Label, ShareURL: r.ShareURL, Passcode: r.RecordingPlayPasscode,
		Display: w.cfg.PasscodeDisplay, Duration: time.Duration(r.Duration) * time.Minute}
	if post.Passcode == "" {
		post.Passcode = r.Password
	}
	for _, f := range r.Files {
		if strings.EqualFold(f.FileType, "TRANSCRIPT") && f.PlayURL != "" {
			post.TranscriptURL = f.PlayURL
		}
	}
	msg := blocks.Msg(blocks.Recording(rec.Incident, post))
	mark := func() error { return w.recordings.MarkWatch(ctx, fence, wt.ID, store.WatchRecPosting) }
	_, ts, err := w.slack.PostOnce(ctx, rec.ChannelID, blocks.RecordingBlockID(wt.ID), wt.RecPosting, mark, msg)
	if err != nil {
		return err
	}
	return w.recordings.SetWatchPost(ctx, fence, wt.ID, false, ts)
}

func (w *Workflow) postAttendance(ctx context.Context, fence jobtype.Fence, rec *store.Record, wt *store.RecordingWatch, client *zoom.Client) error {
	people, err := client.PastParticipants(ctx, strconv.FormatInt(wt.MeetingID, 10))
	var ze *zoom.Error
	if errors.As(err, &ze) && (ze.Code == 4711 || ze.Status == 403 || ze.Status == 404) {
		// No scope for it, or no past instance: nothing to post.
		w.log.Info().Str("incident", rec.Ref()).Int("code", ze.Code).Msg("attendance not available")
		return w.recordings.MarkWatch(ctx, fence, wt.ID, store.WatchAttendanceDone)
	}
	if err != nil {
		return fmt.Errorf("read attendance: %w", err)
	}
	var attendees []blocks.Attendee
	for _, p := range people {
		attendees = append(attendees, blocks.Attendee{Name: p.Name, Email: p.UserEmail, Duration: time.Duration(p.Duration) * time.Second})
	}
	if len(attendees) > 0 {
		msg := blocks.Msg(blocks.Attendance(rec.Incident, wt.Label, attendees))
		mark := func() error { return w.recordings.MarkWatch(ctx, fence, wt.ID, store.WatchAttendancePosting) }
		_, ts, err := w.slack.PostOnce(ctx, rec.ChannelID, blocks.AttendanceBlockID(wt.ID), wt.AttendancePosting, mark, msg)
		if err != nil {
			return err
		}
		if err := w.recordings.SetWatchPost(ctx, fence, wt.ID, true, ts); err != nil {
			return err
		}
	}
	return w.recordings.MarkWatch(ctx, fence, wt.ID, store.WatchAttendanceDone)
}

// summaryLooks bounds how many of a recording watch's polls also look for
// the call's summary when there is no recording (about the first two
// hours, as the polls space out): Zoom writes summaries within minutes.
const summaryLooks = 12

// lookForSummary asks Zoom for the call's AI Companion summary, for when
// no meeting.summary_completed event comes (no event source): when the
// recording of the instance run is there, or while a call without one is
// waited on (run nil: the meeting's last run). Without one (AI Companion
// off) nothing is posted; nor for a run that was not the incident's call
// (the bridge joined again after the resolve); a failure only loses this
// look.
func (w *Workflow) lookForSummary(ctx context.Context, rec *store.Record, client *zoom.Client, meetingID int64, run *zoom.PastMeeting) {
	d, err := w.incidents.MeetingDefaults(ctx)
	if err != nil || !d.AutoSummary {
		return
	}
	if run == nil {
		if run, err = client.GetPastMeeting(ctx, strconv.FormatInt(meetingID, 10)); err != nil {
			return
		}
	}
	started, ended := zoomTime(run.StartTime), zoomTime(run.EndTime)
	if !rec.OwnsInstance(started, ended) {
		return // not even read: it is someone else's meeting
	}
	if had, err := w.summaries.HasSummary(ctx, run.UUID); err != nil || had {
		return
	}
	sum, err := client.GetMeetingSummary(ctx, run.UUID)
	if err != nil {
		if !zoom.IsNotFound(err) {
			w.log.Warn().Err(err).Str("incident", rec.Ref()).Msg("could not read the call's summary")
		}
		return
	}
	if created, err := w.summaries.SaveSummary(ctx, store.NewSummary{MeetingID: meetingID, MeetingUUID: run.UUID,
		Overview: sum.Overview, NextSteps: sum.NextSteps, Started: started, Ended: ended}); err == nil && created {
		w.kick()
	}
}

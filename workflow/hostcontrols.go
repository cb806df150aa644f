package workflow

import (
	"context"
	"errors"
	"fmt"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom"
)

// zoomMeetingRunning is Zoom's refusal to change a meeting that has
// started (400, code 3000).
const zoomMeetingRunning = 3000

// ensureHostControls makes the commander an alternative host of the call,
// so a person can mute, admit and record in a meeting whose robot host
// never joins, and moves it when the commander changes. It runs once the
// meeting exists, beside the topic and the bookmark — it never delays or
// blocks the call — and only asks Zoom when the commander is a licensed
// user of the host's account; what cannot be done is recorded for
// /incident call to say, not retried.
func (r *syncRun) ensureHostControls(ctx context.Context) error {
	rec := r.snapshot()
	commander := rec.Commander
	if commander == "" {
		commander = rec.DeclaredBy
	}
	if rec.Call != warroom.CallReady || rec.Meeting == nil || rec.MeetingHost == "" ||
		rec.Status == warroom.StatusResolved || commander == "" || commander == rec.HostControlsUser {
		return nil
	}
	email, note, err := r.grantHostControls(ctx, rec, commander)
	if err != nil {
		return fmt.Errorf("host controls: %w", err)
	}
	if err := r.w.store.SetHostControls(ctx, r.fence, rec.ID, commander, email, note); err != nil {
		return err
	}
	r.set(func(x *store.Record) {
		x.HostControlsUser, x.HostControlsEmail, x.HostControlsNote = commander, email, note
	})
	// Granting is worth an operator's attention; "not licensed" is the
	// usual case and shows in /incident call.
	l := r.log.Debug()
	if email != "" {
		l = r.log.Info()
	}
	l.Bool("granted", email != "").Str("note", note).Msg("host controls of the call")
	return nil
}

// grantHostControls makes the commander the meeting's alternative host
// if Zoom allows it: their Zoom email, or why not.
func (r *syncRun) grantHostControls(ctx context.Context, rec store.Record, commander string) (email, note string, err error) {
	u, err := r.w.slack.UserInfo(ctx, commander)
	if err != nil {
		return "", "", err
	}
	if u.Email == "" {
		return "", "warroom cannot see the commander's email address in Slack", nil
	}
	ok, why, err := r.w.pool.Licensed(ctx, rec.MeetingHost, u.Email)
	if err != nil || !ok {
		return "", why, err
	}
	client, _, err := r.w.pool.Client(ctx, rec.MeetingHost)
	if err != nil {
		return "", "", err
	}
	// An update is one of the host's meeting requests for the day.
	if err := r.w.pool.CountUpdate(ctx, rec.MeetingHost); err != nil {
		return "", "", err
	}
	err = client.UpdateMeeting(ctx, rec.Meeting.ID, zoom.UpdateMeetingRequest{
		Settings: &zoom.MeetingSettings{AlternativeHosts: u.Email}})
	var ze *zoom.Error
	switch {
	case err == nil:
		return u.Email, "", nil
	case errors.As(err, &ze) && ze.Code == zoomMeetingRunning:
		return "", "Zoom does not change the hosts of a meeting that runs; `/incident call new` makes a call with the commander as its alternative host", nil
	case errors.As(err, &ze) && ze.Status == 400:
		return "", "Zoom refused " + u.Email + " as alternative host (" + ze.Message + ")", nil
	}
	return "", "", err
}

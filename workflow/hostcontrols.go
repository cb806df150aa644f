package workflow

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
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
// /incident call to say, not retried. When command changes hands, the
// channel is told who has host controls (tellHostControls).
func (r *syncRun) ensureHostControls(ctx context.Context) error {
	rec := r.snapshot()
	commander := rec.Commander
	if commander == "" {
		commander = rec.DeclaredBy
	}
	if rec.Call == warroom.CallReady && rec.Meeting != nil && rec.MeetingHost != "" &&
		rec.Status != warroom.StatusResolved && commander != "" && commander != rec.HostControlsUser {
		if err := r.moveHostControls(ctx, rec, commander); err != nil {
			return fmt.Errorf("host controls: %w", err)
		}
	}
	return r.tellHostControls(ctx)
}

// moveHostControls gives the commander host controls and records what
// Zoom holds afterwards. Whoever had them loses them when the commander
// cannot have them, so the role and the controls stay together; only a
// meeting that is running keeps its hosts, which Zoom will not change.
func (r *syncRun) moveHostControls(ctx context.Context, rec store.Record, commander string) error {
	hc := store.HostControls{User: commander, Holder: rec.HostControlsHolder, Email: rec.HostControlsEmail}
	if hc.Email == "" {
		hc.Holder = "" // nobody is an alternative host at Zoom
	}
	var why warroom.HostControlsProblem
	if commander != hc.Holder {
		email, problem, err := r.grantHostControls(ctx, rec, commander)
		if err != nil {
			return err
		}
		why = problem
		kept := false
		switch {
		case problem.Code == "":
			hc.Holder, hc.Email = commander, email
		case problem.Code != warroom.HostControlsRunning && hc.Email != "":
			if kept, err = r.clearHostControls(ctx, rec); err != nil {
				return err
			}
			if !kept {
				hc.Holder, hc.Email = "", ""
			}
		}
		if problem.Code != "" {
			hc.Note = blocks.HostControlsWhy(problem, kept)
		}
	}
	if err := r.w.hostControls.SetHostControls(ctx, r.fence, rec.ID, hc); err != nil {
		return err
	}
	r.set(func(x *store.Record) {
		x.HostControlsUser, x.HostControlsHolder, x.HostControlsEmail, x.HostControlsNote = hc.User, hc.Holder, hc.Email, hc.Note
	})
	// Granting is worth an operator's attention; "not licensed" is the
	// usual case and shows in /incident call.
	l := r.log.Debug()
	if hc.Holder == commander {
		l = r.log.Info()
	}
	l.Bool("granted", hc.Holder == commander).Bool("held", hc.Holder != "").Str("why", why.Code).Msg("host controls of the call")
	return nil
}

// grantHostControls makes the commander the meeting's alternative host
// if Zoom allows it: their Zoom email, or why not.
func (r *syncRun) grantHostControls(ctx context.Context, rec store.Record, commander string) (string, warroom.HostControlsProblem, error) {
	var why warroom.HostControlsProblem
	u, err := r.w.slack.UserInfo(ctx, commander)
	if err != nil {
		return "", why, err
	}
	if u.Email == "" {
		return "", warroom.HostControlsProblem{Code: warroom.HostControlsNoEmail}, nil
	}
	ok, why, err := r.w.pool.Licensed(ctx, rec.MeetingHost, u.Email)
	if err != nil || !ok {
		return "", why, err
	}
	err = r.w.pool.SetAlternativeHosts(ctx, rec.MeetingHost, rec.Meeting.ID, u.Email)
	var ze *zoom.Error
	switch {
	case err == nil:
		return u.Email, why, nil
	case errors.As(err, &ze) && ze.Code == zoomMeetingRunning:
		return "", warroom.HostControlsProblem{Code: warroom.HostControlsRunning, Email: u.Email}, nil
	case errors.As(err, &ze) && ze.Status == 400:
		return "", warroom.HostControlsProblem{Code: warroom.HostControlsRefused, Email: u.Email, Zoom: ze.Message}, nil
	}
	return "", why, err
}

// clearHostControls leaves the meeting no alternative host. kept: Zoom
// refused (the meeting is running), and whoever had them keeps them.
func (r *syncRun) clearHostControls(ctx context.Context, rec store.Record) (kept bool, err error) {
	err = r.w.pool.SetAlternativeHosts(ctx, rec.MeetingHost, rec.Meeting.ID, "")
	var ze *zoom.Error
	switch {
	case err == nil, zoom.IsNotFound(err): // a meeting gone from Zoom has no hosts either
		return false, nil
	case errors.As(err, &ze) && ze.Code == zoomMeetingRunning:
		return true, nil
	}
	return false, err
}

// told is what the channel knows about host controls: who was last tried
// (the commander) and who holds them, n-th of the incident's records of
// it. The first grant of a call is not announced — /incident call shows
// it — so the first record is made silently; each later change of holder,
// or a commander who cannot take them from the one who keeps them, is
// posted once, tagged with its n.
type told struct {
	n            int
	user, holder string
}

func parseTold(s string) (told, bool) {
	parts := strings.SplitN(s, "|", 3)
	if len(parts) != 3 {
		return told{}, false
	}
	n, err := strconv.Atoi(parts[0])
	if err != nil {
		return told{}, false
	}
	return told{n: n, user: parts[1], holder: parts[2]}, true
}

func (t told) String() string { return strconv.Itoa(t.n) + "|" + t.user + "|" + t.holder }

// tellHostControls posts, once, who has host controls after a change.
func (r *syncRun) tellHostControls(ctx context.Context) error {
	rec := r.snapshot()
	if rec.HostControlsUser == "" || rec.ChannelID == "" {
		return nil
	}
	before, known := parseTold(rec.HostControlsTold)
	now := told{n: before.n + 1, user: rec.HostControlsUser, holder: rec.HostControlsHolder}
	if known && before.user == now.user && before.holder == now.holder {
		return nil
	}
	// Nobody had them and nobody has them: nothing to tell.
	news := before.holder != now.holder || (now.holder != "" && now.holder != now.user)
	if known && news {
		msg := blocks.Msg(blocks.HostControlsChanged(rec.Incident, blocks.HostControlsChange{Commander: now.user,
			Holder: now.holder, Email: rec.HostControlsEmail, Note: rec.HostControlsNote, Before: before.holder}))
		mark := func() error { return r.w.hostControls.MarkHostControlsPosting(ctx, r.fence, rec.ID) }
		if _, _, err := r.w.slack.PostOnce(ctx, rec.ChannelID, blocks.HostControlsBlockID(rec.ID, now.n),
			rec.HostControlsPosting, mark, msg); err != nil {
			return fmt.Errorf("post host controls notice: %w", err)
		}
	}
	if err := r.w.hostControls.SetHostControlsTold(ctx, r.fence, rec.ID, now.String()); err != nil {
		return err
	}
	r.set(func(x *store.Record) { x.HostControlsTold, x.HostControlsPosting = now.String(), false })
	return nil
}

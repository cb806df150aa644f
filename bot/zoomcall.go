package bot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"golang.org/x/oauth2"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
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
const bridgeType = 3

// ensureMeeting creates the incident's Zoom meeting once. Zoom has no
// idempotency key, so the host and a tag are recorded before the call and
// the tag is written at the start of the agenda (Zoom's list shows the
// first 250 characters). A later attempt first looks for a meeting with
// that tag on that host — made by a call whose answer was lost — before
// creating another.
func (r *declareRun) ensureMeeting(ctx context.Context) error {
	rec := r.snapshot()
	if rec.Meeting != nil {
		return nil
	}
	b := r.b
	host, tag := rec.MeetingHost, rec.MeetingTag
	retry := tag != ""
	if !retry {
		var err error
		if host, err = b.pickHost(ctx, rec.ID); err != nil {
			return err
		}
		tag = fmt.Sprintf("[warroom %s/%d]", b.installID, rec.ID)
		if err := b.store.RecordMeetingIntent(ctx, rec.ID, tag, host); err != nil {
			return err
		}
	}

	var m *zoom.Meeting
	if retry {
		found, err := b.findTaggedMeeting(ctx, host, tag)
		if err != nil {
			return err
		}
		m = found
		if m != nil {
			r.log.Info().Int64("meeting", m.ID).Msg("recovered Zoom meeting created before a failure")
		}
	}
	if m == nil {
		var err error
		m, err = b.zoom.CreateMeeting(ctx, host, bridgeRequest(rec.Incident, tag))
		if err != nil {
			return fmt.Errorf("create zoom meeting on %s: %w", host, err)
		}
	}
	meeting := warroom.Meeting{ID: m.ID, UUID: m.UUID, HostEmail: m.HostEmail, Topic: m.Topic, JoinURL: m.JoinURL, Password: m.Password}
	if meeting.HostEmail == "" {
		meeting.HostEmail = host
	}
	if err := b.store.SetMeeting(ctx, rec.ID, meeting); err != nil {
		return err
	}
	r.set(func(x *store.Record) {
		x.Meeting, x.Call, x.CallError = &meeting, warroom.CallReady, ""
	})
	r.log.Info().Int64("meeting", m.ID).Str("host", meeting.HostEmail).Msg("zoom meeting ready")
	return nil
}

func bridgeRequest(inc warroom.Incident, tag string) zoom.CreateMeetingRequest {
	on, off := true, false
	jbhAnytime := 0
	noRegistration := 2
	agenda := fmt.Sprintf("%s War room for %s (%s), declared in Slack. Created by warroom.", tag, inc.Ref(), inc.Severity)
	return zoom.CreateMeetingRequest{
		Topic:  blocks.MeetingTopic(inc),
		Type:   bridgeType,
		Agenda: agenda,
		Settings: &zoom.MeetingSettings{
			// The robot host never joins: without join-before-host the
			// bridge would wait for it forever. A waiting room would turn
			// join-before-host off again, so it stays off.
			JoinBeforeHost: &on,
			JBHTime:        &jbhAnytime,
			WaitingRoom:    &off,
			ApprovalType:   &noRegistration,
		},
	}
}

// findTaggedMeeting looks on host for a meeting whose agenda starts with tag.
func (b *Bot) findTaggedMeeting(ctx context.Context, host, tag string) (*zoom.Meeting, error) {
	list, err := b.zoom.ListMeetings(ctx, host, "scheduled")
	if err != nil {
		return nil, fmt.Errorf("look for zoom meeting on %s: %w", host, err)
	}
	for _, s := range list {
		if strings.HasPrefix(s.Agenda, tag) {
			m, err := b.zoom.GetMeeting(ctx, s.ID)
			if err != nil {
				return nil, fmt.Errorf("read zoom meeting %d: %w", s.ID, err)
			}
			return m, nil
		}
	}
	return nil, nil
}

// pickHost chooses the configured host with the fewest active incidents,
// the first on a tie. The choice and its record happen under one lock so
// that concurrent incidents spread across the pool.
func (b *Bot) pickHost(ctx context.Context, id int64) (string, error) {
	b.hostMu.Lock()
	defer b.hostMu.Unlock()
	load, err := b.store.HostLoad(ctx)
	if err != nil {
		return "", err
	}
	best := b.cfg.ZoomHosts[0]
	for _, h := range b.cfg.ZoomHosts[1:] {
		if load[h] < load[best] {
			best = h
		}
	}
	// Claim it now, under the lock, so the next pick sees this load.
	if err := b.store.RecordMeetingIntent(ctx, id, "", best); err != nil {
		return "", err
	}
	return best, nil
}

// callFailureReason says in plain words why the meeting is not there yet.
// It goes into the incident message, so it never carries a token.
func callFailureReason(err error) string {
	var rl *zoom.RateLimitError
	var ze *zoom.Error
	var re *oauth2.RetrieveError
	var ne net.Error
	switch {
	case errors.As(err, &rl) && rl.Type == "Daily-limit":
		return "the Zoom host reached today's limit of meeting requests (100 a day); it resets at midnight UTC"
	case errors.As(err, &rl):
		return "Zoom is rate limiting warroom's requests"
	case errors.As(err, &re):
		return "warroom could not sign in to Zoom (" + oauthReason(re) + "); check ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET"
	case errors.As(err, &ze) && ze.Status == 401:
		return "Zoom rejected warroom's access token"
	case errors.As(err, &ze) && ze.Code == 1001:
		return "the Zoom host user does not exist in the Zoom account"
	case errors.As(err, &ze) && ze.Code == 3161:
		return "the Zoom host user is not allowed to host meetings"
	case errors.As(err, &ze) && ze.Status >= 500:
		return fmt.Sprintf("Zoom is having trouble (HTTP %d)", ze.Status)
	case errors.As(err, &ze):
		return "Zoom refused the request: " + ze.Message
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "Zoom did not answer in time"
	case errors.As(err, &ne):
		return "warroom could not reach Zoom"
	}
	return "an unexpected error talking to Zoom"
}

func oauthReason(re *oauth2.RetrieveError) string {
	if re.ErrorCode != "" {
		return re.ErrorCode
	}
	return fmt.Sprintf("HTTP %d", re.Response.StatusCode)
}

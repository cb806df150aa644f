package bot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/rs/zerolog"
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
	if rec.Meeting != nil || rec.Call == warroom.CallRemoved || rec.Status == warroom.StatusResolved {
		return nil
	}
	b := r.b
	host, tag := rec.MeetingHost, rec.MeetingTag
	if host != "" {
		if _, err := b.store.ZoomHost(ctx, host); warroom.ErrorCode(err) == warroom.ENOTFOUND {
			host, tag = "", "" // the host left the pool since; choose again
		}
	}
	retry := tag != ""
	if !retry {
		var err error
		if host, err = b.pickHost(ctx, rec.ID); err != nil {
			return err
		}
		tag = fmt.Sprintf("[warroom %s/%d.%d]", b.installID, rec.ID, rec.MeetingSeq)
		if err := b.store.RecordMeetingIntent(ctx, rec.ID, tag, host); err != nil {
			return err
		}
	}
	client, userID, err := b.pool.Client(ctx, host)
	if err != nil {
		return err
	}

	var m *zoom.Meeting
	if retry {
		found, err := findTaggedMeeting(ctx, client, userID, tag)
		if err != nil {
			return err
		}
		m = found
		if m != nil {
			r.log.Info().Func(meetingField(rec.Private, m.ID)).Msg("recovered Zoom meeting created before a failure")
		}
	}
	if m == nil {
		req := bridgeRequest(rec.Incident, tag, r.defaults, b.userName(ctx, rec.DeclaredBy))
		if req.Password, err = b.pool.Passcode(ctx, host); err != nil {
			// Zoom makes one itself when the account requires it.
			r.log.Warn().Err(err).Str("host", host).Msg("no passcode generated")
		}
		if err := b.pool.CountRequest(ctx, host); err != nil {
			return err
		}
		m, err = client.CreateMeeting(ctx, userID, req)
		if err != nil {
			var rl *zoom.RateLimitError
			if errors.As(err, &rl) && rl.Type == zoom.RateLimitDaily {
				// This host is done for the day: note it and let the next
				// attempt choose another host (nothing was created).
				b.pool.NoteDailyCap(ctx, host, rl.RetryAfter)
				b.store.RecordMeetingIntent(ctx, rec.ID, "", "")
				return fmt.Errorf("create zoom meeting on %s: %w", host, err)
			}
			return fmt.Errorf("create zoom meeting on %s: %w", host, err)
		}
	}
	meeting := warroom.Meeting{ID: m.ID, UUID: m.UUID, HostEmail: m.HostEmail, Topic: m.Topic, JoinURL: m.JoinURL, Password: m.Password}
	if err := b.store.SetMeetingOn(ctx, rec.ID, host, meeting); err != nil {
		return err
	}
	r.set(func(x *store.Record) {
		x.Meeting, x.Call, x.CallError, x.MeetingHost = &meeting, warroom.CallReady, "", host
	})
	r.log.Info().Func(meetingField(rec.Private, m.ID)).Str("host", meeting.HostEmail).Msg("zoom meeting ready")
	return nil
}

func bridgeRequest(inc warroom.Incident, tag string, d warroom.MeetingDefaults, declarer string) zoom.CreateMeetingRequest {
	jbhAnytime := 0
	noRegistration := 2
	// The tag leads the agenda: Zoom's list keeps only its first 250
	// characters, and recovery looks for it there.
	agenda := tag + " " + blocks.AgendaFrom(d.AgendaTemplate, inc, declarer)
	if r := []rune(agenda); len(r) > 2000 {
		agenda = string(r[:2000]) // Zoom's limit counts characters
	}
	// The robot host never joins: without join-before-host the bridge
	// would wait for it forever, and a waiting room turns join-before-host
	// off, so the settings modal refuses that pair.
	jbh := d.JoinBeforeHost
	waiting := d.WaitingRoom
	mute := d.MuteOnEntry
	return zoom.CreateMeetingRequest{
		Topic:  blocks.MeetingTopicFrom(d.TopicTemplate, inc, declarer),
		Type:   bridgeType,
		Agenda: agenda,
		Settings: &zoom.MeetingSettings{
			JoinBeforeHost: &jbh,
			JBHTime:        &jbhAnytime,
			WaitingRoom:    &waiting,
			MuteUponEntry:  &mute,
			AutoRecording:  nonEmptyString(d.AutoRecording, "none"),
			ApprovalType:   &noRegistration,
		},
	}
}

// findTaggedMeeting looks on a host for a meeting whose agenda starts with tag.
func findTaggedMeeting(ctx context.Context, c *zoom.Client, userID, tag string) (*zoom.Meeting, error) {
	list, err := c.ListMeetings(ctx, userID, zoom.ListScheduled)
	if err != nil {
		return nil, fmt.Errorf("look for zoom meeting: %w", err)
	}
	for _, s := range list {
		if strings.HasPrefix(s.Agenda, tag) {
			m, err := c.GetMeeting(ctx, s.ID)
			if err != nil {
				return nil, fmt.Errorf("read zoom meeting %d: %w", s.ID, err)
			}
			return m, nil
		}
	}
	return nil, nil
}

// pickHost chooses the pool's host for an incident and records it. Choice
// and record happen under one lock so that concurrent incidents see each
// other's load and spread out.
func (b *Bot) pickHost(ctx context.Context, id int64) (string, error) {
	b.hostMu.Lock()
	defer b.hostMu.Unlock()
	host, crowded, err := b.pool.Pick(ctx)
	if err != nil {
		return "", err
	}
	if crowded {
		b.log.Warn().Str("host", host).Int64("incident", id).Msg("every Zoom host is at its concurrent-meeting capacity; sharing the least loaded")
	}
	if err := b.store.RecordMeetingIntent(ctx, id, "", host); err != nil {
		return "", err
	}
	return host, nil
}

// callFailureReason says in plain words why the meeting is not there yet.
// It goes into the incident message, so it never carries a token.
func callFailureReason(err error) string {
	var rl *zoom.RateLimitError
	var ze *zoom.Error
	var re *oauth2.RetrieveError
	var ne net.Error
	var we *warroom.Error
	switch {
	case errors.As(err, &we):
		return we.Message
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

func asZoomError(err error, target **zoom.Error) bool { return errors.As(err, target) }

// meetingField logs a meeting's ID, except for private incidents: their
// call must not leave their channel, and a meeting ID is half of it.
func meetingField(private bool, id int64) func(*zerolog.Event) {
	return func(e *zerolog.Event) {
		if !private {
			e.Int64("meeting", id)
		}
	}
}

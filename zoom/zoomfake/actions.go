package zoomfake

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Meeting actions: what people do in a meeting, with the events Zoom emits
// for them going to every source the app has — the event stream (lost
// when no connection is open) and the webhook URL, if any — and GET
// /meetings/{id} showing the same state.

// StartMeeting starts the meeting's next instance (its host, or someone
// allowed to join before the host, opened it) and emits meeting.started.
func (s *Server) StartMeeting(ctx context.Context, id int64) error {
	s.SetMeetingStatus(id, StatusStarted)
	return s.emitted(s.SendMeetingEvent(ctx, id, "meeting.started"))
}

// EndMeeting ends the running instance and emits meeting.ended.
func (s *Server) EndMeeting(ctx context.Context, id int64) error {
	s.SetMeetingStatus(id, StatusFinished)
	return s.emitted(s.SendMeetingEvent(ctx, id, "meeting.ended"))
}

// participantEventJSON is payload.object of meeting.participant_joined
// and meeting.participant_left.
type participantEventJSON struct {
	meetingEventJSON
	Participant struct {
		UserID          string `json:"user_id"`
		UserName        string `json:"user_name"`
		ID              string `json:"id"`
		ParticipantUUID string `json:"participant_uuid"`
		Email           string `json:"email"`
		JoinTime        string `json:"join_time,omitempty"`
		LeaveTime       string `json:"leave_time,omitempty"`
	} `json:"participant"`
}

// JoinMeeting has a person join the running instance (starting the
// meeting if it was not running) and emits meeting.participant_joined.
// They stay until LeaveMeeting or the meeting's end.
func (s *Server) JoinMeeting(ctx context.Context, id int64, name, email string) error {
	s.mu.Lock()
	in := s.latestLocked(id)
	running := in != nil && !in.ended()
	s.mu.Unlock()
	if !running {
		if err := s.StartMeeting(ctx, id); err != nil {
			return err
		}
	}
	return s.participantEvent(ctx, id, name, email, true)
}

// LeaveMeeting has the person leave and emits meeting.participant_left;
// their stay shows in the past meeting's participants.
func (s *Server) LeaveMeeting(ctx context.Context, id int64, name, email string) error {
	return s.participantEvent(ctx, id, name, email, false)
}

func (s *Server) participantEvent(ctx context.Context, id int64, name, email string, joined bool) error {
	now := s.cfg.Now().UTC()
	s.mu.Lock()
	in := s.latestLocked(id)
	if in == nil || in.ended() {
		s.mu.Unlock()
		return fmt.Errorf("zoomfake: meeting %d is not running", id)
	}
	obj := participantEventJSON{meetingEventJSON: meetingEventJSON{ID: in.meetingID, UUID: in.uuid, HostID: in.hostID,
		Topic: in.topic, Type: in.mtype, StartTime: in.start.Format(zoomTime), Timezone: in.timezone, Duration: in.scheduled}}
	p := &obj.Participant
	p.UserName, p.Email, p.ParticipantUUID = name, email, "fake-participant-"+email+"-"+name
	if u, ok := s.userByEmail(email); ok {
		p.ID = u.ID
	}
	s.joins++
	p.UserID = fmt.Sprint(firstJoinID + s.joins)
	event := "meeting.participant_left"
	if joined {
		event, p.JoinTime = "meeting.participant_joined", now.Format(zoomTime)
		s.present(in)[name+"\x00"+email] = now
	} else {
		p.LeaveTime = now.Format(zoomTime)
	}
	since, was := s.present(in)[name+"\x00"+email]
	if !joined {
		delete(s.present(in), name+"\x00"+email)
	}
	s.mu.Unlock()
	if !joined && was {
		s.AddParticipant(id, name, email, since, now)
	}
	_, _, err := s.postWebhook(ctx, event, struct {
		AccountID string               `json:"account_id"`
		Object    participantEventJSON `json:"object"`
	}{s.cfg.AccountID, obj}, "", time.Time{}, true)
	return s.emitted(0, err)
}

// present is who is in the instance now, by name and email, since when.
// s.mu is held.
func (s *Server) present(in *instance) map[string]time.Time {
	if s.inCall == nil {
		s.inCall = map[*instance]map[string]time.Time{}
	}
	if s.inCall[in] == nil {
		s.inCall[in] = map[string]time.Time{}
	}
	return s.inCall[in]
}

// emitted turns an event's delivery into the action's result: an app
// without a webhook URL is not an error (the stream had its chance).
func (s *Server) emitted(_ int, err error) error {
	if errors.Is(err, errNoWebhookURL) {
		return nil
	}
	return err
}

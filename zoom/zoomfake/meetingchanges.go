package zoomfake

import (
	"context"
	"net/http"
	"strconv"
)

// updateMeeting serves PATCH /v2/meetings/{meetingId}: 204 and no body.
func (s *Server) updateMeeting(w http.ResponseWriter, r *http.Request) {
	var in meetingInput
	if !decodeBody(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.meetingFromPath(w, r)
	if !ok {
		return
	}
	if m.Status == StatusStarted {
		writeError(w, http.StatusBadRequest, 3000, "Cannot access meeting information.")
		return
	}
	if errs := in.validate(); len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	if bad := s.badAlternativeHost(&in, m.HostID); bad != "" {
		writeBadAlternativeHost(w, bad)
		return
	}
	if in.Password != nil && *in.Password != "" && validatePasscode(*in.Password, s.settings[m.HostID].rules) != nil {
		writeInvalidPasscode(w)
		return
	}
	if !s.admitDailyLocked(w, m.HostID) {
		return
	}
	m.update(&in)
	w.WriteHeader(http.StatusNoContent)
}

// update applies a PATCH body that updateMeeting has checked. Instant
// meetings (type 1) and recurring ones without a fixed time (type 3)
// ignore a new start time, as Zoom does.
func (m *Meeting) update(in *meetingInput) {
	if in.Topic != nil {
		m.Topic = *in.Topic
	}
	if in.Type != nil {
		m.Type = *in.Type
	}
	if in.StartTime != nil && *in.StartTime != "" && m.Type != 1 && m.Type != 3 {
		tz := m.Timezone
		if in.Timezone != nil && *in.Timezone != "" {
			tz = *in.Timezone
		}
		t, _ := parseStartTime(*in.StartTime, tz) // validated by updateMeeting
		m.StartTime = t.Format(zoomTime)
	}
	if in.Duration != nil {
		m.Duration = *in.Duration
	}
	if in.Timezone != nil && *in.Timezone != "" {
		m.Timezone = *in.Timezone
	}
	if in.Agenda != nil {
		m.Agenda = *in.Agenda
	}
	if in.Password != nil && *in.Password != "" && *in.Password != m.Password {
		m.Password = *in.Password
		m.H323Password = numericPasscode(m.Password)
		m.EncryptedPassword = encryptPasscode()
		m.JoinURL = joinURL(m)
	}
	if in.Settings != nil {
		in.Settings.apply(&m.Settings)
	}
}

// deleteMeeting serves DELETE /v2/meetings/{meetingId}: 204 and no body.
func (s *Server) deleteMeeting(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.meetingFromPath(w, r)
	if !ok {
		return
	}
	switch {
	case m.Status == StatusStarted:
		writeError(w, http.StatusBadRequest, 3002, "Sorry, you cannot delete this meeting since it is in progress.")
		return
	case m.Status == StatusFinished && m.Type == 1:
		// An instant meeting is over once it ends; a scheduled one can be
		// started again, so it can still be deleted.
		writeError(w, http.StatusBadRequest, 3007, "Sorry, you cannot delete this meeting since it has ended.")
		return
	}
	delete(s.meetings, m.ID)
	s.trash[m.ID] = m
	w.WriteHeader(http.StatusNoContent)
}

// meetingStatus serves PUT /v2/meetings/{meetingId}/status: "end" ends a
// meeting in progress, "recover" brings back a deleted one.
func (s *Server) meetingStatus(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Action string `json:"action"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	if in.Action != "end" && in.Action != "recover" {
		writeValidation(w, []fieldError{{Field: "action", Message: "Invalid field."}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.Action == "recover" {
		if id, err := strconv.ParseInt(r.PathValue("meetingId"), 10, 64); err == nil {
			if m, ok := s.trash[id]; ok {
				if p := principalOf(r); p.userID == "" || p.userID == m.HostID {
					delete(s.trash, id)
					s.meetings[id] = m
				}
			}
		}
	}
	m, ok := s.meetingFromPath(w, r)
	if !ok {
		return
	}
	if in.Action == "end" && m.Status == StatusStarted {
		s.setStatusLocked(m, StatusFinished)
		// Ended by the API or by its host alike, the meeting's end is an
		// event, sent once the answer is on its way.
		id := m.ID
		s.goBackground(func(ctx context.Context) { s.emitted(s.SendMeetingEvent(ctx, id, "meeting.ended")) })
	}
	w.WriteHeader(http.StatusNoContent)
}

// SetMeetingStatus moves a meeting to "waiting", "started" (someone is in it)
// or "finished" (it ended), as if people had joined or left.
//
// "started" begins a new instance of the meeting under the UUID the
// meeting shows, which no instance had before. Leaving "started" ends the
// instance (its end time is the fake's now; "waiting" means everyone left,
// which ends it too) and gives the meeting a fresh UUID for its next
// instance, as Zoom does; "finished" straight from "waiting" is an instance
// that started and ended at once. Each ended instance is a past meeting.
// Unknown IDs are ignored; an unknown status is a bug in the caller and
// panics.
func (s *Server) SetMeetingStatus(id int64, status string) {
	switch status {
	case StatusWaiting, StatusStarted, StatusFinished:
	default:
		panic("zoomfake: unknown meeting status " + status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.meetings[id]; ok {
		s.setStatusLocked(m, status)
	}
}

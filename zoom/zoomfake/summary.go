package zoomfake

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Summary is an AI Companion meeting summary.
type Summary struct {
	Title, Overview string
	Details         []SummaryDetail
	NextSteps       []string
}

// SummaryDetail is one labelled part of a summary.
type SummaryDetail struct {
	Label   string `json:"label"`
	Summary string `json:"summary"`
}

// summaryJSON is a summary as GET …/meeting_summary serves it and as
// meeting.summary_completed carries it in payload.object.
type summaryJSON struct {
	MeetingHostID      string          `json:"meeting_host_id"`
	MeetingHostEmail   string          `json:"meeting_host_email"`
	MeetingUUID        string          `json:"meeting_uuid"`
	MeetingID          int64           `json:"meeting_id"`
	MeetingTopic       string          `json:"meeting_topic"`
	MeetingStartTime   string          `json:"meeting_start_time"`
	MeetingEndTime     string          `json:"meeting_end_time"`
	SummaryCreatedTime string          `json:"summary_created_time"`
	SummaryTitle       string          `json:"summary_title"`
	SummaryOverview    string          `json:"summary_overview"`
	SummaryDetails     []SummaryDetail `json:"summary_details"`
	NextSteps          []string        `json:"next_steps"`
}

// MakeSummaryReady gives the meeting's latest ended instance an AI
// Companion summary, as Zoom does some minutes after a call whose host has
// meeting summaries on, and emits meeting.summary_completed.
func (s *Server) MakeSummaryReady(ctx context.Context, meetingID int64, sum Summary) error {
	s.mu.Lock()
	in := s.latestEndedLocked(meetingID)
	if in == nil {
		s.mu.Unlock()
		return fmt.Errorf("zoomfake: meeting %d has not ended: no summary yet", meetingID)
	}
	obj := summaryJSON{MeetingHostID: in.hostID, MeetingHostEmail: in.hostEmail, MeetingUUID: in.uuid, MeetingID: in.meetingID,
		MeetingTopic: in.topic, MeetingStartTime: in.start.Format(zoomTime), MeetingEndTime: in.end.Format(zoomTime),
		SummaryCreatedTime: s.cfg.Now().UTC().Format(zoomTime), SummaryTitle: sum.Title, SummaryOverview: sum.Overview,
		SummaryDetails: append([]SummaryDetail{}, sum.Details...), NextSteps: append([]string{}, sum.NextSteps...)}
	if s.summaries == nil {
		s.summaries = map[string]summaryJSON{}
	}
	s.summaries[in.uuid] = obj
	s.mu.Unlock()
	_, _, err := s.postWebhook(ctx, "meeting.summary_completed", struct {
		AccountID string      `json:"account_id"`
		Object    summaryJSON `json:"object"`
	}{s.cfg.AccountID, obj}, "", time.Time{}, true)
	return s.emitted(0, err)
}

// getSummary serves GET /v2/meetings/{meetingUUID}/meeting_summary. A
// UUID that starts with "/" or holds "//" arrives encoded twice. A meeting
// without a summary (AI Companion off, or not done yet) is 404; Zoom's
// code for it is not in the reference, so the fake answers 3001, its
// "meeting not found" family.
func (s *Server) getSummary(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("meetingId")
	for range 2 {
		if u, err := url.PathUnescape(id); err == nil {
			id = u
		}
	}
	s.mu.Lock()
	sum, ok := s.summaries[id]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, 3001, "Meeting summary does not exist.")
		return
	}
	writeJSON(w, http.StatusOK, sum)
}

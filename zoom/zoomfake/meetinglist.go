package zoomfake

import (
	"net/http"
	"slices"
	"time"
	"unicode/utf8"
)

// listAgendaMax is where Zoom truncates agendas in meeting lists.
const listAgendaMax = 250

// meetingSummaryJSON is an entry of GET /users/{userId}/meetings.
type meetingSummaryJSON struct {
	UUID      string `json:"uuid"`
	ID        int64  `json:"id"`
	HostID    string `json:"host_id"`
	Topic     string `json:"topic"`
	Type      int    `json:"type"`
	StartTime string `json:"start_time,omitempty"`
	Duration  int    `json:"duration"`
	Timezone  string `json:"timezone"`
	Agenda    string `json:"agenda,omitempty"`
	CreatedAt string `json:"created_at"`
	JoinURL   string `json:"join_url"`
}

// listMeetings serves GET /v2/users/{userId}/meetings.
func (s *Server) listMeetings(w http.ResponseWriter, r *http.Request) {
	host, ok := s.userFromPath(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	listType := q.Get("type")
	if listType == "" {
		listType = "scheduled"
	}
	if !slices.Contains([]string{"scheduled", "live", "upcoming", "upcoming_meetings", "previous_meetings"}, listType) {
		writeValidation(w, []fieldError{{Field: "type", Message: "Invalid field."}})
		return
	}
	size, ok := pageSizeParam(w, q)
	if !ok {
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	offset, ok := s.pageOffsetLocked(w, q.Get("next_page_token"), host.ID, listType)
	if !ok {
		return
	}

	var all []*Meeting
	for _, id := range s.order {
		if m, ok := s.meetings[id]; ok && m.HostID == host.ID && listed(m, listType, now) {
			all = append(all, m)
		}
	}
	page := all[min(offset, len(all)):min(offset+size, len(all))]
	items := make([]meetingSummaryJSON, 0, len(page))
	for _, m := range page {
		items = append(items, meetingSummaryJSON{
			UUID: m.UUID, ID: m.ID, HostID: m.HostID, Topic: m.Topic, Type: m.Type,
			StartTime: m.StartTime, Duration: m.Duration, Timezone: m.Timezone,
			Agenda: truncateRunes(m.Agenda, listAgendaMax), CreatedAt: m.CreatedAt, JoinURL: m.JoinURL,
		})
	}
	next := ""
	if offset+size < len(all) {
		next = s.newPageTokenLocked(host.ID, listType, offset+size)
	}
	writeJSON(w, http.StatusOK, struct {
		PageSize      int                  `json:"page_size"`
		TotalRecords  int                  `json:"total_records"`
		NextPageToken string               `json:"next_page_token"`
		Meetings      []meetingSummaryJSON `json:"meetings"`
	}{size, len(all), next, items})
}

// listed reports whether m belongs in a list of listType. Zoom never lists
// instant meetings.
func listed(m *Meeting, listType string, now time.Time) bool {
	if m.Type == 1 {
		return false
	}
	start, _ := time.Parse(zoomTime, m.StartTime)
	end := start.Add(time.Duration(m.Duration) * time.Minute)
	switch listType {
	case "live":
		return m.Status == StatusStarted
	case "upcoming", "upcoming_meetings":
		return m.Status == StatusStarted || m.StartTime == "" || !start.Before(now)
	case "previous_meetings":
		return m.Status == StatusFinished || (m.StartTime != "" && end.Before(now))
	}
	return true // scheduled
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

package zoomfake

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Meeting statuses. Zoom's API only ever says "waiting" or "started"; the
// fake also remembers that a meeting ended.
const (
	StatusWaiting  = "waiting"
	StatusStarted  = "started"
	StatusFinished = "finished"
)

const (
	// firstMeetingID makes every ID 11 digits and above 2^32, like Zoom's,
	// so a client that squeezes IDs into 32 bits or floats fails here first.
	firstMeetingID = 81234567890
	// maxIDStep spaces IDs out randomly, as Zoom's are; IDs stay 11 digits
	// for hundreds of thousands of meetings.
	maxIDStep = 50_000

	defaultDailyLimit = 100
	listAgendaMax     = 250 // Zoom truncates agendas in meeting lists
	defaultPageSize   = 30
	maxPageSize       = 300
	pageTokenLifetime = 15 * time.Minute

	// joinHost is the fake's meeting domain: links must never point at the
	// real Zoom.
	joinHost = "https://fake.zoom.us"
)

// zoomTime is how Zoom writes times: UTC, seconds, "Z".
const zoomTime = "2006-01-02T15:04:05Z"

var passwordRE = regexp.MustCompile(`^[a-zA-Z0-9@\-_*]{1,10}$`)

// Invitee is an entry of settings.meeting_invitees.
type Invitee struct {
	Email string `json:"email"`
}

// Settings are a meeting's settings as Zoom echoes them.
type Settings struct {
	HostVideo                         bool   `json:"host_video"`
	ParticipantVideo                  bool   `json:"participant_video"`
	JoinBeforeHost                    bool   `json:"join_before_host"`
	JBHTime                           int    `json:"jbh_time"`
	MuteUponEntry                     bool   `json:"mute_upon_entry"`
	WaitingRoom                       bool   `json:"waiting_room"`
	Watermark                         bool   `json:"watermark"`
	UsePMI                            bool   `json:"use_pmi"`
	ApprovalType                      int    `json:"approval_type"`
	Audio                             string `json:"audio"`
	AutoRecording                     string `json:"auto_recording"`
	AlternativeHosts                  string `json:"alternative_hosts"`
	AlternativeHostsEmailNotification bool   `json:"alternative_hosts_email_notification"`
	MeetingAuthentication             bool   `json:"meeting_authentication"`
	EmailNotification                 bool   `json:"email_notification"`
	PrivateMeeting                    bool   `json:"private_meeting"`
	EncryptionType                    string `json:"encryption_type"`
	// MeetingInvitees are echoed as sent, as Zoom's current API does
	// (settings.meeting_invitees of GET /meetings/{meetingId}).
	MeetingInvitees []Invitee `json:"meeting_invitees,omitempty"`
}

// defaultSettings are what Zoom fills in for settings a request leaves out.
func defaultSettings() Settings {
	return Settings{
		ApprovalType:                      2,
		Audio:                             "both",
		AutoRecording:                     "none",
		AlternativeHostsEmailNotification: true,
		EmailNotification:                 true,
		EncryptionType:                    "enhanced_encryption",
	}
}

// Meeting is a meeting as the fake stores it.
type Meeting struct {
	ID                int64
	UUID              string // the running instance's, or else the next one's
	HostID, HostEmail string
	Topic, Agenda     string
	Type              int
	Status            string // StatusWaiting, StatusStarted or StatusFinished
	StartTime         string // as Zoom writes it; "" for type 3
	Duration          int
	Timezone          string
	CreatedAt         string
	JoinURL, StartURL string
	Password          string
	H323Password      string
	EncryptedPassword string
	Settings          Settings
}

func (m *Meeting) clone() Meeting {
	c := *m
	c.Settings.MeetingInvitees = slices.Clone(m.Settings.MeetingInvitees)
	return c
}

// meetingJSON is the body of GET /meetings/{id} and of a 201 create.
type meetingJSON struct {
	UUID              string   `json:"uuid"`
	ID                int64    `json:"id"`
	HostID            string   `json:"host_id"`
	HostEmail         string   `json:"host_email"`
	Topic             string   `json:"topic"`
	Type              int      `json:"type"`
	Status            string   `json:"status"`
	StartTime         string   `json:"start_time,omitempty"`
	Duration          int      `json:"duration"`
	Timezone          string   `json:"timezone"`
	Agenda            string   `json:"agenda,omitempty"`
	CreatedAt         string   `json:"created_at"`
	StartURL          string   `json:"start_url"`
	JoinURL           string   `json:"join_url"`
	Password          string   `json:"password,omitempty"` // all four absent without a passcode
	H323Password      string   `json:"h323_password,omitempty"`
	PSTNPassword      string   `json:"pstn_password,omitempty"`
	EncryptedPassword string   `json:"encrypted_password,omitempty"`
	Settings          Settings `json:"settings"`
	PreSchedule       bool     `json:"pre_schedule"`
}

func (m *Meeting) toJSON() meetingJSON {
	status := m.Status
	if status == StatusFinished {
		// Zoom has no "finished": a meeting nobody is in is waiting.
		status = StatusWaiting
	}
	return meetingJSON{
		UUID: m.UUID, ID: m.ID, HostID: m.HostID, HostEmail: m.HostEmail,
		Topic: m.Topic, Type: m.Type, Status: status, StartTime: m.StartTime,
		Duration: m.Duration, Timezone: m.Timezone, Agenda: m.Agenda,
		CreatedAt: m.CreatedAt, StartURL: m.StartURL, JoinURL: m.JoinURL,
		Password: m.Password, H323Password: m.H323Password, PSTNPassword: m.H323Password,
		EncryptedPassword: m.EncryptedPassword, Settings: m.Settings,
	}
}

// meetingInput is a create or update body. Pointers tell "absent" from
// "zero", which an update needs.
type meetingInput struct {
	Topic     *string        `json:"topic"`
	Type      *int           `json:"type"`
	StartTime *string        `json:"start_time"`
	Duration  *int           `json:"duration"`
	Timezone  *string        `json:"timezone"`
	Agenda    *string        `json:"agenda"`
	Password  *string        `json:"password"`
	Settings  *settingsInput `json:"settings"`
}

type settingsInput struct {
	HostVideo             *bool      `json:"host_video"`
	ParticipantVideo      *bool      `json:"participant_video"`
	JoinBeforeHost        *bool      `json:"join_before_host"`
	JBHTime               *int       `json:"jbh_time"`
	MuteUponEntry         *bool      `json:"mute_upon_entry"`
	WaitingRoom           *bool      `json:"waiting_room"`
	Watermark             *bool      `json:"watermark"`
	UsePMI                *bool      `json:"use_pmi"`
	ApprovalType          *int       `json:"approval_type"`
	Audio                 *string    `json:"audio"`
	AutoRecording         *string    `json:"auto_recording"`
	AlternativeHosts      *string    `json:"alternative_hosts"`
	MeetingAuthentication *bool      `json:"meeting_authentication"`
	PrivateMeeting        *bool      `json:"private_meeting"`
	MeetingInvitees       *[]Invitee `json:"meeting_invitees"`
}

// validate checks what Zoom checks and names the offending fields the way
// Zoom does ("settings.jbh_time").
func (in *meetingInput) validate() []fieldError {
	var errs []fieldError
	bad := func(field string) { errs = append(errs, fieldError{Field: field, Message: "Invalid field."}) }
	if in.Topic != nil && utf8.RuneCountInString(*in.Topic) > 200 {
		bad("topic")
	}
	if in.Type != nil && !slices.Contains([]int{1, 2, 3, 8}, *in.Type) {
		bad("type")
	}
	if in.StartTime != nil && *in.StartTime != "" {
		if _, err := parseStartTime(*in.StartTime, ""); err != nil {
			bad("start_time")
		}
	}
	if in.Duration != nil && *in.Duration < 0 {
		bad("duration")
	}
	if in.Agenda != nil && utf8.RuneCountInString(*in.Agenda) > 2000 {
		bad("agenda")
	}
	if in.Password != nil && *in.Password != "" && !passwordRE.MatchString(*in.Password) {
		bad("password")
	}
	if st := in.Settings; st != nil {
		if st.JBHTime != nil && !slices.Contains([]int{0, 5, 10}, *st.JBHTime) {
			bad("settings.jbh_time")
		}
		if st.ApprovalType != nil && !slices.Contains([]int{0, 1, 2}, *st.ApprovalType) {
			bad("settings.approval_type")
		}
		if st.Audio != nil && !slices.Contains([]string{"both", "telephony", "voip"}, *st.Audio) {
			bad("settings.audio")
		}
		if st.AutoRecording != nil && !slices.Contains([]string{"local", "cloud", "none"}, *st.AutoRecording) {
			bad("settings.auto_recording")
		}
		if st.MeetingInvitees != nil {
			for i, inv := range *st.MeetingInvitees {
				if !strings.Contains(inv.Email, "@") {
					bad(fmt.Sprintf("settings.meeting_invitees[%d].email", i))
				}
			}
		}
	}
	return errs
}

// apply copies the settings a request names onto s.
func (in *settingsInput) apply(s *Settings) {
	set := func(dst *bool, src *bool) {
		if src != nil {
			*dst = *src
		}
	}
	set(&s.HostVideo, in.HostVideo)
	set(&s.ParticipantVideo, in.ParticipantVideo)
	set(&s.JoinBeforeHost, in.JoinBeforeHost)
	set(&s.MuteUponEntry, in.MuteUponEntry)
	set(&s.WaitingRoom, in.WaitingRoom)
	set(&s.Watermark, in.Watermark)
	set(&s.UsePMI, in.UsePMI)
	set(&s.MeetingAuthentication, in.MeetingAuthentication)
	set(&s.PrivateMeeting, in.PrivateMeeting)
	if in.JBHTime != nil {
		s.JBHTime = *in.JBHTime
	}
	if in.ApprovalType != nil {
		s.ApprovalType = *in.ApprovalType
	}
	if in.Audio != nil {
		s.Audio = *in.Audio
	}
	if in.AutoRecording != nil {
		s.AutoRecording = *in.AutoRecording
	}
	if in.AlternativeHosts != nil {
		s.AlternativeHosts = *in.AlternativeHosts
	}
	if in.MeetingInvitees != nil {
		s.MeetingInvitees = slices.Clone(*in.MeetingInvitees)
	}
	// Zoom: enabling the waiting room turns join-before-host off.
	if s.WaitingRoom {
		s.JoinBeforeHost = false
	}
}

// parseStartTime accepts Zoom's two forms: UTC ("…Z", or any RFC 3339
// offset) and local time without a zone, which Zoom reads in the meeting's
// timezone. Without one, or where this machine has no timezone database
// (the fake does not bring its own), that is UTC. Zoom answers start_time
// in UTC either way.
func parseStartTime(v, timezone string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	loc := time.UTC
	if timezone != "" {
		if l, err := time.LoadLocation(timezone); err == nil {
			loc = l
		}
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05", v, loc)
	return t.UTC(), err
}

// createMeeting serves POST /v2/users/{userId}/meetings.
func (s *Server) createMeeting(w http.ResponseWriter, r *http.Request) {
	host, ok := s.userFromPath(w, r)
	if !ok {
		return
	}
	switch st := s.standingOf(host.ID); {
	case st.Inactive:
		writeError(w, http.StatusNotFound, 1001, "User does not exist: "+r.PathValue("userId")+".")
		return
	case st.CannotHost:
		writeError(w, http.StatusBadRequest, 3161, "Meeting hosting and scheduling capabilities are not allowed for your user account.")
		return
	}
	var in meetingInput
	if !decodeBody(w, r, &in) {
		return
	}
	if errs := in.validate(); len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	s.mu.Lock()
	hs := *s.settings[host.ID]
	s.mu.Unlock()
	if in.Password != nil && *in.Password != "" && validatePasscode(*in.Password, hs.rules) != nil {
		writeInvalidPasscode(w)
		return
	}
	if !s.admitDaily(w, host.ID) {
		return
	}

	now := s.cfg.Now().UTC()
	m := &Meeting{
		UUID:      base64.StdEncoding.EncodeToString(randomBytes(16)),
		HostID:    host.ID,
		HostEmail: host.Email,
		Topic:     deref(in.Topic, ""),
		Type:      deref(in.Type, 2),
		Status:    StatusWaiting,
		Duration:  deref(in.Duration, 60),
		Timezone:  deref(in.Timezone, ""),
		Agenda:    deref(in.Agenda, ""),
		CreatedAt: now.Format(zoomTime),
		Password:  deref(in.Password, ""),
		Settings:  defaultSettings(),
	}
	if m.Topic == "" {
		m.Topic = "Zoom Meeting"
		if name := strings.TrimSpace(host.FirstName + " " + host.LastName); name != "" {
			m.Topic = name + "'s Zoom Meeting"
		}
	}
	if m.Timezone == "" {
		m.Timezone = hostTimezone
	}
	if m.Password == "" && hs.requirePasscode {
		// Zoom makes one up that meets the host's rules.
		m.Password = generatePasscode(hs.rules)
	}
	if m.Password != "" {
		m.H323Password = numericPasscode(m.Password)
		m.EncryptedPassword = encryptPasscode()
	}
	switch m.Type {
	case 1: // instant: starts now, whatever was asked
		m.StartTime = now.Format(zoomTime)
	case 2, 8:
		t := now
		if in.StartTime != nil && *in.StartTime != "" {
			t, _ = parseStartTime(*in.StartTime, m.Timezone) // validated above
		}
		m.StartTime = t.Format(zoomTime)
	}
	if in.Settings != nil {
		in.Settings.apply(&m.Settings)
	}

	s.mu.Lock()
	s.lastID += 1 + rand.Int64N(maxIDStep)
	m.ID = s.lastID
	m.JoinURL = joinURL(m)
	m.StartURL = fmt.Sprintf("%s/s/%d?zak=%s", joinHost, m.ID, randomHex(24))
	s.meetings[m.ID] = m
	s.order = append(s.order, m.ID)
	body := m.toJSON()
	s.mu.Unlock()

	writeJSON(w, http.StatusCreated, body)
}

// meetingFromPath finds the meeting named in the path, answering 404 itself
// when there is none. The caller must hold s.mu.
func (s *Server) meetingFromPath(w http.ResponseWriter, r *http.Request) (*Meeting, bool) {
	raw := r.PathValue("meetingId")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, 3001, "Meeting does not exist: "+raw+".")
		return nil, false
	}
	m, ok := s.meetings[id]
	if !ok {
		writeError(w, http.StatusNotFound, 3001, fmt.Sprintf("Meeting does not exist: %d.", id))
		return nil, false
	}
	if !s.permitted(w, r, m.HostID) {
		return nil, false
	}
	return m, true
}

// getMeeting serves GET /v2/meetings/{meetingId}.
func (s *Server) getMeeting(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	m, ok := s.meetingFromPath(w, r)
	var body meetingJSON
	if ok {
		body = m.toJSON()
	}
	s.mu.Unlock()
	if ok {
		writeJSON(w, http.StatusOK, body)
	}
}

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
	if in.Password != nil && *in.Password != "" && validatePasscode(*in.Password, s.settings[m.HostID].rules) != nil {
		writeInvalidPasscode(w)
		return
	}
	if !s.admitDailyLocked(w, m.HostID) {
		return
	}
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
		t, _ := parseStartTime(*in.StartTime, tz) // validated above
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
	w.WriteHeader(http.StatusNoContent)
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
	}
	w.WriteHeader(http.StatusNoContent)
}

// admitDaily applies the per-host daily cap on meeting creates and updates.
func (s *Server) admitDaily(w http.ResponseWriter, hostID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.admitDailyLocked(w, hostID)
}

// admitDailyLocked is admitDaily for a caller holding s.mu. The answer is
// Zoom's, headers included; Retry-After is the next 00:00 UTC.
func (s *Server) admitDailyLocked(w http.ResponseWriter, hostID string) bool {
	now := s.cfg.Now().UTC()
	key := hostID + "|" + now.Format(time.DateOnly)
	if s.daily[key] >= s.dailyLimit {
		midnight := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
		h := w.Header()
		h.Set("X-RateLimit-Type", "Daily-limit")
		h.Set("X-RateLimit-Limit", strconv.Itoa(s.dailyLimit))
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("Retry-After", midnight.Format(zoomTime))
		writeError(w, http.StatusTooManyRequests, 429, fmt.Sprintf(
			"You have exceeded the daily rate limit (%d) of Meeting Create/Update API requests permitted for this particular user. You may resume these requests at GMT 00:00:00.",
			s.dailyLimit))
		return false
	}
	s.daily[key]++
	return true
}

// pageCursor is what a next_page_token stands for: the next page of list
// (a meeting list type, or a past instance's participants) for hostID.
type pageCursor struct {
	hostID, list string
	offset       int
	expires      time.Time
}

// pageSizeParam reads page_size (default 30, at most 300), answering a
// validation error itself.
func pageSizeParam(w http.ResponseWriter, q url.Values) (int, bool) {
	v := q.Get("page_size")
	if v == "" {
		return defaultPageSize, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		writeValidation(w, []fieldError{{Field: "page_size", Message: "Invalid field."}})
		return 0, false
	}
	return min(n, maxPageSize), true
}

// pageOffsetLocked is where the page next_page_token tok asks for starts
// (0 for no token), answering Zoom's error itself for a token that is
// unknown, expired, or for another list. The caller holds s.mu.
func (s *Server) pageOffsetLocked(w http.ResponseWriter, tok, hostID, list string) (int, bool) {
	if tok == "" {
		return 0, true
	}
	c, ok := s.pages[tok]
	if !ok || !s.cfg.Now().Before(c.expires) || c.hostID != hostID || c.list != list {
		writeError(w, http.StatusBadRequest, 300, "The next page token is invalid or expired.")
		return 0, false
	}
	return c.offset, true
}

// newPageTokenLocked issues a next_page_token for list from offset on,
// valid 15 minutes, and forgets expired ones as Zoom does. The caller
// holds s.mu.
func (s *Server) newPageTokenLocked(hostID, list string, offset int) string {
	now := s.cfg.Now()
	for tok, c := range s.pages {
		if !now.Before(c.expires) {
			delete(s.pages, tok)
		}
	}
	tok := randomToken(24)
	s.pages[tok] = pageCursor{hostID: hostID, list: list, offset: offset, expires: now.Add(pageTokenLifetime)}
	return tok
}

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

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// joinURL is the link to join m: with the encrypted passcode, if it has
// one, so that the link alone gets people in.
func joinURL(m *Meeting) string {
	u := fmt.Sprintf("%s/j/%d", joinHost, m.ID)
	if m.EncryptedPassword != "" {
		u += "?pwd=" + m.EncryptedPassword
	}
	return u
}

// encryptPasscode stands for Zoom's encrypted passcode: opaque, URL-safe.
func encryptPasscode() string { return base64.RawURLEncoding.EncodeToString(randomBytes(24)) }

// numericPasscode derives the digits-only passcode phones dial (h323/pstn).
func numericPasscode(pw string) string {
	var b strings.Builder
	for _, c := range pw {
		b.WriteByte('0' + byte(c%10))
	}
	return b.String()
}

func randomToken(n int) string { return base64.RawURLEncoding.EncodeToString(randomBytes(n)) }

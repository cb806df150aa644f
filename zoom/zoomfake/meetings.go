package zoomfake

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
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

	// joinHost is the fake's meeting domain: links must never point at the
	// real Zoom.
	joinHost = "https://fake.zoom.us"
)

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

// Meetings returns the meetings that exist (not deleted), oldest first.
func (s *Server) Meetings() []Meeting {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ms []Meeting
	for _, id := range s.order {
		if m, ok := s.meetings[id]; ok {
			ms = append(ms, m.clone())
		}
	}
	return ms
}

// Meeting returns the meeting with id unless it does not exist or was
// deleted.
func (s *Server) Meeting(id int64) (Meeting, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.meetings[id]
	if !ok {
		return Meeting{}, false
	}
	return m.clone(), true
}

// createMeeting serves POST /v2/users/{userId}/meetings.
func (s *Server) createMeeting(w http.ResponseWriter, r *http.Request) {
	req, ok := s.admitCreate(w, r)
	if !ok {
		return
	}
	m := req.meeting(s.cfg.Now().UTC())
	writeJSON(w, http.StatusCreated, s.addMeeting(m))
}

// createRequest is a create request that passed admitCreate.
type createRequest struct {
	host User
	hs   userSettings // the host's, as they were when checked
	in   meetingInput
}

// admitCreate makes the checks Zoom makes before creating a meeting, in
// its order, answering the error itself.
func (s *Server) admitCreate(w http.ResponseWriter, r *http.Request) (*createRequest, bool) {
	host, ok := s.userFromPath(w, r)
	if !ok {
		return nil, false
	}
	switch st := s.standingOf(host.ID); {
	case st.Inactive:
		writeError(w, http.StatusNotFound, 1001, "User does not exist: "+r.PathValue("userId")+".")
		return nil, false
	case st.CannotHost:
		writeError(w, http.StatusBadRequest, 3161, "Meeting hosting and scheduling capabilities are not allowed for your user account.")
		return nil, false
	}
	var in meetingInput
	if !decodeBody(w, r, &in) {
		return nil, false
	}
	if errs := in.validate(); len(errs) > 0 {
		writeValidation(w, errs)
		return nil, false
	}
	s.mu.Lock()
	hs := *s.settings[host.ID]
	bad := s.badAlternativeHost(&in, host.ID)
	s.mu.Unlock()
	if bad != "" {
		writeBadAlternativeHost(w, bad)
		return nil, false
	}
	if in.Password != nil && *in.Password != "" && validatePasscode(*in.Password, hs.rules) != nil {
		writeInvalidPasscode(w)
		return nil, false
	}
	if !s.admitDaily(w, host.ID) {
		return nil, false
	}
	return &createRequest{host, hs, in}, true
}

// meeting is the meeting req asks for, with what Zoom fills in; it has no
// ID or links yet (see addMeeting).
func (req *createRequest) meeting(now time.Time) *Meeting {
	host, hs, in := req.host, req.hs, &req.in
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
		m.Topic = defaultTopic(host)
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
			t, _ = parseStartTime(*in.StartTime, m.Timezone) // validated by admitCreate
		}
		m.StartTime = t.Format(zoomTime)
	}
	if in.Settings != nil {
		in.Settings.apply(&m.Settings)
	}
	return m
}

// defaultTopic is Zoom's topic for a meeting created without one.
func defaultTopic(host User) string {
	if name := strings.TrimSpace(host.FirstName + " " + host.LastName); name != "" {
		return name + "'s Zoom Meeting"
	}
	return "Zoom Meeting"
}

// addMeeting gives m its ID and links and stores it, returning the body
// of the 201.
func (s *Server) addMeeting(m *Meeting) meetingJSON {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastID += 1 + rand.Int64N(maxIDStep)
	m.ID = s.lastID
	m.JoinURL = joinURL(m)
	m.StartURL = fmt.Sprintf("%s/s/%d?zak=%s", joinHost, m.ID, randomHex(24))
	s.meetings[m.ID] = m
	s.order = append(s.order, m.ID)
	return m.toJSON()
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

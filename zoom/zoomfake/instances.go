package zoomfake

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A meeting runs as instances. Each start makes one, under the UUID the
// meeting shows at that moment; when it ends, the meeting gets a new UUID
// for its next instance, as at Zoom ("after a meeting ends, a new UUID is
// generated for the next meeting instance"). Past meeting reports and cloud
// recordings belong to instances, and outlive the meeting's deletion.

const (
	// pastNotFound is what Zoom answers (404, code 3001) for a past meeting
	// it cannot report on: an instance still running, a UUID it does not
	// know, a meeting that never ended.
	pastNotFound = "Meeting ID is invalid or not end."
	// recordingNotFound is Zoom's 404 code 3301 answer for a recording
	// that does not exist or is still being processed.
	recordingNotFound = "This recording does not exist."
	// firstJoinID numbers participants' stays (their "user_id"), which
	// Zoom numbers from about here.
	firstJoinID = 16778240
)

// instance is one run of a meeting, from a start to an end. The meeting's
// host, topic and settings are copied when it starts: a meeting in
// progress cannot be updated.
type instance struct {
	meetingID                   int64
	uuid                        string
	hostID, hostEmail, hostName string
	topic                       string
	mtype                       int
	timezone                    string
	scheduled                   int       // the meeting's duration, minutes
	start, end                  time.Time // end is zero while it runs
	participants                []*participant
	rec                         *recording // nil: not recorded
}

func (in *instance) ended() bool { return !in.end.IsZero() }

// participant is one stay of someone in an instance.
type participant struct {
	id, joinID, name, email string
	internal                bool      // a user of the account
	joined, left            time.Time // left is zero while they are in it
}

// newUUID makes a meeting instance UUID the way Zoom writes them: 16
// random bytes in standard base64, so some start with "/" or contain "//".
func newUUID() string { return base64.StdEncoding.EncodeToString(randomBytes(16)) }

// setStatusLocked moves m to status. Starting makes a new instance;
// leaving "started" (for "finished", or "waiting": everyone left) ends it;
// "finished" straight from "waiting" is a run that started and ended at
// once. The caller holds s.mu.
func (s *Server) setStatusLocked(m *Meeting, status string) {
	now := s.cfg.Now().UTC()
	switch {
	case status == StatusStarted && m.Status != StatusStarted:
		s.startInstanceLocked(m, now)
	case status != StatusStarted && m.Status == StatusStarted:
		s.endInstanceLocked(m, now)
	case status == StatusFinished && m.Status == StatusWaiting:
		s.startInstanceLocked(m, now)
		s.endInstanceLocked(m, now)
	}
	m.Status = status
}

// startInstanceLocked begins an instance of m at now, under m's UUID.
func (s *Server) startInstanceLocked(m *Meeting, now time.Time) {
	host, _ := s.userByID(m.HostID)
	in := &instance{
		meetingID: m.ID, uuid: m.UUID,
		hostID: m.HostID, hostEmail: m.HostEmail, hostName: strings.TrimSpace(host.FirstName + " " + host.LastName),
		topic: m.Topic, mtype: m.Type, timezone: m.Timezone, scheduled: m.Duration,
		start: now,
	}
	s.instances[m.ID] = append(s.instances[m.ID], in)
	s.byUUID[in.uuid] = in
}

// endInstanceLocked ends m's running instance at now: whoever is still in
// it leaves, and m gets the UUID of its next instance.
func (s *Server) endInstanceLocked(m *Meeting, now time.Time) {
	in := s.runningLocked(m.ID)
	if in == nil {
		return
	}
	in.end = now
	for _, p := range in.participants {
		if p.left.IsZero() {
			p.left = now
		}
	}
	for {
		m.UUID = newUUID()
		if s.byUUID[m.UUID] == nil {
			return
		}
	}
}

// runningLocked is meeting id's instance in progress, or nil. Only the
// newest instance can be running.
func (s *Server) runningLocked(id int64) *instance {
	if in := s.latestLocked(id); in != nil && !in.ended() {
		return in
	}
	return nil
}

// latestLocked is meeting id's newest instance, running or ended, or nil.
func (s *Server) latestLocked(id int64) *instance {
	ins := s.instances[id]
	if len(ins) == 0 {
		return nil
	}
	return ins[len(ins)-1]
}

// latestEndedLocked is meeting id's newest ended instance, or nil.
func (s *Server) latestEndedLocked(id int64) *instance {
	ins := s.instances[id]
	for i := len(ins) - 1; i >= 0; i-- {
		if ins[i].ended() {
			return ins[i]
		}
	}
	return nil
}

// SetMeetingUUID gives meeting id's running instance, or else its next
// one, the UUID uuid: for instance one that starts with "/" or contains
// "//", which clients must encode twice in a path. A UUID that another
// instance has, or "", panics; unknown IDs are ignored.
func (s *Server) SetMeetingUUID(id int64, uuid string) {
	if uuid == "" {
		panic("zoomfake: empty meeting UUID")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.meetings[id]
	if !ok {
		return
	}
	running := s.runningLocked(id)
	if other := s.byUUID[uuid]; other != nil && other != running {
		panic("zoomfake: meeting UUID " + uuid + " is taken by another instance")
	}
	if running != nil {
		delete(s.byUUID, running.uuid)
		running.uuid = uuid
		s.byUUID[uuid] = running
	}
	m.UUID = uuid
}

// AddParticipant records that someone was in meeting meetingID's current
// instance, or its latest one if none is running, from joined until left.
// A zero joined means from the instance's start; a zero left means they
// are still in it, and leave when it ends (or left at its end, if it has
// ended). Someone who joins twice is added twice, as Zoom reports them.
// The participant's ID is the user ID for a user of the account (by
// email), else one kept per email, else "" (a guest not signed in). It
// does nothing if the meeting has never started.
func (s *Server) AddParticipant(meetingID int64, name, email string, joined, left time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.latestLocked(meetingID)
	if in == nil {
		return
	}
	if joined.IsZero() {
		joined = in.start
	}
	if left.IsZero() && in.ended() {
		left = in.end
	}
	s.joins++
	p := &participant{
		joinID: strconv.FormatInt(firstJoinID+s.joins, 10),
		name:   name, email: email,
		joined: joined.UTC(), left: left.UTC(),
	}
	if u, ok := s.userByEmail(email); ok {
		p.id, p.internal = u.ID, true
	} else if email != "" {
		key := strings.ToLower(email)
		if s.guestIDs[key] == "" {
			s.guestIDs[key] = randomToken(16)
		}
		p.id = s.guestIDs[key]
	}
	in.participants = append(in.participants, p)
	// Zoom reports stays in the order people joined.
	slices.SortStableFunc(in.participants, func(a, b *participant) int { return a.joined.Compare(b.joined) })
}

// userByEmail finds a user of the account by email, in any case.
func (s *Server) userByEmail(email string) (User, bool) {
	if email == "" {
		return User{}, false
	}
	for _, u := range s.hosts {
		if strings.EqualFold(u.Email, email) {
			return u, true
		}
	}
	return User{}, false
}

// instanceRef is what the {meetingId} of a past meeting or recording path
// names: a meeting ID, or an instance UUID.
type instanceRef struct {
	id   int64
	uuid string
}

// parseInstanceRef reads {meetingId} as Zoom does. ServeMux has decoded it
// once; a UUID that still holds "%" was encoded twice, as Zoom asks for
// those that start with "/" or contain "//", and is decoded again. Such a
// UUID encoded only once names nothing: Zoom decodes the path before
// routing, so its %2F became a separator and the path another one.
func parseInstanceRef(r *http.Request) (instanceRef, bool) {
	raw := r.PathValue("meetingId")
	if raw != "" && strings.Trim(raw, digits) == "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		return instanceRef{id: id}, err == nil
	}
	if strings.Contains(raw, "%") {
		u, err := url.PathUnescape(raw)
		return instanceRef{uuid: u}, err == nil && u != ""
	}
	if raw == "" || strings.HasPrefix(raw, "/") || strings.Contains(raw, "//") {
		return instanceRef{}, false
	}
	return instanceRef{uuid: raw}, true
}

// meetingKnownLocked reports whether meeting id exists, existed or ran.
func (s *Server) meetingKnownLocked(id int64) bool {
	_, live := s.meetings[id]
	_, deleted := s.trash[id]
	return live || deleted || len(s.instances[id]) > 0
}

// pastInstanceFromPath finds the ended instance the path names (a meeting
// ID means its latest ended instance), answering Zoom's error itself when
// there is none. The caller holds s.mu.
func (s *Server) pastInstanceFromPath(w http.ResponseWriter, r *http.Request) (*instance, bool) {
	ref, ok := parseInstanceRef(r)
	var in *instance
	switch {
	case !ok:
	case ref.uuid != "":
		if i := s.byUUID[ref.uuid]; i != nil && i.ended() {
			in = i
		}
	default:
		in = s.latestEndedLocked(ref.id)
		if in == nil && !s.meetingKnownLocked(ref.id) {
			writeError(w, http.StatusNotFound, 3001, fmt.Sprintf("Meeting does not exist: %d.", ref.id))
			return nil, false
		}
	}
	if in == nil {
		writeError(w, http.StatusNotFound, 3001, pastNotFound)
		return nil, false
	}
	if !s.permitted(w, r, in.hostID) {
		return nil, false
	}
	return in, true
}

// pastMeetingJSON is the answer of GET /past_meetings/{meetingId}.
type pastMeetingJSON struct {
	UUID              string `json:"uuid"`
	ID                int64  `json:"id"`
	HostID            string `json:"host_id"`
	Type              int    `json:"type"`
	Topic             string `json:"topic"`
	UserName          string `json:"user_name"`
	UserEmail         string `json:"user_email"`
	StartTime         string `json:"start_time"`
	EndTime           string `json:"end_time"`
	Duration          int    `json:"duration"`
	TotalMinutes      int    `json:"total_minutes"`
	ParticipantsCount int    `json:"participants_count"`
	Dept              string `json:"dept"`
	Source            string `json:"source"`
}

// roundMinutes is d in whole minutes, as Zoom counts them in reports and
// recordings (its examples: 11 s is 0, 1 min 31 s is 2).
func roundMinutes(d time.Duration) int { return int(max(d, 0).Round(time.Minute) / time.Minute) }

func (p *participant) duration() time.Duration { return max(p.left.Sub(p.joined), 0) }

// pastJSONLocked describes an ended instance. Source is the app's name:
// the fake's meetings are all made through the API.
func (s *Server) pastJSONLocked(in *instance) pastMeetingJSON {
	var total time.Duration
	for _, p := range in.participants {
		total += p.duration()
	}
	return pastMeetingJSON{
		UUID: in.uuid, ID: in.meetingID, HostID: in.hostID, Type: in.mtype, Topic: in.topic,
		UserName: in.hostName, UserEmail: in.hostEmail,
		StartTime: in.start.Format(zoomTime), EndTime: in.end.Format(zoomTime),
		Duration: roundMinutes(in.end.Sub(in.start)), TotalMinutes: roundMinutes(total),
		ParticipantsCount: len(in.participants), Source: s.cfg.AppName,
	}
}

// getPastMeeting serves GET /v2/past_meetings/{meetingId}.
func (s *Server) getPastMeeting(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	in, ok := s.pastInstanceFromPath(w, r)
	var body pastMeetingJSON
	if ok {
		body = s.pastJSONLocked(in)
	}
	s.mu.Unlock()
	if ok {
		writeJSON(w, http.StatusOK, body)
	}
}

// participantJSON is an entry of GET /past_meetings/{meetingId}/participants.
type participantJSON struct {
	ID           string `json:"id"`
	UserID       string `json:"user_id"`
	Name         string `json:"name"`
	UserEmail    string `json:"user_email"`
	JoinTime     string `json:"join_time"`
	LeaveTime    string `json:"leave_time"`
	Duration     int    `json:"duration"` // seconds
	Failover     bool   `json:"failover"`
	Status       string `json:"status"`
	InternalUser bool   `json:"internal_user"`
}

// getPastParticipants serves GET /v2/past_meetings/{meetingId}/participants,
// paged like the meeting list.
func (s *Server) getPastParticipants(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size, ok := pageSizeParam(w, q)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.pastInstanceFromPath(w, r)
	if !ok {
		return
	}
	list := "participants|" + in.uuid
	offset, ok := s.pageOffsetLocked(w, q.Get("next_page_token"), in.hostID, list)
	if !ok {
		return
	}
	all := in.participants
	page := all[min(offset, len(all)):min(offset+size, len(all))]
	items := make([]participantJSON, 0, len(page))
	for _, p := range page {
		items = append(items, participantJSON{
			ID: p.id, UserID: p.joinID, Name: p.name, UserEmail: p.email,
			JoinTime: p.joined.Format(zoomTime), LeaveTime: p.left.Format(zoomTime),
			Duration: int(p.duration() / time.Second), Status: "in_meeting", InternalUser: p.internal,
		})
	}
	next := ""
	if offset+size < len(all) {
		next = s.newPageTokenLocked(in.hostID, list, offset+size)
	}
	writeJSON(w, http.StatusOK, struct {
		PageCount     int               `json:"page_count"`
		PageSize      int               `json:"page_size"`
		TotalRecords  int               `json:"total_records"`
		NextPageToken string            `json:"next_page_token"`
		Participants  []participantJSON `json:"participants"`
	}{(len(all) + size - 1) / size, size, len(all), next, items})
}

package zoomfake

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// RecordingOptions describe the cloud recording RecordMeeting makes.
type RecordingOptions struct {
	// Transcript adds an audio transcript (file type TRANSCRIPT, a VTT) to
	// the video (MP4) and audio (M4A) files every recording has.
	Transcript bool
	// Duration is how long the recording runs from the instance's start;
	// 0 means all of the instance (until MakeRecordingReady, if it is still
	// running then).
	Duration time.Duration
}

// recording is an instance's cloud recording. The links and secrets are
// made when it becomes ready; the answer is built from them and the
// instance on every request, so it follows a UUID changed by
// SetMeetingUUID.
type recording struct {
	opts          RecordingOptions
	ready         bool
	start, end    time.Time
	shareURL      string
	password      string
	playPasscode  string
	downloadToken string
	files         []recordingFile
}

type recordingFile struct {
	id, fileType, ext, recType string
	size                       int64
	link                       string // the random part of play_url and download_url
}

// recordingJSON is a recording as GET /meetings/{meetingId}/recordings
// answers it and recording.completed carries it (with host_email).
type recordingJSON struct {
	UUID                  string              `json:"uuid"`
	ID                    int64               `json:"id"`
	AccountID             string              `json:"account_id"`
	HostID                string              `json:"host_id"`
	HostEmail             string              `json:"host_email,omitempty"`
	Topic                 string              `json:"topic"`
	Type                  int                 `json:"type"`
	StartTime             string              `json:"start_time"`
	Timezone              string              `json:"timezone"`
	Duration              int                 `json:"duration"`
	TotalSize             int64               `json:"total_size"`
	RecordingCount        int                 `json:"recording_count"`
	ShareURL              string              `json:"share_url"`
	Password              string              `json:"password"`
	RecordingPlayPasscode string              `json:"recording_play_passcode"`
	RecordingFiles        []recordingFileJSON `json:"recording_files"`
}

type recordingFileJSON struct {
	ID             string `json:"id"`
	MeetingID      string `json:"meeting_id"`
	RecordingStart string `json:"recording_start"`
	RecordingEnd   string `json:"recording_end"`
	FileType       string `json:"file_type"`
	FileExtension  string `json:"file_extension"`
	FileSize       int64  `json:"file_size"`
	PlayURL        string `json:"play_url"`
	DownloadURL    string `json:"download_url"`
	Status         string `json:"status"`
	RecordingType  string `json:"recording_type"`
}

// RecordMeeting gives meeting meetingID's current instance, or its latest
// one if none is running, a cloud recording that Zoom is still processing:
// GET /meetings/{id or uuid}/recordings answers 404 code 3301 ("This
// recording does not exist.") until MakeRecordingReady. Recording an
// instance again starts over. It does nothing if the meeting has never
// started.
func (s *Server) RecordMeeting(meetingID int64, opts RecordingOptions) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in := s.latestLocked(meetingID); in != nil {
		in.rec = &recording{opts: opts}
	}
}

// MakeRecordingReady finishes processing the recording of meeting
// meetingID's latest recorded instance: from now on it is served, with an
// MP4 and an M4A file (and a TRANSCRIPT if asked for). Send
// recording.completed with SendRecordingCompleted. It does nothing if no
// instance was recorded, or the recording is ready already.
func (s *Server) MakeRecordingReady(meetingID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.recordedLocked(meetingID, false)
	if in == nil || in.rec.ready {
		return
	}
	rec := in.rec
	rec.start, rec.end = in.start, in.end
	if !in.ended() {
		rec.end = s.cfg.Now().UTC()
	}
	if d := rec.opts.Duration; d > 0 {
		rec.end = rec.start.Add(d)
	}
	if rec.end.Before(rec.start) {
		rec.end = rec.start
	}
	secs := int64(rec.end.Sub(rec.start) / time.Second)
	// Sizes in line with Zoom's: about 320 kbit/s of video, 64 of audio.
	rec.files = []recordingFile{
		{id: fileID(), fileType: "MP4", ext: "MP4", recType: "shared_screen_with_speaker_view", size: 120_000 + 40_000*secs, link: recordingLink()},
		{id: fileID(), fileType: "M4A", ext: "M4A", recType: "audio_only", size: 20_000 + 8_000*secs, link: recordingLink()},
	}
	if rec.opts.Transcript {
		rec.files = append(rec.files, recordingFile{id: fileID(), fileType: "TRANSCRIPT", ext: "VTT", recType: "audio_transcript", size: 200 + 30*secs, link: recordingLink()})
	}
	rec.shareURL = joinHost + "/rec/share/" + recordingLink()
	rec.password = generatePasscode(PasscodeRules{Length: 8, HaveLetter: true, HaveNumber: true})
	rec.playPasscode = randomToken(24)
	// Zoom's download token is a JWT; this one only looks like one.
	rec.downloadToken = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS512"}`)) + "." + randomToken(96) + "." + randomToken(64)
	rec.ready = true
}

// recordedLocked is meeting id's newest instance with a recording (a
// ready one, if ready), or nil.
func (s *Server) recordedLocked(id int64, ready bool) *instance {
	ins := s.instances[id]
	for i := len(ins) - 1; i >= 0; i-- {
		if r := ins[i].rec; r != nil && (r.ready || !ready) {
			return ins[i]
		}
	}
	return nil
}

// fileID is a recording file ID as Zoom writes them: a random UUID.
func fileID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// recordingLink is the opaque part of a recording URL.
func recordingLink() string { return randomToken(48) + "." + randomToken(12) }

// recordingJSONLocked describes in's ready recording.
func (s *Server) recordingJSONLocked(in *instance) recordingJSON {
	rec := in.rec
	body := recordingJSON{
		UUID: in.uuid, ID: in.meetingID, AccountID: s.cfg.AccountID, HostID: in.hostID,
		Topic: in.topic, Type: in.mtype, StartTime: in.start.Format(zoomTime), Timezone: in.timezone,
		Duration:       roundMinutes(rec.end.Sub(rec.start)),
		RecordingCount: len(rec.files), ShareURL: rec.shareURL, Password: rec.password,
		RecordingPlayPasscode: rec.playPasscode, RecordingFiles: []recordingFileJSON{},
	}
	for _, f := range rec.files {
		body.TotalSize += f.size
		body.RecordingFiles = append(body.RecordingFiles, recordingFileJSON{
			ID: f.id, MeetingID: in.uuid,
			RecordingStart: rec.start.Format(zoomTime), RecordingEnd: rec.end.Format(zoomTime),
			FileType: f.fileType, FileExtension: f.ext, FileSize: f.size,
			PlayURL: joinHost + "/rec/play/" + f.link, DownloadURL: joinHost + "/rec/download/" + f.link,
			Status: "completed", RecordingType: f.recType,
		})
	}
	return body
}

// getRecordings serves GET /v2/meetings/{meetingId}/recordings: the
// recording of the instance with that UUID, or of the meeting's latest
// instance. Whatever has no ready recording is 404 code 3301.
func (s *Server) getRecordings(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var in *instance
	if ref, ok := parseInstanceRef(r); ok && ref.uuid != "" {
		in = s.byUUID[ref.uuid]
	} else if ok {
		in = s.latestLocked(ref.id)
	}
	if in == nil || in.rec == nil || !in.rec.ready {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, 3301, recordingNotFound)
		return
	}
	ok := s.permitted(w, r, in.hostID)
	var body recordingJSON
	if ok {
		body = s.recordingJSONLocked(in)
	}
	s.mu.Unlock()
	if ok {
		writeJSON(w, http.StatusOK, body)
	}
}

// SendRecordingCompleted sends recording.completed for meeting meetingID's
// latest ready recording, signed, to Config.WebhookURL: the body is
// {"event","event_ts","payload":{"account_id","object"},"download_token"},
// object being the recording as the API serves it, plus host_email. It
// returns the receiver's HTTP status; an error means there is no ready
// recording, no WebhookURL, or no answer.
func (s *Server) SendRecordingCompleted(ctx context.Context, meetingID int64) (int, error) {
	s.mu.Lock()
	in := s.recordedLocked(meetingID, true)
	var obj recordingJSON
	var token string
	if in != nil {
		obj = s.recordingJSONLocked(in)
		obj.HostEmail = in.hostEmail
		token = in.rec.downloadToken
	}
	s.mu.Unlock()
	if in == nil {
		return 0, fmt.Errorf("zoomfake: meeting %d has no ready cloud recording (RecordMeeting, then MakeRecordingReady)", meetingID)
	}
	status, _, err := s.postWebhook(ctx, "recording.completed", struct {
		AccountID string        `json:"account_id"`
		Object    recordingJSON `json:"object"`
	}{s.cfg.AccountID, obj}, token, time.Time{}, true)
	return status, err
}

// meetingEventJSON is payload.object of meeting.started and meeting.ended.
type meetingEventJSON struct {
	ID        int64  `json:"id"`
	UUID      string `json:"uuid"`
	HostID    string `json:"host_id"`
	Topic     string `json:"topic"`
	Type      int    `json:"type"`
	StartTime string `json:"start_time"`
	EndTime   string `json:"end_time,omitempty"`
	Timezone  string `json:"timezone"`
	Duration  int    `json:"duration"`
}

// SendMeetingEvent sends "meeting.started" (for meeting meetingID's running
// instance, or else its latest) or "meeting.ended" (for its latest ended
// instance), signed, to Config.WebhookURL: payload {"account_id","object":
// {"id" (a number),"uuid","host_id","topic","type","start_time",
// "end_time" (ended only),"timezone","duration"}}. It returns the
// receiver's HTTP status; an error means another event, no such instance
// (see SetMeetingStatus), no WebhookURL, or no answer.
func (s *Server) SendMeetingEvent(ctx context.Context, meetingID int64, event string) (int, error) {
	s.mu.Lock()
	var in *instance
	switch event {
	case "meeting.started":
		in = s.latestLocked(meetingID)
	case "meeting.ended":
		in = s.latestEndedLocked(meetingID)
	default:
		s.mu.Unlock()
		return 0, errors.New(`zoomfake: SendMeetingEvent sends "meeting.started" or "meeting.ended", not ` + event)
	}
	var obj meetingEventJSON
	if in != nil {
		obj = meetingEventJSON{
			ID: in.meetingID, UUID: in.uuid, HostID: in.hostID, Topic: in.topic, Type: in.mtype,
			StartTime: in.start.Format(zoomTime), Timezone: in.timezone, Duration: in.scheduled,
		}
		if event == "meeting.ended" {
			obj.EndTime = in.end.Format(zoomTime)
		}
	}
	s.mu.Unlock()
	if in == nil {
		return 0, fmt.Errorf("zoomfake: %s: meeting %d has no such instance (SetMeetingStatus first)", event, meetingID)
	}
	status, _, err := s.postWebhook(ctx, event, struct {
		AccountID string           `json:"account_id"`
		Object    meetingEventJSON `json:"object"`
	}{s.cfg.AccountID, obj}, "", time.Time{}, true)
	return status, err
}

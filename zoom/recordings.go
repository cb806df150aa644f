package zoom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// recordingNotReadyCode is Zoom's code for "This recording does not
// exist.": no cloud recording, or not processed yet.
const recordingNotReadyCode = 3301

// errNoMeeting guards the methods that put a meeting ID or UUID in the
// path: "" would name another endpoint.
var errNoMeeting = errors.New("empty meeting ID (use a meeting ID or a meeting instance UUID)")

// Recording is a meeting instance's cloud recording, as GET
// /meetings/{meetingId}/recordings answers it and the recording.completed
// webhook carries it. Duration is in minutes. Appending "?pwd=" and
// RecordingPlayPasscode to ShareURL opens it without typing Password.
type Recording struct {
	UUID                  string          `json:"uuid"` // the meeting instance
	ID                    int64           `json:"id"`   // the meeting
	HostID                string          `json:"host_id"`
	Topic                 string          `json:"topic"`
	StartTime             string          `json:"start_time"`
	Duration              int             `json:"duration"`
	ShareURL              string          `json:"share_url"`
	Password              string          `json:"password"`
	RecordingPlayPasscode string          `json:"recording_play_passcode"`
	Files                 []RecordingFile `json:"recording_files"`
}

// RecordingFile is one file of a Recording. FileType is "MP4", "M4A",
// "TRANSCRIPT", "CHAT", "CC", "TIMELINE", "SUMMARY", …; Zoom leaves ID,
// Status, FileSize, RecordingType and PlayURL out of CC and TIMELINE files.
type RecordingFile struct {
	ID             string `json:"id"`
	MeetingID      string `json:"meeting_id"` // the meeting instance's UUID
	RecordingStart string `json:"recording_start"`
	RecordingEnd   string `json:"recording_end"`
	FileType       string `json:"file_type"`
	FileExtension  string `json:"file_extension"`
	FileSize       int64  `json:"file_size"` // bytes
	PlayURL        string `json:"play_url"`
	DownloadURL    string `json:"download_url"` // needs a token (the webhook's download_token, or an access token)
	Status         string `json:"status"`       // "completed"
	RecordingType  string `json:"recording_type"`
}

// GetRecordings fetches the cloud recording of a meeting instance:
// meetingID is a meeting ID (the latest instance) or an instance UUID.
// Until Zoom has processed the recording, and for a meeting without one,
// the error is one for which IsRecordingNotReady is true.
func (c *Client) GetRecordings(ctx context.Context, meetingID string) (*Recording, error) {
	seg, err := instanceSegment(meetingID)
	if err != nil {
		return nil, fmt.Errorf("zoom: get recordings: %w", err)
	}
	var rec Recording
	if err := c.do(ctx, "GET", "/meetings/"+seg+"/recordings", nil, &rec); err != nil {
		return nil, fmt.Errorf("zoom: get recordings of meeting %s: %w", meetingID, err)
	}
	return &rec, nil
}

// IsRecordingNotReady reports whether err is Zoom's 404 code 3301, "This
// recording does not exist.": the meeting has no cloud recording, or it is
// still being processed (Zoom sends recording.completed when it is ready).
// IsNotFound is true for it too.
func IsRecordingNotReady(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound && e.Code == recordingNotReadyCode
}

// instanceSegment writes a meeting ID or instance UUID as one path
// segment. A numeric meeting ID goes as it is. A UUID is percent-encoded
// (all but letters, digits and "-._~", so "+", "/" and "=" too); one that
// starts with "/" or contains "//" is encoded twice, as Zoom requires: it
// decodes the path before routing, so a single %2F would split the segment.
func instanceSegment(meetingID string) (string, error) {
	if meetingID == "" {
		return "", errNoMeeting
	}
	if isDigits(meetingID) {
		return meetingID, nil
	}
	seg := escapeComponent(meetingID)
	if strings.HasPrefix(meetingID, "/") || strings.Contains(meetingID, "//") {
		seg = escapeComponent(seg)
	}
	return seg, nil
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// escapeComponent percent-encodes every byte of s except RFC 3986's
// unreserved characters, as JavaScript's encodeURIComponent does (Zoom's
// documentation assumes it) except that it also encodes "!'()*".
func escapeComponent(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// AISummary is AI Companion's summary of a meeting instance. Its start
// and end times are the instance's, in Zoom's "2006-01-02T15:04:05Z".
type AISummary struct {
	MeetingUUID      string   `json:"meeting_uuid"`
	MeetingID        int64    `json:"meeting_id"`
	MeetingStartTime string   `json:"meeting_start_time"`
	MeetingEndTime   string   `json:"meeting_end_time"`
	Title            string   `json:"summary_title"`
	Overview         string   `json:"summary_overview"`
	NextSteps        []string `json:"next_steps"`
}

// GetMeetingSummary fetches the AI Companion summary of a meeting
// instance (its UUID, encoded as GetRecordings does). A meeting without
// one answers an error for which IsNotFound is true.
func (c *Client) GetMeetingSummary(ctx context.Context, instanceUUID string) (*AISummary, error) {
	seg, err := instanceSegment(instanceUUID)
	if err != nil {
		return nil, fmt.Errorf("zoom: get meeting summary: %w", err)
	}
	var s AISummary
	if err := c.do(ctx, "GET", "/meetings/"+seg+"/meeting_summary", nil, &s); err != nil {
		return nil, fmt.Errorf("zoom: get meeting summary of %s: %w", instanceUUID, err)
	}
	return &s, nil
}

package zoom

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Zoom's webhook headers.
const (
	webhookSignatureHeader = "x-zm-signature"
	webhookTimestampHeader = "x-zm-request-timestamp"
	webhookSignaturePrefix = "v0="
	defaultWebhookSkew     = 5 * time.Minute
)

// WebhookEvent is the envelope of every Zoom webhook request. EventTS is in
// milliseconds; Payload depends on Event (see DeauthorizationPayload,
// MeetingEventObject, and RecordingCompletedEvent for the whole body).
type WebhookEvent struct {
	Event   string          `json:"event"`
	EventTS int64           `json:"event_ts"`
	Payload json.RawMessage `json:"payload"`
}

// DeauthorizationPayload is the payload of "app_deauthorized": a user
// removed the app (or its token was revoked). Zoom's Marketplace rules
// require the app to delete that user's tokens and data. The time is
// RFC 3339; UserDataRetention is "true" or "false", a string.
type DeauthorizationPayload struct {
	AccountID           string `json:"account_id"`
	ClientID            string `json:"client_id"`
	UserID              string `json:"user_id"`
	Signature           string `json:"signature"`
	DeauthorizationTime string `json:"deauthorization_time"`
	UserDataRetention   string `json:"user_data_retention"`
}

// RecordingCompletedEvent is the whole body of a "recording.completed"
// webhook: Zoom finished processing a cloud recording. DownloadToken lets
// the files' DownloadURL be fetched for 24 hours (as ?access_token=).
type RecordingCompletedEvent struct {
	DownloadToken string `json:"download_token"`
	Payload       struct {
		AccountID string    `json:"account_id"`
		Object    Recording `json:"object"`
	} `json:"payload"`
}

// MeetingEventObject is payload.object of "meeting.started" and
// "meeting.ended". ID is the meeting ID: Zoom has sent it both as a JSON
// number and as a string, which json.Number accepts alike (use its Int64).
// UUID names the instance; EndTime is set on meeting.ended only.
type MeetingEventObject struct {
	ID        json.Number `json:"id"`
	UUID      string      `json:"uuid"`
	HostID    string      `json:"host_id"`
	Topic     string      `json:"topic"`
	StartTime string      `json:"start_time"`
	EndTime   string      `json:"end_time"`
	// Participant is set on meeting.participant_joined and _left.
	Participant *EventParticipant `json:"participant,omitempty"`
}

// EventParticipant is the person a participant event is about. Zoom names
// them by participant_uuid (one per person and meeting), user_id (per
// join) and user_name; times are RFC 3339.
type EventParticipant struct {
	UserID          string `json:"user_id"`
	UserName        string `json:"user_name"`
	ParticipantUUID string `json:"participant_uuid"`
	Email           string `json:"email"`
	JoinTime        string `json:"join_time"`
	LeaveTime       string `json:"leave_time"`
}

// Who names the participant for counting: the most stable name Zoom gave.
func (p *EventParticipant) Who() string {
	switch {
	case p.ParticipantUUID != "":
		return "uuid:" + p.ParticipantUUID
	case p.Email != "":
		return "email:" + p.Email
	case p.UserID != "":
		return "id:" + p.UserID
	}
	return "name:" + p.UserName
}

// SignWebhook is the x-zm-signature value Zoom sends with body at ts (sent
// as x-zm-request-timestamp, in Unix seconds): "v0=" and the hex
// HMAC-SHA256, keyed with the app's secret token, of "v0:{ts}:{body}".
func SignWebhook(secret string, ts time.Time, body []byte) string {
	return webhookSignaturePrefix + hex.EncodeToString(webhookMAC(secret, strconv.FormatInt(ts.Unix(), 10), body))
}

func webhookMAC(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + ts + ":"))
	m.Write(body)
	return m.Sum(nil)
}

// VerifyWebhook checks that a webhook request comes from Zoom: its
// x-zm-signature must be the signature of body (the raw bytes, read before
// any decoding) under secret, and its x-zm-request-timestamp must be within
// maxSkew of now (≤ 0 means 5 minutes), either way. It returns the request
// timestamp, also with a timestamp error (for the log). Rejecting a request
// seen before within the window is the caller's job.
//
// Each error is a sentence fit for a log; none contains the secret or the
// headers' values.
func VerifyWebhook(secret string, h http.Header, body []byte, now time.Time, maxSkew time.Duration) (time.Time, error) {
	if secret == "" {
		return time.Time{}, errors.New("zoom: webhook: no secret token is configured, so no request can be verified")
	}
	if maxSkew <= 0 {
		maxSkew = defaultWebhookSkew
	}
	rawTS := h.Get(webhookTimestampHeader)
	if rawTS == "" {
		return time.Time{}, errors.New("zoom: webhook: the x-zm-request-timestamp header is missing")
	}
	secs, err := strconv.ParseInt(rawTS, 10, 64)
	if err != nil || secs <= 0 {
		return time.Time{}, errors.New("zoom: webhook: the x-zm-request-timestamp header is not a Unix time in seconds")
	}
	ts := time.Unix(secs, 0)
	sig := h.Get(webhookSignatureHeader)
	if sig == "" {
		return ts, errors.New("zoom: webhook: the x-zm-signature header is missing")
	}
	got, err := hex.DecodeString(strings.TrimPrefix(sig, webhookSignaturePrefix))
	if !strings.HasPrefix(sig, webhookSignaturePrefix) || err != nil || len(got) != sha256.Size {
		return ts, errors.New("zoom: webhook: the x-zm-signature header is not \"v0=\" followed by a hex HMAC-SHA256")
	}
	// The MAC covers the timestamp header as sent, so it is checked before
	// the timestamp is trusted for anything.
	if !hmac.Equal(got, webhookMAC(secret, rawTS, body)) {
		return ts, errors.New("zoom: webhook: the signature does not match (a wrong secret token, or the body was changed)")
	}
	switch d := now.Sub(ts); {
	case d > maxSkew:
		return ts, fmt.Errorf("zoom: webhook: the request timestamp is %v old, more than the %v allowed (a replay, or a clock problem)", d.Round(time.Second), maxSkew)
	case -d > maxSkew:
		return ts, fmt.Errorf("zoom: webhook: the request timestamp is %v in the future, more than the %v allowed (a clock problem)", (-d).Round(time.Second), maxSkew)
	}
	return ts, nil
}

// URLValidationToken answers Zoom's endpoint.url_validation challenge: the
// encryptedToken for plainToken, hex(HMAC-SHA256(secret, plainToken)). The
// reply is 200 {"plainToken": plainToken, "encryptedToken": this}, within
// 3 seconds.
func URLValidationToken(secret, plainToken string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(plainToken))
	return hex.EncodeToString(m.Sum(nil))
}

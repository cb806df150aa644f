package zoom

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
)

// Meeting types, as Zoom numbers them.
const (
	MeetingInstant            = 1
	MeetingScheduled          = 2
	MeetingRecurringNoFixed   = 3
	MeetingRecurringFixedTime = 8
)

// Meeting list types for ListMeetings.
const (
	ListScheduled = "scheduled" // unexpired scheduled meetings (Zoom's default)
	ListLive      = "live"      // meetings in progress
	ListUpcoming  = "upcoming"  // upcoming meetings, including live ones
)

// errNoUser guards the methods that put a user in the path: "" would turn
// into a different endpoint (/users/ or /users//meetings).
var errNoUser = errors.New("empty user ID (use \"me\", an email or a user ID)")

// pageSize is the most Zoom returns per page; fewer pages, fewer rate-limit
// tokens spent.
const pageSize = 300

// Invitee is someone Zoom emails the invitation to.
type Invitee struct {
	Email string `json:"email"`
}

// MeetingSettings are the meeting options warroom cares about. Pointers tell
// "false" from "not set", so a request only changes what it names.
type MeetingSettings struct {
	JoinBeforeHost   *bool  `json:"join_before_host,omitempty"`
	JBHTime          *int   `json:"jbh_time,omitempty"` // minutes: 0 (any time), 5 or 10
	WaitingRoom      *bool  `json:"waiting_room,omitempty"`
	MuteUponEntry    *bool  `json:"mute_upon_entry,omitempty"`
	HostVideo        *bool  `json:"host_video,omitempty"`
	ParticipantVideo *bool  `json:"participant_video,omitempty"`
	AutoRecording    string `json:"auto_recording,omitempty"`    // "local", "cloud" or "none"
	AlternativeHosts string `json:"alternative_hosts,omitempty"` // emails separated by ";"
	// AutoStartMeetingSummary starts AI Companion's meeting summary with
	// the meeting (needs AI Companion for the host).
	AutoStartMeetingSummary *bool     `json:"auto_start_meeting_summary,omitempty"`
	MeetingInvitees         []Invitee `json:"meeting_invitees,omitempty"`
	ApprovalType            *int      `json:"approval_type,omitempty"` // 0 auto, 1 manual, 2 no registration
	Audio                   string    `json:"audio,omitempty"`         // "both", "telephony" or "voip"
}

// CreateMeetingRequest is the body of POST /users/{userId}/meetings.
type CreateMeetingRequest struct {
	Topic     string           `json:"topic"`                // at most 200 characters
	Type      int              `json:"type"`                 // MeetingInstant, MeetingScheduled, …
	StartTime string           `json:"start_time,omitempty"` // "2006-01-02T15:04:05Z", types 2 and 8
	Duration  int              `json:"duration,omitempty"`   // minutes
	Timezone  string           `json:"timezone,omitempty"`
	Agenda    string           `json:"agenda,omitempty"`   // at most 2000 characters
	Password  string           `json:"password,omitempty"` // at most 10 of [a-zA-Z0-9@-_*]
	Settings  *MeetingSettings `json:"settings,omitempty"`
}

// UpdateMeetingRequest is the body of PATCH /meetings/{meetingId}: only the
// fields that are set change.
type UpdateMeetingRequest struct {
	Topic     *string          `json:"topic,omitempty"`
	Type      *int             `json:"type,omitempty"`
	StartTime *string          `json:"start_time,omitempty"`
	Duration  *int             `json:"duration,omitempty"`
	Timezone  *string          `json:"timezone,omitempty"`
	Agenda    *string          `json:"agenda,omitempty"`
	Password  *string          `json:"password,omitempty"`
	Settings  *MeetingSettings `json:"settings,omitempty"`
}

// Meeting is a meeting as Zoom describes it. ID is the meeting number; it
// can exceed 10 digits and must be kept as an int64.
type Meeting struct {
	ID        int64           `json:"id"`
	UUID      string          `json:"uuid"` // identifies one instance of the meeting
	HostID    string          `json:"host_id"`
	HostEmail string          `json:"host_email"`
	Topic     string          `json:"topic"`
	Type      int             `json:"type"`
	Status    string          `json:"status"` // "waiting" or "started"
	StartTime string          `json:"start_time"`
	Duration  int             `json:"duration"`
	Timezone  string          `json:"timezone"`
	Agenda    string          `json:"agenda"`
	CreatedAt string          `json:"created_at"`
	JoinURL   string          `json:"join_url"`
	StartURL  string          `json:"start_url"` // lets anyone start the meeting as host: a secret
	Password  string          `json:"password"`
	Settings  MeetingSettings `json:"settings"`
}

// MeetingSummary is one entry of a user's meeting list. Zoom truncates its
// Agenda to 250 characters.
type MeetingSummary struct {
	ID        int64  `json:"id"`
	UUID      string `json:"uuid"`
	HostID    string `json:"host_id"`
	Topic     string `json:"topic"`
	Agenda    string `json:"agenda"`
	JoinURL   string `json:"join_url"`
	StartTime string `json:"start_time"`
	CreatedAt string `json:"created_at"`
	Type      int    `json:"type"`
}

func meetingPath(id int64) string { return "/meetings/" + strconv.FormatInt(id, 10) }

// CreateMeeting creates a meeting hosted by userID ("me", an email or a user
// ID). Zoom caps meeting creates and updates per host per day; see
// RateLimitError.
func (c *Client) CreateMeeting(ctx context.Context, userID string, req CreateMeetingRequest) (*Meeting, error) {
	if userID == "" {
		return nil, fmt.Errorf("zoom: create meeting: %w", errNoUser)
	}
	var m Meeting
	if err := c.do(ctx, "POST", "/users/"+url.PathEscape(userID)+"/meetings", req, &m); err != nil {
		return nil, fmt.Errorf("zoom: create meeting for %s: %w", userID, err)
	}
	return &m, nil
}

// GetMeeting fetches a meeting. A deleted or unknown meeting is an error for
// which IsNotFound is true.
func (c *Client) GetMeeting(ctx context.Context, id int64) (*Meeting, error) {
	var m Meeting
	if err := c.do(ctx, "GET", meetingPath(id), nil, &m); err != nil {
		return nil, fmt.Errorf("zoom: get meeting %d: %w", id, err)
	}
	return &m, nil
}

// UpdateMeeting changes the fields set in req. Zoom refuses to update a
// meeting in progress.
func (c *Client) UpdateMeeting(ctx context.Context, id int64, req UpdateMeetingRequest) error {
	if err := c.do(ctx, "PATCH", meetingPath(id), req, nil); err != nil {
		return fmt.Errorf("zoom: update meeting %d: %w", id, err)
	}
	return nil
}

// SetAlternativeHosts replaces the meeting's alternative hosts with hosts
// (emails separated by ";"); "" leaves it none. UpdateMeetingRequest
// cannot say "none", since an empty string there means "unchanged". Zoom
// refuses to change a meeting in progress (code 3000).
func (c *Client) SetAlternativeHosts(ctx context.Context, id int64, hosts string) error {
	body := struct {
		Settings struct {
			AlternativeHosts string `json:"alternative_hosts"`
		} `json:"settings"`
	}{}
	body.Settings.AlternativeHosts = hosts
	if err := c.do(ctx, "PATCH", meetingPath(id), body, nil); err != nil {
		return fmt.Errorf("zoom: set alternative hosts of meeting %d: %w", id, err)
	}
	return nil
}

// DeleteMeeting deletes a meeting that is not in progress.
func (c *Client) DeleteMeeting(ctx context.Context, id int64) error {
	if err := c.do(ctx, "DELETE", meetingPath(id), nil, nil); err != nil {
		return fmt.Errorf("zoom: delete meeting %d: %w", id, err)
	}
	return nil
}

// EndMeeting ends a meeting for everyone in it.
func (c *Client) EndMeeting(ctx context.Context, id int64) error {
	body := struct {
		Action string `json:"action"`
	}{"end"}
	if err := c.do(ctx, "PUT", meetingPath(id)+"/status", body, nil); err != nil {
		return fmt.Errorf("zoom: end meeting %d: %w", id, err)
	}
	return nil
}

// ListMeetings lists all of userID's meetings of listType (ListScheduled,
// ListLive, ListUpcoming; "" means Zoom's default, scheduled), following
// next_page_token to the last page. Zoom never lists instant meetings.
func (c *Client) ListMeetings(ctx context.Context, userID, listType string) ([]MeetingSummary, error) {
	if userID == "" {
		return nil, fmt.Errorf("zoom: list meetings: %w", errNoUser)
	}
	var all []MeetingSummary
	seen := map[string]bool{}
	token := ""
	for {
		q := url.Values{"page_size": {strconv.Itoa(pageSize)}}
		if listType != "" {
			q.Set("type", listType)
		}
		if token != "" {
			q.Set("next_page_token", token)
		}
		var page struct {
			NextPageToken string           `json:"next_page_token"`
			Meetings      []MeetingSummary `json:"meetings"`
		}
		path := "/users/" + url.PathEscape(userID) + "/meetings?" + q.Encode()
		if err := c.do(ctx, "GET", path, nil, &page); err != nil {
			return nil, fmt.Errorf("zoom: list meetings of %s: %w", userID, err)
		}
		all = append(all, page.Meetings...)
		if page.NextPageToken == "" {
			return all, nil
		}
		// A server that hands back a token it gave before would keep us
		// paging forever.
		if seen[page.NextPageToken] {
			return nil, fmt.Errorf("zoom: list meetings of %s: next_page_token repeats", userID)
		}
		seen[page.NextPageToken] = true
		token = page.NextPageToken
	}
}

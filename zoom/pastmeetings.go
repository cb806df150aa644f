package zoom

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// PastMeeting is an ended meeting instance, as GET /past_meetings/{meetingId}
// answers it. Duration is in minutes; ParticipantsCount counts joins.
type PastMeeting struct {
	UUID              string `json:"uuid"`
	ID                int64  `json:"id"`
	HostID            string `json:"host_id"`
	Topic             string `json:"topic"`
	StartTime         string `json:"start_time"`
	EndTime           string `json:"end_time"`
	Duration          int    `json:"duration"`
	ParticipantsCount int    `json:"participants_count"`
}

// Participant is one stay of someone in a past meeting instance: who
// leaves and joins again appears twice. Duration is in seconds. ID is the
// participant's Zoom user ID ("" for a guest who was not signed in); UserID
// identifies this stay within the meeting. Zoom leaves UserEmail empty for
// most people outside the host's account.
type Participant struct {
	ID        string `json:"id"`
	UserID    string `json:"user_id"`
	Name      string `json:"name"`
	UserEmail string `json:"user_email"`
	JoinTime  string `json:"join_time"`
	LeaveTime string `json:"leave_time"`
	Duration  int    `json:"duration"`
}

// GetPastMeeting fetches an ended meeting instance: meetingID is a meeting
// ID (its last ended instance) or an instance UUID. A meeting that has not
// ended yet is an error for which IsNotFound is true (Zoom's code 3001).
func (c *Client) GetPastMeeting(ctx context.Context, meetingID string) (*PastMeeting, error) {
	seg, err := instanceSegment(meetingID)
	if err != nil {
		return nil, fmt.Errorf("zoom: get past meeting: %w", err)
	}
	var pm PastMeeting
	if err := c.do(ctx, "GET", "/past_meetings/"+seg, nil, &pm); err != nil {
		return nil, fmt.Errorf("zoom: get past meeting %s: %w", meetingID, err)
	}
	return &pm, nil
}

// PastParticipants lists who attended an ended meeting instance (meetingID
// as for GetPastMeeting), following next_page_token to the last page.
// Zoom serves it to paid accounts (Pro or higher) only.
func (c *Client) PastParticipants(ctx context.Context, meetingID string) ([]Participant, error) {
	seg, err := instanceSegment(meetingID)
	if err != nil {
		return nil, fmt.Errorf("zoom: past meeting participants: %w", err)
	}
	var all []Participant
	seen := map[string]bool{}
	token := ""
	for {
		q := url.Values{"page_size": {strconv.Itoa(pageSize)}}
		if token != "" {
			q.Set("next_page_token", token)
		}
		var page struct {
			NextPageToken string        `json:"next_page_token"`
			Participants  []Participant `json:"participants"`
		}
		if err := c.do(ctx, "GET", "/past_meetings/"+seg+"/participants?"+q.Encode(), nil, &page); err != nil {
			return nil, fmt.Errorf("zoom: participants of past meeting %s: %w", meetingID, err)
		}
		all = append(all, page.Participants...)
		if page.NextPageToken == "" {
			return all, nil
		}
		if seen[page.NextPageToken] {
			return nil, fmt.Errorf("zoom: participants of past meeting %s: next_page_token repeats", meetingID)
		}
		seen[page.NextPageToken] = true
		token = page.NextPageToken
	}
}

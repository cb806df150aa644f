package slackapi

import (
	"context"
	"time"

	"github.com/slack-go/slack"
)

// NewCall is a call registered with Slack's Calls API (calls.add), which
// Slack then draws in a channel with its participants and a Join button.
type NewCall struct {
	// ExternalUniqueID names the call at its provider ("zoom:<meeting id>").
	ExternalUniqueID string
	JoinURL          string
	DisplayID        string // the meeting number as people read it
	Title            string
	CreatedBy        string // a Slack user: a bot token must name one
	Start            time.Time
}

// CallUser is a participant of a Slack Call: a Slack user, or someone
// Slack does not know, by an ID of ours and their name.
type CallUser struct {
	SlackID     string
	ExternalID  string
	DisplayName string
}

// Key tells participants apart: the same person is the same key.
func (u CallUser) Key() string {
	if u.SlackID != "" {
		return "slack:" + u.SlackID
	}
	return "external:" + u.ExternalID
}

func (u CallUser) slack() slack.CallParticipant {
	return slack.CallParticipant{SlackID: u.SlackID, ExternalID: u.ExternalID, DisplayName: u.DisplayName}
}

func callUsers(us []CallUser) []slack.CallParticipant {
	out := make([]slack.CallParticipant, len(us))
	for i, u := range us {
		out[i] = u.slack()
	}
	return out
}

// CallInfo is what Slack says of a Call.
type CallInfo struct {
	ID               string
	ExternalUniqueID string
	Ended            bool
	Participants     []CallUser
}

// AddCall registers a call (calls.add) and returns Slack's ID for it
// ("R…"). Slack asks that ExternalUniqueID be unique but does not promise
// to dedupe on it: a call whose answer was lost may have registered one.
func (c *Client) AddCall(ctx context.Context, n NewCall) (string, error) {
	p := slack.AddCallParameters{JoinURL: n.JoinURL, ExternalUniqueID: n.ExternalUniqueID, CreatedBy: n.CreatedBy,
		Title: n.Title, ExternalDisplayID: n.DisplayID}
	if !n.Start.IsZero() {
		p.DateStart = slack.JSONTime(n.Start.Unix())
	}
	call, err := c.api.AddCallContext(ctx, p)
	if err != nil {
		return "", wrap("calls.add", err)
	}
	return call.ID, nil
}

// Call reads a Call (calls.info); an unknown ID is "invalid_call_id".
func (c *Client) Call(ctx context.Context, id string) (CallInfo, error) {
	call, err := c.api.GetCallContext(ctx, id)
	if err != nil {
		return CallInfo{}, wrap("calls.info", err)
	}
	info := CallInfo{ID: call.ID, ExternalUniqueID: call.ExternalUniqueID, Ended: call.DateEnd != 0}
	for _, u := range call.Participants {
		info.Participants = append(info.Participants, CallUser{SlackID: u.SlackID, ExternalID: u.ExternalID, DisplayName: u.DisplayName})
	}
	return info, nil
}

// EndCall ends a Call after it lasted d (calls.end). A Call ended already
// is fine: the end is what was asked for.
func (c *Client) EndCall(ctx context.Context, id string, d time.Duration) error {
	err := wrap("calls.end", c.api.EndCallContext(ctx, id, slack.EndCallParameters{Duration: d}))
	if Code(err) == "inactive_call" {
		return nil
	}
	return err
}

// AddCallParticipants adds people to a Call (calls.participants.add).
// Slack answers "bad_users" when one of them is in it already.
func (c *Client) AddCallParticipants(ctx context.Context, id string, us []CallUser) error {
	return wrap("calls.participants.add", c.api.CallAddParticipantsContext(ctx, id, callUsers(us)))
}

// RemoveCallParticipants takes people out of a Call
// (calls.participants.remove); "bad_users" when one of them is not in it.
func (c *Client) RemoveCallParticipants(ctx context.Context, id string, us []CallUser) error {
	return wrap("calls.participants.remove", c.api.CallRemoveParticipantsContext(ctx, id, callUsers(us)))
}

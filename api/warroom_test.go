package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/warroom-dev/warroom/internal/testworld"
)

// A declare through the API builds the war room as every other door
// does: the channel, the Zoom meeting and the pinned message whose Join
// Call button opens it; the API then shows the channel and the call, and
// the channel says which client declared. No token reaches the log.
func TestDeclareBuildsTheWarRoom(t *testing.T) {
	c := startAPI(t, testworld.Config{})
	inc := c.declare(pagerduty, "page-1", `{"title":"Checkout is down","severity":1,"commander":"alice@example.com",
		"summary":"Error rate 40% since 10:02"}`, http.StatusCreated)
	var got incident
	testworld.WaitFor(t, inc.ID+"'s channel and call in the API", func() bool {
		got = decode[incident](t, c.do(req{Method: "GET", Path: "/api/v1/incidents/" + inc.ID, Token: pagerduty.Secret}))
		return got.Channel != nil && got.Call.State == "ready" && got.Call.JoinURL != ""
	})
	ch, ok := c.w.Slack.Channel(got.Channel.ID)
	if !ok || ch.Name != got.Channel.Name || !strings.HasPrefix(ch.Name, testworld.ChannelPrefix) ||
		got.Channel.URL != "https://slack.com/app_redirect?channel="+ch.ID {
		t.Errorf("channel %+v, the API shows %+v", ch, got.Channel)
	}
	meetings := c.w.Zoom.Meetings()
	if len(meetings) != 1 || meetings[0].JoinURL != got.Call.JoinURL {
		t.Fatalf("zoom meetings %+v, the API shows %s", meetings, got.Call.JoinURL)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(inc.ID, "INC-"), 10, 64)
	room := c.w.WaitRoom(t, id)
	if room.JoinURL() != got.Call.JoinURL || c.w.MeetingJoinURL(room) != got.Call.JoinURL || len(room.Pins) != 1 {
		t.Errorf("the pinned Join Call opens %q, the meeting is %q, the API shows %q (%d pins)",
			room.JoinURL(), c.w.MeetingJoinURL(room), got.Call.JoinURL, len(room.Pins))
	}
	if room.Incident.Commander != "U1" {
		t.Errorf("commander %q, want alice (U1)", room.Incident.Commander)
	}
	// The origin message (the summary) follows the pinned one.
	testworld.WaitFor(t, "the declare's summary in the channel", func() bool { return contains(c, ch.ID, "Error rate 40% since 10:02") })
	if !contains(c, ch.ID, "pagerduty via the API") {
		t.Errorf("the channel does not say the incident was declared by pagerduty via the API: %s", channelText(c, ch.ID))
	}
	for _, secret := range []string{pagerduty.Secret, ci.Secret} {
		if strings.Contains(c.w.Log.String(), secret) {
			t.Error("the log holds a token")
		}
	}
}

// A private incident's call is never shown by the API: its join URL
// would let whoever reads the API's answers into a call meant for the
// members of a private channel.
func TestPrivateHidesTheCall(t *testing.T) {
	c := startAPI(t, testworld.Config{})
	inc := c.declare(ci, "", `{"title":"Suspected breach","private":true}`, http.StatusCreated)
	testworld.WaitFor(t, "the private incident's call", func() bool {
		for _, r := range c.w.Incidents(t) {
			if r.Meeting != nil && r.Meeting.JoinURL != "" {
				return true
			}
		}
		return false
	})
	got := decode[incident](t, c.do(req{Method: "GET", Path: "/api/v1/incidents/" + inc.ID, Token: ci.Secret}))
	if !got.Private || got.Call.State != "ready" || got.Call.JoinURL != "" {
		t.Errorf("a private incident shows %+v", got)
	}
}

// channelText is every message of a channel, text and blocks.
func channelText(c *client, id string) string {
	var b strings.Builder
	for _, m := range c.w.Slack.Messages(id) {
		b.WriteString(m.Text)
		b.Write(m.Blocks)
		b.WriteString("\n")
	}
	return b.String()
}

func contains(c *client, id, s string) bool { return strings.Contains(channelText(c, id), s) }

package testworld

import (
	"context"
	"testing"

	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/slackapi/slackfake"
	"github.com/warroom-dev/warroom/store"
)

// Room is what people see in an incident's channel.
type Room struct {
	Incident  *store.Record
	Channel   slackfake.Channel
	Messages  []slackfake.Message // the Slack Call's aside
	Calls     []slackfake.Message // those that show a Slack Call
	Pins      []slackfake.Message
	Bookmarks []slackfake.Bookmark
}

// JoinURL is the URL of the Join Call button on the pinned message.
func (r Room) JoinURL() string {
	for _, p := range r.Pins {
		if u := ButtonURL(p.Blocks, blocks.ActionJoinCall); u != "" {
			return u
		}
	}
	return ""
}

// MeetingJoinURL is the join_url of the incident's meeting as the fake
// Zoom has it, or "".
func (w *World) MeetingJoinURL(r Room) string {
	if r.Incident == nil || r.Incident.Meeting == nil {
		return ""
	}
	m, ok := w.Zoom.Meeting(r.Incident.Meeting.ID)
	if !ok {
		return ""
	}
	return m.JoinURL
}

// Room reads an incident's channel as it is now; ok is false until the
// channel exists.
func (w *World) Room(tb testing.TB, incidentID int64) (Room, bool) {
	tb.Helper()
	rec, err := w.Store.Incident(context.Background(), incidentID)
	if err != nil {
		tb.Fatalf("read incident %d: %v", incidentID, err)
	}
	if rec.ChannelID == "" {
		return Room{Incident: rec}, false
	}
	ch, ok := w.Slack.Channel(rec.ChannelID)
	if !ok {
		return Room{Incident: rec}, false
	}
	msgs, calls := slackfake.SplitCalls(w.Slack.Messages(ch.ID))
	return Room{Incident: rec, Channel: ch, Messages: msgs, Calls: calls, Pins: w.Slack.Pins(ch.ID),
		Bookmarks: w.Slack.Bookmarks(ch.ID)}, true
}

// WaitRoom waits until the incident's channel has its pinned Join Call
// button, and returns the room.
func (w *World) WaitRoom(tb testing.TB, incidentID int64) Room {
	tb.Helper()
	var r Room
	WaitFor(tb, "the war room of incident with its pinned Join Call", func() bool {
		var ok bool
		r, ok = w.Room(tb, incidentID)
		return ok && r.JoinURL() != ""
	})
	return r
}

// SyncAgain runs the incident's sync job once more, as any change to the
// incident would, and waits until that run has finished: what a test
// checks next has seen a second run.
func (w *World) SyncAgain(tb testing.TB, incidentID int64) {
	tb.Helper()
	ctx := context.Background()
	if err := w.Store.RequestSync(ctx, incidentID); err != nil {
		tb.Fatalf("ask for incident %d's sync: %v", incidentID, err)
	}
	w.Jobs.Kick()
	WaitFor(tb, "the incident's sync to run again", func() bool {
		pending, err := w.Store.PendingJobs(ctx)
		if err != nil {
			return false
		}
		for _, j := range pending {
			if j.Kind == jobtype.KindIncidentSync && j.IncidentID == incidentID {
				return false
			}
		}
		return true
	})
}

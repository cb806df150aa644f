package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/slackapi"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom"
)

// emailLookupFor is how long users.lookupByEmail's answer is trusted:
// people join Slack, or change their address, now and then.
const emailLookupFor = 24 * time.Hour

// ensureSlackCalls keeps the incident's call as Slack's own Call object
// (the Calls API): registered once its Zoom meeting exists, shown in the
// channel by its call block, with who is in the meeting as participants,
// and ended with its duration when the meeting ends or is replaced. A
// replaced meeting people are still in keeps its Call until it ends. The
// fallback bridge (no meeting) has none.
//
// Each Call's row records intents before Slack is called (adding before
// calls.add, block_posting before the post), as the ledger does for the
// incident's own steps.
func (r *syncRun) ensureSlackCalls(ctx context.Context) error {
	rec := r.snapshot()
	if rec.ChannelID == "" {
		return nil
	}
	w := r.w
	open, err := w.slackCalls.SlackCalls(ctx, rec.ID)
	if err != nil {
		return err
	}
	var cur *warroom.Meeting
	if rec.Meeting != nil && rec.Meeting.ID != 0 && rec.Call == warroom.CallReady {
		cur = rec.Meeting
	}
	var errs []error
	found := false
	for _, c := range open {
		if cur != nil && c.MeetingID == cur.ID {
			found = true
			errs = append(errs, r.syncSlackCall(ctx, rec, c))
		} else {
			errs = append(errs, r.endReplacedSlackCall(ctx, c))
		}
	}
	if cur != nil && !found && rec.Status != warroom.StatusResolved && cur.Status != warroom.MeetingEnded {
		errs = append(errs, r.addSlackCall(ctx, rec, *cur))
	}
	return r.slackCallErr(errors.Join(errs...))
}

// slackCallErr lets the rest of the war room go on when Slack refuses the
// Calls API for good (an installation that has not granted calls:write
// yet): only the Slack Call is missing, and the next change tries again.
func (r *syncRun) slackCallErr(err error) error {
	var se *slackapi.Error
	if err != nil && errors.As(err, &se) && se.Permanent() {
		r.log.Warn().Err(err).Msg("no Slack Call for the incident call")
		return nil
	}
	return err
}

// addSlackCall starts the Call of the incident's meeting, unless it had
// one already (a meeting run and ended has had its Call).
func (r *syncRun) addSlackCall(ctx context.Context, rec store.Record, m warroom.Meeting) error {
	w := r.w
	if _, ok, err := w.slackCalls.SlackCallOf(ctx, rec.ID, m.ID); err != nil || ok {
		return err
	}
	c, err := w.slackCalls.StartSlackCall(ctx, r.fence, store.SlackCall{IncidentID: rec.ID, MeetingID: m.ID,
		Host: rec.MeetingHost, StartedAt: w.now()})
	if err != nil {
		return err
	}
	if c.Ended {
		return nil
	}
	return r.syncSlackCall(ctx, rec, c)
}

// syncSlackCall brings the Call of the incident's current meeting up to
// date: registered, shown, its participants, or ended.
func (r *syncRun) syncSlackCall(ctx context.Context, rec store.Record, c store.SlackCall) error {
	if c.CallID == "" {
		if err := r.registerSlackCall(ctx, rec, &c); err != nil {
			return err
		}
	}
	if m := rec.Meeting; m.Status == warroom.MeetingEnded {
		start := m.StartedAt
		if start.IsZero() {
			start = c.StartedAt
		}
		end := m.EndedAt
		if end.IsZero() {
			end = r.w.now()
		}
		return r.endSlackCall(ctx, &c, end.Sub(start))
	}
	if err := r.showSlackCall(ctx, rec, &c); err != nil {
		return err
	}
	return r.syncCallPeople(ctx, &c)
}

// registerSlackCall sends calls.add. Its intent (adding) was recorded
// with the row. Slack neither dedupes on external_unique_id nor lets a
// Call be found by it, so a run that finds the intent without an ID can
// only register again: the Call an answer-lost add made is never posted
// (its block goes out only once its ID is on disk), so nobody sees it, but
// Slack keeps it as not ended.
func (r *syncRun) registerSlackCall(ctx context.Context, rec store.Record, c *store.SlackCall) error {
	w := r.w
	if c.Adding && c.CallID == "" && c.BlockTS == "" && !c.StartedAt.IsZero() && w.now().Sub(c.StartedAt) > time.Second {
		r.log.Warn().Msg("calls.add may have been answered before a failure; registering the Slack Call again")
	}
	m := rec.Meeting
	title := m.Topic
	if title == "" {
		title = rec.Ref() + ": " + rec.Title
	}
	createdBy := rec.DeclaredBy
	if createdBy == "" {
		// An API client or an alert declared it: the commander, else the
		// bot itself (a bot token must name someone).
		createdBy = rec.Commander
	}
	if createdBy == "" {
		createdBy = w.botUserID
	}
	id, err := w.slack.AddCall(ctx, slackapi.NewCall{ExternalUniqueID: "zoom:" + strconv.FormatInt(m.ID, 10),
		JoinURL: m.JoinURL, DisplayID: blocks.MeetingNumber(m.ID), Title: title, CreatedBy: createdBy, Start: c.StartedAt})
	if err != nil {
		return fmt.Errorf("add the Slack Call: %w", err)
	}
	c.CallID, c.Adding = id, false
	if err := w.slackCalls.UpdateSlackCall(ctx, r.fence, *c); err != nil {
		return err
	}
	r.log.Info().Str("slack_call", id).Msg("slack call added")
	return nil
}

// showSlackCall posts the Call's block in the channel once, as a message
// of its own beside the pinned incident message (unpinned: a pin is a
// Tier 2 call per Call, and the channel's pins stay the incident's).
func (r *syncRun) showSlackCall(ctx context.Context, rec store.Record, c *store.SlackCall) error {
	w := r.w
	if c.BlockTS != "" {
		return nil
	}
	mark := func() error {
		c.BlockPosting = true
		return w.slackCalls.UpdateSlackCall(ctx, r.fence, *c)
	}
	_, ts, err := w.slack.PostOnce(ctx, rec.ChannelID, blocks.SlackCallBlockID(c.ID), c.BlockPosting, mark,
		blocks.SlackCallMessage(c.CallID))
	if err != nil {
		return fmt.Errorf("post the Slack Call: %w", err)
	}
	c.BlockTS = ts
	return w.slackCalls.UpdateSlackCall(ctx, r.fence, *c)
}

// syncCallPeople makes the Call's participants who is in the meeting now:
// the difference from what Slack was last sent, once per run, so a burst
// of joins and leaves costs one or two calls.
func (r *syncRun) syncCallPeople(ctx context.Context, c *store.SlackCall) error {
	w := r.w
	people, err := w.slackCalls.CallPeople(ctx, c.MeetingID)
	if err != nil {
		return err
	}
	want := make([]store.CallUser, 0, len(people))
	for _, p := range people {
		u, err := r.callUser(ctx, p)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(want, func(x store.CallUser) bool { return callKey(x) == callKey(u) }) {
			want = append(want, u)
		}
	}
	if len(minus(want, c.People)) == 0 && len(minus(c.People, want)) == 0 {
		return nil
	}
	err = r.applyCallPeople(ctx, c.CallID, c.People, want)
	if slackapi.Code(err) == "bad_users" {
		// Slack shows other people than recorded (a run that stopped
		// after sending): start from what Slack shows.
		info, ierr := w.slack.Call(ctx, c.CallID)
		if ierr != nil {
			return fmt.Errorf("read the Slack Call: %w", ierr)
		}
		have := make([]store.CallUser, 0, len(info.Participants))
		for _, u := range info.Participants {
			have = append(have, store.CallUser{SlackID: u.SlackID, ExternalID: u.ExternalID, DisplayName: u.DisplayName})
		}
		err = r.applyCallPeople(ctx, c.CallID, have, want)
	}
	if slackapi.Code(err) == "inactive_call" {
		// Ended in Slack already: nothing more to show in it.
		c.Ended = true
		return w.slackCalls.UpdateSlackCall(ctx, r.fence, *c)
	}
	if err != nil {
		return err
	}
	c.People = want
	return w.slackCalls.UpdateSlackCall(ctx, r.fence, *c)
}

func (r *syncRun) applyCallPeople(ctx context.Context, callID string, have, want []store.CallUser) error {
	if gone := minus(have, want); len(gone) > 0 {
		if err := r.w.slack.RemoveCallParticipants(ctx, callID, slackCallUsers(gone)); err != nil {
			return fmt.Errorf("remove Slack Call participants: %w", err)
		}
	}
	if came := minus(want, have); len(came) > 0 {
		if err := r.w.slack.AddCallParticipants(ctx, callID, slackCallUsers(came)); err != nil {
			return fmt.Errorf("add Slack Call participants: %w", err)
		}
	}
	return nil
}

// callUser is a meeting participant as the Call shows them: the Slack
// user with their email, else their name in Zoom.
func (r *syncRun) callUser(ctx context.Context, p store.CallPerson) (store.CallUser, error) {
	if p.Email != "" {
		id, err := r.slackUserByEmail(ctx, p.Email)
		if err != nil {
			return store.CallUser{}, err
		}
		if id != "" {
			return store.CallUser{SlackID: id}, nil
		}
	}
	name := p.Name
	if name == "" {
		name = "Zoom participant"
	}
	return store.CallUser{ExternalID: p.Who, DisplayName: name}, nil
}

// slackUserByEmail is the Slack user with email, "" for none; the answer
// is remembered for emailLookupFor.
func (r *syncRun) slackUserByEmail(ctx context.Context, email string) (string, error) {
	w := r.w
	id, known, err := w.slackCalls.SlackUserByEmail(ctx, email, w.now().Add(-emailLookupFor))
	if err != nil || known {
		return id, err
	}
	u, err := w.slack.UserByEmail(ctx, email)
	switch {
	case slackapi.Code(err) == "users_not_found":
	case err != nil:
		return "", fmt.Errorf("look up a participant's email: %w", err)
	default:
		id = u.ID
	}
	return id, w.slackCalls.RememberSlackUser(ctx, email, id)
}

// endReplacedSlackCall ends the Call of a meeting the incident no longer
// uses, unless people are still in that meeting: then it ends when Zoom
// says the meeting did (store.SlackCallMeetingEnded).
func (r *syncRun) endReplacedSlackCall(ctx context.Context, c store.SlackCall) error {
	w := r.w
	if c.CallID == "" {
		// Never registered, or registered with its answer lost: there is
		// nothing of it to end.
		c.Ended = true
		return w.slackCalls.UpdateSlackCall(ctx, r.fence, c)
	}
	running := false
	if c.MeetingEndedAt.IsZero() && c.Host != "" {
		if _, _, err := w.pool.Client(ctx, c.Host); err == nil {
			status, err := w.pool.MeetingStatus(ctx, c.Host, c.MeetingID)
			if err != nil && !zoom.IsNotFound(err) {
				return fmt.Errorf("check a replaced meeting: %w", err)
			}
			running = status == "started"
		}
	}
	if running {
		if c.Replaced {
			return nil
		}
		c.Replaced = true
		return w.slackCalls.UpdateSlackCall(ctx, r.fence, c)
	}
	end := c.MeetingEndedAt
	if end.IsZero() {
		end = w.now()
	}
	c.Replaced = true
	return r.endSlackCall(ctx, &c, end.Sub(c.StartedAt))
}

// endSlackCall ends the Call after it lasted d (calls.end).
func (r *syncRun) endSlackCall(ctx context.Context, c *store.SlackCall, d time.Duration) error {
	if d < time.Second {
		d = time.Second // calls.end omits a zero duration
	}
	if err := r.w.slack.EndCall(ctx, c.CallID, d.Truncate(time.Second)); err != nil && slackapi.Code(err) != "invalid_call_id" {
		return fmt.Errorf("end the Slack Call: %w", err)
	}
	c.Ended = true
	if err := r.w.slackCalls.UpdateSlackCall(ctx, r.fence, *c); err != nil {
		return err
	}
	r.log.Info().Str("slack_call", c.CallID).Dur("lasted", d).Msg("slack call ended")
	return nil
}

func callKey(u store.CallUser) string {
	return slackapi.CallUser{SlackID: u.SlackID, ExternalID: u.ExternalID}.Key()
}

// minus is the participants of a that are not in b.
func minus(a, b []store.CallUser) []store.CallUser {
	var out []store.CallUser
	for _, u := range a {
		if !slices.ContainsFunc(b, func(x store.CallUser) bool { return callKey(x) == callKey(u) }) {
			out = append(out, u)
		}
	}
	return out
}

func slackCallUsers(us []store.CallUser) []slackapi.CallUser {
	out := make([]slackapi.CallUser, len(us))
	for i, u := range us {
		out[i] = slackapi.CallUser{SlackID: u.SlackID, ExternalID: u.ExternalID, DisplayName: u.DisplayName}
	}
	return out
}

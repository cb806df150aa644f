package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/slackapi"
	"github.com/warroom-dev/warroom/store"
)

// maxChannelAttempts bounds the -2, -3, … suffixes tried on name_taken.
const maxChannelAttempts = 50

// syncRun is one run of an incident's sync. Every step checks the recorded
// progress first and records its own completion, so running it again —
// after a crash, a failure, a change — only does what is missing. The
// record is shared by the steps that run in parallel, hence the mutex.
type syncRun struct {
	w     *Workflow
	fence jobtype.Fence
	steps *store.Ledger
	log   zerolog.Logger

	mu       sync.Mutex
	rec      *store.Record
	defaults warroom.MeetingDefaults
}

func (r *syncRun) snapshot() store.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := *r.rec
	if r.rec.Meeting != nil {
		m := *r.rec.Meeting
		rec.Meeting = &m
	}
	return rec
}

func (r *syncRun) set(f func(rec *store.Record)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(r.rec)
}

// syncIncident runs the incident's sync. The same job builds the war room
// and, run again after any change, brings everything people see up to
// date:
//
//	create (or join) channel ‖ create Zoom meeting
//	channel → invite ‖ confirm to declarer ‖ post message → pin
//	meeting + message → update message, topic ‖ bookmark ‖ announcement
//
// A Zoom failure never holds up the Slack steps: the message is posted
// saying the call is being set up, then says what failed; the meeting has
// its own backoff, and the job comes back when its next attempt is due.
func (w *Workflow) syncIncident(ctx context.Context, job *jobs.Job[jobtype.IncidentSync]) error {
	rec, err := w.incidents.Incident(ctx, job.Args.IncidentID)
	if err != nil {
		return err
	}
	defaults, err := w.incidents.MeetingDefaults(ctx)
	if err != nil {
		return err
	}
	r := &syncRun{w: w, fence: job.Fence, steps: w.rooms.Ledger(job.Fence, rec.ID), rec: rec, defaults: defaults,
		log: w.log.With().Str("incident", rec.Ref()).Logger()}
	runCtx := ctx
	if rec.Pinned {
		// The war room stands: this run brings it up to date, and yields
		// to declares when Slack's budget is short (slackapi's pacer).
		runCtx = slackapi.WithRefresh(ctx)
	}
	err = r.run(runCtx)
	if errors.Is(err, warroom.ErrLeaseLost) || errors.Is(context.Cause(ctx), warroom.ErrLeaseLost) {
		return err // another run holds the incident now: nothing more of ours is written
	}
	// The results still waiting go to disk with the job's outcome, in one
	// commit.
	if herr := r.steps.HandOver(ctx); herr != nil {
		return errors.Join(err, herr)
	}
	return err
}

// run is the sync proper; see syncIncident.
func (r *syncRun) run(ctx context.Context) error {
	type meetingResult struct {
		retryAt time.Time
		err     error
	}
	meetingDone := make(chan meetingResult, 1)
	meetingReady := make(chan struct{})
	go func() {
		at, err := r.ensureMeeting(ctx)
		close(meetingReady)
		meetingDone <- meetingResult{at, err}
	}()

	if err := r.ensureChannel(ctx); err != nil {
		m := <-meetingDone
		return errors.Join(err, m.err)
	}

	var wg sync.WaitGroup
	var inviteErr, confirmErr, pinErr, threadErr, originErr error
	wg.Go(func() { inviteErr = r.ensureInvited(ctx) })
	wg.Go(func() { confirmErr = r.ensureConfirmed(ctx) })
	wg.Go(func() { threadErr = r.ensureThreadReply(ctx) })
	r.awaitMeeting(ctx, meetingReady)
	postErr := r.ensureMessage(ctx)
	if postErr == nil {
		wg.Go(func() { pinErr = r.ensurePinned(ctx) })
		wg.Go(func() { originErr = r.ensureOrigin(ctx) })
	}

	meeting := <-meetingDone
	var retiredErr, endErr error
	var retiredWG sync.WaitGroup
	retiredWG.Go(func() { retiredErr = r.ensureRetiredGone(ctx) })
	endErr = r.ensureEndedOnResolve(ctx)

	var syncErr, topicErr, bookmarkErr, announceErr, hostErr, functionErr, canvasErr error
	if postErr == nil {
		syncErr = r.syncMessage(ctx)
		wg.Go(func() { functionErr = r.ensureFunctionDone(ctx) })
	}
	if call := r.snapshot().Call; call == warroom.CallReady || call == warroom.CallRemoved {
		// The topic carries the call link: set once the call is there (or
		// gone), not before and again after. Topic changes are scarce in
		// a storm (Slack's Tier 2), and each shows in the channel.
		wg.Go(func() { topicErr = r.ensureTopic(ctx) })
	}
	wg.Go(func() {
		retiredWG.Wait() // the old call's bookmark goes first
		bookmarkErr = r.ensureBookmark(ctx)
	})
	wg.Go(func() { announceErr = r.ensureAnnounced(ctx) })
	wg.Go(func() { hostErr = r.ensureHostControls(ctx) })
	wg.Go(func() { canvasErr = r.ensureCanvas(ctx) })
	var slackCallErr error
	wg.Go(func() { slackCallErr = r.ensureSlackCalls(ctx) })
	wg.Wait()
	retiredWG.Wait()
	if err := errors.Join(postErr, syncErr, inviteErr, confirmErr, pinErr, retiredErr, endErr, topicErr, bookmarkErr,
		announceErr, hostErr, threadErr, originErr, functionErr, canvasErr, slackCallErr); err != nil {
		return errors.Join(err, meeting.err)
	}
	if !meeting.retryAt.IsZero() {
		// Slack is up to date; the meeting's next attempt is due later.
		return jobs.SnoozeUntil(meeting.retryAt, meeting.err)
	}
	return meeting.err
}

// ensureChannel creates the incident channel, trying name-2, name-3, … on
// name_taken. If a previous run claimed a name and then lost the answer
// (a crash after conversations.create), the channel of that name made by
// this bot and owned by no other incident is adopted instead of making a
// second one.
func (r *syncRun) ensureChannel(ctx context.Context) error {
	rec := r.snapshot()
	if rec.ChannelID != "" {
		return r.ensureJoined(ctx)
	}
	w := r.w
	interruptedName := rec.ChannelName
	for attempt := max(rec.ChannelAttempt, 1); attempt <= maxChannelAttempts; attempt++ {
		name := warroom.ChannelName(w.cfg.ChannelPrefix, rec.CreatedAt.In(w.cfg.Location), rec.FullTitle, attempt)
		if err := r.steps.ClaimChannelName(ctx, name, attempt); err != nil {
			return err
		}
		ch, err := w.slack.CreateChannel(ctx, name, rec.Private)
		if err == nil {
			if err := r.steps.SetChannel(ctx, ch.ID, ch.Name); err != nil {
				return err
			}
			r.set(func(x *store.Record) { x.ChannelID, x.ChannelName = ch.ID, ch.Name })
			r.log.Info().Str("channel", ch.ID).Str("name", ch.Name).Msg("channel created")
			return nil
		}
		if slackapi.Code(err) != "name_taken" {
			return fmt.Errorf("create channel %s: %w", name, err)
		}
		if name == interruptedName {
			id, err := r.adoptChannel(ctx, name)
			if err != nil {
				return err
			}
			if id != "" {
				if err := r.steps.SetChannel(ctx, id, name); err != nil {
					return err
				}
				r.set(func(x *store.Record) { x.ChannelID, x.ChannelName = id, name })
				r.log.Info().Str("channel", id).Str("name", name).Msg("recovered channel created before a restart")
				return nil
			}
		}
	}
	return fmt.Errorf("create channel: every name up to -%d is taken", maxChannelAttempts)
}

// ensureJoined makes the bot a member of a channel a person created (the
// channel_created trigger); in its own channels it is a member already.
func (r *syncRun) ensureJoined(ctx context.Context) error {
	rec := r.snapshot()
	if rec.Joined || rec.DedupeKeyKind() != "channel" {
		return nil
	}
	if err := r.w.slack.Join(ctx, rec.ChannelID); err != nil {
		return fmt.Errorf("join channel %s: %w", rec.ChannelID, err)
	}
	r.steps.Done(store.StepJoined)
	r.set(func(x *store.Record) { x.Joined = true })
	return nil
}

// adoptChannel finds the channel called name if this bot created it and no
// other incident claims it.
func (r *syncRun) adoptChannel(ctx context.Context, name string) (string, error) {
	w := r.w
	rec := r.snapshot()
	if other, err := w.rooms.ChannelNameClaimedByOther(ctx, rec.ID, name); err != nil || other {
		return "", err
	}
	ch, ok, err := w.slack.FindChannel(ctx, name, w.botUserID)
	if err != nil || !ok {
		return "", err
	}
	if _, err := w.incidents.IncidentByChannel(ctx, ch.ID); err == nil {
		return "", nil // someone else's incident
	}
	return ch.ID, nil
}

func (r *syncRun) ensureInvited(ctx context.Context) error {
	rec := r.snapshot()
	if rec.Invited {
		return nil
	}
	w := r.w
	var users []string
	for _, u := range append([]string{rec.DeclaredBy, rec.Commander}, rec.Responders...) {
		// An incident declared by an API client or an alert has no Slack
		// declarer; its commander, when named, is invited instead.
		if u != "" && u != w.botUserID && !slices.Contains(users, u) {
			users = append(users, u)
		}
	}
	skipped, err := w.slack.Invite(ctx, rec.ChannelID, users...)
	if err != nil {
		return fmt.Errorf("invite declarer: %w", err)
	}
	if skipped {
		// Nothing later will change this: note it and move on.
		r.log.Warn().Strs("users", users).Msg("could not invite everyone")
	}
	r.steps.Done(store.StepInvited)
	r.set(func(x *store.Record) { x.Invited = true })
	return nil
}

// ensureConfirmed tells the declarer where the incident lives, replacing
// the "Declaring…" reply through the slash command's response_url.
func (r *syncRun) ensureConfirmed(ctx context.Context) error {
	rec := r.snapshot()
	if rec.Confirmed {
		return nil
	}
	w := r.w
	if rec.ResponseURL != "" {
		shown := rec.Incident
		if shown.Private {
			// The reply lands outside the private channel: no call link.
			shown.Meeting, shown.Call = nil, warroom.CallPending
		}
		reply := blocks.ReplyOf(blocks.Declared(shown))
		reply.ReplaceOriginal = true
		if err := w.slack.Respond(ctx, rec.ResponseURL, reply); err != nil {
			// A response_url lives 30 minutes; after a long outage it is
			// gone. The declarer is in the channel by then anyway.
			r.log.Warn().Err(err).Msg("could not confirm to the declarer")
		}
	}
	r.steps.Done(store.StepConfirmed)
	r.set(func(x *store.Record) { x.Confirmed = true })
	return nil
}

// fingerprint says what a message shows, so an update is sent only when
// something visible changed.
func fingerprint(m blocks.Message) string {
	raw, _ := json.Marshal(m.Blocks)
	return textFingerprint(m.Text + "\x00" + string(raw))
}

// textFingerprint stands for a text kept only to notice that it changed:
// the text itself (a call link, say) is not kept.
func textFingerprint(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// incidentMessage renders the pinned message, tagged with the incident:
// that is how recovery recognises a message already posted.
func (w *Workflow) incidentMessage(rec store.Record) blocks.Message {
	var opts []blocks.Option
	if w.cfg.FallbackCallURL != "" {
		opts = append(opts, blocks.WithFallbackCall(w.cfg.FallbackCallURL))
	}
	m := blocks.Msg(blocks.IncidentMessage(rec.Incident, opts...))
	blocks.Tag(m.Blocks, blocks.IncidentBlockID(rec.ID))
	return m
}

// meetingWait is how long the first post waits for a meeting being made:
// Zoom usually answers within it, and the message is then posted with its
// Join button instead of posted and edited a moment later (an edit is
// one more call against Slack's limits, and a storm of incidents makes
// many). A slower Zoom gets the message at once, saying the call is
// being set up.
const meetingWait = 300 * time.Millisecond

// awaitMeeting waits for the meeting (ready closes when its step is done)
// before the first post, for up to meetingWait.
func (r *syncRun) awaitMeeting(ctx context.Context, ready <-chan struct{}) {
	if rec := r.snapshot(); rec.MessageTS != "" || rec.Meeting != nil {
		return
	}
	t := time.NewTimer(meetingWait)
	defer t.Stop()
	select {
	case <-ready:
	case <-t.C:
	case <-ctx.Done():
	}
}

// ensureMessage posts the incident message once (see slackapi.PostOnce).
func (r *syncRun) ensureMessage(ctx context.Context) error {
	rec := r.snapshot()
	if rec.MessageTS != "" {
		return nil
	}
	w := r.w
	mark := func() error { return r.steps.Mark(ctx, store.StepMessagePosting) }
	// Render from the freshest state: the meeting may have arrived while
	// the channel was being made.
	now := r.snapshot()
	msg := r.w.incidentMessage(now)
	_, ts, err := w.slack.PostOnce(ctx, rec.ChannelID, blocks.IncidentBlockID(rec.ID), rec.MessagePosting, mark, msg)
	if err != nil {
		return fmt.Errorf("post incident message: %w", err)
	}
	shows := fingerprint(msg)
	if rec.MessagePosting {
		shows = "?" // found, not posted by this run: bring it up to date
	}
	r.steps.Message(ts, shows)
	r.set(func(x *store.Record) { x.MessageTS, x.MessageShows = ts, shows })
	return nil
}

// syncMessage updates the incident message when what it shows is stale.
func (r *syncRun) syncMessage(ctx context.Context) error {
	rec := r.snapshot()
	msg := r.w.incidentMessage(rec)
	shows := fingerprint(msg)
	if rec.MessageTS == "" || rec.MessageShows == shows {
		return nil
	}
	if err := r.w.slack.Update(ctx, rec.ChannelID, rec.MessageTS, msg); err != nil {
		return fmt.Errorf("update incident message: %w", err)
	}
	r.steps.MessageShows(shows)
	r.set(func(x *store.Record) { x.MessageShows = shows })
	return nil
}

func (r *syncRun) ensurePinned(ctx context.Context) error {
	rec := r.snapshot()
	if rec.Pinned {
		return nil
	}
	if err := r.w.slack.Pin(ctx, rec.ChannelID, rec.MessageTS); err != nil {
		return fmt.Errorf("pin incident message: %w", err)
	}
	r.steps.Done(store.StepPinned)
	r.set(func(x *store.Record) { x.Pinned = true })
	return nil
}

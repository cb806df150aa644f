package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/store"
)

// maxChannelAttempts bounds the -2, -3, … suffixes tried on name_taken.
const maxChannelAttempts = 50

// declareRun builds one incident's war room. Every step checks the
// recorded progress first and records its own completion, so running it
// again — after a crash, a failure or a redelivery — only does what is
// missing. The record is shared by the steps that run in parallel, hence
// the mutex.
type declareRun struct {
	b   *Bot
	log zerolog.Logger

	mu       sync.Mutex
	rec      *store.Record
	defaults warroom.MeetingDefaults
}

func (r *declareRun) snapshot() store.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := *r.rec
	if r.rec.Meeting != nil {
		m := *r.rec.Meeting
		rec.Meeting = &m
	}
	return rec
}

func (r *declareRun) set(f func(rec *store.Record)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(r.rec)
}

// runDeclare runs the incident's workflow. The same job builds the war
// room and, run again after any change, brings everything people see up to
// date:
//
//	create (or join) channel ‖ create Zoom meeting
//	channel → invite ‖ confirm to declarer ‖ post message → pin
//	meeting + message → update message, topic ‖ bookmark ‖ announcement
//
// A Zoom failure never holds up the Slack steps: the message is posted
// saying the call is being set up, then says what failed; the job returns
// the error so the runner retries with backoff until the meeting exists.
func (b *Bot) runDeclare(ctx context.Context, job store.Job) error {
	rec, err := b.store.Incident(ctx, job.IncidentID)
	if err != nil {
		return err
	}
	defaults, err := b.store.MeetingDefaults(ctx)
	if err != nil {
		return err
	}
	r := &declareRun{b: b, rec: rec, defaults: defaults, log: b.log.With().Str("incident", rec.Ref()).Logger()}

	meetingDone := make(chan error, 1)
	go func() { meetingDone <- r.ensureMeeting(ctx) }()

	if err := r.ensureChannel(ctx); err != nil {
		merr := <-meetingDone
		return errors.Join(err, merr)
	}

	var wg sync.WaitGroup
	var inviteErr, confirmErr, pinErr error
	wg.Go(func() { inviteErr = r.ensureInvited(ctx) })
	wg.Go(func() { confirmErr = r.ensureConfirmed(ctx) })
	postErr := r.ensureMessage(ctx)
	if postErr == nil {
		wg.Go(func() { pinErr = r.ensurePinned(ctx) })
	}

	meetingErr := <-meetingDone
	if meetingErr != nil {
		reason := callFailureReason(meetingErr)
		if err := b.store.SetCallFailed(ctx, rec.ID, reason); err != nil {
			meetingErr = errors.Join(meetingErr, err)
		}
		r.set(func(rec *store.Record) { rec.Call, rec.CallError = warroom.CallFailed, reason })
		r.log.Warn().Err(meetingErr).Str("reason", reason).Msg("zoom meeting not created yet")
	}
	var oldErr, endErr error
	var oldWG sync.WaitGroup
	oldWG.Go(func() { oldErr = r.ensureOldMeetingGone(ctx) })
	endErr = r.ensureEndedOnResolve(ctx)

	var syncErr, topicErr, bookmarkErr, announceErr error
	if postErr == nil {
		syncErr = r.syncMessage(ctx)
	}
	switch r.snapshot().Call {
	case warroom.CallReady:
		wg.Go(func() { topicErr = r.ensureTopic(ctx) })
		wg.Go(func() {
			oldWG.Wait() // the old call's bookmark goes first
			bookmarkErr = r.ensureBookmark(ctx)
		})
	case warroom.CallRemoved:
		wg.Go(func() { topicErr = r.ensureTopic(ctx) }) // without the dead link
	}
	wg.Go(func() { announceErr = r.ensureAnnounced(ctx) })
	wg.Wait()
	oldWG.Wait()
	return errors.Join(meetingErr, postErr, syncErr, inviteErr, confirmErr, pinErr, oldErr, endErr, topicErr, bookmarkErr, announceErr)
}

// ensureChannel creates the incident channel, trying name-2, name-3, … on
// name_taken. If a previous run claimed a name and then lost the answer
// (a crash after conversations.create), the channel of that name made by
// this bot and owned by no other incident is adopted instead of making a
// second one.
func (r *declareRun) ensureChannel(ctx context.Context) error {
	rec := r.snapshot()
	if rec.ChannelID != "" {
		return r.ensureJoined(ctx)
	}
	b := r.b
	interruptedName := rec.ChannelName
	for attempt := max(rec.ChannelAttempt, 1); attempt <= maxChannelAttempts; attempt++ {
		name := warroom.ChannelName(b.cfg.ChannelPrefix, rec.CreatedAt.In(b.cfg.Location), rec.FullTitle, attempt)
		if err := b.store.ClaimChannelName(ctx, rec.ID, name, attempt); err != nil {
			return err
		}
		ch, err := b.api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: name, IsPrivate: rec.Private})
		if err == nil {
			if err := b.store.SetChannel(ctx, rec.ID, ch.ID, ch.Name); err != nil {
				return err
			}
			r.set(func(x *store.Record) { x.ChannelID, x.ChannelName = ch.ID, ch.Name })
			r.log.Info().Str("channel", ch.ID).Str("name", ch.Name).Msg("channel created")
			return nil
		}
		if slackError(err) != "name_taken" {
			return fmt.Errorf("create channel %s: %w", name, err)
		}
		if name == interruptedName {
			id, err := r.adoptChannel(ctx, name)
			if err != nil {
				return err
			}
			if id != "" {
				if err := b.store.SetChannel(ctx, rec.ID, id, name); err != nil {
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
func (r *declareRun) ensureJoined(ctx context.Context) error {
	rec := r.snapshot()
	if rec.Joined || rec.DedupeKeyKind() != "channel" {
		return nil
	}
	if _, _, _, err := r.b.api.JoinConversationContext(ctx, rec.ChannelID); err != nil {
		return fmt.Errorf("join channel %s: %w", rec.ChannelID, err)
	}
	if err := r.b.store.MarkStep(ctx, rec.ID, store.StepJoined); err != nil {
		return err
	}
	r.set(func(x *store.Record) { x.Joined = true })
	return nil
}

// adoptChannel finds the channel called name if this bot created it and no
// other incident claims it.
func (r *declareRun) adoptChannel(ctx context.Context, name string) (string, error) {
	b := r.b
	rec := r.snapshot()
	if other, err := b.store.ChannelNameClaimedByOther(ctx, rec.ID, name); err != nil || other {
		return "", err
	}
	params := &slack.GetConversationsParameters{Types: []string{"public_channel", "private_channel"}, Limit: 1000}
	for {
		chans, cursor, err := b.api.GetConversationsContext(ctx, params)
		if err != nil {
			return "", fmt.Errorf("find channel %s: %w", name, err)
		}
		for _, ch := range chans {
			if ch.Name == name && ch.Creator == b.botUserID {
				if _, err := b.store.IncidentByChannel(ctx, ch.ID); err == nil {
					return "", nil // someone else's incident
				}
				return ch.ID, nil
			}
		}
		if cursor == "" {
			return "", nil
		}
		params.Cursor = cursor
	}
}

func (r *declareRun) ensureInvited(ctx context.Context) error {
	rec := r.snapshot()
	if rec.Invited {
		return nil
	}
	b := r.b
	var users []string
	for _, u := range append([]string{rec.DeclaredBy}, rec.Responders...) {
		if u != "" && u != b.botUserID && !slices.Contains(users, u) {
			users = append(users, u)
		}
	}
	if len(users) > 0 {
		_, err := b.api.InviteUsersToConversationContext(ctx, rec.ChannelID, users...)
		switch slackError(err) {
		case "", "already_in_channel", "cant_invite_self":
		case "user_not_found", "user_is_restricted", "user_is_ultra_restricted", "cant_invite":
			// Nothing later will change this: note it and move on.
			r.log.Warn().Err(err).Strs("users", users).Msg("could not invite everyone")
		default:
			return fmt.Errorf("invite declarer: %w", err)
		}
	}
	if err := b.store.MarkStep(ctx, rec.ID, store.StepInvited); err != nil {
		return err
	}
	r.set(func(x *store.Record) { x.Invited = true })
	return nil
}

// ensureConfirmed tells the declarer where the incident lives, replacing
// the "Declaring…" reply through the slash command's response_url.
func (r *declareRun) ensureConfirmed(ctx context.Context) error {
	rec := r.snapshot()
	if rec.Confirmed {
		return nil
	}
	b := r.b
	if rec.ResponseURL != "" {
		shown := rec.Incident
		if shown.Private {
			// The reply lands outside the private channel: no call link.
			shown.Meeting, shown.Call = nil, warroom.CallPending
		}
		text, blks := blocks.Declared(shown)
		msg := &slack.WebhookMessage{Text: text, ReplaceOriginal: true}
		if len(blks) > 0 {
			msg.Blocks = &slack.Blocks{BlockSet: blks}
		}
		if err := b.reply(ctx, rec.ResponseURL, msg); err != nil {
			// A response_url lives 30 minutes; after a long outage it is
			// gone. The declarer is in the channel by then anyway.
			r.log.Warn().Err(err).Msg("could not confirm to the declarer")
		}
	}
	if err := b.store.MarkStep(ctx, rec.ID, store.StepConfirmed); err != nil {
		return err
	}
	r.set(func(x *store.Record) { x.Confirmed = true })
	return nil
}

// messageShows fingerprints what the incident message shows, so an update
// is sent only when something visible changed.
func messageShows(rec store.Record) string {
	text, blks := incidentMessage(rec)
	return fingerprint(text, blks)
}

func fingerprint(text string, blks []slack.Block) string {
	raw, _ := json.Marshal(blks)
	sum := sha256.Sum256(append([]byte(text+"\x00"), raw...))
	return hex.EncodeToString(sum[:8])
}

func incidentBlockID(id int64) string { return fmt.Sprintf("warroom-incident-%d", id) }

// incidentMessage renders the message and tags its first block with the
// incident, which is how recovery recognises a message already posted.
func incidentMessage(rec store.Record) (string, []slack.Block) {
	text, blks := blocks.IncidentMessage(rec.Incident)
	if len(blks) > 0 {
		setBlockID(blks[0], incidentBlockID(rec.ID))
	}
	return text, blks
}

// ensureMessage posts the incident message once. chat.postMessage has no
// idempotency key, so the intent is recorded first; a run that finds the
// intent without a timestamp looks for the message in the channel before
// posting again.
func (r *declareRun) ensureMessage(ctx context.Context) error {
	rec := r.snapshot()
	if rec.MessageTS != "" {
		return nil
	}
	b := r.b
	if rec.MessagePosting {
		ts, err := r.findPostedMessage(ctx, rec)
		if err != nil {
			return err
		}
		if ts != "" {
			// Recorded as showing nothing, so syncMessage brings it up to date.
			if err := b.store.SetMessage(ctx, rec.ID, ts, "?"); err != nil {
				return err
			}
			r.set(func(x *store.Record) { x.MessageTS, x.MessageShows = ts, "?" })
			r.log.Info().Str("ts", ts).Msg("recovered incident message posted before a restart")
			return nil
		}
	} else if err := b.store.MarkStep(ctx, rec.ID, store.StepMessagePosting); err != nil {
		return err
	}
	// Render from the freshest state: the meeting may have arrived while
	// the channel was being made.
	rec = r.snapshot()
	text, blks := incidentMessage(rec)
	_, ts, err := b.api.PostMessageContext(ctx, rec.ChannelID, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blks...))
	if err != nil {
		return fmt.Errorf("post incident message: %w", err)
	}
	shows := messageShows(rec)
	if err := b.store.SetMessage(ctx, rec.ID, ts, shows); err != nil {
		return err
	}
	r.set(func(x *store.Record) { x.MessageTS, x.MessageShows = ts, shows })
	return nil
}

func (r *declareRun) findPostedMessage(ctx context.Context, rec store.Record) (string, error) {
	_, ts, err := r.b.findBlockMessage(ctx, rec.ChannelID, incidentBlockID(rec.ID))
	return ts, err
}

// syncMessage updates the incident message when what it shows is stale.
func (r *declareRun) syncMessage(ctx context.Context) error {
	rec := r.snapshot()
	shows := messageShows(rec)
	if rec.MessageTS == "" || rec.MessageShows == shows {
		return nil
	}
	text, blks := incidentMessage(rec)
	if _, _, _, err := r.b.api.UpdateMessageContext(ctx, rec.ChannelID, rec.MessageTS,
		slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blks...)); err != nil {
		return fmt.Errorf("update incident message: %w", err)
	}
	if err := r.b.store.SetMessageShows(ctx, rec.ID, shows); err != nil {
		return err
	}
	r.set(func(x *store.Record) { x.MessageShows = shows })
	return nil
}

func (r *declareRun) ensurePinned(ctx context.Context) error {
	rec := r.snapshot()
	if rec.Pinned {
		return nil
	}
	err := r.b.api.AddPinContext(ctx, rec.ChannelID, slack.ItemRef{Channel: rec.ChannelID, Timestamp: rec.MessageTS})
	if e := slackError(err); e != "" && e != "already_pinned" {
		return fmt.Errorf("pin incident message: %w", err)
	}
	if err := r.b.store.MarkStep(ctx, rec.ID, store.StepPinned); err != nil {
		return err
	}
	r.set(func(x *store.Record) { x.Pinned = true })
	return nil
}

func (r *declareRun) ensureTopic(ctx context.Context) error {
	rec := r.snapshot()
	topic := blocks.ChannelTopic(rec.Incident)
	if rec.TopicShows == topic {
		return nil
	}
	if _, err := r.b.api.SetTopicOfConversationContext(ctx, rec.ChannelID, topic); err != nil {
		return fmt.Errorf("set channel topic: %w", err)
	}
	if err := r.b.store.SetTopicShows(ctx, rec.ID, topic); err != nil {
		return err
	}
	r.set(func(x *store.Record) { x.TopicShows = topic })
	return nil
}

// BookmarkTitle is the title of the channel bookmark carrying the call link.
const BookmarkTitle = "Join Zoom call"

// ensureBookmark keeps a channel bookmark pointing at the call.
// bookmarks.add has no idempotency key, so a recorded intent makes a later
// run check the channel's bookmarks first. The link it points to is what
// is recorded, so a run that finished after the call changed cannot mark
// the new call as bookmarked.
func (r *declareRun) ensureBookmark(ctx context.Context) error {
	rec := r.snapshot()
	if rec.Meeting == nil || rec.BookmarkLink == rec.Meeting.JoinURL {
		return nil
	}
	b := r.b
	link := rec.Meeting.JoinURL
	exists := false
	if rec.BookmarkAdding {
		marks, err := b.api.ListBookmarksContext(ctx, rec.ChannelID)
		if err != nil {
			return fmt.Errorf("list bookmarks: %w", err)
		}
		for _, m := range marks {
			exists = exists || m.Link == link
		}
	} else if err := b.store.MarkStep(ctx, rec.ID, store.StepBookmarkAdding); err != nil {
		return err
	}
	if !exists {
		_, err := b.api.AddBookmarkContext(ctx, rec.ChannelID, slack.AddBookmarkParameters{
			Title: BookmarkTitle, Type: "link", Link: link, Emoji: ":telephone_receiver:"})
		if err != nil {
			return fmt.Errorf("add bookmark: %w", err)
		}
	}
	if err := b.store.SetBookmarkLink(ctx, rec.ID, link); err != nil {
		return err
	}
	r.set(func(x *store.Record) { x.BookmarkLink, x.BookmarkAdding = link, false })
	return nil
}

// slackError returns the Slack error string of err ("name_taken"), "" for
// nil, or err's text for other failures.
func slackError(err error) string {
	if err == nil {
		return ""
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	var sep *slack.SlackErrorResponse
	if errors.As(err, &sep) {
		return sep.Err
	}
	return strings.TrimSpace(err.Error())
}

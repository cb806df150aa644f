package bot

import (
	"context"
	"fmt"
	"sync"

	"github.com/slack-go/slack"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom"
)

// userNames caches Slack display names for Zoom topics and agendas.
type userNames struct {
	mu    sync.Mutex
	names map[string]string
}

// userName is a person's Slack name, or their ID if Slack will not say.
func (b *Bot) userName(ctx context.Context, id string) string {
	b.names.mu.Lock()
	name, ok := b.names.names[id]
	b.names.mu.Unlock()
	if ok || id == "" {
		return name
	}
	u, err := b.api.GetUserInfoContext(ctx, id)
	if err != nil {
		return id
	}
	name = u.Profile.DisplayName
	if name == "" {
		name = u.RealName
	}
	if name == "" {
		name = u.Name
	}
	b.names.mu.Lock()
	if b.names.names == nil {
		b.names.names = map[string]string{}
	}
	b.names.names[id] = name
	b.names.mu.Unlock()
	return name
}

// ensureOldMeetingGone deletes a replaced meeting at Zoom if it never
// started (a started one holds people and a recording: it is left alone)
// and removes the bookmark that pointed to it.
func (r *declareRun) ensureOldMeetingGone(ctx context.Context) error {
	rec := r.snapshot()
	if rec.OldMeetingID == 0 && rec.OldJoinURL == "" {
		return nil
	}
	b := r.b
	if rec.OldMeetingID != 0 && rec.OldMeetingHost != "" {
		client, _, err := b.pool.Client(ctx, rec.OldMeetingHost)
		if err == nil {
			m, err := client.GetMeeting(ctx, rec.OldMeetingID)
			switch {
			case zoom.IsNotFound(err):
			case err != nil:
				return fmt.Errorf("check replaced meeting: %w", err)
			case m.Status == "started":
				r.log.Info().Func(meetingField(rec.Private, m.ID)).Msg("replaced meeting is in progress; leaving it at Zoom")
			default:
				if err := client.DeleteMeeting(ctx, rec.OldMeetingID); err != nil && !zoom.IsNotFound(err) {
					return fmt.Errorf("delete replaced meeting: %w", err)
				}
				r.log.Info().Func(meetingField(rec.Private, rec.OldMeetingID)).Msg("replaced meeting deleted at Zoom")
			}
		}
	}
	if rec.OldJoinURL != "" && rec.ChannelID != "" {
		marks, err := b.api.ListBookmarksContext(ctx, rec.ChannelID)
		if err != nil {
			return fmt.Errorf("list bookmarks: %w", err)
		}
		for _, m := range marks {
			if m.Link == rec.OldJoinURL {
				if err := b.api.RemoveBookmarkContext(ctx, rec.ChannelID, m.ID); err != nil {
					return fmt.Errorf("remove old bookmark: %w", err)
				}
			}
		}
	}
	if rec.OldJoinURL != "" && rec.BookmarkLink == rec.OldJoinURL {
		// The bookmark is gone with the old call: the next run adds one
		// for the new call.
		if err := b.store.SetBookmarkLink(ctx, rec.ID, ""); err != nil {
			return err
		}
	}
	if err := b.store.ClearOldMeeting(ctx, rec.ID); err != nil {
		return err
	}
	r.set(func(x *store.Record) { x.OldMeetingID, x.OldMeetingHost, x.OldJoinURL = 0, "", "" })
	return nil
}

// ensureEndedOnResolve ends the meeting at Zoom when the incident is
// resolved and the admins chose so (/incident zoom settings).
func (r *declareRun) ensureEndedOnResolve(ctx context.Context) error {
	rec := r.snapshot()
	if rec.Status != warroom.StatusResolved || !r.defaults.EndOnResolve || rec.Meeting == nil || rec.MeetingEnded || rec.MeetingHost == "" {
		return nil
	}
	client, _, err := r.b.pool.Client(ctx, rec.MeetingHost)
	if err != nil {
		return err
	}
	if err := client.EndMeeting(ctx, rec.Meeting.ID); err != nil {
		var ze *zoom.Error
		// Not running (never started, already over) or gone: nothing to end.
		if !zoom.IsNotFound(err) && !(asZoomError(err, &ze) && ze.Status == 400) {
			return fmt.Errorf("end meeting: %w", err)
		}
	}
	if err := r.b.store.MarkStep(ctx, rec.ID, store.StepMeetingEnded); err != nil {
		return err
	}
	r.set(func(x *store.Record) { x.MeetingEnded = true })
	r.log.Info().Func(meetingField(rec.Private, rec.Meeting.ID)).Msg("meeting ended at Zoom on resolve")
	return nil
}

func announceBlockID(id int64) string { return fmt.Sprintf("warroom-announce-%d", id) }

// ensureAnnounced keeps the incident's one message in the announce channel
// current. Private incidents are announced without title, channel or call.
func (r *declareRun) ensureAnnounced(ctx context.Context) error {
	b := r.b
	channel := b.cfg.AnnounceChannel
	if channel == "" {
		return nil
	}
	rec := r.snapshot()
	text, blks := blocks.Announcement(rec.Incident)
	if len(blks) > 0 {
		setBlockID(blks[0], announceBlockID(rec.ID))
	}
	shows := fingerprint(text, blks)
	if rec.AnnounceTS != "" {
		if rec.AnnounceShows == shows {
			return nil
		}
		if _, _, _, err := b.api.UpdateMessageContext(ctx, rec.AnnounceChannel, rec.AnnounceTS,
			slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blks...)); err != nil {
			return fmt.Errorf("update announcement: %w", err)
		}
		if err := b.store.SetAnnounceShows(ctx, rec.ID, shows); err != nil {
			return err
		}
		r.set(func(x *store.Record) { x.AnnounceShows = shows })
		return nil
	}
	if rec.AnnouncePosting {
		if ch, ts, err := b.findBlockMessage(ctx, channel, announceBlockID(rec.ID)); err != nil {
			return err
		} else if ts != "" {
			// Found after a lost answer: record it as stale so it is updated.
			if err := b.store.SetAnnouncement(ctx, rec.ID, ch, ts, "?"); err != nil {
				return err
			}
			r.set(func(x *store.Record) { x.AnnounceChannel, x.AnnounceTS, x.AnnounceShows = ch, ts, "?" })
			return r.ensureAnnounced(ctx)
		}
	} else if err := b.store.MarkStep(ctx, rec.ID, store.StepAnnouncePosting); err != nil {
		return err
	}
	ch, ts, err := b.api.PostMessageContext(ctx, channel, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blks...))
	if slackError(err) == "not_in_channel" {
		if _, _, _, jerr := b.api.JoinConversationContext(ctx, channel); jerr == nil {
			ch, ts, err = b.api.PostMessageContext(ctx, channel, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blks...))
		}
	}
	if err != nil {
		return fmt.Errorf("announce in %s: %w", channel, err)
	}
	if err := b.store.SetAnnouncement(ctx, rec.ID, ch, ts, shows); err != nil {
		return err
	}
	r.set(func(x *store.Record) { x.AnnounceChannel, x.AnnounceTS, x.AnnounceShows = ch, ts, shows })
	return nil
}

// findBlockMessage looks through a channel's history for the message whose
// first block has blockID; it returns the channel ID as Slack reports it.
func (b *Bot) findBlockMessage(ctx context.Context, channel, blockID string) (string, string, error) {
	params := &slack.GetConversationHistoryParameters{ChannelID: channel, Limit: 200}
	for {
		hist, err := b.api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return "", "", fmt.Errorf("look for message %s: %w", blockID, err)
		}
		for _, m := range hist.Messages {
			for _, blk := range m.Blocks.BlockSet {
				if blk.ID() == blockID {
					ch := m.Channel
					if ch == "" {
						ch = channel
					}
					return ch, m.Timestamp, nil
				}
			}
		}
		if !hist.HasMore || hist.ResponseMetaData.NextCursor == "" {
			return "", "", nil
		}
		params.Cursor = hist.ResponseMetaData.NextCursor
	}
}

func setBlockID(blk slack.Block, id string) {
	switch b := blk.(type) {
	case *slack.HeaderBlock:
		b.BlockID = id
	case *slack.SectionBlock:
		b.BlockID = id
	case *slack.ContextBlock:
		b.BlockID = id
	}
}

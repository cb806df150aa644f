package workflow

import (
	"context"
	"fmt"

	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/slackapi"
	"github.com/warroom-dev/warroom/store"
)

// ensureTopic keeps the channel topic (which carries the call link)
// current. What it shows is remembered as a fingerprint, never as the
// text: the link must not outlive its meeting in the database.
func (r *syncRun) ensureTopic(ctx context.Context) error {
	rec := r.snapshot()
	topic := blocks.ChannelTopic(rec.Incident)
	shows := textFingerprint(topic)
	link := ""
	if rec.Meeting != nil {
		link = rec.Meeting.JoinURL
	}
	switch rec.TopicShows {
	case shows:
		return nil
	case topic: // recorded as text by an earlier warroom: the topic is right
		r.steps.TopicShows(shows, link)
		r.set(func(x *store.Record) { x.TopicShows = shows })
		return nil
	}
	if err := r.w.slack.SetTopic(ctx, rec.ChannelID, topic); err != nil {
		return fmt.Errorf("set channel topic: %w", err)
	}
	r.steps.TopicShows(shows, link)
	r.set(func(x *store.Record) { x.TopicShows = shows })
	return nil
}

// BookmarkTitle is the title of the channel bookmark carrying the call link.
const BookmarkTitle = "Join Zoom call"

// ensureBookmark keeps a channel bookmark pointing at the call.
// bookmarks.add has no idempotency key, so a recorded intent makes a later
// run check the channel's bookmarks first. The link it points to is what
// is recorded, so a run that finished after the call changed cannot mark
// the new call as bookmarked.
func (r *syncRun) ensureBookmark(ctx context.Context) error {
	rec := r.snapshot()
	if rec.BookmarkStale {
		if err := r.removeStaleBookmarks(ctx, rec); err != nil {
			return err
		}
	}
	if rec.Meeting == nil || rec.BookmarkLink == rec.Meeting.JoinURL {
		return nil
	}
	w := r.w
	link := rec.Meeting.JoinURL
	exists := false
	if rec.BookmarkAdding {
		marks, err := w.slack.Bookmarks(ctx, rec.ChannelID)
		if err != nil {
			return fmt.Errorf("list bookmarks: %w", err)
		}
		for _, m := range marks {
			exists = exists || m.Link == link
		}
	} else if err := r.steps.Mark(ctx, store.StepBookmarkAdding); err != nil {
		return err
	}
	if !exists {
		if err := w.slack.AddBookmark(ctx, rec.ChannelID, BookmarkTitle, link, ":telephone_receiver:"); err != nil {
			return fmt.Errorf("add bookmark: %w", err)
		}
	}
	r.steps.BookmarkLink(link)
	r.set(func(x *store.Record) { x.BookmarkLink, x.BookmarkAdding = link, false })
	return nil
}

// ensureAnnounced keeps the incident's one message in the announce channel
// current. Private incidents are announced without title, channel or call.
func (r *syncRun) ensureAnnounced(ctx context.Context) error {
	w := r.w
	channel := w.cfg.AnnounceChannel
	if channel == "" {
		return nil
	}
	rec := r.snapshot()
	msg := blocks.Msg(blocks.Announcement(rec.Incident))
	blocks.Tag(msg.Blocks, blocks.AnnounceBlockID(rec.ID))
	shows := fingerprint(msg)
	if rec.AnnounceTS != "" {
		if rec.AnnounceShows == shows {
			return nil
		}
		if err := w.slack.Update(ctx, rec.AnnounceChannel, rec.AnnounceTS, msg); err != nil {
			return fmt.Errorf("update announcement: %w", err)
		}
		r.steps.AnnounceShows(shows)
		r.set(func(x *store.Record) { x.AnnounceShows = shows })
		return nil
	}
	mark := func() error { return r.steps.Mark(ctx, store.StepAnnouncePosting) }
	ch, ts, err := w.slack.PostOnce(ctx, channel, blocks.AnnounceBlockID(rec.ID), rec.AnnouncePosting, mark, msg)
	if slackapi.Code(err) == "not_in_channel" {
		if jerr := w.slack.Join(ctx, channel); jerr == nil {
			ch, ts, err = w.slack.Post(ctx, channel, msg)
		}
	}
	if jobs.IsPermanent(err) {
		// The announce channel is archived or gone: the incident's own
		// room must not fail with it.
		r.log.Warn().Err(err).Str("channel", channel).Msg("cannot announce in WARROOM_ANNOUNCE_CHANNEL; the incident goes on without")
		return nil
	}
	if err != nil {
		return fmt.Errorf("announce in %s: %w", channel, err)
	}
	if rec.AnnouncePosting {
		shows = "?" // found after a lost answer: bring it up to date
	}
	r.steps.Announcement(ch, ts, shows)
	r.set(func(x *store.Record) { x.AnnounceChannel, x.AnnounceTS, x.AnnounceShows = ch, ts, shows })
	if shows == "?" {
		return r.ensureAnnounced(ctx)
	}
	return nil
}

// removeStaleBookmarks takes away the call bookmarks that point to a call
// whose Zoom account was removed: warroom no longer knows the link (it was
// deleted with the account), so every bookmark of its own title that is not
// the current call's goes.
func (r *syncRun) removeStaleBookmarks(ctx context.Context, rec store.Record) error {
	marks, err := r.w.slack.Bookmarks(ctx, rec.ChannelID)
	if err != nil {
		return fmt.Errorf("list bookmarks: %w", err)
	}
	for _, m := range marks {
		if m.Title == BookmarkTitle && (rec.Meeting == nil || m.Link != rec.Meeting.JoinURL) {
			if err := r.w.slack.RemoveBookmarks(ctx, rec.ChannelID, m.Link); err != nil {
				return fmt.Errorf("remove a removed call's bookmark: %w", err)
			}
		}
	}
	r.steps.StaleBookmarkCleared()
	r.set(func(x *store.Record) { x.BookmarkStale = false })
	return nil
}

package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/commands"
	"github.com/warroom-dev/warroom/store"
)

// incidentCommand answers the commands that act on the incident whose
// channel they are typed in. Each change is checked and recorded in one
// transaction with the job that shows it (a local write, no network)
// before the ack; the incident's job brings the pinned message, topic and
// announcement up to date. Two people changing the same thing at once get
// one "done" and one refusal that says why.
func (b *Bot) incidentCommand(ctx context.Context, cmd slack.SlashCommand, c commands.Command) blocks.Reply {
	if _, ok := c.(commands.List); ok {
		return b.listIncidents(ctx)
	}
	rec, err := b.d.Store.IncidentByChannel(ctx, cmd.ChannelID)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		return blocks.NotIncidentChannel()
	}
	if err != nil {
		return b.couldNot("read the incident", err)
	}
	user := cmd.UserID
	switch c := c.(type) {
	case commands.ShowStatus:
		return b.status(ctx, rec)
	case commands.ShowCall:
		return blocks.ReplyOf(blocks.CallInfo(rec.Incident, blocks.HostControls{User: rec.HostControlsUser,
			Email: rec.HostControlsEmail, Note: rec.HostControlsNote}))
	case commands.SetSeverity:
		before, err := b.d.Store.SetSeverity(ctx, rec.ID, c.Severity)
		return b.changed(ctx, rec, user, c, err, func() blocks.Reply {
			return blocks.SeverityChanged(user, before.Incident, before.Severity, c.Severity)
		})
	case commands.SetCommander:
		before, err := b.d.Store.SetCommander(ctx, rec.ID, c.UserID)
		return b.changed(ctx, rec, user, c, err, func() blocks.Reply {
			return blocks.CommanderChanged(user, before.Incident, c.UserID)
		})
	case commands.Resolve:
		before, followup, err := b.d.Store.Resolve(ctx, rec.ID, c.Summary, store.ResolveOptions{
			Followup: !b.cfg.FollowupOff, FollowupFor: b.cfg.FollowupDuration, RecordingFor: b.cfg.RecordingPollFor})
		return b.changed(ctx, rec, user, c, err, func() blocks.Reply {
			return blocks.Resolved(user, before.Incident, c.Summary, followup)
		})
	case commands.Reopen:
		before, err := b.d.Store.Reopen(ctx, rec.ID)
		return b.changed(ctx, rec, user, c, err, func() blocks.Reply { return blocks.Reopened(user, before.Incident) })
	case commands.NewCall:
		before, err := b.d.Store.ReplaceMeeting(ctx, rec.ID)
		return b.changed(ctx, rec, user, c, err, func() blocks.Reply { return blocks.NewCallAsked(user, before.Incident) })
	case commands.AdoptCall:
		return b.adoptCall(ctx, rec, user, c.URL, c.MeetingID)
	case commands.FollowupList:
		return b.listFollowups(ctx, rec)
	case commands.FollowupCancel:
		f, err := b.d.Store.FollowupByN(ctx, rec.ID, c.N)
		if err != nil {
			return blocks.NoSuchFollowup(rec.Incident, c.N)
		}
		_, err = b.d.Store.CancelFollowup(ctx, f.ID, user)
		return b.changed(ctx, rec, user, c, err, func() blocks.Reply {
			return blocks.FollowupCancelAnnounced(user, rec.Incident, c.N)
		})
	}
	return blocks.ReplyOf(blocks.Usage(commands.Usage()))
}

// changed finishes a change: a refusal the incident's state explains
// (ECONFLICT, EINVALID) goes to the asker alone; a done change is logged,
// its job kicked, and announced in the channel.
func (b *Bot) changed(ctx context.Context, rec *store.Record, user string, c commands.Command, err error, done func() blocks.Reply) blocks.Reply {
	switch warroom.ErrorCode(err) {
	case "":
	case warroom.ECONFLICT, warroom.EINVALID:
		return blocks.Refused(err)
	default:
		b.logFor(ctx).Error().Err(err).Str("incident", rec.Ref()).Msg("could not record a change")
		return b.couldNot("record that", err)
	}
	b.d.Kick()
	b.logFor(ctx).Info().Str("incident", rec.Ref()).Str("user", user).Str("change", fmt.Sprintf("%T", c)).Msg("incident changed")
	return done()
}

func (b *Bot) adoptCall(ctx context.Context, rec *store.Record, user, url string, meetingID int64) blocks.Reply {
	before, err := b.d.Store.AdoptMeeting(ctx, rec.ID, warroom.Meeting{ID: meetingID, JoinURL: url})
	return b.changed(ctx, rec, user, commands.AdoptCall{URL: url, MeetingID: meetingID}, err, func() blocks.Reply {
		return blocks.CallAdopted(user, before.Incident, meetingID)
	})
}

func (b *Bot) listIncidents(ctx context.Context) blocks.Reply {
	recs, err := b.d.Store.OpenIncidents(ctx)
	if err != nil {
		return b.couldNot("list incidents", err)
	}
	incs := make([]warroom.Incident, 0, len(recs))
	for _, r := range recs {
		incs = append(incs, r.Incident)
	}
	return blocks.ReplyOf(blocks.IncidentList(incs, b.now()))
}

func (b *Bot) listFollowups(ctx context.Context, rec *store.Record) blocks.Reply {
	fs, err := b.d.Store.Followups(ctx, rec.ID)
	if err != nil {
		return b.couldNot("list the follow-ups", err)
	}
	list := make([]warroom.Followup, 0, len(fs))
	for _, f := range fs {
		list = append(list, f.Followup)
	}
	return blocks.ReplyOf(blocks.FollowupList(rec.Incident, list))
}

// status answers /incident status: the incident, and the work warroom
// gave up on (which would otherwise fail silently).
func (b *Bot) status(ctx context.Context, rec *store.Record) blocks.Reply {
	text, bl := blocks.StatusReply(rec.Incident, b.now())
	dead, err := b.d.Store.DeadJobs(ctx, rec.ID, time.Time{}, 5)
	if err != nil {
		b.logFor(ctx).Warn().Err(err).Msg("status: could not read the work given up on")
	}
	gone := make([]blocks.GivenUp, 0, len(dead))
	for _, j := range dead {
		gone = append(gone, blocks.GivenUp{Kind: j.Kind, Why: j.LastError, At: j.DoneAt})
	}
	text, bl = blocks.WithGivenUp(text, bl, gone)
	if c, err := b.d.Store.Canvas(ctx, rec.ID); err == nil && c.State == store.CanvasUnavailable {
		text, bl = blocks.WithoutCanvas(text, bl, c.Note)
	}
	return blocks.ReplyOf(text, bl)
}

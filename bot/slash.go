package bot

import (
	"context"
	"errors"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/commands"
	"github.com/warroom-dev/warroom/store"
)

func (b *Bot) onSlashCommand(ctx context.Context, evt socketmode.Event) {
	start := time.Now()
	cmd, ok := evt.Data.(slack.SlashCommand)
	if !ok {
		b.ack(evt, start, nil)
		return
	}
	parsed, err := commands.Parse(cmd.Text)
	if err != nil {
		b.ackReply(evt, start, blocks.ReplyOf(blocks.Usage(err.Error())))
		return
	}
	switch c := parsed.(type) {
	case commands.Help:
		b.ackReply(evt, start, blocks.ReplyOf(blocks.Usage(commands.Usage())))
	case commands.Declare:
		b.declare(ctx, evt, start, cmd, c)
	case commands.ZoomConnect, commands.ZoomStatus, commands.ZoomDisconnect:
		// The admin check is a Slack call, and nothing waits on the network
		// before an ack: ack now, answer through the response_url.
		b.ack(evt, start, nil)
		b.respond(ctx, cmd.ResponseURL, b.zoomCommand(ctx, cmd.UserID, c))
	case commands.OpenDeclareModal:
		b.ack(evt, start, nil)
		b.openDeclareModal(ctx, cmd, c)
	case commands.ZoomSettings:
		b.ack(evt, start, nil)
		b.openZoomSettings(ctx, cmd)
	case commands.Followup:
		// Working out "tomorrow 14:00" needs the person's time zone, a
		// Slack call: ack first, answer through the response_url.
		pre, cancel := context.WithDeadline(ctx, start.Add(frontDoorBudget))
		rec, err := b.d.Store.IncidentByChannel(pre, cmd.ChannelID)
		cancel()
		if warroom.ErrorCode(err) == warroom.ENOTFOUND {
			b.ackReply(evt, start, blocks.NotIncidentChannel())
			return
		}
		if err != nil {
			b.ackReply(evt, start, b.couldNot("read the incident", err))
			return
		}
		b.ack(evt, start, nil)
		b.respond(ctx, cmd.ResponseURL, b.followupCommand(ctx, cmd, rec, c))
	default:
		pre, cancel := context.WithDeadline(ctx, start.Add(frontDoorBudget))
		defer cancel()
		b.ackReply(evt, start, b.incidentCommand(pre, cmd, c))
	}
}

// declareFailed answers a declare that was not recorded.
func (b *Bot) declareFailed(err error) blocks.Reply {
	if b.unreachable(err) {
		return blocks.DeclareNotRecorded()
	}
	return blocks.DeclareFailed(err)
}

// couldNot answers a command that failed: whether the database took it
// (never, maybe) is what the person needs to know first.
func (b *Bot) couldNot(what string, err error) blocks.Reply {
	switch {
	case errors.Is(err, store.ErrInDoubt):
		return blocks.NotConfirmed(what)
	case b.unreachable(err):
		return blocks.NotRecorded(what)
	}
	return blocks.CouldNot(what, err)
}

// unreachable: the database did not take it in time — it did not answer,
// or the write kept losing to others under load (nothing was written).
func (b *Bot) unreachable(err error) bool {
	return errors.Is(err, errNotTaken) || errors.Is(err, context.DeadlineExceeded) || store.Unreachable(err) ||
		store.Conflicted(err)
}

// declare records the incident and its job before the ack: the ack
// promises "Declaring…", and a promise must survive a crash. It is a local
// write, never a network call, and declares arriving together share one
// commit.
func (b *Bot) declare(ctx context.Context, evt socketmode.Event, start time.Time, cmd slack.SlashCommand, c commands.Declare) {
	log := b.logFor(ctx)
	title, shortened := commands.ShortTitle(c.Title)
	key := cmd.TriggerID
	if key == "" {
		key = "envelope:" + evt.Request.EnvelopeID
	}
	n := store.NewIncident{
		DedupeKey:     "slash:" + key,
		Title:         title,
		FullTitle:     c.Title,
		Severity:      c.Severity,
		DeclaredBy:    cmd.UserID,
		SourceChannel: cmd.ChannelID,
		ResponseURL:   cmd.ResponseURL,
		Private:       c.Private,
		Responders:    c.Responders,
		Origin:        warroom.Origin{Door: warroom.DoorSlash},
	}
	declaring := blocks.Ephemeral(blocks.Declaring(title, c.Severity, shortened))
	pre, cancel := context.WithDeadline(ctx, start.Add(frontDoorBudget))
	rec, created, err := b.recordDeclare(pre, n)
	cancel()
	switch {
	case errors.Is(err, store.ErrInDoubt):
		// Slack does not retry a slash command: the promise is kept by
		// writing it again until the database answers.
		b.ackReply(evt, start, declaring)
		b.ensureDeclare(ctx, n)
		return
	case err != nil:
		log.Error().Err(err).Msg("declare: could not record the incident")
		b.ackReply(evt, start, b.declareFailed(err))
		return
	}
	b.ackReply(evt, start, declaring)
	if created {
		log.Info().Str("incident", rec.Ref()).Str("user", cmd.UserID).Int("severity", int(rec.Severity)).Msg("incident declared")
		b.d.Kick()
	} else {
		log.Info().Str("incident", rec.Ref()).Msg("declare redelivered; incident already recorded")
	}
}

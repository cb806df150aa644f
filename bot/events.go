package bot

import (
	"context"
	"strings"
	"time"

	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/commands"
	"github.com/warroom-dev/warroom/store"
)

func (b *Bot) onEventsAPI(ctx context.Context, evt socketmode.Event) {
	start := time.Now()
	ev, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok {
		b.ack(evt, start, nil)
		return
	}
	switch inner := ev.InnerEvent.Data.(type) {
	case *slackevents.ChannelCreatedEvent:
		// Recorded before the ack, like a declare: a crash in between,
		// or a database that does not answer, leaves the event unacked,
		// and Slack delivers it again (the dedupe key makes one incident).
		pre, cancel := context.WithDeadline(ctx, start.Add(frontDoorBudget))
		recorded := b.onChannelCreated(pre, inner)
		cancel()
		if recorded {
			b.ack(evt, start, nil)
		}
	case *slackevents.AppHomeOpenedEvent:
		b.onHomeOpened(ctx, start, evt, inner)
	case *slackevents.FunctionExecutedEvent:
		if b.onFunctionExecuted(ctx, start, inner) {
			b.ack(evt, start, nil)
		}
	case *slackevents.MessageEvent:
		b.ack(evt, start, nil)
		b.onMessage(ctx, eventID(ev), inner)
	default:
		b.ack(evt, start, nil)
		b.logFor(ctx).Debug().Str("event", ev.InnerEvent.Type).Msg("event received")
	}
}

// onChannelCreated turns a channel a person created with the incident
// prefix into an incident. Channels the bot made itself, and others,
// are ignored; a redelivered event finds the incident already recorded.
// It reports whether the event may be acked: false while the incident it
// calls for is not surely recorded.
func (b *Bot) onChannelCreated(ctx context.Context, ev *slackevents.ChannelCreatedEvent) bool {
	ch := ev.Channel
	if ch.Creator == b.d.BotUser || !strings.HasPrefix(ch.Name, b.cfg.ChannelPrefix) {
		return true
	}
	title := titleFromChannel(strings.TrimPrefix(ch.Name, b.cfg.ChannelPrefix))
	rec, created, err := b.recordDeclare(ctx, store.NewIncident{
		DedupeKey: "channel:" + ch.ID, Title: title, FullTitle: title, Severity: warroom.DefaultSeverity,
		DeclaredBy: ch.Creator, ChannelID: ch.ID, ChannelName: ch.Name, Origin: warroom.Origin{Door: warroom.DoorChannel},
	})
	if err != nil {
		b.logFor(ctx).Error().Err(err).Str("channel", ch.ID).
			Msg("could not record an incident for a new channel; leaving the event unacked for Slack to deliver again")
		return false
	}
	if created {
		b.logFor(ctx).Info().Str("incident", rec.Ref()).Str("channel", ch.ID).Msg("incident declared by creating a channel")
		b.d.Kick()
	}
	return true
}

// titleFromChannel makes "20261123-db-is-slow" into "db is slow".
func titleFromChannel(rest string) string {
	if len(rest) > 9 && rest[8] == '-' && strings.Trim(rest[:8], "0123456789") == "" {
		rest = rest[9:]
	}
	title := strings.TrimSpace(strings.NewReplacer("-", " ", "_", " ").Replace(rest))
	if title == "" {
		return "Incident"
	}
	return title
}

// onMessage offers to adopt a Zoom link pasted in an incident channel that
// is not the incident's call.
func (b *Bot) onMessage(ctx context.Context, eventID string, ev *slackevents.MessageEvent) {
	if ev.SubType != "" || ev.User == "" || ev.User == b.d.BotUser || ev.BotID != "" {
		return
	}
	url, meetingID, ok := commands.ZoomLink(ev.Text)
	if !ok {
		return
	}
	rec, err := b.d.Store.IncidentByChannel(ctx, ev.Channel)
	if err != nil || (rec.Meeting != nil && rec.Meeting.ID == meetingID) {
		return
	}
	if eventID != "" {
		if seen, err := b.d.Store.SeenEvent(ctx, eventID); err != nil || seen {
			return
		}
	}
	if err := b.d.Slack.PostEphemeral(ctx, ev.Channel, ev.User, blocks.Msg(blocks.AdoptPrompt(rec.ID, url))); err != nil {
		b.logFor(ctx).Warn().Err(err).Str("incident", rec.Ref()).Msg("could not offer the pasted Zoom link")
	}
}

// eventID reads the event_id of an events_api envelope.
func eventID(ev slackevents.EventsAPIEvent) string {
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		return cb.EventID
	}
	return ""
}

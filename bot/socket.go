package bot

import (
	"context"
	"strconv"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/commands"
	"github.com/warroom-dev/warroom/store"
)

// dispatch reads Socket Mode events until the socket client has stopped:
// the client blocks on sending events, so stopping to read before it ends
// would hang shutdown. Each envelope is handled in its own goroutine so one
// slow handler never delays another's ack.
func (b *Bot) dispatch(ctx context.Context, socketDone <-chan struct{}) {
	for {
		select {
		case <-socketDone:
			return
		case evt, ok := <-b.socket.Events:
			if !ok {
				return
			}
			b.onEvent(ctx, evt)
		}
	}
}

func (b *Bot) onEvent(ctx context.Context, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		// Also after a ping timeout or an unexpected close: not ready
		// until the next hello.
		b.connected.Store(false)
		b.log.Debug().Msg("socket mode connecting")
	case socketmode.EventTypeHello:
		b.connected.Store(true)
		b.log.Info().Msg("socket mode connected")
	case socketmode.EventTypeDisconnect:
		b.connected.Store(false)
		b.log.Info().Msg("socket mode disconnect requested; reconnecting")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError:
		b.connected.Store(false)
		if ctx.Err() != nil {
			return // shutting down: the socket was closed on purpose
		}
		b.log.Warn().Interface("data", evt.Data).Msg("socket mode connection error; reconnecting")
	case socketmode.EventTypeInvalidAuth:
		b.connected.Store(false)
		b.log.Error().Msg("socket mode: Slack refused the app token (SLACK_APP_TOKEN)")
	case socketmode.EventTypeSlashCommand:
		go b.onSlashCommand(ctx, evt)
	case socketmode.EventTypeInteractive:
		go b.onInteractive(ctx, evt)
	case socketmode.EventTypeEventsAPI:
		go b.onEventsAPI(ctx, evt)
	case socketmode.EventTypeErrorBadMessage:
		b.log.Warn().Msg("socket mode: an envelope warroom cannot read was dropped")
	}
}

// ack answers an envelope and records how long it took since it arrived.
func (b *Bot) ack(evt socketmode.Event, start time.Time, payload any) {
	if evt.Request == nil {
		return
	}
	if payload != nil {
		b.socket.Ack(*evt.Request, payload)
	} else {
		b.socket.Ack(*evt.Request)
	}
	if b.acks != nil {
		b.acks(string(evt.Type), time.Since(start))
	}
}

func ephemeral(text string, blks []slack.Block) map[string]any {
	p := map[string]any{"response_type": "ephemeral", "text": text}
	if len(blks) > 0 {
		p["blocks"] = blks
	}
	return p
}

func (b *Bot) onSlashCommand(ctx context.Context, evt socketmode.Event) {
	start := time.Now()
	cmd, ok := evt.Data.(slack.SlashCommand)
	if !ok {
		b.ack(evt, start, nil)
		return
	}
	log := b.log.With().Str("envelope", evt.Request.EnvelopeID).Str("user", cmd.UserID).Logger()
	parsed, err := commands.Parse(cmd.Text)
	if err != nil {
		text, blks := blocks.Usage(err.Error())
		b.ack(evt, start, ephemeral(text, blks))
		return
	}
	switch c := parsed.(type) {
	case commands.Help:
		text, blks := blocks.Usage(commands.Usage())
		b.ack(evt, start, ephemeral(text, blks))
	case commands.Declare:
		// The incident and its job are written before the ack: the ack
		// promises "Declaring…", and a promise must survive a crash. It is
		// a local SQLite write, never a network call.
		title, shortened := commands.ShortTitle(c.Title)
		key := cmd.TriggerID
		if key == "" {
			key = "envelope:" + evt.Request.EnvelopeID
		}
		rec, created, err := b.recordDeclare(ctx, store.NewIncident{
			DedupeKey:     "slash:" + key,
			Title:         title,
			FullTitle:     c.Title,
			Severity:      c.Severity,
			DeclaredBy:    cmd.UserID,
			SourceChannel: cmd.ChannelID,
			ResponseURL:   cmd.ResponseURL,
			Private:       c.Private,
			Responders:    c.Responders,
		})
		if err != nil {
			log.Error().Err(err).Msg("declare: could not record the incident")
			b.ack(evt, start, ephemeral("warroom could not record the incident: "+warroom.ErrorMessage(err)+" Please try again.", nil))
			return
		}
		b.ack(evt, start, ephemeral(blocks.Declaring(title, c.Severity, shortened), nil))
		if created {
			log.Info().Str("incident", rec.Ref()).Int("severity", int(rec.Severity)).Msg("incident declared")
			b.kick()
		} else {
			log.Info().Str("incident", rec.Ref()).Msg("declare redelivered; incident already recorded")
		}
	case commands.ZoomConnect, commands.ZoomStatus, commands.ZoomDisconnect:
		// The admin check is a Slack call, and nothing waits on the network
		// before an ack: ack now, answer through the response_url.
		b.ack(evt, start, nil)
		answer := b.onZoomCommand(ctx, cmd, c)
		text, _ := answer["text"].(string)
		msg := &slack.WebhookMessage{Text: text}
		if blks, ok := answer["blocks"].([]slack.Block); ok {
			msg.Blocks = &slack.Blocks{BlockSet: blks}
		}
		if err := b.reply(ctx, cmd.ResponseURL, msg); err != nil {
			log.Warn().Err(err).Msg("could not answer a zoom command")
		}
	case commands.OpenDeclareModal:
		b.ack(evt, start, nil)
		b.openDeclareModal(ctx, cmd, c)
	case commands.ZoomSettings:
		b.ack(evt, start, nil)
		b.openZoomSettings(ctx, cmd)
	case commands.Followup:
		// Working out "tomorrow 14:00" needs the person's time zone, a
		// Slack call: ack first, answer through the response_url.
		rec, err := b.store.IncidentByChannel(ctx, cmd.ChannelID)
		if err != nil {
			b.ack(evt, start, notIncidentChannel)
			return
		}
		b.ack(evt, start, nil)
		reply := b.followupCommand(ctx, cmd, rec, c)
		if err := b.reply(ctx, cmd.ResponseURL, &slack.WebhookMessage{Text: reply}); err != nil {
			log.Warn().Err(err).Msg("could not answer a followup command")
		}
	default:
		b.ack(evt, start, b.incidentCommand(ctx, cmd, c))
	}
}

func (b *Bot) onInteractive(ctx context.Context, evt socketmode.Event) {
	start := time.Now()
	ctx = b.withEnvelope(ctx, evt)
	cb, ok := evt.Data.(slack.InteractionCallback)
	if ok && cb.Type == slack.InteractionTypeViewSubmission {
		// The ack is the answer: it closes the modal or shows field errors.
		b.ack(evt, start, b.onViewSubmission(ctx, cb))
		return
	}
	// Ack first, whatever it is: a URL button (Join Call) still sends a
	// block_actions interaction, and an unacked one shows the user an error.
	b.ack(evt, start, nil)
	if !ok || cb.Type != slack.InteractionTypeBlockActions {
		return
	}
	for _, action := range cb.ActionCallback.BlockActions {
		if action.ActionID == blocks.ActionAdoptCall {
			b.onAdoptButton(ctx, cb, action.Value)
			continue
		}
		if action.ActionID != blocks.ActionRetryCall {
			continue
		}
		id, err := strconv.ParseInt(action.Value, 10, 64)
		if err != nil {
			continue
		}
		rec, err := b.store.Incident(ctx, id)
		if err != nil {
			continue
		}
		found := rec.Call != warroom.CallReady
		if found {
			err = b.store.RequestSync(ctx, id)
		}
		if err != nil {
			b.log.Error().Err(err).Int64("incident", id).Msg("retry: could not reschedule")
			continue
		}
		b.logFor(ctx).Info().Int64("incident", id).Str("user", cb.User.ID).Bool("pending", found).Msg("call retry requested")
		b.kick()
		reply := "Trying the Zoom call again now."
		if !found {
			reply = "The Zoom call is already set up."
		}
		if err := b.reply(ctx, cb.ResponseURL, &slack.WebhookMessage{Text: reply}); err != nil {
			b.log.Warn().Err(err).Msg("retry: could not answer the button")
		}
	}
}

func (b *Bot) onEventsAPI(ctx context.Context, evt socketmode.Event) {
	start := time.Now()
	ctx = b.withEnvelope(ctx, evt)
	ev, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok {
		b.ack(evt, start, nil)
		return
	}
	switch inner := ev.InnerEvent.Data.(type) {
	case *slackevents.ChannelCreatedEvent:
		// Recorded before the ack, like a declare: a crash in between
		// leaves the event unacked, and Slack delivers it again.
		b.onChannelCreated(ctx, inner)
		b.ack(evt, start, nil)
	case *slackevents.MessageEvent:
		b.ack(evt, start, nil)
		b.onMessage(ctx, eventID(ev), inner)
	default:
		b.ack(evt, start, nil)
		b.logFor(ctx).Debug().Str("event", ev.InnerEvent.Type).Msg("event received")
	}
}

type logKey struct{}

// withEnvelope gives a handler's context a logger that names the envelope
// on every line, so one interaction can be followed through the log.
func (b *Bot) withEnvelope(ctx context.Context, evt socketmode.Event) context.Context {
	if evt.Request == nil {
		return ctx
	}
	l := b.log.With().Str("envelope", evt.Request.EnvelopeID).Logger()
	return context.WithValue(ctx, logKey{}, &l)
}

// logFor is the handler's logger (see withEnvelope), or the bot's.
func (b *Bot) logFor(ctx context.Context) *zerolog.Logger {
	if l, ok := ctx.Value(logKey{}).(*zerolog.Logger); ok {
		return l
	}
	return &b.log
}

package bot

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/warroom-dev/warroom/blocks"
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
		if ctx.Err() != nil || b.isClosing() {
			return // shutting down: the socket was closed on purpose
		}
		b.log.Warn().Interface("data", evt.Data).Msg("socket mode connection error; reconnecting")
	case socketmode.EventTypeInvalidAuth:
		b.connected.Store(false)
		b.log.Error().Msg("socket mode: Slack refused the app token (SLACK_APP_TOKEN)")
	case socketmode.EventTypeSlashCommand:
		b.spawn(ctx, evt, b.onSlashCommand)
	case socketmode.EventTypeInteractive:
		b.spawn(ctx, evt, b.onInteractive)
	case socketmode.EventTypeEventsAPI:
		b.spawn(ctx, evt, b.onEventsAPI)
	case socketmode.EventTypeErrorBadMessage:
		b.log.Warn().Msg("socket mode: an envelope warroom cannot read was dropped")
	}
}

// envelopeBudget bounds all one envelope's handling, the answer sent
// after the ack included: nothing waits forever on the database, Slack or
// Zoom.
const envelopeBudget = 30 * time.Second

// spawn handles an envelope in its own goroutine, unless shutdown began:
// then it is left unanswered, for Slack to deliver again elsewhere
// (events) or to tell its user it failed (commands) — nothing recorded.
func (b *Bot) spawn(ctx context.Context, evt socketmode.Event, h func(context.Context, socketmode.Event)) {
	if !b.take() {
		b.log.Info().Str("type", string(evt.Type)).Msg("shutting down: an envelope is left for Slack to deliver elsewhere")
		return
	}
	go func() {
		defer b.handling.Done()
		b.handle(ctx, evt, h)
	}()
}

func (b *Bot) isClosing() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closing
}

// handle runs one envelope's handler with its budget. A panic in it is
// logged with its stack and answered, instead of taking the replica (and
// every replica Slack hands the envelope to next) down. An event is left
// unacked, so Slack delivers it again; a command or a click is answered
// with an apology (an ack after the real one is ignored by Slack).
func (b *Bot) handle(ctx context.Context, evt socketmode.Event, h func(context.Context, socketmode.Event)) {
	ctx, cancel := context.WithTimeout(b.withEnvelope(ctx, evt), envelopeBudget)
	defer cancel()
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		b.logFor(ctx).Error().Str("panic", fmt.Sprint(p)).Str("stack", string(debug.Stack())).
			Str("type", string(evt.Type)).Msg("handling an envelope panicked")
		switch evt.Type {
		case socketmode.EventTypeSlashCommand:
			b.ackReply(evt, time.Now(), blocks.Ephemeral(blocks.InternalError))
		case socketmode.EventTypeInteractive:
			b.ack(evt, time.Now(), nil)
		}
	}()
	h(ctx, evt)
}

// ackPayload is a reply carried by the ack: what a slash command answers
// at once, in Slack's response shape.
type ackPayload struct {
	ResponseType string        `json:"response_type"`
	Text         string        `json:"text"`
	Blocks       []slack.Block `json:"blocks,omitempty"`
}

func payloadOf(r blocks.Reply) ackPayload {
	p := ackPayload{ResponseType: "ephemeral", Text: r.Text, Blocks: r.Blocks}
	if r.InChannel {
		p.ResponseType = "in_channel"
	}
	return p
}

// viewErrors keeps a modal open with messages under its fields.
type viewErrors struct {
	ResponseAction string            `json:"response_action"`
	Errors         map[string]string `json:"errors"`
}

func fieldErrors(errs map[string]string) *viewErrors {
	return &viewErrors{ResponseAction: "errors", Errors: errs}
}

// ack answers an envelope, with a payload or none, and records how long it
// took since it arrived.
func (b *Bot) ack(evt socketmode.Event, start time.Time, payload any) {
	if evt.Request == nil {
		return
	}
	if payload != nil {
		b.socket.Ack(*evt.Request, payload)
	} else {
		b.socket.Ack(*evt.Request)
	}
	b.lastAck.Store(time.Now().UnixNano())
	if b.d.OnAck != nil {
		b.d.OnAck(string(evt.Type), time.Since(start))
	}
}

// ackReply acks with a reply.
func (b *Bot) ackReply(evt socketmode.Event, start time.Time, r blocks.Reply) {
	b.ack(evt, start, payloadOf(r))
}

// respond answers through a response_url after the ack went out.
func (b *Bot) respond(ctx context.Context, responseURL string, r blocks.Reply) {
	if err := b.d.Slack.Respond(ctx, responseURL, r); err != nil {
		b.logFor(ctx).Warn().Err(err).Msg("could not answer through the response_url")
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

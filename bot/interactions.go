package bot

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/commands"
	"github.com/warroom-dev/warroom/slackapi"
	"github.com/warroom-dev/warroom/store"
)

func (b *Bot) onInteractive(ctx context.Context, evt socketmode.Event) {
	start := time.Now()
	cb, ok := evt.Data.(slack.InteractionCallback)
	if ok && cb.Type == slack.InteractionTypeViewSubmission {
		// The ack is the answer: it closes the modal or shows field errors.
		if errs := b.onViewSubmission(ctx, start, cb); errs != nil {
			b.ack(evt, start, errs)
		} else {
			b.ack(evt, start, nil)
		}
		return
	}
	// Ack first, whatever it is: a URL button (Join Call) still sends a
	// block_actions interaction, and an unacked one shows the user an error.
	b.ack(evt, start, nil)
	if ok && (cb.Type == slack.InteractionTypeMessageAction || cb.Type == slack.InteractionTypeShortcut) {
		b.onShortcut(ctx, cb)
		return
	}
	if !ok || cb.Type != slack.InteractionTypeBlockActions {
		return
	}
	for _, action := range cb.ActionCallback.BlockActions {
		switch action.ActionID {
		case blocks.ActionAdoptCall:
			b.onAdoptButton(ctx, cb, action.Value)
		case blocks.ActionRetryCall:
			b.onRetryButton(ctx, cb, action.Value)
		case blocks.ActionDisconnectZoom:
			b.onDisconnectButton(ctx, cb, action.Value)
		case blocks.ActionHomeDeclare:
			b.openFormFrom(ctx, cb)
		}
	}
}

func (b *Bot) onRetryButton(ctx context.Context, cb slack.InteractionCallback, value string) {
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return
	}
	_, err = b.d.Store.RetryCall(ctx, id)
	switch warroom.ErrorCode(err) {
	case "":
		b.d.Kick()
		b.logFor(ctx).Info().Int64("incident", id).Str("user", cb.User.ID).Msg("call retry requested")
		b.respond(ctx, cb.ResponseURL, blocks.CallRetrying())
	case warroom.ECONFLICT, warroom.ENOTFOUND:
		b.respond(ctx, cb.ResponseURL, blocks.Refused(err))
	default:
		b.logFor(ctx).Error().Err(err).Int64("incident", id).Msg("retry: could not reschedule")
		b.respond(ctx, cb.ResponseURL, b.couldNot("retry the call", err))
	}
}

// onDisconnectButton is the Disconnect button of the "Zoom is connected"
// message; the admin check runs again for the click.
func (b *Bot) onDisconnectButton(ctx context.Context, cb slack.InteractionCallback, key string) {
	if refusal, ok := b.requireAdmin(ctx, cb.User.ID, blocks.NotAdmin); !ok {
		b.respond(ctx, cb.ResponseURL, refusal)
		return
	}
	b.respond(ctx, cb.ResponseURL, b.zoomDisconnect(ctx, cb.User.ID, "", key))
}

// onAdoptButton makes a pasted Zoom link the incident's call.
func (b *Bot) onAdoptButton(ctx context.Context, cb slack.InteractionCallback, value string) {
	id, url, err := blocks.ParseAdoptValue(value)
	if err != nil {
		return
	}
	rec, err := b.d.Store.Incident(ctx, id)
	if err != nil {
		return
	}
	_, meetingID, ok := commands.ZoomLink(url)
	if !ok {
		return
	}
	reply := b.adoptCall(ctx, rec, cb.User.ID, url, meetingID)
	reply.ReplaceOriginal, reply.InChannel = true, false
	b.respond(ctx, cb.ResponseURL, reply)
}

// openDeclareModal opens the declare modal; the envelope is acked first,
// and the trigger_id stays valid for 3 s.
func (b *Bot) openDeclareModal(ctx context.Context, cmd slack.SlashCommand, c commands.OpenDeclareModal) {
	view := blocks.DeclareModal(blocks.DeclareDefaults{Severity: c.Severity, Private: c.Private, ChannelID: cmd.ChannelID})
	if err := b.d.Slack.OpenView(ctx, cmd.TriggerID, view); err != nil {
		b.logFor(ctx).Warn().Err(err).Msg("could not open the declare modal")
		b.respond(ctx, cmd.ResponseURL, blocks.ModalFailed(codeOf(err), true))
	}
}

func codeOf(err error) string { return slackapi.Code(err) }

// onViewSubmission handles the declare and settings modals. It returns the
// field errors that keep the modal open, or nil to close it.
func (b *Bot) onViewSubmission(ctx context.Context, start time.Time, cb slack.InteractionCallback) *viewErrors {
	switch cb.View.CallbackID {
	case blocks.CallbackDeclare:
		sub, errs := blocks.ParseDeclareSubmission(cb.View)
		if len(errs) > 0 {
			return fieldErrors(errs)
		}
		n := declareOf(cb, sub)
		pre, cancel := context.WithDeadline(ctx, start.Add(frontDoorBudget))
		rec, created, err := b.recordDeclare(pre, n)
		cancel()
		switch {
		case errors.Is(err, store.ErrInDoubt):
			// The form closes as for a declare recorded; the promise is
			// kept by writing it again until the database answers.
			go b.ensureDeclare(context.WithoutCancel(ctx), n)
			return nil
		case b.unreachable(err):
			return fieldErrors(map[string]string{blocks.BlockDeclareTitle: blocks.FormNotRecorded})
		case err != nil:
			return fieldErrors(map[string]string{blocks.BlockDeclareTitle: "warroom could not record the incident: " + warroom.ErrorMessage(err)})
		}
		if !created && rec.Origin.Door == warroom.DoorMessage && rec.DeclaredBy != cb.User.ID {
			// Someone else declared from this message first: one message,
			// one incident. The form stays open to say where it is.
			return fieldErrors(map[string]string{blocks.BlockDeclareTitle: blocks.AlreadyDeclaredFromMessage(rec.Incident)})
		}
		if created {
			b.logFor(ctx).Info().Str("incident", rec.Ref()).Bool("private", rec.Private).Msg("incident declared from the form")
			b.d.Kick()
		}
	case blocks.CallbackZoomSettings:
		// Checked again on submit: the form may have been opened by
		// someone who has lost the right since.
		if _, ok := b.requireAdmin(ctx, cb.User.ID, blocks.NotAdminSettings); !ok {
			return fieldErrors(map[string]string{blocks.BlockTopicTemplate: "Only admins can change these settings."})
		}
		d, errs := blocks.ParseZoomSettings(cb.View)
		if len(errs) > 0 {
			return fieldErrors(errs)
		}
		pre, cancel := context.WithDeadline(ctx, start.Add(frontDoorBudget))
		defer cancel()
		if err := b.d.Store.SetMeetingDefaults(pre, d); err != nil {
			return fieldErrors(map[string]string{blocks.BlockTopicTemplate: "warroom could not save: " + warroom.ErrorMessage(err)})
		}
		b.logFor(ctx).Info().Str("user", cb.User.ID).Msg("meeting defaults changed")
	}
	return nil
}

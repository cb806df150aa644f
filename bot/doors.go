package bot

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/commands"
	"github.com/warroom-dev/warroom/store"
)

// Callback IDs of the doors besides /incident (DESIGN.md "Surfaces"; the
// manifest declares them).
const (
	// ShortcutFromMessage is the message shortcut "Declare incident".
	ShortcutFromMessage = "declare_from_message"
	// ShortcutDeclare is the global shortcut: the declare form from anywhere.
	ShortcutDeclare = "declare_incident"
	// FunctionOpenWarRoom is the Workflow Builder step.
	FunctionOpenWarRoom = "open_war_room"
)

// onShortcut opens the declare form for a shortcut: prefilled from the
// message for the message shortcut (first line the title, the rest the
// summary), empty for the global one. The trigger_id lives 3 s, so the
// form is opened at once; nothing is recorded until it is submitted.
func (b *Bot) onShortcut(ctx context.Context, cb slack.InteractionCallback) {
	var d blocks.DeclareDefaults
	switch {
	case cb.Type == slack.InteractionTypeMessageAction && cb.CallbackID == ShortcutFromMessage:
		m := cb.Message
		d.Title, d.Summary = blocks.FromMessage(m.Text)
		d.ChannelID = cb.Channel.ID
		d.Source = &warroom.SourceMessage{Channel: cb.Channel.ID, TS: m.Timestamp, ThreadTS: m.ThreadTimestamp,
			User: m.User, Text: m.Text}
	case cb.Type == slack.InteractionTypeShortcut && cb.CallbackID == ShortcutDeclare:
	default:
		b.logFor(ctx).Warn().Str("callback", cb.CallbackID).Msg("a shortcut warroom does not know; is the manifest current?")
		return
	}
	if err := b.d.Slack.OpenView(ctx, cb.TriggerID, blocks.DeclareModal(d)); err != nil {
		b.logFor(ctx).Warn().Err(err).Str("callback", cb.CallbackID).Msg("could not open the declare form")
		// A global shortcut has no response_url: the log is all there is.
		b.respond(ctx, cb.ResponseURL, blocks.ModalFailed(codeOf(err), false))
	}
}

// declareOf is the declare a submitted form asks for. A form opened from
// a message declares one incident for that message, however many forms
// were opened on it or submitted: the message's thread gets one answer.
func declareOf(cb slack.InteractionCallback, sub blocks.DeclareSubmission) store.NewIncident {
	title, _ := commands.ShortTitle(sub.Title)
	n := store.NewIncident{
		// A view is submitted once; a redelivery carries the same ID.
		DedupeKey: "view:" + cb.View.ID, Title: title, FullTitle: sub.Title, Severity: sub.Severity,
		DeclaredBy: cb.User.ID, SourceChannel: sub.ChannelID, Private: sub.Private, Responders: sub.Responders,
		Origin: warroom.Origin{Door: warroom.DoorForm, Description: sub.Summary},
	}
	if src := sub.Source; src != nil {
		n.DedupeKey = "message:" + src.Channel + ":" + src.TS
		n.Origin.Door, n.Origin.Message = warroom.DoorMessage, src
	}
	return n
}

// onFunctionExecuted declares the incident a Workflow Builder step asks
// for. Recorded before the ack, like a created channel: until then Slack
// delivers the event again, and the execution ID makes one incident of
// every delivery. Bad inputs record nothing and end the step at once with
// what to fix. It reports whether the event may be acked.
func (b *Bot) onFunctionExecuted(ctx context.Context, start time.Time, ev *slackevents.FunctionExecutedEvent) bool {
	if ev.Function.CallbackID != FunctionOpenWarRoom || ev.FunctionExecutionID == "" {
		return true
	}
	log := b.logFor(ctx).With().Str("function_execution", ev.FunctionExecutionID).Logger()
	n, problem := functionDeclare(ev)
	if problem != "" {
		go func() {
			ctx := context.WithoutCancel(ctx)
			err := b.d.Slack.CompleteFunction(ctx, ev.FunctionExecutionID, nil, problem)
			if err != nil {
				log.Warn().Err(err).Msg("could not end the workflow step with its input error")
			}
		}()
		log.Info().Str("problem", problem).Msg("workflow step refused")
		return true
	}
	pre, cancel := context.WithDeadline(ctx, start.Add(frontDoorBudget))
	rec, created, err := b.recordDeclare(pre, n)
	cancel()
	switch {
	case errors.Is(err, store.ErrInDoubt):
		go b.ensureDeclare(context.WithoutCancel(ctx), n)
		return true
	case err != nil:
		log.Error().Err(err).Msg("could not record the workflow step's incident; leaving the event for Slack to deliver again")
		return false
	}
	if created {
		log.Info().Str("incident", rec.Ref()).Msg("incident declared by a workflow step")
		b.d.Kick()
	}
	return true
}

// functionDeclare reads the step's inputs: title (required) and severity
// ("SEV1"…"SEV4" or "1"…"4"; SEV2 when left out). problem is a sentence
// for the person who runs the workflow, when an input is wrong.
func functionDeclare(ev *slackevents.FunctionExecutedEvent) (n store.NewIncident, problem string) {
	full, _ := ev.Inputs["title"].(string)
	full = strings.Join(strings.Fields(full), " ")
	if full == "" {
		return n, "The step needs a title: set “Title” in the Open a war room step, e.g. “Checkout is down”."
	}
	sev := warroom.DefaultSeverity
	if raw, ok := ev.Inputs["severity"]; ok && raw != nil && raw != "" {
		s, _ := raw.(string)
		var valid bool
		if sev, valid = commands.ParseSeverity(strings.TrimSpace(s)); !valid {
			return n, "Severity must be SEV1, SEV2, SEV3 or SEV4 (or 1 to 4); the step was given something else."
		}
	}
	title, _ := commands.ShortTitle(full)
	return store.NewIncident{
		DedupeKey: "workflow:" + ev.FunctionExecutionID, Title: title, FullTitle: full, Severity: sev,
		Origin: warroom.Origin{Door: warroom.DoorWorkflow, By: "a workflow", FunctionExecutionID: ev.FunctionExecutionID},
	}, ""
}

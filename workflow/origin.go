package workflow

import (
	"context"
	"fmt"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/slackapi"
	"github.com/warroom-dev/warroom/store"
)

// ensureOrigin posts, once, where the incident came from: the message it
// was declared from (quoted, with its link), what was written with it,
// the pages it started with. Posted beside the pinned message, so the
// channel begins with both.
func (r *syncRun) ensureOrigin(ctx context.Context) error {
	rec := r.snapshot()
	if rec.OriginPosted || rec.ChannelID == "" || !blocks.HasOrigin(rec.Origin) || rec.Origin.Door == warroom.DoorAlert {
		// An alert's links and description come with its first alert
		// note, beside the alerts that fire.
		return nil
	}
	w := r.w
	permalink := ""
	if m := rec.Origin.Message; m != nil {
		link, err := w.slack.Permalink(ctx, m.Channel, m.TS)
		if err != nil {
			// The message may be gone or out of reach: quoted unlinked.
			r.log.Warn().Err(err).Msg("no link to the message the incident was declared from")
		}
		permalink = link
	}
	mark := func() error { return r.steps.Mark(ctx, store.StepOriginPosting) }
	msg := blocks.OriginMessage(rec.Incident, permalink)
	if _, _, err := w.slack.PostOnce(ctx, rec.ChannelID, blocks.OriginBlockID(rec.ID), rec.OriginPosting, mark, msg); err != nil {
		return fmt.Errorf("post where the incident came from: %w", err)
	}
	r.steps.Done(store.StepOriginPosted)
	r.set(func(x *store.Record) { x.OriginPosting, x.OriginPosted = true, true })
	return nil
}

// ensureThreadReply answers the message the incident was declared from,
// once, in its thread: where the war room is. A private incident's
// channel is named too; people outside it see only that it exists.
func (r *syncRun) ensureThreadReply(ctx context.Context) error {
	rec := r.snapshot()
	m := rec.Origin.Message
	if rec.ThreadPosted || m == nil || rec.ChannelID == "" {
		return nil
	}
	w := r.w
	mark := func() error { return r.steps.Mark(ctx, store.StepThreadPosting) }
	reply := func() error {
		_, err := w.slack.ReplyOnce(ctx, m.Channel, m.Thread(), blocks.ThreadReplyBlockID(rec.ID), rec.ThreadPosting, mark, blocks.ThreadReply(rec.Incident))
		return err
	}
	err := reply()
	if slackapi.Code(err) == "not_in_channel" {
		// A public channel warroom was never asked into: join it, as a
		// person would to answer there.
		if jerr := w.slack.Join(ctx, m.Channel); jerr == nil {
			rec.ThreadPosting = true // the mark is written
			err = reply()
		}
	}
	switch slackapi.Code(err) {
	case "":
	case "not_in_channel", "channel_not_found", "is_archived", "thread_not_found", "message_not_found":
		// Out of reach for good (a private channel warroom is not in, an
		// archived one): the war room stands; only the pointer is missing.
		r.log.Warn().Err(err).Msg("could not answer in the thread of the message the incident was declared from")
	default:
		return fmt.Errorf("answer in the source thread: %w", err)
	}
	r.steps.Done(store.StepThreadPosted)
	r.set(func(x *store.Record) { x.ThreadPosting, x.ThreadPosted = true, true })
	return nil
}

// functionFailAfter is how many failed attempts at the meeting a
// Workflow Builder step waits through before it is told the call could
// not be made: the workflow's next steps should not wait forever.
const functionFailAfter = 3

// ensureFunctionDone tells the Workflow Builder step that declared the
// incident how it went, once: its outputs when the call exists, or a
// sentence a person can act on when the meeting cannot be made.
func (r *syncRun) ensureFunctionDone(ctx context.Context) error {
	rec := r.snapshot()
	id := rec.Origin.FunctionExecutionID
	if rec.FunctionDone || id == "" || rec.ChannelID == "" || !rec.Pinned && rec.MessageTS == "" {
		return nil
	}
	joinURL, failure := "", ""
	switch {
	case rec.Meeting != nil && rec.Call == warroom.CallReady:
		joinURL = rec.Meeting.JoinURL
	case rec.Call == warroom.CallFailed && r.w.cfg.FallbackCallURL != "":
		joinURL = r.w.cfg.FallbackCallURL
	case rec.Call == warroom.CallFailed && rec.MeetingFailures >= functionFailAfter:
		failure = blocks.FunctionFailed(rec.Incident)
	default:
		return nil // the call is still being made
	}
	outputs := map[string]string{"incident_id": rec.Ref(), "channel_id": rec.ChannelID, "join_url": joinURL}
	err := r.w.slack.CompleteFunction(ctx, id, outputs, failure)
	switch slackapi.Code(err) {
	case "":
	case "function_execution_not_found", "execution_not_in_running_state":
		// Completed by an earlier run whose record was lost, or ended by
		// Slack: either way nothing is waiting any more.
		r.log.Info().Err(err).Msg("the workflow step was already ended")
	default:
		return fmt.Errorf("end the workflow step: %w", err)
	}
	if err := r.steps.Mark(ctx, store.StepFunctionDone); err != nil {
		return err
	}
	r.set(func(x *store.Record) { x.FunctionDone = true })
	return nil
}

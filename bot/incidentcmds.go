package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/commands"
	"github.com/warroom-dev/warroom/store"
)

func inChannel(text string) map[string]any {
	return map[string]any{"response_type": "in_channel", "text": text}
}

// notIncidentChannel is the answer to an incident command typed elsewhere.
var notIncidentChannel = ephemeral("Run this in an incident's channel. `/incident list` shows the open incidents.", nil)

// incidentCommand answers the commands that act on the incident whose
// channel they are typed in. The change is recorded locally (SQLite, no
// network) before the ack, and the workflow job brings the pinned message,
// topic and announcement up to date.
func (b *Bot) incidentCommand(ctx context.Context, cmd slack.SlashCommand, c commands.Command) map[string]any {
	if _, ok := c.(commands.List); ok {
		return b.listIncidents(ctx)
	}
	rec, err := b.store.IncidentByChannel(ctx, cmd.ChannelID)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		return notIncidentChannel
	}
	if err != nil {
		return ephemeral("warroom could not read the incident: "+warroom.ErrorMessage(err), nil)
	}
	who := "<@" + cmd.UserID + ">"
	changed := func(err error, text string) map[string]any {
		if err != nil {
			return ephemeral("warroom could not record that: "+warroom.ErrorMessage(err), nil)
		}
		if err := b.store.RequestSync(ctx, rec.ID); err != nil {
			b.log.Error().Err(err).Str("incident", rec.Ref()).Msg("could not queue an update")
		}
		b.kick()
		b.log.Info().Str("incident", rec.Ref()).Str("user", cmd.UserID).Str("change", fmt.Sprintf("%T", c)).Msg("incident changed")
		return inChannel(text)
	}
	switch c := c.(type) {
	case commands.ShowStatus:
		text, blks := blocks.StatusReply(rec.Incident, b.now())
		return ephemeral(text, blks)
	case commands.ShowCall:
		text, blks := blocks.CallInfo(rec.Incident)
		return ephemeral(text, blks)
	case commands.SetSeverity:
		if c.Severity == rec.Severity {
			return ephemeral(fmt.Sprintf("%s is already %s.", rec.Ref(), c.Severity), nil)
		}
		return changed(b.store.SetSeverity(ctx, rec.ID, c.Severity),
			fmt.Sprintf("%s changed the severity of %s from %s to %s.", who, rec.Ref(), rec.Severity, c.Severity))
	case commands.SetCommander:
		return changed(b.store.SetCommander(ctx, rec.ID, c.UserID),
			fmt.Sprintf("%s made <@%s> the commander of %s.", who, c.UserID, rec.Ref()))
	case commands.Resolve:
		if rec.Status == warroom.StatusResolved {
			return ephemeral(rec.Ref()+" is already resolved. `/incident reopen` opens it again.", nil)
		}
		text := fmt.Sprintf("%s resolved %s.", who, rec.Ref())
		if c.Summary != "" {
			text += " Summary: " + blocks.Escape(c.Summary)
		}
		err := b.store.ResolveWithFollowup(ctx, rec.ID, c.Summary, store.ResolveOptions{
			Followup: !b.cfg.FollowupOff, FollowupFor: b.cfg.FollowupDuration, RecordingFor: b.cfg.RecordingPollFor})
		if err == nil && !b.cfg.FollowupOff {
			text += " A post-incident review is being scheduled."
		}
		return changed(err, text)
	case commands.Reopen:
		if rec.Status != warroom.StatusResolved {
			return ephemeral(rec.Ref()+" is not resolved.", nil)
		}
		return changed(b.store.Reopen(ctx, rec.ID), fmt.Sprintf("%s reopened %s.", who, rec.Ref()))
	case commands.NewCall:
		if rec.Status == warroom.StatusResolved {
			return ephemeral(rec.Ref()+" is resolved; `/incident reopen` it first.", nil)
		}
		return changed(b.store.ReplaceMeeting(ctx, rec.ID),
			fmt.Sprintf("%s asked for a new Zoom call for %s. The old meeting is deleted if nobody joined it.", who, rec.Ref()))
	case commands.AdoptCall:
		return b.adoptCall(ctx, rec, cmd.UserID, c.URL, c.MeetingID)
	case commands.FollowupList:
		fs, err := b.store.Followups(ctx, rec.ID)
		if err != nil {
			return ephemeral("warroom could not list the follow-ups: "+warroom.ErrorMessage(err), nil)
		}
		list := make([]warroom.Followup, 0, len(fs))
		for _, f := range fs {
			list = append(list, f.Followup)
		}
		text, blks := blocks.FollowupList(rec.Incident, list)
		return ephemeral(text, blks)
	case commands.FollowupCancel:
		f, err := b.store.FollowupByN(ctx, rec.ID, c.N)
		if err != nil {
			return ephemeral(fmt.Sprintf("%s has no follow-up #%d. `/incident followup list` shows them.", rec.Ref(), c.N), nil)
		}
		if err := b.store.CancelFollowup(ctx, f.ID, cmd.UserID); err != nil {
			return ephemeral(warroom.ErrorMessage(err), nil)
		}
		b.kick()
		return inChannel(fmt.Sprintf("%s cancelled follow-up #%d of %s; its Zoom meeting is deleted.", who, c.N, rec.Ref()))
	}
	text, blks := blocks.Usage(commands.Usage())
	return ephemeral(text, blks)
}

func (b *Bot) adoptCall(ctx context.Context, rec *store.Record, userID, url string, meetingID int64) map[string]any {
	if rec.Meeting != nil && rec.Meeting.ID == meetingID {
		return ephemeral("That is already the call of "+rec.Ref()+".", nil)
	}
	if err := b.store.AdoptMeeting(ctx, rec.ID, warroom.Meeting{ID: meetingID, JoinURL: url}); err != nil {
		return ephemeral("warroom could not set the call: "+warroom.ErrorMessage(err), nil)
	}
	if err := b.store.RequestSync(ctx, rec.ID); err != nil {
		b.logFor(ctx).Error().Err(err).Msg("could not queue an update")
	}
	b.kick()
	b.logFor(ctx).Info().Str("incident", rec.Ref()).Func(meetingField(rec.Private, meetingID)).Msg("call adopted")
	return inChannel(fmt.Sprintf("<@%s> set the call of %s to Zoom meeting %d. The pinned message has the new Join button.", userID, rec.Ref(), meetingID))
}

func (b *Bot) listIncidents(ctx context.Context) map[string]any {
	recs, err := b.store.OpenIncidents(ctx)
	if err != nil {
		return ephemeral("warroom could not list incidents: "+warroom.ErrorMessage(err), nil)
	}
	incs := make([]warroom.Incident, 0, len(recs))
	for _, r := range recs {
		incs = append(incs, r.Incident)
	}
	text, blks := blocks.IncidentList(incs, b.now())
	return ephemeral(text, blks)
}

// openDeclareModal opens the declare modal; the envelope is acked first,
// and the trigger_id stays valid for 3 s.
func (b *Bot) openDeclareModal(ctx context.Context, cmd slack.SlashCommand, c commands.OpenDeclareModal) {
	view := blocks.DeclareModal(blocks.DeclareDefaults{Severity: c.Severity, Private: c.Private, ChannelID: cmd.ChannelID})
	if _, err := b.api.OpenViewContext(ctx, cmd.TriggerID, view); err != nil {
		b.log.Warn().Err(err).Msg("could not open the declare modal")
		b.reply(ctx, cmd.ResponseURL, &slack.WebhookMessage{Text: "warroom could not open the form (" + slackError(err) + "). Declare with a title instead: `/incident declare Checkout is down`."})
	}
}

// openZoomSettings opens the meeting defaults modal for an admin.
func (b *Bot) openZoomSettings(ctx context.Context, cmd slack.SlashCommand) {
	admin, err := b.isAdmin(ctx, cmd.UserID)
	if err != nil || !admin {
		b.reply(ctx, cmd.ResponseURL, &slack.WebhookMessage{Text: "Sorry, only warroom admins (WARROOM_ADMINS) and workspace admins or owners can change the Zoom meeting settings. Nothing was changed."})
		return
	}
	d, err := b.store.MeetingDefaults(ctx)
	if err != nil {
		b.reply(ctx, cmd.ResponseURL, &slack.WebhookMessage{Text: "warroom could not read the meeting settings: " + warroom.ErrorMessage(err)})
		return
	}
	if _, err := b.api.OpenViewContext(ctx, cmd.TriggerID, blocks.ZoomSettingsModal(d)); err != nil {
		b.log.Warn().Err(err).Msg("could not open the settings modal")
		b.reply(ctx, cmd.ResponseURL, &slack.WebhookMessage{Text: "warroom could not open the settings form (" + slackError(err) + "). Please try again."})
	}
}

// onViewSubmission handles the declare and settings modals. Its return is
// the ack payload: nil closes the modal, response_action errors keeps it
// open with the messages under the fields.
func (b *Bot) onViewSubmission(ctx context.Context, cb slack.InteractionCallback) any {
	switch cb.View.CallbackID {
	case blocks.CallbackDeclare:
		sub, errs := blocks.ParseDeclareSubmission(cb.View)
		if len(errs) > 0 {
			return map[string]any{"response_action": "errors", "errors": errs}
		}
		title, _ := commands.ShortTitle(sub.Title)
		rec, created, err := b.store.Declare(ctx, store.NewIncident{
			// A view is submitted once; a redelivery carries the same ID.
			DedupeKey: "view:" + cb.View.ID, Title: title, FullTitle: sub.Title, Severity: sub.Severity,
			DeclaredBy: cb.User.ID, SourceChannel: sub.ChannelID, Private: sub.Private, Responders: sub.Responders,
		})
		if err != nil {
			return map[string]any{"response_action": "errors", "errors": map[string]string{blocks.BlockDeclareTitle: "warroom could not record the incident: " + warroom.ErrorMessage(err)}}
		}
		if created {
			b.logFor(ctx).Info().Str("incident", rec.Ref()).Bool("private", rec.Private).Msg("incident declared from the form")
			b.kick()
		}
		return nil
	case blocks.CallbackZoomSettings:
		admin, err := b.isAdmin(ctx, cb.User.ID)
		if err != nil || !admin {
			return map[string]any{"response_action": "errors", "errors": map[string]string{blocks.BlockTopicTemplate: "Only admins can change these settings."}}
		}
		d, errs := blocks.ParseZoomSettings(cb.View)
		if len(errs) > 0 {
			return map[string]any{"response_action": "errors", "errors": errs}
		}
		if err := b.store.SetMeetingDefaults(ctx, d); err != nil {
			return map[string]any{"response_action": "errors", "errors": map[string]string{blocks.BlockTopicTemplate: "warroom could not save: " + warroom.ErrorMessage(err)}}
		}
		b.logFor(ctx).Info().Str("user", cb.User.ID).Msg("meeting defaults changed")
		return nil
	}
	return nil
}

// onAdoptButton makes a pasted Zoom link the incident's call.
func (b *Bot) onAdoptButton(ctx context.Context, cb slack.InteractionCallback, value string) {
	id, url, err := blocks.ParseAdoptValue(value)
	if err != nil {
		return
	}
	rec, err := b.store.Incident(ctx, id)
	if err != nil {
		return
	}
	_, meetingID, ok := commands.ZoomLink(url)
	if !ok {
		return
	}
	answer := b.adoptCall(ctx, rec, cb.User.ID, url, meetingID)
	text, _ := answer["text"].(string)
	b.reply(ctx, cb.ResponseURL, &slack.WebhookMessage{Text: text, ReplaceOriginal: true})
}

// onChannelCreated turns a channel a person created with the incident
// prefix into an incident. Channels the bot made itself, and others,
// are ignored; a redelivered event finds the incident already recorded.
func (b *Bot) onChannelCreated(ctx context.Context, ev *slackevents.ChannelCreatedEvent) {
	ch := ev.Channel
	if ch.Creator == b.botUserID || !strings.HasPrefix(ch.Name, b.cfg.ChannelPrefix) {
		return
	}
	title := titleFromChannel(strings.TrimPrefix(ch.Name, b.cfg.ChannelPrefix))
	rec, created, err := b.store.Declare(ctx, store.NewIncident{
		DedupeKey: "channel:" + ch.ID, Title: title, FullTitle: title, Severity: warroom.DefaultSeverity,
		DeclaredBy: ch.Creator, ChannelID: ch.ID, ChannelName: ch.Name,
	})
	if err != nil {
		b.logFor(ctx).Error().Err(err).Str("channel", ch.ID).Msg("could not record an incident for a new channel")
		return
	}
	if created {
		b.logFor(ctx).Info().Str("incident", rec.Ref()).Str("channel", ch.ID).Msg("incident declared by creating a channel")
		b.kick()
	}
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
	if ev.SubType != "" || ev.User == "" || ev.User == b.botUserID || ev.BotID != "" {
		return
	}
	url, meetingID, ok := commands.ZoomLink(ev.Text)
	if !ok {
		return
	}
	rec, err := b.store.IncidentByChannel(ctx, ev.Channel)
	if err != nil || (rec.Meeting != nil && rec.Meeting.ID == meetingID) {
		return
	}
	if eventID != "" {
		if seen, err := b.store.SeenEvent(ctx, eventID); err != nil || seen {
			return
		}
	}
	text, blks := blocks.AdoptPrompt(rec.ID, url)
	if _, err := b.api.PostEphemeralContext(ctx, ev.Channel, ev.User, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blks...)); err != nil {
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

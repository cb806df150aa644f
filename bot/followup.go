package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/commands"
	"github.com/warroom-dev/warroom/store"
)

// followupCommand handles /incident followup … in an incident channel.
// The ack went out already; the answer goes to the response_url.
func (b *Bot) followupCommand(ctx context.Context, cmd slack.SlashCommand, rec *store.Record, c commands.Followup) blocks.Reply {
	loc := time.UTC
	if u, err := b.d.Slack.UserInfo(ctx, cmd.UserID); err == nil {
		loc = u.Location()
	}
	var start time.Time
	if c.When != "" {
		var err error
		if start, err = commands.ParseWhen(c.When, b.now(), loc); err != nil {
			return blocks.Ephemeral(err.Error() + "\n\n" + commands.FollowupTimeHelp())
		}
	} else {
		start = b.d.Planner.DefaultFollowupStart(ctx, b.now(), rec.DeclaredBy)
	}
	duration := c.Duration
	if duration == 0 {
		duration = b.cfg.FollowupDuration
	}
	f, created, err := b.d.Store.AddFollowup(ctx, store.NewFollowup{
		IncidentID: rec.ID, DedupeKey: "cmd:" + cmd.TriggerID, Topic: c.Topic, Start: start, Duration: duration,
		Invitees: append([]string{cmd.UserID}, c.Invitees...), RequestedBy: cmd.UserID,
	})
	if err != nil {
		if code := warroom.ErrorCode(err); code == warroom.EINVALID || code == warroom.ECONFLICT {
			return blocks.Ephemeral("warroom could not schedule the follow-up: " + warroom.ErrorMessage(err))
		}
		return b.couldNot("schedule the follow-up", err)
	}
	if created {
		b.d.Kick()
	}
	return blocks.FollowupScheduling(f.N, start, duration)
}

package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/warroom-dev/warroom/blocks"
)

// onHomeOpened records that someone opened the app's Home tab, then acks:
// the workers publish their Home within a tick and keep it current while
// they may be looking. The Messages tab needs nothing. A database that
// does not answer leaves the event for Slack to deliver again.
func (b *Bot) onHomeOpened(ctx context.Context, start time.Time, evt socketmode.Event, ev *slackevents.AppHomeOpenedEvent) {
	if ev.Tab != "home" || ev.User == "" {
		b.ack(evt, start, nil)
		return
	}
	pre, cancel := context.WithDeadline(ctx, start.Add(frontDoorBudget))
	err := b.d.Store.HomeOpened(pre, ev.User)
	cancel()
	if err != nil {
		b.logFor(ctx).Warn().Err(err).Str("user", ev.User).Msg("could not record an App Home opened; left for Slack to deliver again")
		return
	}
	b.ack(evt, start, nil)
}

// openFormFrom opens the declare form for a button (the Home's Declare
// incident).
func (b *Bot) openFormFrom(ctx context.Context, cb slack.InteractionCallback) {
	if err := b.d.Slack.OpenView(ctx, cb.TriggerID, blocks.DeclareModal(blocks.DeclareDefaults{})); err != nil {
		b.logFor(ctx).Warn().Err(err).Msg("could not open the declare form from the Home")
	}
}

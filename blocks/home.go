package blocks

import (
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/warroom-dev/warroom"
)

// ActionHomeDeclare is the Declare incident button of the App Home: it
// opens the declare form.
const ActionHomeDeclare = "home_declare"

// Home's limits: Slack takes at most 100 blocks in a view.
const (
	homeMaxOpen     = 40
	homeMaxResolved = 5
)

// HomeView is the App Home: a Declare button, the open incidents (each
// with its severity, title, age, commander, the live call state and a
// Join button to the meeting's join_url) and the ones resolved last.
// Private incidents are left out: anyone in the workspace can open the
// Home, and a private incident's title and call stay in its channel. Ages
// are counted in whole hours (and the declare time is a Slack date, drawn
// in each reader's time zone), so the view changes when an incident does
// and at most once an hour besides.
func HomeView(open, resolved []warroom.Incident, now time.Time) []slack.Block {
	declare := slack.NewButtonBlockElement(ActionHomeDeclare, "declare", textObj(plainText, "Declare incident")).
		WithStyle(slack.StyleDanger)
	blks := []slack.Block{
		slack.NewHeaderBlock(textObj(plainText, "Incidents")),
		slack.NewActionBlock("home_actions", declare),
		slack.NewDividerBlock(),
	}
	open, hidden := public(open)
	if len(open) == 0 {
		blks = append(blks, section("No open incidents. :large_green_circle:"))
	}
	for i, inc := range open {
		if i == homeMaxOpen {
			blks = append(blks, note(fmt.Sprintf("And %d more: `/incident list` shows them all.", len(open)-homeMaxOpen)))
			break
		}
		blks = append(blks, homeIncident(inc, now))
	}
	if hidden > 0 {
		blks = append(blks, note(fmt.Sprintf("%d private incident(s) not shown.", hidden)))
	}
	resolved, _ = public(resolved)
	if len(resolved) > 0 {
		blks = append(blks, slack.NewDividerBlock(), section("*Recently resolved*"))
		for i, inc := range resolved {
			if i == homeMaxResolved {
				break
			}
			title, _ := clip(inc.Title, 150)
			blks = append(blks, note(fmt.Sprintf("✅ %s · %s · %s · resolved %s", inc.Ref(), inc.Severity, title,
				slackDate(inc.ResolvedAt.Unix(), inc.ResolvedAt.UTC().Format("2006-01-02 15:04 UTC")))))
		}
	}
	return blks
}

func public(incs []warroom.Incident) (shown []warroom.Incident, hidden int) {
	for _, inc := range incs {
		if inc.Private {
			hidden++
			continue
		}
		shown = append(shown, inc)
	}
	return shown, hidden
}

// homeIncident is one open incident on the Home: what people need to
// decide whether to join, and the Join button.
func homeIncident(inc warroom.Incident, now time.Time) slack.Block {
	title, _ := clip(inc.Title, 150)
	channel := ""
	if inc.ChannelID != "" {
		channel = fmt.Sprintf(" · <#%s>", inc.ChannelID)
	}
	text := fmt.Sprintf("*%s %s · %s · %s*%s\nCommander %s · %s, declared %s\nCall: %s", incidentIcon(inc), inc.Ref(),
		inc.Severity, title, channel, commanderRef(inc), hoursOpen(now.Sub(inc.CreatedAt)),
		slackDate(inc.CreatedAt.Unix(), inc.CreatedAt.UTC().Format("2006-01-02 15:04 UTC")), callText(inc))
	var accessory *slack.Accessory
	if url, ok := joinURL(inc); ok && inc.Call == warroom.CallReady {
		accessory = slack.NewAccessory(slack.NewButtonBlockElement(ActionJoinCall, "", textObj(plainText, "Join")).
			WithURL(url).WithStyle(slack.StylePrimary))
	}
	return slack.NewSectionBlock(textObj(mrkdwn, text), nil, accessory)
}

// hoursOpen says how long an incident has been open, in whole hours or
// days.
func hoursOpen(d time.Duration) string {
	switch h := int(d.Hours()); {
	case h < 1:
		return "open under an hour"
	case h < 48:
		return fmt.Sprintf("open %d h", h)
	default:
		return fmt.Sprintf("open %d days", h/24)
	}
}

// slackDate is a time Slack draws in its reader's time zone ("today at
// 3:10 AM"); fallback is shown where it cannot.
func slackDate(unix int64, fallback string) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", unix, fallback)
}

package blocks

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/warroom-dev/warroom/jobtype"
)

// What people are told when warroom's own database fails them: whether
// anything was recorded, and what to do. A person at 3 a.m. must never
// have to guess whether to type the command again.

// DeclareNotRecorded answers a declare that warroom's database did not
// take in time: nothing was recorded, so typing it again is safe.
func DeclareNotRecorded() Reply {
	return Ephemeral(":warning: warroom's database did not answer in time, so the incident was *not* declared. " +
		"Please run the same command again in a moment.")
}

// NotRecorded answers a change that warroom's database did not take in
// time (what: "record that"): nothing changed.
func NotRecorded(what string) Reply {
	return Ephemeral(":warning: warroom's database did not answer in time, so it could not " + what +
		" and nothing was changed. Please try again in a moment.")
}

// NotConfirmed answers a change whose commit was sent but never answered:
// it may have been recorded.
func NotConfirmed(what string) Reply {
	return Ephemeral(":warning: warroom's database stopped answering while it tried to " + what +
		", so warroom cannot tell whether it did. Check `/incident status` in a moment before trying again.")
}

// FormNotRecorded is the declare form's error under its title: the form
// stays open, nothing was declared, and submitting again is safe.
const FormNotRecorded = "warroom's database did not answer in time, so nothing was declared. Submit the form again in a moment."

// InternalError answers an envelope whose handling failed inside warroom.
const InternalError = "warroom ran into an internal error and did not finish that. The details are in its log; please try again."

// GivenUp is a piece of an incident's work warroom stopped retrying (a
// dead job): what it was, the last error, and when.
type GivenUp struct {
	Kind string // the job kind
	Why  string
	At   time.Time
}

// jobWhat names each kind of work for people.
var jobWhat = map[string]string{
	jobtype.KindIncidentSync: "Keeping the war room current (channel, pinned message, call, topic, bookmark)",
	jobtype.KindFollowup:     "Scheduling a follow-up meeting",
	jobtype.KindReminder:     "A follow-up's reminder",
	jobtype.KindRecording:    "Posting the call's recording",
	jobtype.KindSummary:      "Posting the call's AI summary",
	jobtype.KindZoomEvents:   "Applying Zoom's events (who is in the call)",
	jobtype.KindAlertNotes:   "Posting Alertmanager's changes to the incident channel",
}

// maxWhy clips an error shown to people.
const maxWhy = 200

// WithGivenUp adds to a status reply the work warroom gave up on, so the
// people in the channel know what will not happen by itself, and that any
// change to the incident (or an admin fixing the cause) tries it again.
func WithGivenUp(text string, bl []slack.Block, gone []GivenUp) (string, []slack.Block) {
	if len(gone) == 0 {
		return text, bl
	}
	var b strings.Builder
	b.WriteString(":warning: *warroom gave up on:*")
	for _, g := range gone {
		what, ok := jobWhat[g.Kind]
		if !ok {
			what = g.Kind
		}
		why, _ := clip(g.Why, maxWhy)
		fmt.Fprintf(&b, "\n• %s, %s: `%s`", what, dateRef(g.At), strings.ReplaceAll(Escape(why), "`", "'"))
	}
	b.WriteString("\nIt is tried again after the cause is fixed and the incident changes (any `/incident` change).")
	return text + fmt.Sprintf(" · warroom gave up on %d piece(s) of work", len(gone)), append(bl, section(b.String()))
}

// WithoutCanvas adds to /incident status that the channel has no canvas
// and why: the workspace would not have one (its plan, a scope the app
// lacks). Everything else of the war room stands.
func WithoutCanvas(text string, bl []slack.Block, why string) (string, []slack.Block) {
	reason := "Slack would not create it"
	if why != "" {
		r, _ := clip(why, maxWhy)
		reason = "Slack answered `" + strings.ReplaceAll(Escape(r), "`", "'") + "`"
	}
	note := ":information_source: This incident's channel has no canvas: " + reason +
		". Channel canvases need a paid Slack plan and the app's `canvases:write` scope; the rest of the war room is unaffected."
	return text + " · no canvas", append(bl, slack.Block(section(note)))
}

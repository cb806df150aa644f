package warroom

import (
	"fmt"
	"strings"
)

// Door is where an incident was declared. Every door ends in the same
// recorded declare; only what people see of its start differs.
type Door string

// The doors (DESIGN.md "Surfaces").
const (
	DoorSlash    Door = "slash"    // /incident declare
	DoorForm     Door = "form"     // the declare form (/incident, the global shortcut, Home)
	DoorMessage  Door = "message"  // the message shortcut, from a posted message
	DoorChannel  Door = "channel"  // a person created a prefixed channel
	DoorWorkflow Door = "workflow" // a Workflow Builder step
	DoorAPI      Door = "api"      // POST /api/v1/incidents
	DoorAlert    Door = "alert"    // the Alertmanager receiver
)

// Origin is where an incident came from, fixed at its declare.
type Origin struct {
	Door Door `json:"door,omitempty"`
	// By names who declared when that is not a Slack user: an API token's
	// name ("pagerduty-bridge"), "Alertmanager".
	By string `json:"by,omitempty"`
	// Description is what was written with the declare besides the title
	// (a message's other lines, the API's summary).
	Description string `json:"description,omitempty"`
	// Message is the message the incident was declared from.
	Message *SourceMessage `json:"message,omitempty"`
	// FunctionExecutionID is the Workflow Builder step waiting for the
	// war room (functions.completeSuccess/completeError).
	FunctionExecutionID string `json:"function_execution_id,omitempty"`
	// Links are pages the incident started with (an alert's source and
	// runbook).
	Links []Link `json:"links,omitempty"`
}

// SourceMessage is a Slack message an incident was declared from.
type SourceMessage struct {
	Channel string `json:"channel"`
	TS      string `json:"ts"`
	// ThreadTS is the thread the message is in, when it is a reply: the
	// war room's link goes there.
	ThreadTS string `json:"thread_ts,omitempty"`
	User     string `json:"user,omitempty"`
	Text     string `json:"text,omitempty"`
}

// Thread is the ts of the thread a reply to the message goes to.
func (m *SourceMessage) Thread() string {
	if m.ThreadTS != "" {
		return m.ThreadTS
	}
	return m.TS
}

// Link is a page worth a click from the incident channel.
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Declarer says who declared an incident, as people read it: a Slack
// mention, or the name of what declared it and through which door.
func (i *Incident) Declarer() string {
	switch {
	case i.DeclaredBy != "":
		return "<@" + i.DeclaredBy + ">"
	case i.Origin.By != "" && i.Origin.Door == DoorAPI:
		return fmt.Sprintf("%s via the API", mrkdwnEscape(i.Origin.By))
	case i.Origin.By != "":
		return mrkdwnEscape(i.Origin.By)
	}
	return "warroom"
}

// mrkdwnEscape escapes the three characters Slack's mrkdwn reads as markup.
var mrkdwnEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

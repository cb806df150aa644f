package workflow

import (
	"context"
	"errors"
	"time"

	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/jobtype"
	"github.com/warroom-dev/warroom/store"
)

// alertNotesWait is how long the alert notes wait for the incident
// channel, which the incident's sync is making: the first notification's
// note is recorded with the declare, before any channel exists.
const alertNotesWait = time.Second

// errNoChannelYet says why the alert notes wait.
var errNoChannelYet = errors.New("the incident channel does not exist yet")

// runAlertNotes posts an incident's alert notes in its channel, oldest
// first, each once: a note whose post was intended is looked for before it
// is posted again.
func (w *Workflow) runAlertNotes(ctx context.Context, job *jobs.Job[jobtype.AlertNotes]) error {
	rec, err := w.incidents.Incident(ctx, job.Args.IncidentID)
	if err != nil {
		return err
	}
	notes, err := w.alerts.PendingAlertNotes(ctx, rec.ID)
	if err != nil || len(notes) == 0 {
		return err
	}
	if rec.ChannelID == "" {
		return jobs.SnoozeUntil(w.now().Add(alertNotesWait), errNoChannelYet)
	}
	for _, n := range notes {
		mark := func() error { return w.alerts.MarkAlertNotePosting(ctx, job.Fence, n.ID) }
		msg := blocks.Msg(blocks.AlertNoteMessage(rec.Incident, alertNote(n.Body)))
		_, ts, err := w.slack.PostOnce(ctx, rec.ChannelID, blocks.AlertNoteBlockID(n.ID), n.Posting, mark, msg)
		if err != nil {
			return err
		}
		if err := w.alerts.DoneAlertNote(ctx, job.Fence, n.ID, ts); err != nil {
			return err
		}
	}
	return nil
}

// alertNote is what blocks needs of a recorded note: the alerts' names,
// and the links of the first note and of alerts newly firing.
func alertNote(b store.AlertNoteBody) blocks.AlertNote {
	n := blocks.AlertNote{First: b.First, AllResolved: b.AllResolved, Links: b.Links}
	for _, a := range b.Firing {
		n.Firing = append(n.Firing, a.Name)
		if !b.First {
			n.Links = append(n.Links, a.Links...)
		}
	}
	for _, a := range b.Resolved {
		n.Resolved = append(n.Resolved, a.Name)
	}
	return n
}

package jobtype

import (
	"encoding/json"
	"fmt"
)

// The kinds of job: the durable work the workflow package carries out.
const (
	KindIncidentSync = "incident_sync"
	KindFollowup     = "followup"
	KindReminder     = "reminder"
	KindRecording    = "recording"
	KindSummary      = "summary"
	KindZoomEvents   = "zoom_events"
	KindAlertNotes   = "alert_notes"
)

// Kinds lists every kind, for what must name each of them (the outage
// notice's descriptions, the metrics' labels): their tests check none is
// missing, so a new kind is added here and where it is run.
func Kinds() []string {
	return []string{KindIncidentSync, KindFollowup, KindReminder, KindRecording, KindSummary, KindZoomEvents, KindAlertNotes}
}

// IncidentSync builds an incident's war room and, whenever the incident
// changes, brings what people see up to date: one per incident, for its
// whole life.
type IncidentSync struct {
	IncidentID int64 `json:"incident_id"`
}

// Kind names the job kind.
func (IncidentSync) Kind() string { return KindIncidentSync }

// Scope is the incident itself.
func (a IncidentSync) Scope() Scope { return Scope{Incident: a.IncidentID} }

// Followup schedules (or cancels) a follow-up meeting and posts it.
type Followup struct {
	IncidentID int64 `json:"incident_id"`
	FollowupID int64 `json:"followup_id"`
}

// Kind names the job kind.
func (Followup) Kind() string { return KindFollowup }

// Scope is the follow-up.
func (a Followup) Scope() Scope { return Scope{Incident: a.IncidentID, Subject: a.FollowupID} }

// Reminder posts a follow-up's reminder shortly before it starts.
type Reminder struct {
	IncidentID int64 `json:"incident_id"`
	FollowupID int64 `json:"followup_id"`
}

// Kind names the job kind.
func (Reminder) Kind() string { return KindReminder }

// Scope is the follow-up.
func (a Reminder) Scope() Scope { return Scope{Incident: a.IncidentID, Subject: a.FollowupID} }

// Recording waits for a meeting's recording and attendance (its recording
// watch says which meeting) and posts them.
type Recording struct {
	IncidentID int64 `json:"incident_id"`
	WatchID    int64 `json:"watch_id"`
}

// Kind names the job kind.
func (Recording) Kind() string { return KindRecording }

// Scope is the recording watch.
func (a Recording) Scope() Scope { return Scope{Incident: a.IncidentID, Subject: a.WatchID} }

// Summary posts a call's AI Companion summary.
type Summary struct {
	IncidentID int64 `json:"incident_id"`
	SummaryID  int64 `json:"summary_id"`
}

// Kind names the job kind.
func (Summary) Kind() string { return KindSummary }

// Scope is the summary.
func (a Summary) Scope() Scope { return Scope{Incident: a.IncidentID, Subject: a.SummaryID} }

// ZoomEvents applies the Zoom events recorded for an incident, in the
// order they came, by one job; or, for an event of no incident's (an
// account removed the app: IncidentID 0), that one event.
type ZoomEvents struct {
	IncidentID int64 `json:"incident_id,omitempty"`
	EventID    int64 `json:"event_id,omitempty"` // only for an event of no incident's
}

// Kind names the job kind.
func (ZoomEvents) Kind() string { return KindZoomEvents }

// Scope is the incident, or the one event of no incident's.
func (a ZoomEvents) Scope() Scope { return Scope{Incident: a.IncidentID, Subject: a.EventID} }

// AlertNotes posts what changed in an incident's alert group (alerts
// newly firing, resolved, all resolved) in its channel: one per incident,
// queued by each notification that brought a change.
type AlertNotes struct {
	IncidentID int64 `json:"incident_id"`
}

// Kind names the job kind.
func (AlertNotes) Kind() string { return KindAlertNotes }

// Scope is the incident.
func (a AlertNotes) Scope() Scope { return Scope{Incident: a.IncidentID} }

// Encode is a's payload.
func Encode(a Args) ([]byte, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("jobtype: %s args: %w", a.Kind(), err)
	}
	return b, nil
}

// Decode reads the args of j. Jobs recorded before their args were (their
// payload is "{}") get them rebuilt from their scope, which held all there
// was. The args must be of j's scope: a payload that says otherwise was
// not written by Encode for this job.
func Decode[T Args](j Job) (T, error) {
	var a T
	if j.Kind != a.Kind() {
		return a, fmt.Errorf("jobtype: a %s job read as %s", j.Kind, a.Kind())
	}
	if old, ok := fromScope(j.Kind, j.Scope()).(T); ok && recordedBefore(j.Payload) {
		return old, nil
	}
	if len(j.Payload) > 0 {
		if err := json.Unmarshal(j.Payload, &a); err != nil {
			return a, fmt.Errorf("jobtype: %s args: %w", j.Kind, err)
		}
	}
	if a.Scope() != j.Scope() {
		return a, fmt.Errorf("jobtype: %s job %d: its args are of %+v, the job of %+v", j.Kind, j.ID, a.Scope(), j.Scope())
	}
	return a, nil
}

// recordedBefore reports whether payload is that of a job recorded before
// args were: the column's default.
func recordedBefore(payload []byte) bool {
	s := string(payload)
	return s == "" || s == "{}"
}

// fromScope rebuilds the args of a job recorded before they were, for the
// kinds there were then; nil for any other. New kinds need no case here.
func fromScope(kind string, s Scope) Args {
	switch kind {
	case KindIncidentSync:
		return IncidentSync{IncidentID: s.Incident}
	case KindFollowup:
		return Followup{IncidentID: s.Incident, FollowupID: s.Subject}
	case KindReminder:
		return Reminder{IncidentID: s.Incident, FollowupID: s.Subject}
	case KindRecording:
		return Recording{IncidentID: s.Incident, WatchID: s.Subject}
	case KindSummary:
		return Summary{IncidentID: s.Incident, SummaryID: s.Subject}
	case KindZoomEvents:
		return ZoomEvents{IncidentID: s.Incident, EventID: s.Subject}
	}
	return nil
}

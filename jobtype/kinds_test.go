package jobtype_test

import (
	"context"
	"testing"

	"github.com/warroom-dev/warroom/jobtype"
)

func TestArgsRoundTrip(t *testing.T) {
	roundTrip(t, jobtype.IncidentSync{IncidentID: 4})
	roundTrip(t, jobtype.Followup{IncidentID: 4, FollowupID: 9})
	roundTrip(t, jobtype.Reminder{IncidentID: 4, FollowupID: 9})
	roundTrip(t, jobtype.Recording{IncidentID: 4, WatchID: 2})
	roundTrip(t, jobtype.Summary{IncidentID: 4, SummaryID: 3})
	roundTrip(t, jobtype.ZoomEvents{IncidentID: 4})
	roundTrip(t, jobtype.ZoomEvents{EventID: 11})
	roundTrip(t, jobtype.AlertNotes{IncidentID: 4})
}

// roundTrip records a as the store does and reads it back as the engine
// does.
func roundTrip[T jobtype.Args](t *testing.T, a T) {
	t.Helper()
	payload, err := jobtype.Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	j := jobtype.Job{ID: 1, Kind: a.Kind(), IncidentID: a.Scope().Incident, Subject: a.Scope().Subject, Payload: payload}
	if got, err := jobtype.Decode[T](j); err != nil || any(got) != any(a) {
		t.Errorf("%s %s: got %+v, %v; want %+v", a.Kind(), payload, got, err, a)
	}
}

// A job recorded before args were has "{}" for a payload: its args come
// from its columns.
func TestDecodeRecordedBeforeArgs(t *testing.T) {
	j := jobtype.Job{ID: 1, Kind: jobtype.KindFollowup, IncidentID: 4, Subject: 9, Payload: []byte("{}")}
	got, err := jobtype.Decode[jobtype.Followup](j)
	if err != nil || got != (jobtype.Followup{IncidentID: 4, FollowupID: 9}) {
		t.Fatalf("got %+v, %v", got, err)
	}
	j = jobtype.Job{ID: 2, Kind: jobtype.KindZoomEvents, Subject: 12, Payload: nil}
	ev, err := jobtype.Decode[jobtype.ZoomEvents](j)
	if err != nil || ev != (jobtype.ZoomEvents{EventID: 12}) {
		t.Fatalf("got %+v, %v", ev, err)
	}
}

func TestDecodeRefusesOtherArgs(t *testing.T) {
	j := jobtype.Job{ID: 1, Kind: jobtype.KindFollowup, IncidentID: 4, Subject: 9, Payload: []byte(`{"incident_id":4,"followup_id":8}`)}
	if _, err := jobtype.Decode[jobtype.Followup](j); err == nil {
		t.Error("args of another follow-up were handed to this one's job")
	}
	if _, err := jobtype.Decode[jobtype.Reminder](j); err == nil {
		t.Error("a follow-up's job was read as a reminder's")
	}
	j.Payload = []byte(`{"followup_id":`)
	if _, err := jobtype.Decode[jobtype.Followup](j); err == nil {
		t.Error("a broken payload was read")
	}
}

func TestBackground(t *testing.T) {
	if jobtype.IsBackground(context.Background()) || !jobtype.IsBackground(jobtype.Background(context.Background())) {
		t.Error("Background does not mark the context")
	}
}

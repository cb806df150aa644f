package zoom_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/warroom-dev/warroom/zoom"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// runMeeting creates a scheduled meeting, gives its first instance uuid
// (unless ""), runs it for d with the participants given, recording it
// if rec is non-nil, and returns the meeting and its instance's UUID.
func runMeeting(t *testing.T, c *zoom.Client, fake *zoomfake.Server, clk *clock, uuid string, d time.Duration, rec *zoomfake.RecordingOptions, people ...string) (*zoom.Meeting, string) {
	t.Helper()
	m, err := c.CreateMeeting(context.Background(), "me", zoom.CreateMeetingRequest{Topic: "SEV1: checkout is down", Type: zoom.MeetingScheduled})
	if err != nil {
		t.Fatal(err)
	}
	if uuid != "" {
		fake.SetMeetingUUID(m.ID, uuid)
	}
	fake.SetMeetingStatus(m.ID, zoomfake.StatusStarted)
	instance, _ := fake.Meeting(m.ID)
	if rec != nil {
		fake.RecordMeeting(m.ID, *rec)
	}
	for _, p := range people {
		fake.AddParticipant(m.ID, p, strings.ToLower(p)+"@example.com", time.Time{}, time.Time{})
	}
	clk.Add(d)
	fake.SetMeetingStatus(m.ID, zoomfake.StatusFinished)
	return m, instance.UUID
}

func TestRecordingNotReadyThenReady(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)}
	c, fake := setup(t, zoomfake.Config{Now: clk.Now})
	ctx := context.Background()
	m, uuid := runMeeting(t, c, fake, clk, "", 42*time.Minute, &zoomfake.RecordingOptions{Transcript: true})
	id := fmt.Sprint(m.ID)

	for _, ref := range []string{id, uuid} {
		_, err := c.GetRecordings(ctx, ref)
		var zerr *zoom.Error
		if !zoom.IsRecordingNotReady(err) || !zoom.IsNotFound(err) || zoom.Retryable(err) ||
			!errors.As(err, &zerr) || zerr.Message != "This recording does not exist." {
			t.Errorf("GetRecordings(%s) while processing: %v, want not ready (404 code 3301), final", ref, err)
		}
	}
	fake.MakeRecordingReady(m.ID)
	rec, err := c.GetRecordings(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID != m.ID || rec.UUID != uuid || rec.HostID != m.HostID || rec.Topic != m.Topic ||
		rec.StartTime != "2026-03-14T12:00:00Z" || rec.Duration != 42 ||
		!strings.HasPrefix(rec.ShareURL, "https://fake.zoom.us/rec/share/") || rec.Password == "" || rec.RecordingPlayPasscode == "" {
		t.Errorf("recording = %+v", rec)
	}
	var types []string
	for _, f := range rec.Files {
		types = append(types, f.FileType+"/"+f.FileExtension+"/"+f.RecordingType)
		if f.ID == "" || f.MeetingID != uuid || f.Status != "completed" || f.FileSize <= 0 || f.PlayURL == "" || f.DownloadURL == "" ||
			f.RecordingStart != "2026-03-14T12:00:00Z" || f.RecordingEnd != "2026-03-14T12:42:00Z" {
			t.Errorf("file = %+v", f)
		}
	}
	want := []string{"MP4/MP4/shared_screen_with_speaker_view", "M4A/M4A/audio_only", "TRANSCRIPT/VTT/audio_transcript"}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	byUUID, err := c.GetRecordings(ctx, uuid)
	if diff := cmp.Diff(rec, byUUID); err != nil || diff != "" {
		t.Errorf("by UUID: %v (-by ID +by UUID):\n%s", err, diff)
	}

	// No transcript unless asked for.
	m2, _ := runMeeting(t, c, fake, clk, "", 5*time.Minute, &zoomfake.RecordingOptions{})
	fake.MakeRecordingReady(m2.ID)
	if rec, err := c.GetRecordings(ctx, fmt.Sprint(m2.ID)); err != nil || len(rec.Files) != 2 || rec.Duration != 5 {
		t.Errorf("recording without transcript = %+v, %v", rec, err)
	}
	// A meeting that was never recorded, or is unknown, is "not ready" forever.
	m3, _ := runMeeting(t, c, fake, clk, "", time.Minute, nil)
	for _, ref := range []string{fmt.Sprint(m3.ID), "1", "NoSuchInstance+UUID=="} {
		if _, err := c.GetRecordings(ctx, ref); !zoom.IsRecordingNotReady(err) {
			t.Errorf("GetRecordings(%s) = %v, want not ready", ref, err)
		}
	}
	if _, err := c.GetRecordings(ctx, ""); err == nil || zoom.IsNotFound(err) {
		t.Errorf("GetRecordings(\"\") = %v, want a usage error", err)
	}
	if zoom.IsRecordingNotReady(&zoom.Error{Status: 404, Code: 3001}) || zoom.IsRecordingNotReady(nil) {
		t.Error("IsRecordingNotReady is true for other errors")
	}
}

func TestPastMeetingAndParticipants(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)}
	c, fake := setup(t, zoomfake.Config{Now: clk.Now})
	ctx := context.Background()
	m, err := c.CreateMeeting(ctx, "me", zoom.CreateMeetingRequest{Topic: "bridge", Type: zoom.MeetingScheduled})
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprint(m.ID)
	if _, err := c.GetPastMeeting(ctx, id); !zoom.IsNotFound(err) {
		t.Errorf("GetPastMeeting before it ran: %v, want not found", err)
	}
	if _, err := c.PastParticipants(ctx, id); !zoom.IsNotFound(err) {
		t.Errorf("PastParticipants before it ran: %v, want not found", err)
	}

	fake.SetMeetingStatus(m.ID, zoomfake.StatusStarted)
	start := clk.Now()
	fake.AddParticipant(m.ID, "Ada", "ada@example.com", start.Add(time.Minute), start.Add(11*time.Minute))
	fake.AddParticipant(m.ID, "Grace", "grace@example.com", start.Add(2*time.Minute), time.Time{})
	clk.Add(20 * time.Minute)
	fake.SetMeetingStatus(m.ID, zoomfake.StatusFinished)

	pm, err := c.GetPastMeeting(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := &zoom.PastMeeting{UUID: m.UUID, ID: m.ID, HostID: m.HostID, Topic: "bridge",
		StartTime: "2026-03-14T12:00:00Z", EndTime: "2026-03-14T12:20:00Z", Duration: 20, ParticipantsCount: 2}
	if diff := cmp.Diff(want, pm); diff != "" {
		t.Errorf("GetPastMeeting (-want +got):\n%s", diff)
	}
	if byUUID, err := c.GetPastMeeting(ctx, m.UUID); err != nil || !cmp.Equal(pm, byUUID) {
		t.Errorf("GetPastMeeting by UUID = %+v, %v", byUUID, err)
	}
	people, err := c.PastParticipants(ctx, m.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if len(people) != 2 {
		t.Fatalf("participants = %+v", people)
	}
	ada, grace := people[0], people[1]
	if ada.Name != "Ada" || ada.UserEmail != "ada@example.com" || ada.Duration != 600 ||
		ada.JoinTime != "2026-03-14T12:01:00Z" || ada.LeaveTime != "2026-03-14T12:11:00Z" || ada.ID == "" || ada.UserID == "" {
		t.Errorf("Ada = %+v", ada)
	}
	if grace.Name != "Grace" || grace.Duration != 18*60 || grace.LeaveTime != "2026-03-14T12:20:00Z" {
		t.Errorf("Grace = %+v (still in at the end: leaves then)", grace)
	}
	if _, err := c.PastParticipants(ctx, ""); err == nil {
		t.Error("PastParticipants(\"\") succeeded")
	}
	if _, err := c.GetPastMeeting(ctx, ""); err == nil {
		t.Error("GetPastMeeting(\"\") succeeded")
	}
}

// TestPastParticipantsFollowsPages: more than one page of 300.
func TestPastParticipantsFollowsPages(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)}
	c, fake := setup(t, zoomfake.Config{Now: clk.Now})
	ctx := context.Background()
	m, err := c.CreateMeeting(ctx, "me", zoom.CreateMeetingRequest{Topic: "all hands", Type: zoom.MeetingScheduled})
	if err != nil {
		t.Fatal(err)
	}
	fake.SetMeetingStatus(m.ID, zoomfake.StatusStarted)
	start := clk.Now()
	var want []string
	for i := range 650 {
		name := fmt.Sprintf("person %03d", i)
		want = append(want, name)
		fake.AddParticipant(m.ID, name, "", start.Add(time.Duration(i)*time.Second), time.Time{})
	}
	clk.Add(30 * time.Minute)
	fake.SetMeetingStatus(m.ID, zoomfake.StatusFinished)

	before := countOp(fake, "pastMeetingParticipants")
	people, err := c.PastParticipants(ctx, fmt.Sprint(m.ID))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range people {
		got = append(got, p.Name)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("participants (-want +got):\n%s", diff)
	}
	if n := countOp(fake, "pastMeetingParticipants") - before; n != 3 {
		t.Errorf("%d requests, want 3 pages of up to 300", n)
	}

	// A failure on a later page fails the whole list.
	fake.InjectFault(zoomfake.Fault{Op: "pastMeetingParticipants", Delay: time.Millisecond}) // the first page passes
	fake.InjectFault(zoomfake.Fault{Op: "pastMeetingParticipants", Status: 503})
	_, err = c.PastParticipants(ctx, fmt.Sprint(m.ID))
	var zerr *zoom.Error
	if !errors.As(err, &zerr) || zerr.Status != 503 || !zoom.Retryable(err) {
		t.Errorf("second page failing: %v, want a retryable 503", err)
	}
}

// TestInstanceUUIDsInPaths: UUIDs that start with "/" or contain "//" go
// encoded twice, others once; either way the fake finds the instance.
func TestInstanceUUIDsInPaths(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)}
	c, fake := setup(t, zoomfake.Config{Now: clk.Now})
	ctx := context.Background()
	for _, uuid := range []string{"/abc==", "ab//c==", "/a//b+c/d==", "ab/c+d==", "Zm9vYmFyYmF6cXV4MTIzNA=="} {
		t.Run(uuid, func(t *testing.T) {
			m, got := runMeeting(t, c, fake, clk, uuid, 3*time.Minute, &zoomfake.RecordingOptions{}, "Ada")
			if got != uuid {
				t.Fatalf("instance UUID %q, want %q", got, uuid)
			}
			fake.MakeRecordingReady(m.ID)
			rec, err := c.GetRecordings(ctx, uuid)
			if err != nil || rec.UUID != uuid || rec.ID != m.ID {
				t.Errorf("GetRecordings = %+v, %v", rec, err)
			}
			pm, err := c.GetPastMeeting(ctx, uuid)
			if err != nil || pm.UUID != uuid {
				t.Errorf("GetPastMeeting = %+v, %v", pm, err)
			}
			people, err := c.PastParticipants(ctx, uuid)
			if err != nil || len(people) != 1 || people[0].Name != "Ada" {
				t.Errorf("PastParticipants = %+v, %v", people, err)
			}
		})
	}

	// The exact paths, as a server sees them before decoding.
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.EscapedPath())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	cc := zoom.NewClient(srv.URL, srv.Client())
	for _, ref := range []string{"/abc==", "ab//c==", "ab/c+d==", "81234567890"} {
		if _, err := cc.GetRecordings(ctx, ref); err != nil {
			t.Fatal(err)
		}
		if _, err := cc.GetPastMeeting(ctx, ref); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cc.PastParticipants(ctx, "/abc=="); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/meetings/%252Fabc%253D%253D/recordings", "/past_meetings/%252Fabc%253D%253D",
		"/meetings/ab%252F%252Fc%253D%253D/recordings", "/past_meetings/ab%252F%252Fc%253D%253D",
		"/meetings/ab%2Fc%2Bd%3D%3D/recordings", "/past_meetings/ab%2Fc%2Bd%3D%3D",
		"/meetings/81234567890/recordings", "/past_meetings/81234567890",
		"/past_meetings/%252Fabc%253D%253D/participants",
	}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("request paths (-want +got):\n%s", diff)
	}
}

func TestNewOperationsFaults(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)}
	c, fake := setup(t, zoomfake.Config{Now: clk.Now})
	ctx := context.Background()
	m, _ := runMeeting(t, c, fake, clk, "", time.Minute, &zoomfake.RecordingOptions{}, "Ada")
	fake.MakeRecordingReady(m.ID)
	id := fmt.Sprint(m.ID)
	calls := map[string]func() error{
		"recordingGet":            func() error { _, err := c.GetRecordings(ctx, id); return err },
		"pastMeetingDetails":      func() error { _, err := c.GetPastMeeting(ctx, id); return err },
		"pastMeetingParticipants": func() error { _, err := c.PastParticipants(ctx, id); return err },
	}
	for op, call := range calls {
		fake.InjectFault(zoomfake.Fault{Op: op, Status: 503})
		if err := call(); !zoom.Retryable(err) {
			t.Errorf("%s with a 503: %v, want retryable", op, err)
		}
		fake.InjectFault(zoomfake.Fault{Op: op, Status: 429, Header: map[string]string{"X-RateLimit-Type": "QPS", "Retry-After": "1"}})
		var rle *zoom.RateLimitError
		if err := call(); !errors.As(err, &rle) || rle.Type != zoom.RateLimitQPS {
			t.Errorf("%s rate limited: %v", op, err)
		}
		if err := call(); err != nil {
			t.Errorf("%s after the faults: %v", op, err)
		}
	}
	fake.InjectFault(zoomfake.Fault{Op: "recordingGet", Delay: 5 * time.Second, Status: 500})
	tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := c.GetRecordings(tctx, id); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow recordingGet: %v, want a deadline error", err)
	}
}

func TestScheduledMeetingUpcoming(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)}
	c, _ := setup(t, zoomfake.Config{Now: clk.Now})
	ctx := context.Background()
	req := zoom.CreateMeetingRequest{
		Topic: "Postmortem: INC-42", Type: zoom.MeetingScheduled, StartTime: "2026-03-16T15:00:00Z",
		Duration: 50, Timezone: "America/New_York", Agenda: "warroom followup INC-42",
		Settings: &zoom.MeetingSettings{MeetingInvitees: []zoom.Invitee{{Email: "a@example.com"}, {Email: "b@example.com"}}},
	}
	m, err := c.CreateMeeting(ctx, "me", req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetMeeting(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != zoom.MeetingScheduled || got.StartTime != req.StartTime || got.Duration != 50 || got.Timezone != req.Timezone ||
		!cmp.Equal(got.Settings.MeetingInvitees, req.Settings.MeetingInvitees) {
		t.Errorf("GetMeeting = %+v, want the request's type, start, duration, timezone and invitees", got)
	}
	if _, err := c.CreateMeeting(ctx, "me", zoom.CreateMeetingRequest{Topic: "over", Type: zoom.MeetingScheduled, StartTime: "2026-03-13T15:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListMeetings(ctx, "me", zoom.ListUpcoming)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != m.ID || list[0].StartTime != req.StartTime || list[0].Type != zoom.MeetingScheduled {
		t.Errorf("upcoming = %+v, want only %d", list, m.ID)
	}
}

// verifyingReceiver collects webhook bodies that VerifyWebhook accepts.
type verifyingReceiver struct {
	secret string
	mu     sync.Mutex
	bodies [][]byte
	errs   []error
}

func (wr *verifyingReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	wr.mu.Lock()
	defer wr.mu.Unlock()
	if _, err := zoom.VerifyWebhook(wr.secret, r.Header, body, time.Now(), time.Minute); err != nil {
		wr.errs = append(wr.errs, err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	wr.bodies = append(wr.bodies, body)
	w.WriteHeader(http.StatusOK)
}

// lastOf is the newest body of event: the fake sends some events of its
// own in the background (meeting.ended after an end through the API), so
// the newest body of all may be another event.
func (wr *verifyingReceiver) lastOf(t *testing.T, event string) []byte {
	t.Helper()
	wr.mu.Lock()
	defer wr.mu.Unlock()
	if len(wr.errs) > 0 {
		t.Fatalf("webhook not verified: %v", wr.errs)
	}
	for i := len(wr.bodies) - 1; i >= 0; i-- {
		var ev zoom.WebhookEvent
		if json.Unmarshal(wr.bodies[i], &ev) == nil && ev.Event == event {
			return wr.bodies[i]
		}
	}
	t.Fatalf("no %s webhook received", event)
	return nil
}

func TestRecordingAndMeetingWebhooks(t *testing.T) {
	const secret = "hook-secret"
	wr := &verifyingReceiver{secret: secret}
	srv := httptest.NewServer(wr)
	defer srv.Close()
	c, fake := setup(t, zoomfake.Config{WebhookURL: srv.URL, WebhookSecret: secret})
	ctx := context.Background()
	m, err := c.CreateMeeting(ctx, "me", zoom.CreateMeetingRequest{Topic: "SEV2: queue backlog", Type: zoom.MeetingScheduled})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.SendMeetingEvent(ctx, m.ID, "meeting.started"); err == nil {
		t.Error("meeting.started before it started was sent")
	}
	fake.SetMeetingStatus(m.ID, zoomfake.StatusStarted)
	if status, err := fake.SendMeetingEvent(ctx, m.ID, "meeting.started"); err != nil || status != 200 {
		t.Fatalf("meeting.started: %d, %v", status, err)
	}
	var ev zoom.WebhookEvent
	var started struct {
		AccountID string                  `json:"account_id"`
		Object    zoom.MeetingEventObject `json:"object"`
	}
	if err := json.Unmarshal(wr.lastOf(t, "meeting.started"), &ev); err != nil || ev.Event != "meeting.started" || ev.EventTS == 0 {
		t.Fatalf("envelope %+v, %v", ev, err)
	}
	if err := json.Unmarshal(ev.Payload, &started); err != nil {
		t.Fatal(err)
	}
	if id, err := started.Object.ID.Int64(); err != nil || id != m.ID || started.Object.UUID != m.UUID ||
		started.Object.HostID != m.HostID || started.Object.Topic != m.Topic || started.Object.StartTime == "" ||
		started.Object.EndTime != "" || started.AccountID != testAccount {
		t.Errorf("meeting.started payload = %+v", started)
	}
	if _, err := fake.SendMeetingEvent(ctx, m.ID, "meeting.ended"); err == nil {
		t.Error("meeting.ended while it runs was sent")
	}
	fake.RecordMeeting(m.ID, zoomfake.RecordingOptions{Transcript: true, Duration: 10 * time.Minute})
	if _, err := fake.SendRecordingCompleted(ctx, m.ID); err == nil {
		t.Error("recording.completed sent before the recording was ready")
	}
	if err := c.EndMeeting(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if status, err := fake.SendMeetingEvent(ctx, m.ID, "meeting.ended"); err != nil || status != 200 {
		t.Fatalf("meeting.ended: %d, %v", status, err)
	}
	var ended struct {
		Payload struct {
			Object zoom.MeetingEventObject `json:"object"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(wr.lastOf(t, "meeting.ended"), &ended); err != nil || ended.Payload.Object.UUID != m.UUID || ended.Payload.Object.EndTime == "" {
		t.Errorf("meeting.ended = %+v, %v", ended, err)
	}

	fake.MakeRecordingReady(m.ID)
	if status, err := fake.SendRecordingCompleted(ctx, m.ID); err != nil || status != 200 {
		t.Fatalf("recording.completed: %d, %v", status, err)
	}
	body := wr.lastOf(t, "recording.completed")
	var rc zoom.RecordingCompletedEvent
	if err := json.Unmarshal(body, &rc); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body, &ev); err != nil || ev.Event != "recording.completed" {
		t.Errorf("event = %q, %v", ev.Event, err)
	}
	rec, err := c.GetRecordings(ctx, m.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(*rec, rc.Payload.Object); diff != "" {
		t.Errorf("the webhook's recording differs from the API's (-api +webhook):\n%s", diff)
	}
	if rc.DownloadToken == "" || rc.Payload.AccountID != testAccount || len(rc.Payload.Object.Files) != 3 || rc.Payload.Object.Duration != 10 {
		t.Errorf("recording.completed = %+v", rc)
	}
	var raw map[string]any
	_ = json.Unmarshal(body, &raw)
	if obj := raw["payload"].(map[string]any)["object"].(map[string]any); obj["host_email"] != "incident-bot@example.com" {
		t.Errorf("object.host_email = %v", obj["host_email"])
	}
	if _, err := fake.SendMeetingEvent(ctx, m.ID, "meeting.deleted"); err == nil {
		t.Error("SendMeetingEvent sent another event")
	}

	// A wrong secret: the receiver refuses, and the sender sees its status.
	wrong := &verifyingReceiver{secret: "another-secret"}
	srv2 := httptest.NewServer(wrong)
	defer srv2.Close()
	_, fake2 := setup(t, zoomfake.Config{WebhookURL: srv2.URL, WebhookSecret: secret})
	c2 := s2sClient(fake2, testAccount, testClient, testSecret, nil)
	m2, err := c2.CreateMeeting(ctx, "me", zoom.CreateMeetingRequest{Topic: "t", Type: zoom.MeetingScheduled})
	if err != nil {
		t.Fatal(err)
	}
	fake2.SetMeetingStatus(m2.ID, zoomfake.StatusStarted)
	if status, err := fake2.SendMeetingEvent(ctx, m2.ID, "meeting.started"); err != nil || status != http.StatusUnauthorized {
		t.Errorf("wrongly signed: %d, %v, want the receiver's 401", status, err)
	}
}

// TestMeetingEventObjectID: Zoom has sent the meeting ID as a number and
// as a string; both read.
func TestMeetingEventObjectID(t *testing.T) {
	for _, raw := range []string{`{"id":81234567890,"uuid":"u"}`, `{"id":"81234567890","uuid":"u"}`} {
		var o zoom.MeetingEventObject
		if err := json.Unmarshal([]byte(raw), &o); err != nil {
			t.Errorf("%s: %v", raw, err)
			continue
		}
		if id, err := o.ID.Int64(); err != nil || id != 81234567890 {
			t.Errorf("%s: ID %v, %v", raw, id, err)
		}
	}
}

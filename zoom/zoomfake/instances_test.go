package zoomfake_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// enc encodes a UUID for a path the way Zoom asks: once, or twice if it
// starts with "/" or contains "//".
func enc(uuid string) string {
	e := url.QueryEscape(uuid)
	if strings.HasPrefix(uuid, "/") || strings.Contains(uuid, "//") {
		e = url.QueryEscape(e)
	}
	return e
}

func TestMeetingInstancesArePastMeetings(t *testing.T) {
	clk := newClock(time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC))
	s := mustStart(t, zoomfake.Config{Now: clk.Now, AppName: "warroom-test"})
	tok := mustToken(t, s)
	id := createMeeting(t, s, tok, "me", `{"topic":"SEV1 checkout","type":2,"start_time":"2026-03-14T12:00:00Z","duration":45}`)
	past := fmt.Sprintf("%s/past_meetings/%d", s.APIURL(), id)

	// Before any instance ended: Zoom's 3001.
	notEnded := `{"code":3001,"message":"Meeting ID is invalid or not end."}`
	for _, u := range []string{past, past + "/participants"} {
		if status, _, body := call(t, "GET", u, tok, ""); status != 404 || strings.TrimSpace(body) != notEnded {
			t.Errorf("GET %s before the meeting ran: HTTP %d %s", u, status, body)
		}
	}
	status, _, body := call(t, "GET", fmt.Sprintf("%s/past_meetings/%d", s.APIURL(), id+1), tok, "")
	if want := fmt.Sprintf(`{"code":3001,"message":"Meeting does not exist: %d."}`, id+1); status != 404 || strings.TrimSpace(body) != want {
		t.Errorf("unknown meeting: HTTP %d %s, want %s", status, body, want)
	}

	created, _ := s.Meeting(id)
	s.SetMeetingStatus(id, zoomfake.StatusStarted)
	first, _ := s.Meeting(id)
	if first.UUID != created.UUID {
		t.Errorf("the first instance's UUID %q is not the one the meeting showed, %q", first.UUID, created.UUID)
	}
	// Running: not a past meeting yet, by UUID or by ID.
	for _, u := range []string{s.APIURL() + "/past_meetings/" + enc(first.UUID), past} {
		if status, _, body := call(t, "GET", u, tok, ""); status != 404 || strings.TrimSpace(body) != notEnded {
			t.Errorf("GET %s while it runs: HTTP %d %s", u, status, body)
		}
	}
	start := clk.Now()
	s.AddParticipant(id, "Ada Lovelace", "ada@example.com", start.Add(time.Minute), start.Add(31*time.Minute))
	s.AddParticipant(id, "Incident Bot", "INCIDENT-BOT@example.com", time.Time{}, time.Time{}) // the host, from the start, until the end
	s.AddParticipant(id, "Dial-in 1", "", start.Add(2*time.Minute), start.Add(3*time.Minute+30*time.Second))
	clk.Add(40 * time.Minute)
	s.SetMeetingStatus(id, zoomfake.StatusFinished)
	if m, _ := s.Meeting(id); m.UUID == first.UUID || m.Status != zoomfake.StatusFinished {
		t.Errorf("after the end: UUID %q status %q, want a new UUID for the next instance", m.UUID, m.Status)
	}

	wantPast := map[string]any{
		"uuid": first.UUID, "id": json.Number(fmt.Sprint(id)), "host_id": first.HostID, "type": json.Number("2"),
		"topic": "SEV1 checkout", "user_name": "Incident Bot", "user_email": "incident-bot@example.com",
		"start_time": "2026-03-14T12:00:00Z", "end_time": "2026-03-14T12:40:00Z", "duration": json.Number("40"),
		"total_minutes":      json.Number("72"), // 30 + 40 + 1.5, rounded
		"participants_count": json.Number("3"), "dept": "", "source": "warroom-test",
	}
	for _, u := range []string{past, s.APIURL() + "/past_meetings/" + enc(first.UUID)} {
		status, _, body := call(t, "GET", u, tok, "")
		if diff := cmp.Diff(wantPast, decode(t, body)); status != 200 || diff != "" {
			t.Errorf("GET %s: HTTP %d (-want +got):\n%s", u, status, diff)
		}
	}

	status, _, body = call(t, "GET", past+"/participants", tok, "")
	if status != 200 {
		t.Fatalf("participants: HTTP %d %s", status, body)
	}
	page := decode(t, body)
	if page["total_records"] != json.Number("3") || page["page_size"] != json.Number("30") || page["page_count"] != json.Number("1") || page["next_page_token"] != "" {
		t.Errorf("participants page = %v", page)
	}
	ps := page["participants"].([]any)
	host := ps[0].(map[string]any)
	ada := ps[1].(map[string]any)
	dial := ps[2].(map[string]any)
	if host["name"] != "Incident Bot" || host["id"] != first.HostID || host["internal_user"] != true ||
		host["join_time"] != "2026-03-14T12:00:00Z" || host["leave_time"] != "2026-03-14T12:40:00Z" || host["duration"] != json.Number("2400") {
		t.Errorf("host stay = %v", host)
	}
	if ada["name"] != "Ada Lovelace" || ada["user_email"] != "ada@example.com" || ada["internal_user"] != false ||
		ada["join_time"] != "2026-03-14T12:01:00Z" || ada["leave_time"] != "2026-03-14T12:31:00Z" || ada["duration"] != json.Number("1800") ||
		!regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`).MatchString(ada["id"].(string)) || ada["status"] != "in_meeting" {
		t.Errorf("guest stay = %v", ada)
	}
	if dial["id"] != "" || dial["duration"] != json.Number("90") {
		t.Errorf("a guest without email has no id: %v", dial)
	}
	if host["user_id"] == ada["user_id"] || !regexp.MustCompile(`^\d+$`).MatchString(ada["user_id"].(string)) {
		t.Errorf("user_id numbers each stay: %v and %v", host["user_id"], ada["user_id"])
	}

	// A second run: the ID now means it; the first stays reachable by UUID.
	second, _ := s.Meeting(id)
	s.SetMeetingStatus(id, zoomfake.StatusStarted)
	s.AddParticipant(id, "Ada Lovelace", "ada@example.com", time.Time{}, time.Time{})
	clk.Add(10 * time.Minute)
	s.SetMeetingStatus(id, zoomfake.StatusWaiting) // everyone left: that ends it too
	_, _, body = call(t, "GET", past, tok, "")
	if m := decode(t, body); m["uuid"] != second.UUID || m["duration"] != json.Number("10") || m["participants_count"] != json.Number("1") {
		t.Errorf("latest past meeting = %v, want the second run %s", m, second.UUID)
	}
	_, _, body = call(t, "GET", past+"/participants", tok, "")
	again := decode(t, body)["participants"].([]any)[0].(map[string]any)
	if again["id"] != ada["id"] {
		t.Errorf("the same guest got ID %v, then %v", ada["id"], again["id"])
	}
	if _, _, body := call(t, "GET", s.APIURL()+"/past_meetings/"+enc(first.UUID), tok, ""); decode(t, body)["end_time"] != "2026-03-14T12:40:00Z" {
		t.Errorf("first run by UUID: %s", body)
	}

	// Deleting the meeting keeps its reports.
	if status, _, body := call(t, "DELETE", fmt.Sprintf("%s/meetings/%d", s.APIURL(), id), tok, ""); status != 204 {
		t.Fatalf("delete: HTTP %d %s", status, body)
	}
	if status, _, body := call(t, "GET", past, tok, ""); status != 200 {
		t.Errorf("past meeting of a deleted meeting: HTTP %d %s", status, body)
	}
}

func TestEndingMeetingsMakesInstances(t *testing.T) {
	s := mustStart(t, zoomfake.Config{})
	tok := mustToken(t, s)

	// Ended through the API.
	id := createMeeting(t, s, tok, "me", `{"topic":"t","type":2}`)
	m, _ := s.Meeting(id)
	s.SetMeetingStatus(id, zoomfake.StatusStarted)
	if status, _, body := call(t, "PUT", fmt.Sprintf("%s/meetings/%d/status", s.APIURL(), id), tok, `{"action":"end"}`); status != 204 {
		t.Fatalf("end: HTTP %d %s", status, body)
	}
	_, _, body := call(t, "GET", fmt.Sprintf("%s/past_meetings/%d", s.APIURL(), id), tok, "")
	if got := decode(t, body); got["uuid"] != m.UUID {
		t.Errorf("past meeting after the API ended it: %v", got)
	}

	// "finished" straight away: it ran and ended at once.
	instant := createMeeting(t, s, tok, "me", `{"topic":"now","type":1}`)
	s.SetMeetingStatus(instant, zoomfake.StatusFinished)
	_, _, body = call(t, "GET", fmt.Sprintf("%s/past_meetings/%d", s.APIURL(), instant), tok, "")
	if got := decode(t, body); got["duration"] != json.Number("0") || got["type"] != json.Number("1") {
		t.Errorf("past instant meeting: %v", got)
	}

	// Participants added after the end left at the end at the latest.
	s.AddParticipant(instant, "Late", "late@example.com", time.Time{}, time.Time{})
	_, _, body = call(t, "GET", fmt.Sprintf("%s/past_meetings/%d/participants", s.APIURL(), instant), tok, "")
	if p := decode(t, body)["participants"].([]any); len(p) != 1 || p[0].(map[string]any)["duration"] != json.Number("0") {
		t.Errorf("participants = %v", p)
	}

	// Never started: AddParticipant and RecordMeeting do nothing.
	idle := createMeeting(t, s, tok, "me", `{"topic":"idle","type":2}`)
	s.AddParticipant(idle, "Nobody", "", time.Time{}, time.Time{})
	s.RecordMeeting(idle, zoomfake.RecordingOptions{})
	s.MakeRecordingReady(idle)
	if status, _, _ := call(t, "GET", fmt.Sprintf("%s/meetings/%d/recordings", s.APIURL(), idle), tok, ""); status != 404 {
		t.Errorf("recording of a meeting that never ran: HTTP %d", status)
	}
}

// TestInstanceUUIDEncoding: a UUID that starts with "/" or contains "//"
// must be encoded twice; encoded once, Zoom (and so the fake) cannot find
// it. Other UUIDs work encoded once, or raw.
func TestInstanceUUIDEncoding(t *testing.T) {
	s := mustStart(t, zoomfake.Config{})
	tok := mustToken(t, s)
	for _, uuid := range []string{"/abc==", "ab//c==", "a+b/c==", "plainUUID+x=="} {
		t.Run(uuid, func(t *testing.T) {
			id := createMeeting(t, s, tok, "me", `{"topic":"t","type":2}`)
			s.SetMeetingUUID(id, uuid)
			s.SetMeetingStatus(id, zoomfake.StatusStarted)
			s.RecordMeeting(id, zoomfake.RecordingOptions{})
			s.SetMeetingStatus(id, zoomfake.StatusFinished)
			s.MakeRecordingReady(id)

			twice := url.QueryEscape(url.QueryEscape(uuid))
			once := url.QueryEscape(uuid)
			needsTwice := strings.HasPrefix(uuid, "/") || strings.Contains(uuid, "//")
			for _, path := range []string{"/past_meetings/%s", "/past_meetings/%s/participants", "/meetings/%s/recordings"} {
				status, _, body := call(t, "GET", s.APIURL()+fmt.Sprintf(path, twice), tok, "")
				if status != 200 {
					t.Errorf("%s encoded twice: HTTP %d %s", path, status, body)
				}
				if !strings.Contains(path, "participants") && decode(t, body)["uuid"] != uuid {
					t.Errorf("%s encoded twice answered %s", path, body)
				}
				status, _, body = call(t, "GET", s.APIURL()+fmt.Sprintf(path, once), tok, "")
				if needsTwice && status != 404 {
					t.Errorf("%s encoded once: HTTP %d %s, want 404 as at Zoom", path, status, body)
				}
				if !needsTwice && status != 200 {
					t.Errorf("%s encoded once: HTTP %d %s", path, status, body)
				}
			}
		})
	}
	// The fake's own UUIDs are Zoom's shape.
	id := createMeeting(t, s, tok, "me", `{"topic":"t","type":2}`)
	s.SetMeetingStatus(id, zoomfake.StatusStarted)
	s.SetMeetingStatus(id, zoomfake.StatusFinished)
	if m, _ := s.Meeting(id); !regexp.MustCompile(`^[A-Za-z0-9+/]{22}==$`).MatchString(m.UUID) {
		t.Errorf("next instance UUID %q", m.UUID)
	}
}

func TestPastParticipantsPages(t *testing.T) {
	clk := newClock(time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC))
	s := mustStart(t, zoomfake.Config{Now: clk.Now})
	tok := mustToken(t, s)
	id := createMeeting(t, s, tok, "me", `{"topic":"t","type":2}`)
	other := createMeeting(t, s, tok, "me", `{"topic":"other","type":2}`)
	for _, m := range []int64{id, other} {
		s.SetMeetingStatus(m, zoomfake.StatusStarted)
	}
	start := clk.Now()
	var want []string
	for i := range 5 {
		name := fmt.Sprintf("p%d", i)
		want = append(want, name)
		s.AddParticipant(id, name, name+"@example.com", start.Add(time.Duration(i)*time.Minute), time.Time{})
		s.AddParticipant(other, name, "", time.Time{}, time.Time{})
	}
	clk.Add(30 * time.Minute) // the token lives an hour
	for _, m := range []int64{id, other} {
		s.SetMeetingStatus(m, zoomfake.StatusFinished)
	}

	var got []string
	next, pages := "", 0
	base := fmt.Sprintf("%s/past_meetings/%d/participants?page_size=2", s.APIURL(), id)
	for {
		status, _, body := call(t, "GET", base+"&next_page_token="+url.QueryEscape(next), tok, "")
		if status != 200 {
			t.Fatalf("page %d: HTTP %d %s", pages, status, body)
		}
		pages++
		m := decode(t, body)
		if m["total_records"] != json.Number("5") || m["page_count"] != json.Number("3") {
			t.Errorf("page %d: %v", pages, m)
		}
		for _, p := range m["participants"].([]any) {
			got = append(got, p.(map[string]any)["name"].(string))
		}
		if next = m["next_page_token"].(string); next == "" {
			break
		}
		// A token is for its own list only.
		otherURL := fmt.Sprintf("%s/past_meetings/%d/participants?next_page_token=%s", s.APIURL(), other, url.QueryEscape(next))
		if status, _, body := call(t, "GET", otherURL, tok, ""); status != 400 || decode(t, body)["code"] != json.Number("300") {
			t.Errorf("token of another meeting: HTTP %d %s", status, body)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" || pages != 3 {
		t.Errorf("%d pages (-want +got):\n%s", pages, diff)
	}
	for _, q := range []string{"?next_page_token=bogus", "?page_size=0"} {
		u := fmt.Sprintf("%s/past_meetings/%d/participants%s", s.APIURL(), id, q)
		if status, _, body := call(t, "GET", u, tok, ""); status != 400 {
			t.Errorf("%s: HTTP %d %s", q, status, body)
		}
	}
}

func TestRecordings(t *testing.T) {
	clk := newClock(time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC))
	s := mustStart(t, zoomfake.Config{Now: clk.Now, AccountID: "acct"})
	tok := mustToken(t, s)
	id := createMeeting(t, s, tok, "me", `{"topic":"SEV1 checkout","type":2,"timezone":"Europe/Paris"}`)
	recURL := fmt.Sprintf("%s/meetings/%d/recordings", s.APIURL(), id)
	notReady := `{"code":3301,"message":"This recording does not exist."}`

	if status, _, body := call(t, "GET", recURL, tok, ""); status != 404 || strings.TrimSpace(body) != notReady {
		t.Errorf("no instance yet: HTTP %d %s", status, body)
	}
	m, _ := s.Meeting(id)
	s.SetMeetingStatus(id, zoomfake.StatusStarted)
	s.RecordMeeting(id, zoomfake.RecordingOptions{Transcript: true, Duration: 25 * time.Minute})
	clk.Add(30 * time.Minute)
	s.SetMeetingStatus(id, zoomfake.StatusFinished)
	for _, u := range []string{recURL, s.APIURL() + "/meetings/" + enc(m.UUID) + "/recordings"} {
		if status, _, body := call(t, "GET", u, tok, ""); status != 404 || strings.TrimSpace(body) != notReady {
			t.Errorf("processing: GET %s: HTTP %d %s", u, status, body)
		}
	}

	s.MakeRecordingReady(id)
	status, _, body := call(t, "GET", recURL, tok, "")
	if status != 200 {
		t.Fatalf("ready: HTTP %d %s", status, body)
	}
	rec := decode(t, body)
	want := map[string]any{
		"uuid": m.UUID, "id": json.Number(fmt.Sprint(id)), "account_id": "acct", "host_id": m.HostID,
		"topic": "SEV1 checkout", "type": json.Number("2"), "start_time": "2026-03-14T12:00:00Z",
		"timezone": "Europe/Paris", "duration": json.Number("25"), "recording_count": json.Number("3"),
	}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("%s = %v, want %v", k, rec[k], v)
		}
	}
	if _, ok := rec["host_email"]; ok {
		t.Error("the API answer has host_email; only the webhook carries it")
	}
	if !regexp.MustCompile(`^https://fake\.zoom\.us/rec/share/[A-Za-z0-9_.-]{40,}$`).MatchString(rec["share_url"].(string)) {
		t.Errorf("share_url = %v", rec["share_url"])
	}
	if pw, _ := rec["password"].(string); len(pw) != 8 {
		t.Errorf("password = %q", pw)
	}
	if pc, _ := rec["recording_play_passcode"].(string); len(pc) != 32 {
		t.Errorf("recording_play_passcode = %q", pc)
	}
	var total int64
	var kinds []string
	for _, f := range rec["recording_files"].([]any) {
		f := f.(map[string]any)
		kinds = append(kinds, fmt.Sprint(f["file_type"], " ", f["file_extension"], " ", f["recording_type"]))
		size, _ := f["file_size"].(json.Number).Int64()
		total += size
		if f["meeting_id"] != m.UUID || f["status"] != "completed" || size <= 0 ||
			f["recording_start"] != "2026-03-14T12:00:00Z" || f["recording_end"] != "2026-03-14T12:25:00Z" ||
			!regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(f["id"].(string)) ||
			!strings.HasPrefix(f["play_url"].(string), "https://fake.zoom.us/rec/play/") ||
			!strings.HasPrefix(f["download_url"].(string), "https://fake.zoom.us/rec/download/") {
			t.Errorf("file = %v", f)
		}
	}
	wantKinds := []string{"MP4 MP4 shared_screen_with_speaker_view", "M4A M4A audio_only", "TRANSCRIPT VTT audio_transcript"}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if rec["total_size"] != json.Number(fmt.Sprint(total)) {
		t.Errorf("total_size = %v, want %d", rec["total_size"], total)
	}
	_, _, again := call(t, "GET", s.APIURL()+"/meetings/"+enc(m.UUID)+"/recordings", tok, "")
	if again != body {
		t.Errorf("by UUID:\n%s\nby ID:\n%s", again, body)
	}

	// A second run without transcript; the ID means the latest run, whose
	// recording is not ready, while the first stays reachable by UUID.
	s.SetMeetingStatus(id, zoomfake.StatusStarted)
	if status, _, _ := call(t, "GET", recURL, tok, ""); status != 404 {
		t.Errorf("latest instance not recorded: HTTP %d", status)
	}
	s.RecordMeeting(id, zoomfake.RecordingOptions{})
	clk.Add(90 * time.Second)
	s.MakeRecordingReady(id) // while it still runs: up to now
	_, _, body = call(t, "GET", recURL, tok, "")
	if rec := decode(t, body); len(rec["recording_files"].([]any)) != 2 || rec["duration"] != json.Number("2") || rec["uuid"] == m.UUID {
		t.Errorf("second recording = %v", rec)
	}
	if _, _, body := call(t, "GET", s.APIURL()+"/meetings/"+enc(m.UUID)+"/recordings", tok, ""); decode(t, body)["uuid"] != m.UUID {
		t.Errorf("first recording by UUID: %s", body)
	}
}

func TestNewOperationsTakeFaultsAndLatency(t *testing.T) {
	s := mustStart(t, zoomfake.Config{})
	tok := mustToken(t, s)
	id := createMeeting(t, s, tok, "me", `{"topic":"t","type":2}`)
	s.SetMeetingStatus(id, zoomfake.StatusStarted)
	s.RecordMeeting(id, zoomfake.RecordingOptions{})
	s.SetMeetingStatus(id, zoomfake.StatusFinished)
	s.MakeRecordingReady(id)
	urls := map[string]string{
		"recordingGet":            fmt.Sprintf("%s/meetings/%d/recordings", s.APIURL(), id),
		"pastMeetingDetails":      fmt.Sprintf("%s/past_meetings/%d", s.APIURL(), id),
		"pastMeetingParticipants": fmt.Sprintf("%s/past_meetings/%d/participants", s.APIURL(), id),
	}
	for op, u := range urls {
		s.InjectFault(zoomfake.Fault{Op: op, Status: 503, Code: 503, Message: "busy"})
		if status, _, body := call(t, "GET", u, tok, ""); status != 503 || strings.TrimSpace(body) != `{"code":503,"message":"busy"}` {
			t.Errorf("%s fault: HTTP %d %s", op, status, body)
		}
		if status, _, body := call(t, "GET", u, tok, ""); status != 200 {
			t.Errorf("%s after the fault: HTTP %d %s", op, status, body)
		}
		if status, _, _ := call(t, "GET", u, "", ""); status != 401 {
			t.Errorf("%s without a token: HTTP %d", op, status)
		}
	}
	s.InjectFault(zoomfake.Fault{Op: "recordingGet", Delay: 100 * time.Millisecond})
	start := time.Now()
	if status, _, _ := call(t, "GET", urls["recordingGet"], tok, ""); status != 200 || time.Since(start) < 100*time.Millisecond {
		t.Errorf("delay fault: HTTP %d after %v", status, time.Since(start))
	}
	var ops []string
	for _, r := range s.Requests() {
		if r.Op != "" && r.Op != "token" && r.Op != "meetingCreate" {
			ops = append(ops, fmt.Sprint(r.Op, " ", r.Status))
		}
	}
	if n := len(ops); n != 10 {
		t.Errorf("requests logged: %v", ops)
	}
}

// TestScheduledMeetingEcho: a scheduled meeting keeps what was sent, and
// lists as upcoming until its start.
func TestScheduledMeetingEcho(t *testing.T) {
	clk := newClock(time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC))
	s := mustStart(t, zoomfake.Config{Now: clk.Now})
	tok := mustToken(t, s)
	id := createMeeting(t, s, tok, "me", `{"topic":"Postmortem INC-42","type":2,"start_time":"2026-03-16T15:00:00Z","duration":50,
		"timezone":"America/New_York","settings":{"meeting_invitees":[{"email":"a@example.com"},{"email":"b@example.com"}]}}`)
	past := createMeeting(t, s, tok, "me", `{"topic":"yesterday","type":2,"start_time":"2026-03-13T15:00:00Z"}`)

	_, _, body := call(t, "GET", fmt.Sprintf("%s/meetings/%d", s.APIURL(), id), tok, "")
	m := decode(t, body)
	if m["start_time"] != "2026-03-16T15:00:00Z" || m["duration"] != json.Number("50") || m["timezone"] != "America/New_York" || m["type"] != json.Number("2") {
		t.Errorf("GET = %v", m)
	}
	invitees := m["settings"].(map[string]any)["meeting_invitees"]
	if diff := cmp.Diff([]any{map[string]any{"email": "a@example.com"}, map[string]any{"email": "b@example.com"}}, invitees); diff != "" {
		t.Errorf("meeting_invitees (-want +got):\n%s", diff)
	}

	_, _, body = call(t, "GET", s.APIURL()+"/users/me/meetings?type=upcoming", tok, "")
	items := decode(t, body)["meetings"].([]any)
	if len(items) != 1 {
		t.Fatalf("upcoming = %v, want only %d (not %d, which started yesterday)", items, id, past)
	}
	it := items[0].(map[string]any)
	if it["id"] != json.Number(fmt.Sprint(id)) || it["start_time"] != "2026-03-16T15:00:00Z" || it["duration"] != json.Number("50") || it["timezone"] != "America/New_York" {
		t.Errorf("upcoming entry = %v", it)
	}

	// A local start time is read in the meeting's timezone and answered in UTC.
	if _, err := time.LoadLocation("America/New_York"); err != nil {
		t.Skip("no timezone database on this machine")
	}
	local := createMeeting(t, s, tok, "me", `{"topic":"t","type":2,"start_time":"2026-07-01T09:00:00","timezone":"America/New_York"}`)
	if got, _ := s.Meeting(local); got.StartTime != "2026-07-01T13:00:00Z" {
		t.Errorf("09:00 in New York in July = %s, want 13:00Z", got.StartTime)
	}
}

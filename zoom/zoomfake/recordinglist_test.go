package zoomfake_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// recordingListSchema is the 200 answer of GET /users/{userId}/recordings
// in Zoom's OpenAPI document, with the one fix TestOpenAPIConformance
// makes to a recording's "type" as well: the document declares a string
// whose enum holds integers, while Zoom answers an integer.
func recordingListSchema(t *testing.T) *openapi3.Schema {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("../testdata/zoom-meeting-api.openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	item := doc.Paths.Value("/users/{userId}/recordings")
	if item == nil || item.Get == nil || item.Get.OperationID != "recordingsList" {
		t.Fatal("no recordingsList operation in the OpenAPI document")
	}
	schema := item.Get.Responses.Status(200).Value.Content.Get("application/json").Schema.Value
	typ := schema.Properties["meetings"].Value.Items.Value.Properties["type"]
	if typ == nil || !typ.Value.Type.Is("string") {
		t.Fatal("a listed recording's type is no longer a string: revisit recordingListSchema")
	}
	typ.Value.Type = &openapi3.Types{openapi3.TypeInteger}
	return schema
}

// GET /users/{userId}/recordings lists a user's ready cloud recordings by
// the day their meeting instance started, newest first, at most a month
// at a time (Zoom moves "from" rather than refuse a longer range), paged
// with next_page_token; each entry is the meeting's recording as GET
// /meetings/{id}/recordings shows it, without the passcodes.
func TestListUserRecordings(t *testing.T) {
	clk := newClock(time.Date(2026, 1, 20, 9, 0, 0, 0, time.UTC))
	s := mustStart(t, zoomfake.Config{Now: clk.Now, AccountID: "acct", Hosts: twoHosts()})
	tok := mustToken(t, s)
	// record runs meeting id for 30 minutes from now, recorded, and makes
	// the recording ready unless told not to; it returns the run's UUID.
	record := func(id int64, ready bool) string {
		m, _ := s.Meeting(id)
		s.SetMeetingStatus(id, zoomfake.StatusStarted)
		s.RecordMeeting(id, zoomfake.RecordingOptions{})
		clk.Add(30 * time.Minute)
		s.SetMeetingStatus(id, zoomfake.StatusFinished)
		if ready {
			s.MakeRecordingReady(id)
		}
		return m.UUID
	}
	// later moves the clock by days; access tokens last an hour.
	later := func(days int) {
		clk.Add(time.Duration(days) * 24 * time.Hour)
		tok = mustToken(t, s)
	}
	jan := createMeeting(t, s, tok, "one@example.com", `{"topic":"January","type":2}`)
	record(jan, true) // 2026-01-20
	later(36)
	feb := createMeeting(t, s, tok, "one@example.com", `{"topic":"February","type":2}`)
	febRun := record(feb, true) // 2026-02-25
	later(13)
	mar := createMeeting(t, s, tok, "one@example.com", `{"topic":"March","type":8,"start_time":"2026-03-10T09:00:00Z"}`)
	marFirst := record(mar, true) // 2026-03-10
	later(2)
	marSecond := record(mar, true) // 2026-03-12
	other := createMeeting(t, s, tok, "two@example.com", `{"topic":"Someone else's","type":2}`)
	otherRun := record(other, true) // 2026-03-12, another host
	later(1)
	record(createMeeting(t, s, tok, "one@example.com", `{"topic":"Processing","type":2}`), false) // 2026-03-13, not ready
	later(1)                                                                                      // today is 2026-03-14

	type listing struct {
		From, To      string
		PageCount     int    `json:"page_count"`
		PageSize      int    `json:"page_size"`
		TotalRecords  int    `json:"total_records"`
		NextPageToken string `json:"next_page_token"`
		Meetings      []map[string]any
	}
	list := func(token, user string, q url.Values) (int, listing, string) {
		t.Helper()
		status, _, body := call(t, "GET", s.APIURL()+"/users/"+user+"/recordings?"+q.Encode(), token, "")
		var l listing
		if status == http.StatusOK {
			if err := json.Unmarshal([]byte(body), &l); err != nil {
				t.Fatalf("list: %v: %s", err, body)
			}
		}
		return status, l, body
	}
	uuids := func(l listing) []string {
		var out []string
		for _, m := range l.Meetings {
			out = append(out, m["uuid"].(string))
		}
		return out
	}

	// No dates: today only, where nothing was recorded.
	status, l, body := list(tok, "one@example.com", nil)
	if status != 200 || l.From != "2026-03-14" || l.To != "2026-03-15" || l.TotalRecords != 0 || l.PageCount != 0 ||
		l.PageSize != 30 || l.NextPageToken != "" || l.Meetings == nil || len(l.Meetings) != 0 {
		t.Errorf("without dates: HTTP %d %s", status, body)
	}

	// March: both runs of the March meeting, newest first; not another
	// host's, not one still being processed.
	status, l, body = list(tok, "one@example.com", url.Values{"from": {"2026-03-01"}, "to": {"2026-03-14"}})
	if status != 200 || !cmp.Equal(uuids(l), []string{marSecond, marFirst}) || l.TotalRecords != 2 || l.PageCount != 1 {
		t.Fatalf("March: HTTP %d %s", status, body)
	}
	var v any
	_ = json.Unmarshal([]byte(body), &v)
	if err := recordingListSchema(t).VisitJSON(v); err != nil {
		t.Errorf("the answer is not what Zoom's OpenAPI document declares: %v", err)
	}
	entry := l.Meetings[0]
	for _, k := range []string{"uuid", "id", "account_id", "host_id", "topic", "type", "start_time", "timezone",
		"duration", "total_size", "recording_count", "share_url", "recording_files"} {
		if _, ok := entry[k]; !ok {
			t.Errorf("a listed recording has no %s: %v", k, entry)
		}
	}
	for _, k := range []string{"password", "recording_play_passcode", "host_email"} {
		if _, ok := entry[k]; ok {
			t.Errorf("a listed recording has %s: %v", k, entry)
		}
	}
	// The same recording as the meeting's own endpoint shows.
	_, _, one := call(t, "GET", s.APIURL()+"/meetings/"+enc(marSecond)+"/recordings", tok, "")
	rec := decode(t, one)
	files, _ := json.Marshal(entry["recording_files"])
	wantFiles, _ := json.Marshal(rec["recording_files"])
	if entry["share_url"] != rec["share_url"] || entry["start_time"] != rec["start_time"] ||
		!strings.HasPrefix(rec["start_time"].(string), "2026-03-12T") || string(files) != string(wantFiles) {
		t.Errorf("listed:\n%v\nGET /meetings/{uuid}/recordings:\n%s", entry, one)
	}

	// More than a month: Zoom keeps the month up to "to" and says so in
	// "from". Paged one by one.
	q := url.Values{"from": {"2026-01-01"}, "to": {"2026-03-14"}, "page_size": {"1"}}
	var got []string
	for page := 1; ; page++ {
		status, l, body = list(tok, "one@example.com", q)
		if status != 200 || l.From != "2026-02-14" || l.To != "2026-03-14" || l.TotalRecords != 3 || l.PageCount != 3 || l.PageSize != 1 {
			t.Fatalf("page %d over two months: HTTP %d %s", page, status, body)
		}
		got = append(got, uuids(l)...)
		if l.NextPageToken == "" {
			break
		}
		if page == 3 {
			t.Fatal("a next_page_token after the last page")
		}
		q.Set("next_page_token", l.NextPageToken)
	}
	if !cmp.Equal(got, []string{marSecond, marFirst, febRun}) {
		t.Errorf("over two months: %v, want March twice and February", got)
	}
	// A page token belongs to its query.
	q.Set("from", "2026-03-01")
	if status, _, body := list(tok, "one@example.com", q); status != 400 || !strings.Contains(body, `"code":300`) {
		t.Errorf("a page token for other dates: HTTP %d %s", status, body)
	}

	// One meeting's recordings.
	_, l, body = list(tok, "one@example.com", url.Values{"from": {"2026-02-20"}, "to": {"2026-03-14"}, "meeting_id": {fmt.Sprint(mar)}})
	if !cmp.Equal(uuids(l), []string{marSecond, marFirst}) {
		t.Errorf("meeting_id=%d: %s", mar, body)
	}
	// A user token lists its own user's, and nobody else's.
	two := userToken(t, s, "two@example.com")["access_token"].(string)
	if _, l, body := list(two, "me", url.Values{"from": {"2026-03-01"}}); !cmp.Equal(uuids(l), []string{otherRun}) {
		t.Errorf("me, with two's token: %s", body)
	}
	if status, _, body := list(two, "one@example.com", nil); status != 400 || strings.TrimSpace(body) != `{"code":200,"message":"No permission."}` {
		t.Errorf("one's recordings with two's token: HTTP %d %s", status, body)
	}

	// Refusals.
	if status, _, body := list(tok, "nobody@example.com", nil); status != 404 ||
		strings.TrimSpace(body) != `{"code":1001,"message":"User does not exist: nobody@example.com."}` {
		t.Errorf("an unknown user: HTTP %d %s", status, body)
	}
	if status, _, body := list(tok, "one@example.com", url.Values{"from": {"14/03/2026"}}); status != 400 || !strings.Contains(body, `"field":"from"`) {
		t.Errorf("a date that is not yyyy-mm-dd: HTTP %d %s", status, body)
	}
	_, app := postToken(t, s, "fake-client-id", "fake-client-secret", url.Values{"grant_type": {"client_credentials"}})
	if status, _, body := list(app["access_token"].(string), "one@example.com", nil); status != 400 ||
		!strings.Contains(body, "does not contain scopes:[cloud_recording:read:list_user_recordings") {
		t.Errorf("an app-level token: HTTP %d %s", status, body)
	}
}

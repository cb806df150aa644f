package zoomfake

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// zoomDate is how the recording list writes and reads its from and to
// dates: yyyy-mm-dd, UTC.
const zoomDate = "2006-01-02"

// recordingListJSON is an entry of GET /users/{userId}/recordings: the
// instance's recording as GET /meetings/{meetingId}/recordings answers
// it, without the passcodes (a list entry carries share_url, the
// recording files and their links).
type recordingListJSON struct {
	UUID           string              `json:"uuid"`
	ID             int64               `json:"id"`
	AccountID      string              `json:"account_id"`
	HostID         string              `json:"host_id"`
	Topic          string              `json:"topic"`
	Type           int                 `json:"type"`
	StartTime      string              `json:"start_time"`
	Timezone       string              `json:"timezone"`
	Duration       int                 `json:"duration"`
	TotalSize      int64               `json:"total_size"`
	RecordingCount int                 `json:"recording_count"`
	ShareURL       string              `json:"share_url"`
	RecordingFiles []recordingFileJSON `json:"recording_files"`
}

// listRecordings serves GET /v2/users/{userId}/recordings: the user's
// ready cloud recordings whose meeting instance started (UTC) on a day
// from from to to, both included, newest first, paged with page_size and
// next_page_token. from defaults to today and to to tomorrow, as Zoom
// documents. Zoom caps the range at one month and says so by moving from,
// not by an error: asked for more, it answers the month up to to, with the
// from it used (developers have reported it in zoom/api#36). meeting_id
// keeps one meeting's recordings. Recordings deleted at Zoom go to a trash
// the fake does not keep, so trash=true lists none.
func (s *Server) listRecordings(w http.ResponseWriter, r *http.Request) {
	host, ok := s.userFromPath(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	from, to, meetingID, errs := recordingRange(q, s.cfg.Now())
	if len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	size, ok := pageSizeParam(w, q)
	if !ok {
		return
	}
	trash := q.Get("trash") == "true"

	s.mu.Lock()
	defer s.mu.Unlock()
	list := "recordings " + from.Format(zoomDate) + " " + to.Format(zoomDate) + " " + strconv.FormatInt(meetingID, 10) + " " + strconv.FormatBool(trash)
	offset, ok := s.pageOffsetLocked(w, q.Get("next_page_token"), host.ID, list)
	if !ok {
		return
	}
	var all []*instance
	for id, ins := range s.instances {
		if meetingID != 0 && id != meetingID || trash {
			continue
		}
		for _, in := range ins {
			day := in.start.UTC().Truncate(24 * time.Hour)
			if in.hostID == host.ID && in.rec != nil && in.rec.ready && !day.Before(from) && !day.After(to) {
				all = append(all, in)
			}
		}
	}
	slices.SortFunc(all, func(a, b *instance) int {
		if c := b.start.Compare(a.start); c != 0 {
			return c
		}
		return cmp.Compare(b.meetingID, a.meetingID)
	})
	page := all[min(offset, len(all)):min(offset+size, len(all))]
	items := make([]recordingListJSON, 0, len(page))
	for _, in := range page {
		rec := s.recordingJSONLocked(in)
		items = append(items, recordingListJSON{
			UUID: rec.UUID, ID: rec.ID, AccountID: rec.AccountID, HostID: rec.HostID, Topic: rec.Topic,
			Type: rec.Type, StartTime: rec.StartTime, Timezone: rec.Timezone, Duration: rec.Duration,
			TotalSize: rec.TotalSize, RecordingCount: rec.RecordingCount, ShareURL: rec.ShareURL,
			RecordingFiles: rec.RecordingFiles,
		})
	}
	next := ""
	if offset+size < len(all) {
		next = s.newPageTokenLocked(host.ID, list, offset+size)
	}
	writeJSON(w, http.StatusOK, struct {
		From          string              `json:"from"`
		To            string              `json:"to"`
		PageCount     int                 `json:"page_count"`
		PageSize      int                 `json:"page_size"`
		TotalRecords  int                 `json:"total_records"`
		NextPageToken string              `json:"next_page_token"`
		Meetings      []recordingListJSON `json:"meetings"`
	}{from.Format(zoomDate), to.Format(zoomDate), (len(all) + size - 1) / size, size, len(all), next, items})
}

// recordingRange reads a recording list's from, to (today and tomorrow by
// default; a range over a month starts a month before to, as Zoom moves
// it) and meeting_id.
func recordingRange(q url.Values, now time.Time) (from, to time.Time, meetingID int64, errs []fieldError) {
	today := now.UTC().Truncate(24 * time.Hour)
	from, to = today, today.AddDate(0, 0, 1)
	for _, p := range []struct {
		name string
		date *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(p.name); v != "" {
			d, err := time.Parse(zoomDate, v)
			if err != nil {
				errs = append(errs, fieldError{Field: p.name, Message: "Invalid field."})
				continue
			}
			*p.date = d
		}
	}
	if v := q.Get("meeting_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs = append(errs, fieldError{Field: "meeting_id", Message: "Invalid field."})
		}
		meetingID = id
	}
	if monthBefore := to.AddDate(0, -1, 0); from.Before(monthBefore) {
		from = monthBefore
	}
	return from, to, meetingID, errs
}

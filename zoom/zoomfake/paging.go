package zoomfake

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Zoom's page_size default and cap, and how long a next_page_token lasts.
const (
	defaultPageSize   = 30
	maxPageSize       = 300
	pageTokenLifetime = 15 * time.Minute
)

// pageCursor is what a next_page_token stands for: the next page of list
// (a meeting list type, or a past instance's participants) for hostID.
type pageCursor struct {
	hostID, list string
	offset       int
	expires      time.Time
}

// pageSizeParam reads page_size (default 30, at most 300), answering a
// validation error itself.
func pageSizeParam(w http.ResponseWriter, q url.Values) (int, bool) {
	v := q.Get("page_size")
	if v == "" {
		return defaultPageSize, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		writeValidation(w, []fieldError{{Field: "page_size", Message: "Invalid field."}})
		return 0, false
	}
	return min(n, maxPageSize), true
}

// pageOffsetLocked is where the page next_page_token tok asks for starts
// (0 for no token), answering Zoom's error itself for a token that is
// unknown, expired, or for another list. The caller holds s.mu.
func (s *Server) pageOffsetLocked(w http.ResponseWriter, tok, hostID, list string) (int, bool) {
	if tok == "" {
		return 0, true
	}
	c, ok := s.pages[tok]
	if !ok || !s.cfg.Now().Before(c.expires) || c.hostID != hostID || c.list != list {
		writeError(w, http.StatusBadRequest, 300, "The next page token is invalid or expired.")
		return 0, false
	}
	return c.offset, true
}

// newPageTokenLocked issues a next_page_token for list from offset on,
// valid 15 minutes, and forgets expired ones as Zoom does. The caller
// holds s.mu.
func (s *Server) newPageTokenLocked(hostID, list string, offset int) string {
	now := s.cfg.Now()
	for tok, c := range s.pages {
		if !now.Before(c.expires) {
			delete(s.pages, tok)
		}
	}
	tok := randomToken(24)
	s.pages[tok] = pageCursor{hostID: hostID, list: list, offset: offset, expires: now.Add(pageTokenLifetime)}
	return tok
}

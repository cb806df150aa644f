package zoomfake

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// defaultDailyLimit is Zoom's cap on meeting creates and updates per host
// and UTC day.
const defaultDailyLimit = 100

// SetQPSLimit caps API requests per second (of the fake's clock) across the
// account; 0 turns the limit off.
func (s *Server) SetQPSLimit(perSecond int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.qpsLimit = perSecond
}

// admitQPS applies the per-second limit (SetQPSLimit) to API requests.
func (s *Server) admitQPS(w http.ResponseWriter) bool {
	s.mu.Lock()
	limit := s.qpsLimit
	ok := true
	if limit > 0 {
		sec := s.cfg.Now().Truncate(time.Second)
		if !sec.Equal(s.qpsWindow) {
			s.qpsWindow, s.qpsCount = sec, 0
		}
		if s.qpsCount >= limit {
			ok = false
		} else {
			s.qpsCount++
		}
	}
	s.mu.Unlock()
	if !ok {
		w.Header().Set("X-RateLimit-Type", "QPS")
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusTooManyRequests, 429, "You have reached the maximum per-second rate limit for this API. Try again later.")
	}
	return ok
}

// SetDailyLimit sets how many meeting create and update requests each host
// may make per UTC day (Zoom's is 100, the default).
func (s *Server) SetDailyLimit(n int) {
	s.setDailyLimit(n)
}

func (s *Server) setDailyLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dailyLimit = n
}

// UseUpDailyLimit spends the rest of today's meeting requests of one host:
// its next create or update answers the daily-cap 429, the others' do not.
func (s *Server) UseUpDailyLimit(email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.lookupUser(email); ok {
		s.daily[u.ID+"|"+s.cfg.Now().UTC().Format(time.DateOnly)] = s.dailyLimit
	}
}

// admitDaily applies the per-host daily cap on meeting creates and updates.
func (s *Server) admitDaily(w http.ResponseWriter, hostID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.admitDailyLocked(w, hostID)
}

// admitDailyLocked is admitDaily for a caller holding s.mu. The answer is
// Zoom's, headers included; Retry-After is the next 00:00 UTC.
func (s *Server) admitDailyLocked(w http.ResponseWriter, hostID string) bool {
	now := s.cfg.Now().UTC()
	key := hostID + "|" + now.Format(time.DateOnly)
	if s.daily[key] >= s.dailyLimit {
		midnight := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
		h := w.Header()
		h.Set("X-RateLimit-Type", "Daily-limit")
		h.Set("X-RateLimit-Limit", strconv.Itoa(s.dailyLimit))
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("Retry-After", midnight.Format(zoomTime))
		writeError(w, http.StatusTooManyRequests, 429, fmt.Sprintf(
			"You have exceeded the daily rate limit (%d) of Meeting Create/Update API requests permitted for this particular user. You may resume these requests at GMT 00:00:00.",
			s.dailyLimit))
		return false
	}
	s.daily[key]++
	return true
}

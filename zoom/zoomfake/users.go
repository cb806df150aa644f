package zoomfake

import (
	"net/http"
	"strings"
)

// hostTimezone is every fake user's timezone, and so the default timezone of
// their meetings.
const hostTimezone = "UTC"

// lookupUser resolves a userId path value as Zoom does: "me" (the first
// host), a user ID, or an email address in any case.
func (s *Server) lookupUser(userID string) (User, bool) {
	if userID == "me" {
		return s.hosts[0], true
	}
	for _, u := range s.hosts {
		if u.ID == userID || strings.EqualFold(u.Email, userID) {
			return u, true
		}
	}
	return User{}, false
}

// getUser serves GET /v2/users/{userId}.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	userID := r.PathValue("userId")
	u, ok := s.lookupUser(userID)
	if !ok {
		writeError(w, http.StatusNotFound, 1001, "User does not exist: "+userID+".")
		return
	}
	meta := s.userMeta[u.ID]
	writeJSON(w, http.StatusOK, struct {
		ID          string `json:"id"`
		FirstName   string `json:"first_name"`
		LastName    string `json:"last_name"`
		DisplayName string `json:"display_name"`
		Email       string `json:"email"`
		Type        int    `json:"type"`
		PMI         int64  `json:"pmi"`
		Timezone    string `json:"timezone"`
		Verified    int    `json:"verified"`
		CreatedAt   string `json:"created_at"`
		Language    string `json:"language"`
		Status      string `json:"status"`
		RoleName    string `json:"role_name"`
		AccountID   string `json:"account_id"`
	}{
		ID: u.ID, FirstName: u.FirstName, LastName: u.LastName,
		DisplayName: strings.TrimSpace(u.FirstName + " " + u.LastName),
		Email:       u.Email, Type: u.Type, PMI: meta.pmi, Timezone: hostTimezone, Verified: 1,
		CreatedAt: meta.createdAt.UTC().Format(zoomTime), Language: "en-US", Status: "active",
		RoleName: "Member", AccountID: s.cfg.AccountID,
	})
}

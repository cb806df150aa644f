package zoomfake

import (
	"net/http"
	"strings"
)

// hostTimezone is every fake user's timezone, and so the default timezone of
// their meetings.
const hostTimezone = "UTC"

// lookupUser resolves a userId as Zoom does for an account token: "me"
// (the first host), a user ID, or an email address in any case.
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

// userByID finds a user by ID.
func (s *Server) userByID(id string) (User, bool) {
	for _, u := range s.hosts {
		if u.ID == id {
			return u, true
		}
	}
	return User{}, false
}

// userFromPath resolves the {userId} of an API path for the request's
// token, answering the error itself: 404 code 1001 for nobody, and for a
// user token (user-managed OAuth), which acts as its user alone, "me" is
// that user and anyone else is 400 code 200.
func (s *Server) userFromPath(w http.ResponseWriter, r *http.Request) (User, bool) {
	userID := r.PathValue("userId")
	p := principalOf(r)
	if p.userID != "" && userID == "me" {
		userID = p.userID
	}
	u, ok := s.lookupUser(userID)
	if !ok {
		writeError(w, http.StatusNotFound, 1001, "User does not exist: "+userID+".")
		return User{}, false
	}
	if !s.permitted(w, r, u.ID) {
		return User{}, false
	}
	return u, true
}

// permitted reports whether the request's token may act on userID's
// resources, answering Zoom's "No permission." if not.
func (s *Server) permitted(w http.ResponseWriter, r *http.Request, userID string) bool {
	if p := principalOf(r); p.userID != "" && p.userID != userID {
		writeError(w, http.StatusBadRequest, 200, "No permission.")
		return false
	}
	return true
}

// getUser serves GET /v2/users/{userId}.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	u, ok := s.userFromPath(w, r)
	if !ok {
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
		CreatedAt: meta.createdAt.UTC().Format(zoomTime), Language: "en-US", Status: userStatus(s.standingOf(u.ID)),
		RoleName: "Member", AccountID: s.cfg.AccountID,
	})
}

func userStatus(u User) string {
	if u.Inactive {
		return "inactive"
	}
	return "active"
}

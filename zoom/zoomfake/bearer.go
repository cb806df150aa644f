package zoomfake

import (
	"context"
	"net/http"
	"strings"
)

// checkBearer checks the bearer token as Zoom does for operation op: a
// missing, unknown or revoked token and an expired one are all 401 code
// 124, and an app-level token (client_credentials), which holds none of
// the API's scopes, is 400 code 4711. It returns r carrying the token's
// principal (see principalOf).
func (s *Server) checkBearer(w http.ResponseWriter, r *http.Request, op string) (*http.Request, bool) {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	s.mu.Lock()
	at, ok := s.tokens[tok]
	now := s.cfg.Now()
	s.mu.Unlock()
	switch {
	case !strings.EqualFold(scheme, "Bearer") || !ok:
		writeError(w, http.StatusUnauthorized, 124, "Invalid access token.")
		return r, false
	case !now.Before(at.expires):
		writeError(w, http.StatusUnauthorized, 124, "Access token is expired.")
		return r, false
	case at.app:
		scope := opScopes[op]
		writeError(w, http.StatusBadRequest, 4711, "Invalid access token, does not contain scopes:["+scope+", "+scope+":admin]")
		return r, false
	}
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, at)), true
}

// opScopes is the granular scope each operation needs, in its user form;
// Server-to-Server apps hold the ":admin" form. The fake does not check
// the scopes of user and account tokens (it grants warroom's), only names
// them when an app-level token, which has none, is refused.
var opScopes = map[string]string{
	"meetingCreate":           "meeting:write:meeting",
	"meetings":                "meeting:read:list_meetings",
	"user":                    "user:read:user",
	"userSettings":            "user:read:settings",
	"meeting":                 "meeting:read:meeting",
	"meetingUpdate":           "meeting:update:meeting",
	"meetingDelete":           "meeting:delete:meeting",
	"meetingStatus":           "meeting:update:status",
	"recordingGet":            "cloud_recording:read:list_recording_files",
	"recordingsList":          "cloud_recording:read:list_user_recordings",
	"meetingSummary":          "meeting:read:summary",
	"pastMeetingDetails":      "meeting:read:past_meeting",
	"pastMeetingParticipants": "meeting:read:list_past_participants",
}

// principalKey carries the accessToken of an authorized request.
type principalKey struct{}

// principalOf is what the request's token stands for: a user (userID set,
// user-managed OAuth) or the whole account (Server-to-Server).
func principalOf(r *http.Request) accessToken {
	at, _ := r.Context().Value(principalKey{}).(accessToken)
	return at
}

// IssuedTokens returns every access and refresh token the fake has issued,
// in order, so tests can check that none leaks into logs or messages.
func (s *Server) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// ExpireAccessTokens makes every access token issued so far expire now, as
// if an hour had passed: the next API call with one answers 401 code 124.
// Refresh tokens are untouched.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	for tok, at := range s.tokens {
		if at.expires.After(now) {
			at.expires = now
			s.tokens[tok] = at
		}
	}
}

// TokenRequests counts the requests to /oauth/token with grant_type grant
// ("account_credentials", "client_credentials", "authorization_code",
// "refresh_token"), answered with success or not.
func (s *Server) TokenRequests(grant string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grantCount[grant]
}

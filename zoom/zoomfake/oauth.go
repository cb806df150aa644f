package zoomfake

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"time"
)

// tokenLifetime is how long Zoom's access tokens live; it announces 3599
// seconds so clients refresh a little early.
const (
	tokenLifetime  = time.Hour
	tokenExpiresIn = 3599
)

// s2sScope is what a Server-to-Server app with warroom's scopes is granted
// (granular scopes, :admin forms).
const s2sScope = "meeting:write:meeting:admin meeting:read:meeting:admin meeting:update:meeting:admin " +
	"meeting:delete:meeting:admin meeting:read:list_meetings:admin user:read:user:admin " +
	"user:read:settings:admin cloud_recording:read:list_recording_files:admin " +
	"cloud_recording:read:list_user_recordings:admin"

// accessToken is what the fake remembers of a token it issued.
type accessToken struct {
	clientID string
	scope    string
	expires  time.Time
}

// tokenResponse is the token endpoint's success body.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token,omitempty"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
}

// oauthError is the token endpoint's error body; Zoom says "reason" where
// RFC 6749 says "error_description".
type oauthError struct {
	Reason string `json:"reason"`
	Error  string `json:"error"`
	status int
}

// grantFunc handles one grant_type for an authenticated client. Adding
// authorization_code or refresh_token means adding one of these.
type grantFunc func(s *Server, clientID string, form url.Values) (tokenResponse, *oauthError)

// token serves POST /oauth/token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	clientID, ok := s.authenticateClient(r)
	if !ok {
		writeJSON(w, http.StatusUnauthorized, oauthError{Reason: "Invalid client_id or client_secret", Error: "invalid_client"})
		return
	}
	// Zoom reads parameters from the form body only: grant_type in the query
	// string is as good as missing (and answers 400).
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, oauthError{Reason: "Invalid request body", Error: "invalid_request"})
		return
	}
	gt := r.PostForm.Get("grant_type")
	if gt == "" {
		writeJSON(w, http.StatusBadRequest, oauthError{Reason: "Missing grant type", Error: "invalid_request"})
		return
	}
	grant, ok := s.grants[gt]
	if !ok {
		writeJSON(w, http.StatusBadRequest, oauthError{Reason: "unsupported grant type", Error: "unsupported_grant_type"})
		return
	}
	resp, oerr := grant(s, clientID, r.PostForm)
	if oerr != nil {
		status := oerr.status
		if status == 0 {
			status = http.StatusBadRequest
		}
		writeJSON(w, status, oerr)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// authenticateClient checks HTTP Basic client credentials. RFC 6749 has the
// client form-encode them first (golang.org/x/oauth2 does), so undo that.
func (s *Server) authenticateClient(r *http.Request) (string, bool) {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return "", false
	}
	if u, err := url.QueryUnescape(user); err == nil {
		user = u
	}
	if p, err := url.QueryUnescape(pass); err == nil {
		pass = p
	}
	idOK := subtle.ConstantTimeCompare([]byte(user), []byte(s.cfg.ClientID)) == 1
	secretOK := subtle.ConstantTimeCompare([]byte(pass), []byte(s.cfg.ClientSecret)) == 1
	return user, idOK && secretOK
}

// grantAccountCredentials is Server-to-Server OAuth: no user, no refresh
// token, just the account.
func (s *Server) grantAccountCredentials(clientID string, form url.Values) (tokenResponse, *oauthError) {
	if form.Get("account_id") != s.cfg.AccountID {
		return tokenResponse{}, &oauthError{Reason: "Invalid account_id", Error: "invalid_grant"}
	}
	return tokenResponse{
		AccessToken: s.issueAccessToken(clientID, s2sScope),
		TokenType:   "bearer",
		ExpiresIn:   tokenExpiresIn,
		Scope:       s2sScope,
	}, nil
}

// issueAccessToken makes and remembers a new opaque token.
func (s *Server) issueAccessToken(clientID, scope string) string {
	tok := base64.RawURLEncoding.EncodeToString(randomBytes(32))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = accessToken{clientID: clientID, scope: scope, expires: s.cfg.Now().Add(tokenLifetime)}
	s.issued = append(s.issued, tok)
	return tok
}

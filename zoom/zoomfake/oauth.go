package zoomfake

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"time"
)

const (
	// defaultTokenLifetime is how long Zoom's access tokens live as far as
	// a client can tell: Zoom announces 3599 seconds.
	defaultTokenLifetime = 3599 * time.Second
	// refreshLifetime is how long an unused refresh token lasts.
	refreshLifetime = 90 * 24 * time.Hour
	// codeLifetime is how long an authorization code can be exchanged.
	codeLifetime = 5 * time.Minute
)

// s2sScope is what a Server-to-Server app with warroom's scopes is granted
// (granular scopes, :admin forms).
const s2sScope = "meeting:write:meeting:admin meeting:read:meeting:admin meeting:update:meeting:admin " +
	"meeting:delete:meeting:admin meeting:read:list_meetings:admin user:read:user:admin " +
	"user:read:settings:admin cloud_recording:read:list_recording_files:admin " +
	"cloud_recording:read:list_user_recordings:admin"

// userScope is what a user grants the user-managed app (granular scopes,
// user forms).
const userScope = "meeting:write:meeting meeting:read:meeting meeting:update:meeting meeting:delete:meeting " +
	"meeting:read:list_meetings user:read:user user:read:settings"

// accessToken is what the fake remembers of a token it issued.
type accessToken struct {
	clientID string
	userID   string // "" for an account (Server-to-Server) or an app token
	scope    string
	// app marks an app-level token (client_credentials): it stands for the
	// app alone, neither a user nor the account, so it opens the event
	// stream but no REST API call.
	app     bool
	expires time.Time
}

// refreshToken is what the fake remembers of a refresh token; each one
// works once.
type refreshToken struct {
	clientID, userID string
	expires          time.Time
}

// authCode is an authorization code waiting to be exchanged.
type authCode struct {
	clientID, userID, redirectURI string
	challenge, method             string // PKCE; challenge "" if none was given
	expires                       time.Time
}

// tokenResponse is the token endpoint's success body.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token,omitempty"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope,omitempty"`
}

// oauthError is the token endpoint's error body; Zoom says "reason" where
// RFC 6749 says "error_description".
type oauthError struct {
	Reason string `json:"reason"`
	Error  string `json:"error"`
	status int
}

// grantFunc handles one grant_type for an authenticated client.
type grantFunc func(s *Server, clientID string, form url.Values) (tokenResponse, *oauthError)

// token serves POST /oauth/token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	// Zoom's OAuth page takes the parameters "either as query parameters or
	// in the request body using the x-www-form-urlencoded format", and its
	// own WebSocket sample sends grant_type=client_credentials in the query
	// string. r.Form holds both, the body's values first, so the body wins
	// where both name a parameter.
	formErr := r.ParseForm()
	gt := r.Form.Get("grant_type")
	s.mu.Lock()
	s.grantCount[gt]++
	s.mu.Unlock()
	clientID, ok := s.authenticateClient(r)
	if !ok {
		writeJSON(w, http.StatusUnauthorized, oauthError{Reason: "Invalid client_id or client_secret", Error: "invalid_client"})
		return
	}
	if formErr != nil {
		writeJSON(w, http.StatusBadRequest, oauthError{Reason: "Invalid request body", Error: "invalid_request"})
		return
	}
	if gt == "" {
		writeJSON(w, http.StatusBadRequest, oauthError{Reason: "Missing grant type", Error: "invalid_request"})
		return
	}
	grant, ok := s.grants[gt]
	if !ok {
		writeJSON(w, http.StatusBadRequest, oauthError{Reason: "unsupported grant type", Error: "unsupported_grant_type"})
		return
	}
	resp, oerr := grant(s, clientID, r.Form)
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

// noStore keeps answers carrying tokens out of caches.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
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
		AccessToken: s.issueAccessToken(clientID, "", s2sScope),
		TokenType:   "bearer",
		ExpiresIn:   s.expiresIn(),
		Scope:       s2sScope,
	}, nil
}

// grantClientCredentials issues an app-level token to a general
// (user-managed) app authenticated by its client ID and secret alone: no
// user, no account, no refresh token. It is what the app dials the
// WebSocket event stream with (Zoom's WebSocket sample fetches it so);
// it grants no REST API scope.
func (s *Server) grantClientCredentials(clientID string, _ url.Values) (tokenResponse, *oauthError) {
	tok := randomToken(32)
	s.mu.Lock()
	s.tokens[tok] = accessToken{clientID: clientID, app: true, expires: s.cfg.Now().Add(s.cfg.TokenLifetime)}
	s.issued = append(s.issued, tok)
	s.mu.Unlock()
	return tokenResponse{AccessToken: tok, TokenType: "bearer", ExpiresIn: s.expiresIn()}, nil
}

// grantAuthorizationCode exchanges a code from /oauth/authorize. A code
// works once: any attempt with it by its client uses it up, so a wrong
// code_verifier cannot be retried until it fits.
func (s *Server) grantAuthorizationCode(clientID string, form url.Values) (tokenResponse, *oauthError) {
	invalid := &oauthError{Reason: "Invalid authorization code", Error: "invalid_grant"}
	code := form.Get("code")
	s.mu.Lock()
	c, ok := s.codes[code]
	if ok && c.clientID == clientID {
		delete(s.codes, code)
	}
	now := s.cfg.Now()
	s.mu.Unlock()
	switch {
	case !ok || c.clientID != clientID || !now.Before(c.expires):
		return tokenResponse{}, invalid
	case form.Get("redirect_uri") != c.redirectURI:
		return tokenResponse{}, &oauthError{Reason: "Redirect URI mismatch.", Error: "invalid_request"}
	case c.challenge != "" && !pkceMatches(c.challenge, c.method, form.Get("code_verifier")):
		// Zoom's documentation: a verifier that does not match the
		// challenge is an invalid_grant error.
		return tokenResponse{}, &oauthError{Reason: "Invalid code_verifier", Error: "invalid_grant"}
	}
	return s.userTokens(clientID, c.userID), nil
}

// pkceMatches checks a code_verifier against the code_challenge (RFC 7636).
func pkceMatches(challenge, method, verifier string) bool {
	if verifier == "" {
		return false
	}
	want := verifier
	if method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

// grantRefreshToken rotates a refresh token: the answer carries a new one
// and the one used stops working, at once, so of two refreshes racing with
// the same token only one succeeds.
func (s *Server) grantRefreshToken(clientID string, form url.Values) (tokenResponse, *oauthError) {
	tok := form.Get("refresh_token")
	s.mu.Lock()
	rt, ok := s.refresh[tok]
	ok = ok && rt.clientID == clientID && s.cfg.Now().Before(rt.expires)
	if ok {
		delete(s.refresh, tok)
	}
	s.mu.Unlock()
	if !ok {
		return tokenResponse{}, &oauthError{Reason: "Invalid Token!", Error: "invalid_grant"}
	}
	return s.userTokens(clientID, rt.userID), nil
}

// userTokens issues an access and a refresh token for a user's grant.
func (s *Server) userTokens(clientID, userID string) tokenResponse {
	access := s.issueAccessToken(clientID, userID, userScope)
	refresh := randomToken(32)
	s.mu.Lock()
	s.refresh[refresh] = refreshToken{clientID: clientID, userID: userID, expires: s.cfg.Now().Add(refreshLifetime)}
	s.issued = append(s.issued, refresh)
	s.mu.Unlock()
	return tokenResponse{
		AccessToken:  access,
		TokenType:    "bearer",
		RefreshToken: refresh,
		ExpiresIn:    s.expiresIn(),
		Scope:        userScope,
	}
}

// issueAccessToken makes and remembers a new opaque token.
func (s *Server) issueAccessToken(clientID, userID, scope string) string {
	tok := randomToken(32)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = accessToken{clientID: clientID, userID: userID, scope: scope, expires: s.cfg.Now().Add(s.cfg.TokenLifetime)}
	s.issued = append(s.issued, tok)
	return tok
}

// expiresIn is the lifetime in whole seconds, rounded up: 0 would tell a
// client that the token never expires.
func (s *Server) expiresIn() int {
	return int((s.cfg.TokenLifetime + time.Second - 1) / time.Second)
}

// revoke serves POST /oauth/revoke. Revoking any token of a user's grant
// uninstalls the app for that user: all their tokens stop working and, as
// Zoom does, an app_deauthorized webhook follows. Revoking a
// Server-to-Server token revokes just that token.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	formErr := r.ParseForm()
	clientID, ok := s.authenticateClient(r)
	if !ok {
		writeJSON(w, http.StatusUnauthorized, oauthError{Reason: "Invalid client_id or client_secret", Error: "invalid_client"})
		return
	}
	tok := r.Form.Get("token") // body or query string, as for /oauth/token
	if formErr != nil || tok == "" {
		writeJSON(w, http.StatusBadRequest, oauthError{Reason: "Token cannot be empty.", Error: "invalid_request"})
		return
	}
	s.mu.Lock()
	userID, found := "", false
	if at, ok := s.tokens[tok]; ok && at.clientID == clientID {
		userID, found = at.userID, true
		delete(s.tokens, tok)
	} else if rt, ok := s.refresh[tok]; ok && rt.clientID == clientID {
		userID, found = rt.userID, true
	}
	if found && userID != "" {
		s.uninstallLocked(clientID, userID)
	}
	s.mu.Unlock()
	if !found {
		writeJSON(w, http.StatusBadRequest, oauthError{Reason: "Invalid Token!", Error: "invalid_grant"})
		return
	}
	if userID != "" && s.cfg.WebhookURL != "" {
		u, _ := s.userByID(userID)
		s.goBackground(func(ctx context.Context) { _ = s.sendDeauthorized(ctx, u) })
	}
	writeJSON(w, http.StatusOK, struct {
		Status string `json:"status"`
	}{"success"})
}

// uninstallLocked revokes everything userID granted clientID: access and
// refresh tokens and codes not yet exchanged. The caller holds s.mu.
func (s *Server) uninstallLocked(clientID, userID string) {
	for tok, at := range s.tokens {
		if at.clientID == clientID && at.userID == userID {
			delete(s.tokens, tok)
		}
	}
	for tok, rt := range s.refresh {
		if rt.clientID == clientID && rt.userID == userID {
			delete(s.refresh, tok)
		}
	}
	for code, c := range s.codes {
		if c.clientID == clientID && c.userID == userID {
			delete(s.codes, code)
		}
	}
	delete(s.installed, userID)
}

package zoomfake

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The authorization page: where an admin, sent by the app, picks a Zoom user
// and allows (or denies) the app access. It is plain HTML with one form, so
// a headless browser (or a test speaking HTTP) can drive it; the buttons'
// ids are stable.

var authorizeTmpl = template.Must(template.New("authorize").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Authorize {{.AppName}} - Zoom (simulated)</title>
<style>
body { font-family: system-ui, sans-serif; background: #f4f6fa; margin: 0; }
main { max-width: 32rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 12px; box-shadow: 0 2px 8px rgba(0,0,0,.1); }
h1 { font-size: 1.3rem; }
.note { color: #666; font-size: .85rem; }
label, select { display: block; margin: .5rem 0; }
select { width: 100%; padding: .4rem; }
.buttons { display: flex; gap: 1rem; margin-top: 1.5rem; }
button { padding: .6rem 1.4rem; border-radius: 8px; border: 1px solid #0b5cff; font-size: 1rem; cursor: pointer; }
#authorize { background: #0b5cff; color: #fff; }
#deny { background: #fff; color: #0b5cff; }
</style>
</head>
<body>
<main>
<p class="note">zoomfake: a simulated Zoom. No real account is involved.</p>
<h1>{{.AppName}} would like to access your Zoom account</h1>
<form method="post" action="/oauth/authorize">
<input type="hidden" name="response_type" value="code">
<input type="hidden" name="client_id" value="{{.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
{{- if .State}}
<input type="hidden" name="state" value="{{.State}}">
{{- end}}
{{- if .Challenge}}
<input type="hidden" name="code_challenge" value="{{.Challenge}}">
<input type="hidden" name="code_challenge_method" value="{{.Method}}">
{{- end}}
<label for="user">Signed in as</label>
<select name="user" id="user">
{{- range $i, $email := .Emails}}
<option value="{{$email}}"{{if eq $i 0}} selected{{end}}>{{$email}}</option>
{{- end}}
</select>
<p>{{.AppName}} will be able to:</p>
<ul>
<li>View, create, update and delete your meetings</li>
<li>View your user information and settings</li>
</ul>
<div class="buttons">
<button type="submit" name="decision" value="allow" id="authorize">Authorize</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button>
</div>
</form>
</main>
</body>
</html>
`))

var authorizeErrorTmpl = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Error - Zoom (simulated)</title>
</head>
<body>
<main>
<p>zoomfake: a simulated Zoom.</p>
<h1>Sorry, we could not authorize this app</h1>
<p id="error">{{.}}</p>
</main>
</body>
</html>
`))

// authRequest is a validated authorization request.
type authRequest struct {
	AppName, ClientID, RedirectURI, State, Challenge, Method string
	Emails                                                   []string
}

// parseAuthRequest checks the parameters of an authorization request (the
// query of the GET, the hidden fields of the POST). The error is for the
// error page: with a bad client_id or redirect_uri there is nowhere safe to
// send the browser back to.
func (s *Server) parseAuthRequest(v url.Values) (authRequest, string) {
	ar := authRequest{
		AppName:     s.cfg.AppName,
		ClientID:    v.Get("client_id"),
		RedirectURI: v.Get("redirect_uri"),
		State:       v.Get("state"),
		Challenge:   v.Get("code_challenge"),
		Method:      v.Get("code_challenge_method"),
	}
	switch {
	case ar.ClientID == "":
		return ar, "The client_id is missing."
	case ar.ClientID != s.cfg.ClientID:
		return ar, "Invalid client_id: no app has this client ID."
	case v.Get("response_type") != "code":
		return ar, "Invalid response_type: it must be \"code\"."
	case ar.RedirectURI == "":
		return ar, "Redirect URI mismatch: the redirect_uri is missing."
	case !s.redirectAllowed(ar.RedirectURI):
		return ar, "Redirect URI mismatch: the redirect_uri is not on the app's allow list."
	}
	if ar.Challenge != "" {
		if ar.Method == "" {
			ar.Method = "plain" // RFC 7636's default, which Zoom follows
		}
		if ar.Method != "plain" && ar.Method != "S256" {
			return ar, "Invalid code_challenge_method: it must be S256 or plain."
		}
		if n := len(ar.Challenge); n < 43 || n > 128 {
			return ar, "Invalid code_challenge: it must have 43 to 128 characters."
		}
	}
	for _, u := range s.hosts {
		ar.Emails = append(ar.Emails, u.Email)
	}
	return ar, ""
}

// redirectAllowed applies Config.RedirectURIs.
func (s *Server) redirectAllowed(uri string) bool {
	if len(s.cfg.RedirectURIs) > 0 {
		return slices.Contains(s.cfg.RedirectURIs, uri)
	}
	u, err := url.Parse(uri)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Fragment == ""
}

// authorizePage serves GET /oauth/authorize.
func (s *Server) authorizePage(w http.ResponseWriter, r *http.Request) {
	ar, msg := s.parseAuthRequest(r.URL.Query())
	if msg != "" {
		writeAuthorizeError(w, msg)
		return
	}
	pageHeaders(w)
	w.WriteHeader(http.StatusOK)
	_ = authorizeTmpl.Execute(w, ar)
}

// authorizeDecision serves POST /oauth/authorize, the form of the page:
// back to the app with a code, or with error=access_denied.
func (s *Server) authorizeDecision(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeAuthorizeError(w, "The form could not be read.")
		return
	}
	ar, msg := s.parseAuthRequest(r.PostForm)
	if msg != "" {
		writeAuthorizeError(w, msg)
		return
	}
	back, _ := url.Parse(ar.RedirectURI) // checked by parseAuthRequest
	q := back.Query()
	switch r.PostForm.Get("decision") {
	case "deny":
		q.Set("error", "access_denied")
	case "allow":
		var user User
		found := false
		for _, u := range s.hosts {
			if strings.EqualFold(u.Email, r.PostForm.Get("user")) {
				user, found = u, true
			}
		}
		if !found {
			writeAuthorizeError(w, "Unknown user: pick one of the list.")
			return
		}
		code := randomToken(24)
		s.mu.Lock()
		s.codes[code] = authCode{
			clientID: ar.ClientID, userID: user.ID, redirectURI: ar.RedirectURI,
			challenge: ar.Challenge, method: ar.Method, expires: s.cfg.Now().Add(codeLifetime),
		}
		s.installed[user.ID] = true
		s.mu.Unlock()
		q.Set("code", code)
	default:
		writeAuthorizeError(w, "Choose Authorize or Deny.")
		return
	}
	if ar.State != "" {
		q.Set("state", ar.State)
	}
	back.RawQuery = q.Encode()
	noStore(w)
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func writeAuthorizeError(w http.ResponseWriter, msg string) {
	pageHeaders(w)
	w.WriteHeader(http.StatusBadRequest)
	_ = authorizeErrorTmpl.Execute(w, msg)
}

// pageHeaders are what a login page sends: no caching, no framing
// (clickjacking), no referrer (the query holds the state). There is no
// form-action policy: browsers apply it to the redirect back to the app.
func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
}

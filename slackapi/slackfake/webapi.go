package slackfake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// handler answers one Web API method. It runs with s.mu held and returns the
// response fields besides "ok", or a Slack error code (the fields then add to
// the error, e.g. response_metadata.messages).
type handler func(s *Server, p params) (map[string]any, string)

type methodSpec struct {
	fn       handler
	tier     int  // Slack rate-limit tier 1-4; 0 means not limited by tier
	appToken bool // takes the xapp- token instead of the xoxb- one
}

// methodTable lists the methods the fake knows; anything else is
// unknown_method. Tiers are Slack's published ones.
func (s *Server) methodTable() map[string]methodSpec {
	return map[string]methodSpec{
		"auth.test": {fn: (*Server).authTest, tier: 4},
		// Slack puts apps.connections.open in tier 1; it is left unlimited so
		// that a test storming the Web API does not also stall reconnects.
		"apps.connections.open": {fn: (*Server).appsConnectionsOpen, appToken: true},

		"conversations.create":     {fn: (*Server).conversationsCreate, tier: 2},
		"conversations.invite":     {fn: (*Server).conversationsInvite, tier: 3},
		"conversations.join":       {fn: (*Server).conversationsJoin, tier: 3},
		"conversations.info":       {fn: (*Server).conversationsInfo, tier: 3},
		"conversations.list":       {fn: (*Server).conversationsList, tier: 2},
		"conversations.members":    {fn: (*Server).conversationsMembers, tier: 4},
		"conversations.history":    {fn: (*Server).conversationsHistory, tier: 3},
		"conversations.replies":    {fn: (*Server).conversationsReplies, tier: 3},
		"conversations.setTopic":   {fn: (*Server).conversationsSetTopic, tier: 2},
		"conversations.setPurpose": {fn: (*Server).conversationsSetPurpose, tier: 2},
		"conversations.archive":    {fn: (*Server).conversationsArchive, tier: 2},
		"conversations.unarchive":  {fn: (*Server).conversationsUnarchive, tier: 2},

		// chat.postMessage is limited per channel, not by tier (see rateLimit).
		"chat.postMessage":   {fn: (*Server).chatPostMessage},
		"chat.update":        {fn: (*Server).chatUpdate, tier: 3},
		"chat.delete":        {fn: (*Server).chatDelete, tier: 3},
		"chat.postEphemeral": {fn: (*Server).chatPostEphemeral, tier: 4},
		"chat.getPermalink":  {fn: (*Server).chatGetPermalink, tier: 4},

		"pins.add":    {fn: (*Server).pinsAdd, tier: 2},
		"pins.remove": {fn: (*Server).pinsRemove, tier: 2},
		"pins.list":   {fn: (*Server).pinsList, tier: 2},

		"bookmarks.add":    {fn: (*Server).bookmarksAdd, tier: 2},
		"bookmarks.remove": {fn: (*Server).bookmarksRemove, tier: 2},
		"bookmarks.list":   {fn: (*Server).bookmarksList, tier: 3},

		"conversations.canvases.create": {fn: (*Server).conversationsCanvasesCreate, tier: 2},
		"canvases.edit":                 {fn: (*Server).canvasesEdit, tier: 3},
		"canvases.sections.lookup":      {fn: (*Server).canvasesSectionsLookup, tier: 3},

		"users.info":          {fn: (*Server).usersInfo, tier: 4},
		"users.lookupByEmail": {fn: (*Server).usersLookupByEmail, tier: 3},

		"views.open":   {fn: (*Server).viewsOpen, tier: 4},
		"views.update": {fn: (*Server).viewsUpdate, tier: 4},
		// Slack lists views.publish in tier 4 (100+ a minute).
		"views.publish": {fn: (*Server).viewsPublish, tier: 4},

		"calls.add":                 {fn: (*Server).callsAdd, tier: 3},
		"calls.info":                {fn: (*Server).callsInfo, tier: 3},
		"calls.update":              {fn: (*Server).callsUpdate, tier: 3},
		"calls.end":                 {fn: (*Server).callsEnd, tier: 3},
		"calls.participants.add":    {fn: callsParticipants(true), tier: 3},
		"calls.participants.remove": {fn: callsParticipants(false), tier: 3},

		"functions.completeSuccess": {fn: (*Server).functionsCompleteSuccess, tier: 3},
		"functions.completeError":   {fn: (*Server).functionsCompleteError, tier: 3},
	}
}

// params reads request parameters the way Slack does: form fields and query
// for form methods, top-level JSON fields for JSON methods.
type params struct {
	form url.Values
	json map[string]json.RawMessage
}

func (p params) get(key string) string {
	if raw, ok := p.json[key]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return string(raw) // numbers and booleans, as their JSON text
	}
	return p.form.Get(key)
}

func (p params) has(key string) bool {
	if _, ok := p.json[key]; ok {
		return true
	}
	_, ok := p.form[key]
	return ok
}

// raw returns a JSON-valued parameter: an object in a JSON body, or the
// JSON text of a form field (slack-go sends blocks as a JSON string).
func (p params) raw(key string) json.RawMessage {
	if raw, ok := p.json[key]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return json.RawMessage(s)
		}
		return raw
	}
	if v := p.form.Get(key); v != "" {
		return json.RawMessage(v)
	}
	return nil
}

func (p params) bool(key string) bool {
	v := p.get(key)
	return v == "true" || v == "1"
}

// logged is the parameters for the call log, without the token.
func (p params) logged() url.Values {
	out := url.Values{}
	for k, v := range p.form {
		out[k] = append([]string(nil), v...)
	}
	for k := range p.json {
		out.Set(k, p.get(k))
	}
	out.Del("token")
	return out
}

func parseParams(r *http.Request) (params, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
		if err != nil {
			return params{}, err
		}
		p := params{form: r.URL.Query(), json: map[string]json.RawMessage{}}
		if len(bytes.TrimSpace(body)) > 0 && string(bytes.TrimSpace(body)) != "null" {
			if err := json.Unmarshal(body, &p.json); err != nil {
				return params{}, err
			}
		}
		return p, nil
	}
	if err := r.ParseForm(); err != nil {
		return params{}, err
	}
	return params{form: r.Form}, nil
}

func bearerToken(r *http.Request, p params) string {
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return strings.TrimSpace(auth)
	}
	return p.get("token")
}

// apiAnswer is what serveAPI writes back.
type apiAnswer struct {
	status     int // 200 unless a fault or a rate limit says otherwise
	retryAfter int // seconds, with 429
	body       map[string]any
	code       string // Slack error code, "" when ok
	lost       bool   // the call took effect but its answer is never sent
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	at := s.cfg.Now()
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	p, err := parseParams(r)
	if err != nil {
		p = params{form: url.Values{}}
	}
	if !s.sleepLatency(r.Context()) {
		return
	}
	var ans apiAnswer
	if err != nil {
		ans = apiAnswer{status: http.StatusOK, code: "invalid_form_data"}
	} else {
		ans = s.answer(method, bearerToken(r, p), p)
	}
	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: method, Error: ans.code, Status: ans.status, Params: p.logged(), At: at})
	s.mu.Unlock()
	if ans.lost {
		<-r.Context().Done()
		panic(http.ErrAbortHandler)
	}
	// Slack names the token's scopes and the method's accepted scopes on
	// every answer, success or not (slack-go reads the first; Slack's
	// Node SDK hands both to the app as response_metadata).
	if bearerToken(r, p) == s.cfg.BotToken {
		w.Header().Set("X-OAuth-Scopes", strings.Join(s.cfg.Scopes, ","))
	}
	if _, known := s.methods[method]; known {
		w.Header().Set("X-Accepted-OAuth-Scopes", strings.Join(methodScopes[method], ","))
	}
	writeAnswer(w, ans)
}

// answer runs one call: method, auth, injected faults, rate limit, handler.
// Faults come before the rate limit so that a faulted call does not use up
// the budget a test is about to measure.
func (s *Server) answer(method, token string, p params) apiAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	spec, ok := s.methods[method]
	if !ok {
		return apiAnswer{status: http.StatusOK, code: "unknown_method"}
	}
	if code := s.checkToken(token, spec.appToken); code != "" {
		return apiAnswer{status: http.StatusOK, code: code}
	}
	if !spec.appToken {
		if ans, missing := s.missingScope(method, p); missing {
			return ans
		}
	}
	lost := false
	if f, ok := s.takeFault(method); ok {
		if !f.lose {
			return f.answer()
		}
		lost = true
	}
	if retry := s.rateLimit(method, spec.tier, p); retry > 0 {
		return apiAnswer{status: http.StatusTooManyRequests, retryAfter: retry, code: "ratelimited"}
	}
	body, code := spec.fn(s, p)
	return apiAnswer{status: http.StatusOK, body: body, code: code, lost: lost}
}

func (s *Server) checkToken(token string, wantApp bool) string {
	switch token {
	case "":
		return "not_authed"
	case s.cfg.AppToken:
		if !wantApp {
			return "not_allowed_token_type"
		}
	case s.cfg.BotToken:
		if wantApp {
			return "not_allowed_token_type"
		}
	default:
		return "invalid_auth"
	}
	return ""
}

// sleepLatency waits out SetLatency; false if the client gave up first.
func (s *Server) sleepLatency(ctx context.Context) bool {
	s.mu.Lock()
	d := s.latency
	s.mu.Unlock()
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// writeAnswer writes ok true/false JSON. The Web API always answers 200, as
// Slack does (slack-go reads any other status as a transport error, and
// ok:false without an error string as success); only rate limits, injected
// statuses and response_url errors differ.
func writeAnswer(w http.ResponseWriter, ans apiAnswer) {
	if ans.status >= 500 {
		// Slack's 5xx pages are HTML, which slack-go does not parse.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(ans.status)
		fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>\n", ans.status, http.StatusText(ans.status))
		return
	}
	body := ans.body
	if body == nil {
		body = map[string]any{}
	}
	body["ok"] = ans.code == ""
	if ans.code != "" {
		body["error"] = ans.code
	}
	if ans.retryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(ans.retryAfter))
	}
	writeJSON(w, ans.status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fault is one injected failure, consumed in the order they were added.
type fault struct {
	code   string // Slack error for FailNext
	status int    // HTTP status for FailHTTP
	lose   bool   // LoseAnswer: act, then never answer
	times  int
}

func (f fault) answer() apiAnswer {
	switch {
	case f.status == http.StatusTooManyRequests:
		// Without Retry-After slack-go would not recognise a rate limit.
		return apiAnswer{status: f.status, retryAfter: 1, code: "ratelimited"}
	case f.status != 0:
		return apiAnswer{status: f.status, code: fmt.Sprintf("http_%d", f.status)}
	default:
		return apiAnswer{status: http.StatusOK, code: f.code}
	}
}

// LoseAnswer makes the next times calls of method take effect and then
// never answer: the connection is held until the client gives up. It is
// the network dropping after Slack acted — the case that makes a client
// without an idempotency key post twice.
func (s *Server) LoseAnswer(method string, times int) {
	s.addFault(method, fault{lose: true, times: times})
}

// FailNext makes the next times calls of method answer
// {"ok":false,"error":slackError}. Method "*" matches every method;
// "response_url" matches response_url posts. times <= 0 clears the faults
// queued for method.
func (s *Server) FailNext(method, slackError string, times int) {
	s.addFault(method, fault{code: slackError, times: times})
}

// FailHTTP makes the next times calls of method answer with HTTP status
// (e.g. 500, 503; 429 comes with Retry-After: 1). Method matching and
// times <= 0 work as for FailNext.
func (s *Server) FailHTTP(method string, status, times int) {
	s.addFault(method, fault{status: status, times: times})
}

func (s *Server) addFault(method string, f fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.times <= 0 {
		delete(s.faults, method)
		return
	}
	s.faults[method] = append(s.faults[method], f)
}

// takeFault consumes one injected fault for method, if any. s.mu is held.
func (s *Server) takeFault(method string) (fault, bool) {
	for _, key := range []string{method, "*"} {
		queue := s.faults[key]
		if len(queue) == 0 {
			continue
		}
		f := queue[0]
		queue[0].times--
		if queue[0].times <= 0 {
			queue = queue[1:]
		}
		if len(queue) == 0 {
			delete(s.faults, key)
		} else {
			s.faults[key] = queue
		}
		return f, true
	}
	return fault{}, false
}

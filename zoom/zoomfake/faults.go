package zoomfake

import (
	"net/http"
	"time"
)

// Fault makes the fake misbehave for matching requests, before it does
// anything else with them (even checking the token).
type Fault struct {
	// Op is the operationId from Zoom's OpenAPI document ("meetingCreate",
	// "meeting", "meetingUpdate", "meetingDelete", "meetingStatus",
	// "meetings", "recordingGet", "pastMeetingDetails",
	// "pastMeetingParticipants", "user", "userSettings"), or "token",
	// "authorize" or "revoke" for the OAuth endpoints; "" matches every
	// request.
	Op string
	// Times is how many consecutive matching requests fail; 0 means 1.
	Times int
	// Status is the HTTP status to answer. 0 with a Delay means "only slow
	// down, then answer normally"; 0 without one means 500.
	Status int
	// Code and Message go in the body; defaults are the status and its text.
	Code    int
	Message string
	// Delay hangs the request this long first (to provoke client timeouts).
	Delay time.Duration
	// Header is added to the answer, e.g. Retry-After or X-RateLimit-Type.
	Header map[string]string
	// LoseAnswer carries the operation out and then never answers: the
	// connection is held until the client gives up. It is the network
	// dropping after Zoom acted, the case that makes a client without an
	// idempotency key create things twice. Status and Delay are ignored.
	LoseAnswer bool
	// Acted, if set, is called once the operation took effect and before
	// its answer leaves (which then goes as usual): a test's moment to
	// break something between Zoom acting and the client hearing of it —
	// a token rotated while the client's database goes away, say. Status
	// and Delay are ignored.
	Acted func()
}

// InjectFault queues f; faults are tried in the order they were injected.
func (s *Server) InjectFault(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	h := make(map[string]string, len(f.Header))
	for k, v := range f.Header {
		h[k] = v
	}
	f.Header = h
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// SetLatency delays every answer, OAuth and API, by d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// takeFault consumes one use of the first fault matching op.
func (s *Server) takeFault(op string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Op != "" && f.Op != op {
			continue
		}
		f.Times--
		if f.Times <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		c := *f
		return &c
	}
	return nil
}

func writeFault(w http.ResponseWriter, op string, f *Fault) {
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	msg := f.Message
	if msg == "" {
		msg = http.StatusText(status)
	}
	for k, v := range f.Header {
		w.Header().Set(k, v)
	}
	switch op {
	case "authorize": // a page for a browser
		pageHeaders(w)
		w.WriteHeader(status)
		_ = authorizeErrorTmpl.Execute(w, msg)
		return
	case "token", "revoke":
		code := "server_error"
		if status < 500 {
			code = "invalid_request"
		}
		writeJSON(w, status, oauthError{Error: code, Reason: msg})
		return
	}
	code := f.Code
	if code == 0 {
		code = status
	}
	writeError(w, status, code, msg)
}

package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// problem is an error answer in the shape of RFC 9457
// (application/problem+json). Type is always about:blank: the status
// says what kind of problem it is, Detail says it to a person, and
// Errors names each field at fault, so a client can show it next to its
// own input.
type problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []fieldError `json:"errors,omitempty"`
}

// fieldError names a request field (a body member, a header, a query
// parameter) and why it was refused.
type fieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

const problemType = "application/problem+json"

// writeProblem answers with a problem. Its detail must never carry a
// secret: problems are what clients log.
func writeProblem(w http.ResponseWriter, status int, detail string, errs ...fieldError) {
	p := problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Errors: errs}
	w.Header().Set("Content-Type", problemType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(p)
}

// WriteProblem answers with an RFC 9457 problem document: the status's
// own title and detail, a sentence saying what to do. The other machine
// doors (the Alertmanager receiver) answer in the same shape.
func WriteProblem(w http.ResponseWriter, status int, detail string) { writeProblem(w, status, detail) }

// badRequest answers 400 naming one field.
func badRequest(w http.ResponseWriter, field, reason string) {
	writeProblem(w, http.StatusBadRequest, "The request is not valid: "+field+" "+reason, fieldError{Field: field, Reason: reason})
}

// retryAfter sets Retry-After in whole seconds, at least one: a client
// told to retry at once would only be refused again.
func retryAfter(w http.ResponseWriter, d time.Duration) {
	secs := int((d + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
}

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

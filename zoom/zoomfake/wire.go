package zoomfake

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// zoomTime is how Zoom writes times: UTC, seconds, "Z".
const zoomTime = "2006-01-02T15:04:05Z"

// apiError is Zoom's error body.
type apiError struct {
	Code    int          `json:"code"`
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors,omitempty"`
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, apiError{Code: code, Message: msg})
}

// writeValidation answers Zoom's "Validation Failed." — HTTP 400, code 300
// (the OpenAPI document files it under a "300" response, but that is the
// error code, not the HTTP status).
func writeValidation(w http.ResponseWriter, errs []fieldError) {
	writeJSON(w, http.StatusBadRequest, apiError{Code: 300, Message: "Validation Failed.", Errors: errs})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeBody reads a JSON request body the way Zoom judges it. It answers
// the error itself and reports whether decoding succeeded.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	ct := r.Header.Get("Content-Type")
	if ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		writeError(w, http.StatusBadRequest, 300, "Unsupported Content Type")
		return false
	}
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v)
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return true
	case errors.As(err, &te):
		writeValidation(w, []fieldError{{Field: te.Field, Message: "Invalid field."}})
	default:
		writeError(w, http.StatusBadRequest, 300, "Request Body should be a valid JSON object.")
	}
	return false
}

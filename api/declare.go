package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/commands"
	"github.com/warroom-dev/warroom/slackapi"
	"github.com/warroom-dev/warroom/store"
)

// declareRequest is the body of POST /api/v1/incidents.
type declareRequest struct {
	Title string `json:"title"`
	// Severity is 1…4 as a number, or "SEV1"…"SEV4" or "1"…"4" as a
	// string (as the Workflow Builder step takes it).
	Severity  json.RawMessage `json:"severity"`
	Private   bool            `json:"private"`
	Commander string          `json:"commander"`
	Summary   string          `json:"summary"`
}

// Limits of what a declare may carry: a title is a line, a summary a few
// paragraphs; Slack's messages and Zoom's topics have limits of their own.
const (
	maxTitle   = 500
	maxSummary = 3000
	maxKey     = 255
)

// declare records an incident (POST /api/v1/incidents).
func (a *API) declare(w http.ResponseWriter, r *http.Request, client string) {
	key, ok := idempotencyKey(w, r)
	if !ok {
		return
	}
	req, ok := decodeDeclare(w, r)
	if !ok {
		return
	}
	n, ok := a.newIncident(w, r, client, req)
	if !ok {
		return
	}
	if key == "" {
		// Without a key every request is a new incident: a random key
		// keeps the store's dedupe out of the way.
		key = randomKey()
	}
	n.DedupeKey = "api:" + client + ":" + key
	ctx, cancel := a.storeCtx(r)
	defer cancel()
	rec, created, err := a.d.Store.Declare(ctx, n)
	if err != nil {
		a.storeFailed(w, r, "declare", err)
		return
	}
	if !created && rec.FullTitle != n.FullTitle {
		writeProblem(w, http.StatusUnprocessableEntity,
			"This Idempotency-Key was used before for another incident ("+rec.Ref()+"); use a new key for a new incident.",
			fieldError{Field: "Idempotency-Key", Reason: "was used before with a different title"})
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		a.d.Kick()
		a.d.Log.Info().Str("incident", rec.Ref()).Str("client", client).Str("door", string(warroom.DoorAPI)).
			Int("severity", int(rec.Severity)).Msg("incident declared through the API")
	}
	w.Header().Set("Location", "/api/v1/incidents/"+rec.Ref())
	writeJSON(w, status, view(&rec.Incident))
}

// idempotencyKey reads the optional Idempotency-Key header.
func idempotencyKey(w http.ResponseWriter, r *http.Request) (string, bool) {
	key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if len(key) > maxKey {
		badRequest(w, "Idempotency-Key", fmt.Sprintf("must be at most %d characters", maxKey))
		return "", false
	}
	for _, c := range key {
		if c < 0x21 || c > 0x7e {
			badRequest(w, "Idempotency-Key", "must be printable ASCII without spaces")
			return "", false
		}
	}
	return key, true
}

// decodeDeclare reads the body: JSON, at most MaxBody bytes, one object,
// no member this API does not know (a misspelt "severty" is refused
// rather than silently dropped).
func decodeDeclare(w http.ResponseWriter, r *http.Request) (declareRequest, bool) {
	var req declareRequest
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			writeProblem(w, http.StatusUnsupportedMediaType, "The body must be JSON (Content-Type: application/json).")
			return req, false
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(&req)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("more than one JSON value")
		}
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooBig):
			writeProblem(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("The body is larger than %d bytes.", MaxBody))
		case errors.As(err, &typeErr) && typeErr.Field != "":
			badRequest(w, typeErr.Field, "has the wrong type ("+typeErr.Value+")")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			badRequest(w, field, "is not a field of a declare")
		default:
			writeProblem(w, http.StatusBadRequest, "The body is not a JSON object: "+err.Error(),
				fieldError{Field: "body", Reason: "is not a JSON object"})
		}
		return req, false
	}
	return req, true
}

// newIncident checks the request and turns it into the declare to record.
// All field problems are reported at once; only the commander, which may
// need Slack, is checked after the others pass.
func (a *API) newIncident(w http.ResponseWriter, r *http.Request, client string, req declareRequest) (store.NewIncident, bool) {
	var errs []fieldError
	title := strings.TrimSpace(req.Title)
	switch {
	case title == "":
		errs = append(errs, fieldError{"title", "is required"})
	case utf8.RuneCountInString(title) > maxTitle:
		errs = append(errs, fieldError{"title", fmt.Sprintf("must be at most %d characters", maxTitle)})
	}
	sev, ok := parseSeverity(req.Severity)
	if !ok {
		errs = append(errs, fieldError{"severity", `must be 1, 2, 3 or 4, or "SEV1" to "SEV4"`})
	}
	summary := strings.TrimSpace(req.Summary)
	if utf8.RuneCountInString(summary) > maxSummary {
		errs = append(errs, fieldError{"summary", fmt.Sprintf("must be at most %d characters", maxSummary)})
	}
	if len(errs) > 0 {
		writeProblem(w, http.StatusBadRequest, "The request is not valid: "+errs[0].Field+" "+errs[0].Reason, errs...)
		return store.NewIncident{}, false
	}
	commander, ok := a.commander(w, r, strings.TrimSpace(req.Commander))
	if !ok {
		return store.NewIncident{}, false
	}
	short, _ := commands.ShortTitle(title)
	return store.NewIncident{
		Title: short, FullTitle: title, Severity: sev, Private: req.Private,
		// No Slack user declared: the channel shows the token's name
		// (warroom.Incident.Declarer) and the commander is who was named.
		DeclaredBy: "", Commander: commander,
		Origin: warroom.Origin{Door: warroom.DoorAPI, By: client, Description: summary},
	}, true
}

// parseSeverity reads a severity: absent or null is the default; a number
// 1…4; a string "SEV1"…"SEV4" (any case) or "1"…"4".
func parseSeverity(raw json.RawMessage) (warroom.Severity, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return warroom.DefaultSeverity, true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		s = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "SEV")
	} else {
		s = string(raw)
	}
	n, err := strconv.Atoi(s)
	if err != nil || !warroom.Severity(n).Valid() {
		return 0, false
	}
	return warroom.Severity(n), true
}

var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]+$`)

// commander resolves the commander a declare names, a Slack user ID or an
// email, to a Slack user ID; "" names nobody. An unknown one is the
// client's mistake (400); Slack failing to answer is not (503: retry).
func (a *API) commander(w http.ResponseWriter, r *http.Request, v string) (string, bool) {
	if v == "" {
		return "", true
	}
	if !strings.Contains(v, "@") && !slackUserID.MatchString(v) {
		badRequest(w, "commander", "must be a Slack user ID (U…) or an email")
		return "", false
	}
	ctx, cancel := context.WithTimeout(r.Context(), storeBudget)
	defer cancel()
	var u slackapi.User
	var err error
	if strings.Contains(v, "@") {
		u, err = a.d.Users.UserByEmail(ctx, v)
	} else {
		u, err = a.d.Users.UserInfo(ctx, v)
	}
	switch code := slackapi.Code(err); {
	case err == nil:
		return u.ID, true
	case code == "users_not_found" || code == "user_not_found":
		badRequest(w, "commander", "is not a user of this Slack workspace")
	default:
		a.d.Log.Warn().Err(err).Msg("API declare: could not look up the commander in Slack")
		retryAfter(w, 0)
		writeProblem(w, http.StatusServiceUnavailable, "Slack did not answer who the commander is; retry with the same Idempotency-Key.")
	}
	return "", false
}

// storeFailed answers a failed read or write: a refusal the client can
// fix is a 400, a database that did not answer a 503 to retry.
func (a *API) storeFailed(w http.ResponseWriter, r *http.Request, what string, err error) {
	switch {
	case warroom.ErrorCode(err) == warroom.EINVALID:
		writeProblem(w, http.StatusBadRequest, warroom.ErrorMessage(err))
	case warroom.ErrorCode(err) == warroom.ENOTFOUND:
		writeProblem(w, http.StatusNotFound, "No such incident.")
	default:
		a.d.Log.Error().Err(err).Str("path", r.URL.Path).Msg("API " + what + " failed")
		retryAfter(w, 0)
		writeProblem(w, http.StatusServiceUnavailable, "The database did not answer in time; retry (with the same Idempotency-Key for a declare).")
	}
}

func randomKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "random-" + hex.EncodeToString(b)
}

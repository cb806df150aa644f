// Package alerts is the Alertmanager receiver: POST /api/v1/alertmanager
// takes Alertmanager's webhook notifications (payload version 4) and
// turns each alert group into one incident while it is open. Like every
// front door it records and acknowledges; the workers build the war room
// and post what changed in the group.
package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/rs/zerolog"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/api"
	"github.com/warroom-dev/warroom/store"
)

// MaxBody is the largest notification taken: Alertmanager's are a few
// kilobytes per alert, and max_alerts bounds them.
const MaxBody = 1 << 20

// Authorizer says whether a request carries one of the API's bearer
// tokens, and that token's name.
type Authorizer interface {
	Authorize(r *http.Request) (name string, ok bool)
}

// Store records a notification.
type Store interface {
	ReceiveAlerts(ctx context.Context, n store.AlertNotification) (store.AlertOutcome, error)
}

// Config holds the receiver's settings.
type Config struct {
	// Severity maps severity label values, lowercased, to incident
	// severities (WARROOM_ALERT_SEVERITY).
	Severity map[string]warroom.Severity
}

// Deps are the receiver's collaborators.
type Deps struct {
	Store Store
	Auth  Authorizer
	// Kick wakes the job engine when a notification recorded work.
	Kick func()
	Log  zerolog.Logger
}

// Receiver is the http.Handler of POST /api/v1/alertmanager.
type Receiver struct {
	cfg Config
	d   Deps
}

// New returns the receiver.
func New(cfg Config, d Deps) *Receiver {
	if d.Kick == nil {
		d.Kick = func() {}
	}
	return &Receiver{cfg: cfg, d: d}
}

// ServeHTTP answers 200 once the notification is recorded, so that
// Alertmanager retries what was not: 5xx when the store failed, and 4xx,
// which retrying cannot help, for a notification that is not version 4.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := rc.d.Auth.Authorize(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="warroom"`)
		api.WriteProblem(w, http.StatusUnauthorized, "A bearer token of WARROOM_API_TOKENS is required.")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		api.WriteProblem(w, http.StatusRequestEntityTooLarge, "A notification may be at most 1 MiB.")
		return
	case err != nil:
		api.WriteProblem(w, http.StatusBadRequest, "The request body could not be read.")
		return
	}
	m, detail := decode(body)
	if detail != "" {
		api.WriteProblem(w, http.StatusBadRequest, detail)
		return
	}
	by := name
	if by == "" {
		by = "Alertmanager"
	}
	out, err := rc.d.Store.ReceiveAlerts(r.Context(), notification(m, by, rc.cfg.Severity))
	if err != nil {
		rc.d.Log.Error().Err(err).Str("receiver", m.Receiver).Msg("alertmanager notification not recorded")
		if warroom.ErrorCode(err) == warroom.EINVALID {
			api.WriteProblem(w, http.StatusBadRequest, warroom.ErrorMessage(err))
			return
		}
		api.WriteProblem(w, http.StatusInternalServerError, "The notification could not be recorded; send it again.")
		return
	}
	if out.Created || out.Noted {
		rc.d.Kick()
	}
	if out.Created {
		rc.d.Log.Info().Int64("incident", out.IncidentID).Str("by", by).Msg("incident declared from an alert group")
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"incident_id": out.IncidentID, "created": out.Created, "noted": out.Noted})
}

// decode reads a notification, or says what is wrong with it.
func decode(body []byte) (message, string) {
	var m message
	if err := json.Unmarshal(body, &m); err != nil {
		return m, "The body is not an Alertmanager notification in JSON: " + err.Error()
	}
	switch {
	case m.Version != "4":
		return m, `version: only Alertmanager's webhook payload version "4" is understood (got "` + m.Version + `").`
	case m.GroupKey == "":
		return m, "groupKey: is required; it names the alert group an incident is declared for."
	}
	return m, ""
}

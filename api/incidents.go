package api

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/store"
)

// incidentBody is an incident as the API shows it.
type incidentBody struct {
	ID         string       `json:"id"` // "INC-42", as people and logs say it
	Title      string       `json:"title"`
	Severity   string       `json:"severity"` // "SEV1"…"SEV4"
	Status     string       `json:"status"`
	Private    bool         `json:"private"`
	Channel    *channelBody `json:"channel,omitempty"` // once the channel exists
	Call       callBody     `json:"call"`
	DeclaredAt time.Time    `json:"declared_at"`
	ResolvedAt *time.Time   `json:"resolved_at,omitempty"`
}

type channelBody struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

type callBody struct {
	State   string `json:"state"`
	JoinURL string `json:"join_url,omitempty"`
}

// view is what the API shows of an incident.
func view(inc *warroom.Incident) incidentBody {
	title := inc.FullTitle
	if title == "" {
		title = inc.Title
	}
	b := incidentBody{ID: inc.Ref(), Title: title, Severity: inc.Severity.String(), Status: string(inc.Status),
		Private: inc.Private, Call: callBody{State: string(inc.Call)}, DeclaredAt: inc.CreatedAt.UTC()}
	if inc.ChannelID != "" {
		b.Channel = &channelBody{ID: inc.ChannelID, Name: inc.ChannelName,
			URL: "https://slack.com/app_redirect?channel=" + inc.ChannelID}
	}
	// A private incident's call is for the members of its private
	// channel. An API token is shared by a machine (and whatever logs its
	// answers), which is no member: the join URL, which carries the
	// meeting's passcode, would let anyone who reads it into the call.
	if inc.Call == warroom.CallReady && inc.Meeting != nil && !inc.Private {
		b.Call.JoinURL = inc.Meeting.JoinURL
	}
	if !inc.ResolvedAt.IsZero() {
		t := inc.ResolvedAt.UTC()
		b.ResolvedAt = &t
	}
	return b
}

// get answers GET /api/v1/incidents/{id}; the id is "INC-42" (any case)
// or 42.
func (a *API) get(w http.ResponseWriter, r *http.Request, _ string) {
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		writeProblem(w, http.StatusNotFound, "No such incident: an incident's id is INC-<number>.")
		return
	}
	ctx, cancel := a.storeCtx(r)
	defer cancel()
	rec, err := a.d.Store.Incident(ctx, id)
	if err != nil {
		a.storeFailed(w, r, "read", err)
		return
	}
	writeJSON(w, http.StatusOK, view(&rec.Incident))
}

func parseID(s string) (int64, bool) {
	if len(s) > 4 && strings.EqualFold(s[:4], "INC-") {
		s = s[4:]
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// The list's page: the newest incidents first, at most maxList of them.
const (
	defaultList = 100
	maxList     = 500
)

// list answers GET /api/v1/incidents?status=active|resolved|all, newest
// first.
func (a *API) list(w http.ResponseWriter, r *http.Request, _ string) {
	status := r.URL.Query().Get("status")
	if status == "" {
		status = "active"
	}
	if status != "active" && status != "resolved" && status != "all" {
		badRequest(w, "status", "must be active, resolved or all")
		return
	}
	limit := defaultList
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxList {
			badRequest(w, "limit", "must be a number from 1 to "+strconv.Itoa(maxList))
			return
		}
		limit = n
	}
	ctx, cancel := a.storeCtx(r)
	defer cancel()
	var recs []*store.Record
	var err error
	if status == "active" {
		recs, err = a.d.Store.OpenIncidents(ctx)
	} else {
		recs, err = a.d.Store.Incidents(ctx)
	}
	if err != nil {
		a.storeFailed(w, r, "list", err)
		return
	}
	slices.SortFunc(recs, func(x, y *store.Record) int { return cmp.Compare(y.ID, x.ID) })
	out := []incidentBody{}
	for _, rec := range recs {
		if status == "resolved" && rec.Status != warroom.StatusResolved {
			continue
		}
		if len(out) == limit {
			break
		}
		out = append(out, view(&rec.Incident))
	}
	writeJSON(w, http.StatusOK, map[string]any{"incidents": out})
}

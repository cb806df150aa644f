package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/warroom-dev/warroom/internal/testworld"
	"github.com/warroom-dev/warroom/store"
)

// An incident is read by its id as the API shows it ("INC-42"), in any
// case, or by its number alone; anything else is not found.
func TestGetIncident(t *testing.T) {
	c := startAPI(t, testworld.Config{NoJobs: true})
	inc := c.declare(pagerduty, "k", `{"title":"Search is slow","severity":3}`, http.StatusCreated)
	num := strings.TrimPrefix(inc.ID, "INC-")
	for _, id := range []string{inc.ID, strings.ToLower(inc.ID), num} {
		a := c.do(req{Method: "GET", Path: "/api/v1/incidents/" + id, Token: ci.Secret})
		if got := decode[incident](t, a); a.Status != http.StatusOK || got.ID != inc.ID || got.Title != "Search is slow" || got.Severity != "SEV3" {
			t.Errorf("GET %s: %d %s", id, a.Status, a.Body)
		}
	}
	for _, id := range []string{"INC-999", "999", "INC-x", "0", "-1"} {
		a := c.do(req{Method: "GET", Path: "/api/v1/incidents/" + id, Token: ci.Secret})
		if a.Status != http.StatusNotFound || decode[problem](t, a).Status != 404 {
			t.Errorf("GET %s: %d %s", id, a.Status, a.Body)
		}
	}
	for _, r := range []req{
		{Method: "DELETE", Path: "/api/v1/incidents/" + inc.ID, Token: ci.Secret},
		{Method: "PUT", Path: "/api/v1/incidents", Token: ci.Secret},
		{Method: "GET", Path: "/api/v1/nothing", Token: ci.Secret},
	} {
		if a := c.do(r); a.Status != http.StatusMethodNotAllowed && a.Status != http.StatusNotFound {
			t.Errorf("%s %s: %d %s", r.Method, r.Path, a.Status, a.Body)
		}
	}
}

// The list shows active incidents by default, resolved ones or all on
// request, newest first.
func TestListIncidents(t *testing.T) {
	c := startAPI(t, testworld.Config{NoJobs: true})
	var ids []string
	for i := range 3 {
		ids = append(ids, c.declare(ci, strconv.Itoa(i), `{"title":"incident `+strconv.Itoa(i)+`"}`, http.StatusCreated).ID)
	}
	first, _ := strconv.ParseInt(strings.TrimPrefix(ids[0], "INC-"), 10, 64)
	if _, _, err := c.w.Store.Resolve(context.Background(), first, "fixed", store.ResolveOptions{}); err != nil {
		t.Fatal(err)
	}
	list := func(query string) []string {
		t.Helper()
		a := c.do(req{Method: "GET", Path: "/api/v1/incidents" + query, Token: pagerduty.Secret})
		if a.Status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", query, a.Status, a.Body)
		}
		var got []string
		for _, inc := range decode[struct{ Incidents []incident }](t, a).Incidents {
			got = append(got, inc.ID)
		}
		return got
	}
	for query, want := range map[string][]string{
		"":                    {ids[2], ids[1]},
		"?status=active":      {ids[2], ids[1]},
		"?status=resolved":    {ids[0]},
		"?status=all":         {ids[2], ids[1], ids[0]},
		"?status=all&limit=1": {ids[2]},
	} {
		if got := list(query); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("GET /api/v1/incidents%s = %v, want %v", query, got, want)
		}
	}
	for query, field := range map[string]string{"?status=open": "status", "?limit=0": "limit", "?limit=x": "limit"} {
		a := c.do(req{Method: "GET", Path: "/api/v1/incidents" + query, Token: pagerduty.Secret})
		if p := decode[problem](t, a); a.Status != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != field {
			t.Errorf("GET %s: %d %s", query, a.Status, a.Body)
		}
	}
}

package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/warroom-dev/warroom/api"
	"github.com/warroom-dev/warroom/internal/testworld"
)

// The API's clients in these tests. The secrets are long and odd so that
// a search of the log for them cannot match anything else.
var (
	pagerduty = api.Token{Name: "pagerduty", Secret: "pd-5ecret-7d1f0c9a4b"}
	ci        = api.Token{Name: "ci", Secret: "ci-5ecret-e83b2a61f0"}
)

// startAPI starts a world with the API on for pagerduty and ci. By
// default the job engine is stopped: what the API records stays pending.
func startAPI(t *testing.T, cfg testworld.Config) *client {
	t.Helper()
	if cfg.APITokens == nil {
		cfg.APITokens = []api.Token{pagerduty, ci}
	}
	return newClient(t, testworld.Start(t, cfg))
}

// client calls the API and checks every answer against the OpenAPI
// document the API serves.
type client struct {
	t      *testing.T
	w      *testworld.World
	doc    *openapi3.T
	router routers.Router
}

func newClient(t *testing.T, w *testworld.World) *client {
	t.Helper()
	doc := loadSpec(t)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("a router of the OpenAPI document: %v", err)
	}
	return &client{t: t, w: w, doc: doc, router: router}
}

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatalf("load api/openapi.json: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("api/openapi.json is not a valid OpenAPI document: %v", err)
	}
	return doc
}

// answer is what the API answered.
type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// req is one request to the API.
type req struct {
	Method, Path string
	Token        string // the secret to send as the bearer token; "" sends none
	Body         string
	Header       map[string]string
}

// do sends r and checks the answer against the OpenAPI document: its
// status must be documented for the operation, and its headers, content
// type and body must match what is documented for that status.
func (c *client) do(r req) answer {
	c.t.Helper()
	hr, err := http.NewRequest(r.Method, c.w.URL+r.Path, strings.NewReader(r.Body))
	if err != nil {
		c.t.Fatal(err)
	}
	if r.Body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		hr.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		c.t.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	a := answer{Status: resp.StatusCode, Header: resp.Header, Body: body}
	c.validate(hr, a)
	return a
}

func (c *client) validate(hr *http.Request, a answer) {
	c.t.Helper()
	route, params, err := c.router.FindRoute(hr)
	if err != nil {
		// A path or method the document does not have: the answer must
		// still be a documented problem.
		c.validateProblem(hr, a)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route},
		Status:                 a.Status,
		Header:                 a.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(a.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		c.t.Errorf("%s %s answered %d %s %s, which the OpenAPI document does not allow: %v",
			hr.Method, hr.URL.Path, a.Status, a.Header.Get("Content-Type"), a.Body, err)
	}
}

func (c *client) validateProblem(hr *http.Request, a answer) {
	c.t.Helper()
	if ct := a.Header.Get("Content-Type"); ct != "application/problem+json" {
		c.t.Errorf("%s %s answered %d with Content-Type %q, want application/problem+json", hr.Method, hr.URL.Path, a.Status, ct)
	}
	var v any
	if err := json.Unmarshal(a.Body, &v); err != nil {
		c.t.Errorf("%s %s: the problem is not JSON: %s", hr.Method, hr.URL.Path, a.Body)
		return
	}
	schema := c.doc.Components.Schemas["Problem"].Value
	if err := schema.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
		c.t.Errorf("%s %s: the problem does not match the Problem schema: %v", hr.Method, hr.URL.Path, err)
	}
}

// incident is an incident as the API shows it.
type incident struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
	Status   string `json:"status"`
	Private  bool   `json:"private"`
	Channel  *struct {
		ID, Name, URL string
	} `json:"channel"`
	Call struct {
		State   string `json:"state"`
		JoinURL string `json:"join_url"`
	} `json:"call"`
}

type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field  string `json:"field"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

func decode[T any](t *testing.T, a answer) T {
	t.Helper()
	var v T
	if err := json.NewDecoder(bytes.NewReader(a.Body)).Decode(&v); err != nil {
		t.Fatalf("answer %d %s: %v", a.Status, a.Body, err)
	}
	return v
}

// declare posts a declare and wants status.
func (c *client) declare(tok api.Token, key, body string, status int) incident {
	c.t.Helper()
	r := req{Method: "POST", Path: "/api/v1/incidents", Token: tok.Secret, Body: body}
	if key != "" {
		r.Header = map[string]string{"Idempotency-Key": key}
	}
	a := c.do(r)
	if a.Status != status {
		c.t.Fatalf("POST %s (key %q) = %d %s, want %d", body, key, a.Status, a.Body, status)
	}
	return decode[incident](c.t, a)
}

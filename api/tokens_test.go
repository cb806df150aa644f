package api_test

import (
	"net/http"
	"testing"

	"github.com/warroom-dev/warroom/api"
)

// Authorize names the token a request carries, whatever the case of the
// scheme, and refuses anything else.
func TestAuthorize(t *testing.T) {
	tokens := api.NewTokens([]api.Token{pagerduty, ci})
	for header, want := range map[string]string{
		"Bearer " + ci.Secret:        "ci",
		"bearer " + pagerduty.Secret: "pagerduty",
		"Bearer  " + ci.Secret + " ": "ci",
		"Bearer " + ci.Secret + "x":  "",
		"Bearer " + ci.Secret[:5]:    "",
		"Basic " + ci.Secret:         "",
		ci.Secret:                    "",
		"Bearer":                     "",
		"":                           "",
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", header)
		name, ok := tokens.Authorize(r)
		if name != want || ok != (want != "") {
			t.Errorf("Authorization %q: %q %v, want %q", header, name, ok, want)
		}
	}
	r, _ := http.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+ci.Secret)
	if _, ok := api.NewTokens(nil).Authorize(r); ok || !api.NewTokens(nil).Empty() {
		t.Error("no tokens configured, yet a request was authorized")
	}
}

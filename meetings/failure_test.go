package meetings

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/blocks"
	"github.com/warroom-dev/warroom/zoom"
)

func TestCallProblemsArePlainAndSecretFree(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&zoom.RateLimitError{Type: zoom.RateLimitDaily}, "today's limit"},
		{&zoom.RateLimitError{Type: zoom.RateLimitQPS}, "rate limiting"},
		{&oauth2.RetrieveError{ErrorCode: "invalid_client", Response: &http.Response{StatusCode: 401}}, "could not sign in to Zoom (invalid_client)"},
		{&zoom.Error{Status: 401, Code: 124, Message: "Invalid access token."}, "rejected warroom's access token"},
		{&zoom.Error{Status: 404, Code: 1001, Message: "User does not exist: x."}, "does not exist"},
		{&zoom.Error{Status: 400, Code: 3161, Message: "Meeting hosting is not allowed."}, "not allowed to host"},
		{&zoom.Error{Status: 503, Code: 503}, "HTTP 503"},
		{context.DeadlineExceeded, "did not answer in time"},
		{warroom.Errorf(warroom.EINVALID, "no Zoom account is connected"), "no Zoom account is connected"},
		{&HostError{Host: "oauth:u1", Problem: warroom.CallProblem{Code: warroom.ProblemHostReconnect}, Err: errors.New("refresh")}, "must be reconnected"},
		{errors.New("xoxb-secret-token leaked?"), "unexpected error"},
	} {
		got := blocks.CallProblem(Diagnose(tc.err))
		if !strings.Contains(got, tc.want) {
			t.Errorf("CallProblem(Diagnose(%v)) = %q, want it to say %q", tc.err, got, tc.want)
		}
		if strings.Contains(got, "xoxb") {
			t.Errorf("reason leaks the error text: %q", got)
		}
	}
}

func TestHostFailuresAreTheHostsOwn(t *testing.T) {
	for _, tc := range []struct {
		err  error
		host bool
	}{
		{&zoom.Error{Status: 404, Code: 1001}, true},
		{&zoom.Error{Status: 400, Code: 3161}, true},
		{&zoom.RateLimitError{Type: zoom.RateLimitDaily}, true},
		{&HostError{Host: "h"}, true},
		{&zoom.RateLimitError{Type: zoom.RateLimitQPS}, false},
		{&zoom.Error{Status: 503}, false},
		{&zoom.Error{Status: 400, Code: 300}, false},
		{context.DeadlineExceeded, false},
	} {
		if _, got := hostFailure("h", tc.err); got != tc.host {
			t.Errorf("hostFailure(%v) = %v, want %v", tc.err, got, tc.host)
		}
	}
}

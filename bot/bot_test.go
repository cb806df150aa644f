package bot

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/zoom"
)

func TestCallFailureReasonsArePlainAndSecretFree(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&zoom.RateLimitError{Type: zoom.RateLimitDaily}, "today's limit"},
		{&zoom.RateLimitError{Type: zoom.RateLimitQPS}, "rate limiting"},
		{&oauth2.RetrieveError{ErrorCode: "invalid_client", Response: &http.Response{StatusCode: 401}}, "could not sign in to Zoom (invalid_client)"},
		{&zoom.Error{Status: 401, Code: 124, Message: "Invalid access token."}, "rejected warroom's access token"},
		{&zoom.Error{Status: 404, Code: 1001, Message: "User does not exist: x."}, "does not exist"},
		{&zoom.Error{Status: 503, Code: 503}, "HTTP 503"},
		{context.DeadlineExceeded, "did not answer in time"},
		{warroom.Errorf(warroom.EINVALID, "no Zoom account is connected"), "no Zoom account is connected"},
		{errors.New("xoxb-secret-token leaked?"), "unexpected error"},
	} {
		got := callFailureReason(tc.err)
		if !strings.Contains(got, tc.want) {
			t.Errorf("callFailureReason(%v) = %q, want it to say %q", tc.err, got, tc.want)
		}
		if strings.Contains(got, "xoxb") {
			t.Errorf("reason leaks the error text: %q", got)
		}
	}
}

func TestTitleFromChannel(t *testing.T) {
	for in, want := range map[string]string{
		"20261123-db-is-slow": "db is slow",
		"db_is_slow":          "db is slow",
		"2026":                "2026",
		"":                    "Incident",
		"20261123-":           "20261123",
	} {
		if got := titleFromChannel(in); got != want {
			t.Errorf("titleFromChannel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBackoffAndPollDelayAreBounded(t *testing.T) {
	b := &Bot{cfg: Config{RetryBase: time.Second, RetryMax: time.Minute}}
	for attempts := 1; attempts < 40; attempts++ {
		d := b.backoff(attempts)
		if d < 900*time.Millisecond || d > 66*time.Second {
			t.Fatalf("backoff(%d) = %s, outside [0.9s, 66s]", attempts, d)
		}
	}
	if d := b.backoff(1); d > 1100*time.Millisecond {
		t.Errorf("first backoff %s", d)
	}
	if pollDelay(1) != time.Minute || pollDelay(30) != time.Hour {
		t.Errorf("poll delays %s … %s, want 1m … 1h", pollDelay(1), pollDelay(30))
	}
}

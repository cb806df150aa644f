// Package slackapi is warroom's one Slack Web API adapter: every call to
// Slack goes through it, the doctor's included. It wraps slack-go with what
// warroom needs on top: errors that say Slack's error code and when a rate
// limit ends, posting a message exactly once by the block_id that tags it,
// finding a channel or message again after an answer was lost, and a small
// cache of people's names.
package slackapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Config says how to reach Slack.
type Config struct {
	BotToken string // xoxb-…
	AppToken string // xapp-…, for Socket Mode
	APIURL   string // ends with "/"
	HTTP     *http.Client
	// NoPacing leaves calls unpaced: for a Slack that limits nothing (the
	// simulated one of the benchmarks). Slack itself needs the pacer.
	NoPacing bool
}

// Client calls Slack's Web API. It is safe for concurrent use.
type Client struct {
	cfg Config
	api *slack.Client

	mu    sync.Mutex
	users map[string]User
}

// New returns a Client. Only 429s are retried inside slack-go (Slack did
// not act on a rate-limited request, so a retry cannot duplicate
// anything); other failures go back to the caller, whose steps know how
// to check before repeating.
func New(cfg Config) *Client {
	if cfg.HTTP == nil {
		cfg.HTTP = http.DefaultClient
	}
	if !cfg.NoPacing {
		paced := *cfg.HTTP
		paced.Transport = newPacer(cfg.HTTP.Transport)
		cfg.HTTP = &paced
	}
	api := slack.New(cfg.BotToken,
		slack.OptionAppLevelToken(cfg.AppToken),
		slack.OptionAPIURL(cfg.APIURL),
		slack.OptionHTTPClient(cfg.HTTP),
		slack.OptionRetryConfig(slack.RetryConfig{MaxRetries: 5, RetryAfterDuration: 5 * time.Second, RetryAfterJitter: 500 * time.Millisecond}),
	)
	return &Client{cfg: cfg, api: api, users: map[string]User{}}
}

// SocketMode returns a Socket Mode client on the app token.
func (c *Client) SocketMode(opts ...socketmode.Option) *socketmode.Client {
	return socketmode.New(c.api, opts...)
}

// Error is a Slack answer with ok:false.
type Error struct {
	Method string
	Code   string // Slack's error string: "name_taken", "not_in_channel", …
	err    error
}

func (e *Error) Error() string { return "slack: " + e.Method + ": " + e.Code }
func (e *Error) Unwrap() error { return e.err }

// permanentCodes are Slack's answers that no retry changes: the channel
// is archived or gone, the app lacks a scope until it is reinstalled, a
// policy forbids it, or warroom sent what Slack will never take. A job
// that gets one is given up on at once (and shown), not retried forever.
var permanentCodes = map[string]bool{
	"is_archived": true, "channel_not_found": true, "missing_scope": true, "restricted_action": true,
	"not_allowed_token_type": true, "invalid_blocks": true, "msg_too_long": true, "too_many_attachments": true,
	"ekm_access_denied": true, "team_access_not_granted": true, "method_deprecated": true,
}

// Permanent reports whether retrying cannot help (the job engine asks).
func (e *Error) Permanent() bool { return permanentCodes[e.Code] }

// RateLimitError is a 429 that outlasted slack-go's retries, or a
// refresh the pacer handed back rather than keep waiting for its turn.
type RateLimitError struct {
	Method string
	At     time.Time // when Slack accepts the next call
}

// Paced says the call was never made: a rate limit is the service's
// pace, not a failure (the job engine waits instead of counting it).
func (e *RateLimitError) Paced() bool { return true }

func (e *RateLimitError) Error() string {
	return "slack: " + e.Method + ": rate limited until " + e.At.Format(time.RFC3339)
}

// RetryAt is when to come back (the job engine honours it).
func (e *RateLimitError) RetryAt() time.Time { return e.At }

// wrap turns slack-go's errors into this package's.
func wrap(method string, err error) error {
	if err == nil {
		return nil
	}
	var paced *RateLimitError
	if errors.As(err, &paced) {
		return paced
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return &RateLimitError{Method: method, At: time.Now().Add(rl.RetryAfter)}
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return &Error{Method: method, Code: se.Err, err: err}
	}
	var sep *slack.SlackErrorResponse
	if errors.As(err, &sep) {
		return &Error{Method: method, Code: sep.Err, err: err}
	}
	return fmt.Errorf("slack: %s: %w", method, err)
}

// Code is Slack's error string in err ("name_taken"), "" for nil, or the
// error's text for failures that are not Slack's answer.
func Code(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return strings.TrimSpace(err.Error())
}

// Identity is who the bot is.
type Identity struct {
	UserID, Team, TeamID, BotID, URL string
}

// AuthTest asks Slack who the bot token belongs to.
func (c *Client) AuthTest(ctx context.Context) (Identity, error) {
	r, err := c.api.AuthTestContext(ctx)
	if err != nil {
		return Identity{}, wrap("auth.test", err)
	}
	return Identity{UserID: r.UserID, Team: r.Team, TeamID: r.TeamID, BotID: r.BotID, URL: r.URL}, nil
}

// TokenCheck is what Slack answers about a token, for warroom doctor.
type TokenCheck struct {
	OK     bool
	Error  string // Slack's error code when not OK
	Needed string // with missing_scope
	Identity
	// Scopes are the scopes Slack says the token has (X-OAuth-Scopes); nil
	// when Slack sent no such header.
	Scopes []string
}

// CheckToken calls a Web API method that takes no arguments (auth.test,
// apps.connections.open) with token, and reports Slack's answer and the
// token's scopes.
func (c *Client) CheckToken(ctx context.Context, method, token string) (TokenCheck, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", c.cfg.APIURL+method, strings.NewReader(""))
	if err != nil {
		return TokenCheck{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return TokenCheck{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return TokenCheck{}, fmt.Errorf("Slack answered HTTP %d", resp.StatusCode)
	}
	var a struct {
		OK     bool   `json:"ok"`
		Error  string `json:"error"`
		Needed string `json:"needed"`
		Team   string `json:"team"`
		TeamID string `json:"team_id"`
		UserID string `json:"user_id"`
		BotID  string `json:"bot_id"`
		URL    string `json:"url"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&a); err != nil {
		return TokenCheck{}, fmt.Errorf("Slack's answer could not be read: %w", err)
	}
	tc := TokenCheck{OK: a.OK, Error: a.Error, Needed: a.Needed,
		Identity: Identity{UserID: a.UserID, Team: a.Team, TeamID: a.TeamID, BotID: a.BotID, URL: a.URL}}
	if h, ok := resp.Header["X-Oauth-Scopes"]; ok {
		tc.Scopes = []string{}
		for _, s := range strings.Split(strings.Join(h, ","), ",") {
			if s = strings.TrimSpace(s); s != "" {
				tc.Scopes = append(tc.Scopes, s)
			}
		}
	}
	return tc, nil
}

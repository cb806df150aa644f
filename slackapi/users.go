package slackapi

import (
	"context"
	"time"

	"github.com/slack-go/slack"
)

// User is what warroom reads of a Slack user.
type User struct {
	ID      string
	Name    string // display name, else real name, else handle
	Email   string // needs users:read.email
	TZ      string
	IsAdmin bool
	IsOwner bool
}

// Location is the user's time zone, UTC when Slack does not say.
func (u User) Location() *time.Location {
	if u.TZ == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(u.TZ)
	if err != nil {
		return time.UTC
	}
	return loc
}

// UserInfo reads a user. Names, time zones and emails are cached for the
// life of the process; admin rights never are: they are checked anew on
// every envelope, form and button (see FreshUser).
func (c *Client) UserInfo(ctx context.Context, id string) (User, error) {
	c.mu.Lock()
	u, ok := c.users[id]
	c.mu.Unlock()
	if ok {
		return u, nil
	}
	return c.FreshUser(ctx, id)
}

// FreshUser reads a user from Slack, never from the cache.
func (c *Client) FreshUser(ctx context.Context, id string) (User, error) {
	su, err := c.api.GetUserInfoContext(ctx, id)
	if err != nil {
		return User{}, wrap("users.info", err)
	}
	return c.remember(su), nil
}

// UserByEmail finds the Slack user with an email (users.lookupByEmail,
// which needs users:read.email). No such user is an *Error with Code
// "users_not_found". The answer is not cached by email: a person may
// change theirs, and the callers (the HTTP API) ask rarely.
func (c *Client) UserByEmail(ctx context.Context, email string) (User, error) {
	su, err := c.api.GetUserByEmailContext(ctx, email)
	if err != nil {
		return User{}, wrap("users.lookupByEmail", err)
	}
	return c.remember(su), nil
}

// remember turns Slack's user into ours and caches it by ID.
func (c *Client) remember(su *slack.User) User {
	u := User{ID: su.ID, Name: su.Profile.DisplayName, Email: su.Profile.Email, TZ: su.TZ, IsAdmin: su.IsAdmin, IsOwner: su.IsOwner}
	if u.Name == "" {
		u.Name = su.RealName
	}
	if u.Name == "" {
		u.Name = su.Name
	}
	c.mu.Lock()
	c.users[su.ID] = u
	c.mu.Unlock()
	return u
}

// Name is a person's Slack name, or their ID if Slack will not say.
func (c *Client) Name(ctx context.Context, id string) string {
	if id == "" {
		return ""
	}
	u, err := c.UserInfo(ctx, id)
	if err != nil || u.Name == "" {
		return id
	}
	return u.Name
}

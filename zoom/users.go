package zoom

import (
	"context"
	"fmt"
	"net/url"
)

// User types, as Zoom numbers them.
const (
	UserBasic    = 1
	UserLicensed = 2
)

// User is a Zoom user, e.g. a host of incident meetings.
type User struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	AccountID string `json:"account_id"`
	Timezone  string `json:"timezone"`
	Status    string `json:"status"` // "active", "inactive" or "pending"
	Type      int    `json:"type"`   // UserBasic or UserLicensed
}

// GetUser fetches a user by ID, email or "me".
func (c *Client) GetUser(ctx context.Context, userID string) (*User, error) {
	if userID == "" {
		return nil, fmt.Errorf("zoom: get user: %w", errNoUser)
	}
	var u User
	if err := c.do(ctx, "GET", "/users/"+url.PathEscape(userID), nil, &u); err != nil {
		return nil, fmt.Errorf("zoom: get user %s: %w", userID, err)
	}
	return &u, nil
}

package zoom

import (
	"context"
	"fmt"
	"net/url"
)

// UserSettings are the settings of a user that decide how warroom creates
// meetings for them.
type UserSettings struct {
	// RequirePasscode: new meetings get a passcode (Zoom makes one up if
	// the request has none).
	RequirePasscode bool
	// ConcurrentMeeting is the user's Concurrent Meeting plan: "Basic" (two
	// meetings at a time), "Plus" (up to twenty), "None" (one), or "" when
	// Zoom does not say.
	ConcurrentMeeting string
	// Passcode are the rules a passcode sent with CreateMeeting must meet.
	Passcode PasscodeRules
}

// PasscodeRules are Zoom's meeting passcode requirements
// (meeting_security.meeting_password_requirement); see ValidatePasscode for
// how each is read.
type PasscodeRules struct {
	Length                      int  `json:"length"` // minimum length
	HaveLetter                  bool `json:"have_letter"`
	HaveNumber                  bool `json:"have_number"`
	HaveSpecialCharacter        bool `json:"have_special_character"`
	HaveUpperAndLowerCharacters bool `json:"have_upper_and_lower_characters"`
	OnlyAllowNumeric            bool `json:"only_allow_numeric"`
	// ConsecutiveCharactersLength n (4 to 8) allows runs of at most n-1
	// consecutive characters; 0 means no limit.
	ConsecutiveCharactersLength int  `json:"consecutive_characters_length"`
	WeakEnhanceDetection        bool `json:"weak_enhance_detection"`
}

// GetUserSettings fetches the settings of userID ("me", an email or a user
// ID). Zoom serves the passcode rules separately (?option=meeting_security),
// so this makes two requests.
func (c *Client) GetUserSettings(ctx context.Context, userID string) (*UserSettings, error) {
	if userID == "" {
		return nil, fmt.Errorf("zoom: get user settings: %w", errNoUser)
	}
	path := "/users/" + url.PathEscape(userID) + "/settings"
	var general struct {
		ScheduleMeeting struct {
			RequirePasscode bool `json:"require_password_for_scheduling_new_meetings"`
		} `json:"schedule_meeting"`
		Feature struct {
			ConcurrentMeeting string `json:"concurrent_meeting"`
		} `json:"feature"`
	}
	if err := c.do(ctx, "GET", path, nil, &general); err != nil {
		return nil, fmt.Errorf("zoom: get settings of %s: %w", userID, err)
	}
	var security struct {
		MeetingSecurity struct {
			Passcode PasscodeRules `json:"meeting_password_requirement"`
		} `json:"meeting_security"`
	}
	if err := c.do(ctx, "GET", path+"?option=meeting_security", nil, &security); err != nil {
		return nil, fmt.Errorf("zoom: get meeting security settings of %s: %w", userID, err)
	}
	return &UserSettings{
		RequirePasscode:   general.ScheduleMeeting.RequirePasscode,
		ConcurrentMeeting: general.Feature.ConcurrentMeeting,
		Passcode:          security.MeetingSecurity.Passcode,
	}, nil
}

package warroom

import "time"

// HostMode says how warroom reaches a Zoom host.
type HostMode string

// Host modes.
const (
	// HostS2S is a user of the Server-to-Server app's account, named in
	// ZOOM_HOSTS.
	HostS2S HostMode = "s2s"
	// HostOAuth is an account an admin connected with /incident zoom connect.
	HostOAuth HostMode = "oauth"
)

// HostHealth is what warroom last learned of a host.
type HostHealth string

// Host health.
const (
	HostOK HostHealth = "ok"
	// HostNeedsReconnect: a connected account's refresh token is dead; an
	// admin must connect it again.
	HostNeedsReconnect HostHealth = "needs_reconnect"
	// HostFailing: Zoom refused the host itself (no such user, may not
	// host, deactivated); it is skipped for a while.
	HostFailing HostHealth = "failing"
)

// ZoomDailyCap is Zoom's limit of meeting create and update requests per
// host per UTC day.
const ZoomDailyCap = 100

// ZoomHost is one host of the pool as people may see it: who it is, its
// licence and health, and when its token expires, never the token itself.
type ZoomHost struct {
	Key             string // the pool's name for it: the ZOOM_HOSTS entry, or "oauth:<zoom user id>"
	Mode            HostMode
	Email           string
	ZoomUserID      string
	UserType        int    // 1 Basic, 2 Licensed
	Concurrent      string // Zoom's concurrent_meeting feature: "Basic", "Plus" or "None"
	RequirePasscode bool
	PasscodeRules   string // JSON of the host's passcode rules
	Status          HostHealth
	StatusError     string
	CappedUntil     time.Time // Zoom's daily cap answered; skipped until then
	FailingUntil    time.Time // Zoom refused the host; skipped until then
	ConnectedBy     string    // the Slack admin who connected it
	TokenExpiry     time.Time
	UpdatedAt       time.Time
}

// OAuthHostKey is the pool key of the account connected for a Zoom user.
func OAuthHostKey(zoomUserID string) string { return "oauth:" + zoomUserID }

// Capacity is how many meetings a host may run at once: a Basic user, or a
// Licensed user on Pro, hosts one; Business and above (concurrent meeting
// "Basic" or "Plus") two.
func (h ZoomHost) Capacity() int {
	if h.UserType == 2 && (h.Concurrent == "Basic" || h.Concurrent == "Plus") {
		return 2
	}
	return 1
}

// Licence names the host's licence for people.
func (h ZoomHost) Licence() string {
	switch h.UserType {
	case 1:
		return "Basic"
	case 2:
		return "Licensed"
	}
	return "licence unknown"
}

// HostStatus is a host with how busy it is: one line of /incident zoom status.
type HostStatus struct {
	ZoomHost
	Capacity      int // meetings it may run at once
	Active        int // active incidents whose meeting it hosts
	RequestsToday int // meeting requests counted against Zoom's daily cap
	Usable        bool
}

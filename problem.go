package warroom

// CallProblem says why a Zoom meeting could not be made, in terms the
// pinned message explains (blocks turns it into a sentence).
type CallProblem struct {
	Code   string
	Detail string // Zoom's own message, an HTTP status, an OAuth error code
}

// Call problem codes.
const (
	ProblemNoHost        = "no_host"        // Detail: why no host of the pool can be used
	ProblemHostMissing   = "host_missing"   // the host user does not exist (or is deactivated)
	ProblemHostForbidden = "host_forbidden" // the host user may not host meetings
	ProblemHostReconnect = "host_reconnect" // a connected account must be reconnected
	ProblemDailyCap      = "daily_cap"      // the host reached Zoom's daily cap
	ProblemRateLimited   = "rate_limited"
	ProblemSignIn        = "sign_in"        // the app's credentials were refused
	ProblemTokenRejected = "token_rejected" // Zoom rejected the access token
	ProblemZoomDown      = "zoom_down"      // Detail: the HTTP status
	ProblemRefused       = "refused"        // Detail: Zoom's message
	ProblemTimeout       = "timeout"
	ProblemUnreachable   = "unreachable"
	ProblemUnknown       = "unknown"
)

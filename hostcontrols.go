package warroom

// HostControlsProblem says why the commander cannot have host controls of
// the incident call (be made its alternative host), in terms blocks turns
// into a sentence.
type HostControlsProblem struct {
	Code  string
	Email string // the commander's email, when warroom knows it
	Zoom  string // Zoom's own message, with HostControlsRefused
}

// Host controls problem codes.
const (
	HostControlsNoEmail     = "no_email"     // Slack shows warroom no email address for them
	HostControlsNoLookup    = "no_lookup"    // the host is a connected user account, which cannot look users up
	HostControlsNotLicensed = "not_licensed" // not a licensed, active user of the host's Zoom account
	HostControlsRefused     = "refused"      // Zoom refused them as alternative host
	HostControlsRunning     = "running"      // Zoom does not change the hosts of a meeting that is running
)

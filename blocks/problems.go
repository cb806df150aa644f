package blocks

import "github.com/warroom-dev/warroom"

// CallProblem says in plain words why the meeting is not there yet. It goes
// into the incident message, so it names no token and no internals.
func CallProblem(p warroom.CallProblem) string {
	switch p.Code {
	case warroom.ProblemNoHost:
		return p.Detail
	case warroom.ProblemHostMissing:
		return "the Zoom host user does not exist in the Zoom account"
	case warroom.ProblemHostForbidden:
		return "the Zoom host user is not allowed to host meetings"
	case warroom.ProblemHostReconnect:
		return "the connected Zoom account must be reconnected by an admin (/incident zoom connect)"
	case warroom.ProblemDailyCap:
		return "the Zoom host reached today's limit of meeting requests (100 a day); it resets at midnight UTC"
	case warroom.ProblemRateLimited:
		return "Zoom is rate limiting warroom's requests"
	case warroom.ProblemSignIn:
		return "warroom could not sign in to Zoom (" + p.Detail + "); check ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET"
	case warroom.ProblemTokenRejected:
		return "Zoom rejected warroom's access token"
	case warroom.ProblemZoomDown:
		return "Zoom is having trouble (" + p.Detail + ")"
	case warroom.ProblemRefused:
		return "Zoom refused the request: " + p.Detail
	case warroom.ProblemTimeout:
		return "Zoom did not answer in time"
	case warroom.ProblemUnreachable:
		return "warroom could not reach Zoom"
	}
	return "an unexpected error talking to Zoom"
}

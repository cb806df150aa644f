package meetings

import (
	"context"
	"errors"
	"fmt"
	"net"

	"golang.org/x/oauth2"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/zoom"
)

// HostError is a failure of one host rather than of Zoom or the request:
// the host cannot make meetings now, and another host of the pool can.
type HostError struct {
	Host    string
	Problem warroom.CallProblem
	Err     error
}

func (e *HostError) Error() string { return fmt.Sprintf("zoom host %s: %v", e.Host, e.Err) }
func (e *HostError) Unwrap() error { return e.Err }

// hostFailure says whether err is a refusal of the host itself, and why.
// Zoom answers these the same way every time until someone fixes the
// host: retrying on that host is pointless, another host is not.
func hostFailure(host string, err error) (*HostError, bool) {
	var he *HostError
	if errors.As(err, &he) {
		return he, true
	}
	var ze *zoom.Error
	var rl *zoom.RateLimitError
	switch {
	case errors.As(err, &rl) && rl.Type == zoom.RateLimitDaily:
		return &HostError{Host: host, Problem: warroom.CallProblem{Code: warroom.ProblemDailyCap}, Err: err}, true
	case errors.As(err, &ze) && (ze.Code == 1001 || ze.Code == 1010 || ze.Code == 1120):
		// No such user in the account (a typo in ZOOM_HOSTS, a user since
		// deleted or deactivated).
		return &HostError{Host: host, Problem: warroom.CallProblem{Code: warroom.ProblemHostMissing}, Err: err}, true
	case errors.As(err, &ze) && ze.Code == 3161:
		return &HostError{Host: host, Problem: warroom.CallProblem{Code: warroom.ProblemHostForbidden}, Err: err}, true
	}
	return nil, false
}

// Diagnose says in domain terms why a meeting could not be made. The
// result goes into the pinned message, so it never carries a token.
func Diagnose(err error) warroom.CallProblem {
	var he *HostError
	var rl *zoom.RateLimitError
	var ze *zoom.Error
	var re *oauth2.RetrieveError
	var ne net.Error
	var we *warroom.Error
	switch {
	case errors.As(err, &he):
		return he.Problem
	case errors.As(err, &we):
		return warroom.CallProblem{Code: warroom.ProblemNoHost, Detail: we.Message}
	case errors.As(err, &rl) && rl.Type == zoom.RateLimitDaily:
		return warroom.CallProblem{Code: warroom.ProblemDailyCap}
	case errors.As(err, &rl):
		return warroom.CallProblem{Code: warroom.ProblemRateLimited}
	case errors.As(err, &re):
		detail := re.ErrorCode
		if detail == "" && re.Response != nil {
			detail = fmt.Sprintf("HTTP %d", re.Response.StatusCode)
		}
		return warroom.CallProblem{Code: warroom.ProblemSignIn, Detail: detail}
	case errors.As(err, &ze) && ze.Status == 401:
		return warroom.CallProblem{Code: warroom.ProblemTokenRejected}
	case errors.As(err, &ze) && ze.Status >= 500:
		return warroom.CallProblem{Code: warroom.ProblemZoomDown, Detail: fmt.Sprintf("HTTP %d", ze.Status)}
	case errors.As(err, &ze):
		if p, ok := hostFailure("", err); ok {
			return p.Problem
		}
		return warroom.CallProblem{Code: warroom.ProblemRefused, Detail: ze.Message}
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return warroom.CallProblem{Code: warroom.ProblemTimeout}
	case errors.As(err, &ne):
		return warroom.CallProblem{Code: warroom.ProblemUnreachable}
	}
	return warroom.CallProblem{Code: warroom.ProblemUnknown}
}

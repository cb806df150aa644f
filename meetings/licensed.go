package meetings

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/zoom"
)

// licensedFor is how long an answer about a user's licence is kept: people
// rarely gain or lose a seat, and every incident asks.
const licensedFor = time.Hour

// licences remembers which emails are licensed users of a host's account.
type licences struct {
	mu      sync.Mutex
	answers map[string]licence // by host key + email
}

type licence struct {
	ok    bool
	until time.Time
}

// Licensed reports whether email is a licensed, active user of the Zoom
// account of host, who could then be made an alternative host of its
// meetings. Only a Server-to-Server host can look other users up; for a
// connected user account the answer is false with a reason.
func (p *Pool) Licensed(ctx context.Context, host, email string) (ok bool, why warroom.HostControlsProblem, err error) {
	h, err := p.host(ctx, host)
	if err != nil {
		return false, why, err
	}
	if h.Mode != warroom.HostS2S {
		return false, warroom.HostControlsProblem{Code: warroom.HostControlsNoLookup, Email: email}, nil
	}
	key := host + "\x00" + strings.ToLower(email)
	now := p.cfg.Now()
	p.lic.mu.Lock()
	a, cached := p.lic.answers[key]
	p.lic.mu.Unlock()
	if !cached || now.After(a.until) {
		client, _, err := p.clientFor(*h)
		if err != nil {
			return false, why, err
		}
		u, err := client.GetUser(ctx, email)
		switch {
		case zoom.IsNotFound(err):
			a = licence{false, now.Add(licensedFor)}
		case err != nil:
			return false, why, err
		default:
			a = licence{u.Type == zoom.UserLicensed && u.Status != "inactive", now.Add(licensedFor)}
		}
		p.lic.mu.Lock()
		if p.lic.answers == nil {
			p.lic.answers = map[string]licence{}
		}
		p.lic.answers[key] = a
		p.lic.mu.Unlock()
	}
	if !a.ok {
		return false, warroom.HostControlsProblem{Code: warroom.HostControlsNotLicensed, Email: email}, nil
	}
	return true, why, nil
}

// SetAlternativeHosts sets who may take the host controls of a meeting
// on host (emails, comma-separated; empty: nobody). The update counts
// against the host's daily cap of meeting requests, as Zoom counts it, so
// the pool's view of the cap stays true.
func (p *Pool) SetAlternativeHosts(ctx context.Context, host string, meetingID int64, emails string) error {
	client, _, err := p.Client(ctx, host)
	if err != nil {
		return err
	}
	if _, err := p.store.CountZoomRequest(ctx, host, p.day()); err != nil {
		return err
	}
	return client.SetAlternativeHosts(ctx, meetingID, emails)
}

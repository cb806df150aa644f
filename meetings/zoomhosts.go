package meetings

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom"
)

// hostsFresh is how long the pool's view of its hosts serves before it is
// read again. Reading it (every host with its load and today's requests)
// is most of what choosing a host costs; in a storm a meeting is asked for
// many times a second, and each pick made here counts itself into the
// view. What another replica did meanwhile shows at the next reading:
// the load is a way to spread meetings, not a promise, and a host Zoom
// refuses is set aside at once (and the view read again).
const hostsFresh = time.Second

// hostView is the pool's recent reading of its hosts.
type hostView struct {
	mu    sync.Mutex
	read  time.Time // zero: none, or forgotten
	day   string
	hosts []store.PoolHost
}

// poolHosts returns the hosts with their load and today's requests, read
// at most hostsFresh ago. Picks call it under the pool's choosing lock.
func (p *Pool) poolHosts(ctx context.Context) ([]store.PoolHost, error) {
	v := &p.view
	v.mu.Lock()
	defer v.mu.Unlock()
	day := p.day()
	if !v.read.IsZero() && v.day == day && time.Since(v.read) < hostsFresh {
		return slices.Clone(v.hosts), nil
	}
	hosts, err := p.store.PoolHosts(ctx, day, store.MaxLoad)
	if err != nil {
		return nil, err
	}
	v.hosts, v.read, v.day = hosts, time.Now(), day
	return slices.Clone(hosts), nil
}

// host returns one host from the view while it is fresh, else from the
// store. It never reads the view anew: only a pick does, under the
// pool's choosing lock, so that no pick's count is lost to a reading
// taken before that pick was recorded.
func (p *Pool) host(ctx context.Context, key string) (*warroom.ZoomHost, error) {
	v := &p.view
	v.mu.Lock()
	if !v.read.IsZero() && time.Since(v.read) < hostsFresh {
		for _, h := range v.hosts {
			if h.Key == key {
				v.mu.Unlock()
				return &h.ZoomHost, nil
			}
		}
	}
	v.mu.Unlock()
	return p.store.ZoomHost(ctx, key)
}

// counted adds a meeting recorded on key to the view.
func (p *Pool) counted(key string) {
	v := &p.view
	v.mu.Lock()
	defer v.mu.Unlock()
	for i := range v.hosts {
		if v.hosts[i].Key == key {
			v.hosts[i].Load = min(v.hosts[i].Load+1, store.MaxLoad)
			v.hosts[i].Requests++
		}
	}
}

// reread makes the next use of the view read the hosts again: one of them
// changed (refused, capped, connected, removed, its profile read).
func (p *Pool) reread() {
	v := &p.view
	v.mu.Lock()
	defer v.mu.Unlock()
	v.read = time.Time{}
}

// chooseAndRecord picks the host and records the attempt on it as one
// step, so that meetings asked for at the same moment see each other's
// choice (the load of a host counts the incidents recorded on it) and
// spread over the pool.
func (p *Pool) chooseAndRecord(ctx context.Context, att *Attempt, exclude map[string]bool, record Recorder) (warroom.ZoomHost, error) {
	p.choosing.Lock()
	defer p.choosing.Unlock()
	host, err := p.choose(ctx, att.Host, exclude)
	if err != nil {
		return warroom.ZoomHost{}, err
	}
	att.Host, att.Day = host.Key, p.day()
	if !slices.Contains(att.Tried, host.Key) {
		att.Tried = append(att.Tried, host.Key)
	}
	if err := record(ctx, *att); err != nil {
		return warroom.ZoomHost{}, &recordError{err}
	}
	return host, nil
}

// choose picks the host for the next create: the previous one while it can
// be used (its meeting is being made there), else the pool's pick. Both
// are judged on one reading of the hosts, which the create then uses.
func (p *Pool) choose(ctx context.Context, previous string, exclude map[string]bool) (warroom.ZoomHost, error) {
	hosts, err := p.poolHosts(ctx)
	if err != nil {
		return warroom.ZoomHost{}, err
	}
	if previous != "" && !exclude[previous] {
		for _, h := range hosts {
			if h.Key == previous && p.usable(h.ZoomHost, h.Requests, p.cfg.Now()) {
				p.counted(previous)
				return h.ZoomHost, nil
			}
		}
	}
	host, crowded, err := p.pick(hosts, exclude)
	if err != nil {
		return warroom.ZoomHost{}, err
	}
	p.noteCrowded(host.Key, crowded)
	return host, nil
}

// noteCrowded logs when every host reaches its concurrent-meeting capacity
// and when that ends. It runs under p.choosing.
func (p *Pool) noteCrowded(host string, crowded bool) {
	switch {
	case crowded && !p.crowded:
		p.cfg.Log.Warn().Str("host", host).Msg("every Zoom host is at its concurrent-meeting capacity; sharing the least loaded until one frees up")
	case !crowded && p.crowded:
		p.cfg.Log.Info().Str("host", host).Msg("a Zoom host has free capacity again")
	}
	p.crowded = crowded
}

// Pick chooses the host for a new meeting: one with free capacity, skipping
// the excluded hosts and those at Zoom's daily cap, refused by Zoom or
// needing reconnection. If every usable host is busy, the least loaded one
// is returned with crowded=true (incident meetings allow join-before-host,
// so people still get in; the host only shows as "in another meeting").
func (p *Pool) Pick(ctx context.Context, exclude map[string]bool) (key string, crowded bool, err error) {
	hosts, err := p.poolHosts(ctx)
	if err != nil {
		return "", false, err
	}
	best, crowded, err := p.pick(hosts, exclude)
	if err != nil {
		return "", false, err
	}
	return best.Key, crowded, nil
}

// pick is Pick among hosts already read.
func (p *Pool) pick(hosts []store.PoolHost, exclude map[string]bool) (host warroom.ZoomHost, crowded bool, err error) {
	now := p.cfg.Now()
	var best *store.PoolHost
	bestFree := false
	for i := range hosts {
		h := &hosts[i]
		if exclude[h.Key] || !p.usable(h.ZoomHost, h.Requests, now) {
			continue
		}
		free := h.Load < h.Capacity()
		switch {
		case best == nil,
			free && !bestFree,
			free == bestFree && h.Load < best.Load,
			// Past what is counted, the host with fewer meetings made
			// today: the storm spreads evenly over the pool.
			free == bestFree && h.Load == best.Load && h.Load == store.MaxLoad && h.Requests < best.Requests:
			best, bestFree = h, free
		}
	}
	if best == nil {
		return warroom.ZoomHost{}, false, p.noHostError(hosts, now)
	}
	// The caller makes its meeting there: the next pick counts it.
	p.counted(best.Key)
	return best.ZoomHost, !bestFree, nil
}

func (p *Pool) usable(h warroom.ZoomHost, used int, now time.Time) bool {
	switch {
	case h.Mode == warroom.HostS2S && p.s2s == nil:
		return false
	case h.Status == warroom.HostNeedsReconnect:
		return false
	case used >= DailyCap, h.CappedUntil.After(now):
		return false
	case h.FailingUntil.After(now):
		return false
	}
	return true
}

func (p *Pool) noHostError(hosts []store.PoolHost, now time.Time) error {
	if len(hosts) == 0 {
		return warroom.Errorf(warroom.EINVALID, "no Zoom account is connected; an admin can connect one with /incident zoom connect")
	}
	capped := 0
	for _, h := range hosts {
		if h.Requests >= DailyCap || h.CappedUntil.After(now) {
			capped++
		}
	}
	if capped == len(hosts) {
		return warroom.Errorf(warroom.EINVALID, "every Zoom host reached today's limit of meeting requests (100 a day); it resets at midnight UTC")
	}
	return warroom.Errorf(warroom.EINVALID, "no Zoom host can be used: each was refused by Zoom, must be reconnected or is at today's limit (see /incident zoom status)")
}

// setAside records why a host was refused, so the pool skips it (until the
// daily cap resets, or for FailingFor) and /incident zoom status says so.
func (p *Pool) setAside(ctx context.Context, he *HostError) {
	var err error
	var rl *zoom.RateLimitError
	switch {
	case errors.As(he, &rl):
		err = p.NoteDailyCap(ctx, he.Host, rl.RetryAfter)
	case he.Problem.Code == warroom.ProblemHostReconnect:
		// The account's status says it already.
	default:
		err = p.NoteHostFailure(ctx, he.Host, he.Err.Error())
	}
	if err != nil && warroom.ErrorCode(err) != warroom.ENOTFOUND {
		p.cfg.Log.Error().Err(err).Str("host", he.Host).Msg("zoom: could not record a host's failure")
	}
	p.cfg.Log.Warn().Err(he.Err).Str("host", he.Host).Str("problem", he.Problem.Code).Msg("zoom refused the host; moving the meeting to another host")
}

// NoteDailyCap records that Zoom refused the host until the cap resets.
func (p *Pool) NoteDailyCap(ctx context.Context, key string, until time.Time) error {
	if until.IsZero() {
		d := p.cfg.Now().UTC()
		until = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, time.UTC)
	}
	defer p.reread()
	return p.store.SetCappedUntil(ctx, key, until)
}

// NoteHostFailure records that Zoom refused the host itself; it is
// skipped for FailingFor.
func (p *Pool) NoteHostFailure(ctx context.Context, key, reason string) error {
	defer p.reread()
	return p.store.SetHostFailing(ctx, key, reason, p.cfg.Now().Add(FailingFor))
}

// worked clears a host's failure once it made a meeting again: nearly
// always there was none, which the view tells without a read.
func (p *Pool) worked(ctx context.Context, host string) {
	if h, err := p.host(ctx, host); err == nil && h.Status != warroom.HostFailing {
		return
	}
	if err := p.store.ClearHostFailing(ctx, host); err != nil {
		p.cfg.Log.Warn().Err(err).Str("host", host).Msg("zoom: could not clear a host's failure")
	}
	p.reread()
}

package meetings

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/store"
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

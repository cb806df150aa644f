package api

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter holds one token bucket per API token, so one busy client
// cannot spend the others' share.
type limiter struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

func newLimiter(perMinute, burst int) *limiter {
	return &limiter{every: time.Minute / time.Duration(perMinute), burst: burst, buckets: map[string]*rate.Limiter{}}
}

// allow takes one request from name's bucket, or says how long until the
// bucket has one.
func (l *limiter) allow(name string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	b := l.buckets[name]
	if b == nil {
		b = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.buckets[name] = b
	}
	l.mu.Unlock()
	if b.AllowN(now, 1) {
		return true, 0
	}
	r := b.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now) // a refused request spends nothing
	return false, wait
}

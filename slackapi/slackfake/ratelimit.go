package slackfake

import (
	"math"
	"time"
)

// tierPerMinute is Slack's limit for a tier, in calls per minute per method
// and workspace; 0 for methods outside the tiers.
func tierPerMinute(tier int) float64 {
	switch tier {
	case 1:
		return 1
	case 2:
		return 20
	case 3:
		return 50
	case 4:
		return 100
	}
	return 0
}

// chat.postMessage allows about one message per second per channel, with
// short bursts above that. Slack does not publish the burst; 5 lets a
// workflow post a few messages at once without hiding a flood.
const (
	postMessagePerSecond = 1.0
	postMessageBurst     = 5.0
)

// rateLimiter keeps a token bucket per method (per channel for
// chat.postMessage). A bucket holds a minute's worth of calls, so a burst up
// to the tier's limit passes and anything beyond waits for refill.
type rateLimiter struct {
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// take spends one call from key's bucket, or says how many whole seconds
// until one is available.
func (l *rateLimiter) take(key string, perSecond, burst float64, now time.Time) (retryAfter int) {
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(burst, b.tokens+now.Sub(b.last).Seconds()*perSecond)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return max(1, int(math.Ceil((1-b.tokens)/perSecond)))
}

// SetRateLimits turns Slack's rate limits on or off (off by default).
// Limited calls answer HTTP 429 with Retry-After in seconds and
// {"ok":false,"error":"ratelimited"}. Turning them on starts full buckets.
func (s *Server) SetRateLimits(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on {
		s.limits = &rateLimiter{buckets: map[string]*bucket{}}
	} else {
		s.limits = nil
	}
}

// rateLimit returns the Retry-After seconds if this call is over the limit,
// 0 if it may proceed. It uses the real clock: the client sleeps in real
// time before retrying. s.mu is held.
func (s *Server) rateLimit(method string, tier int, p params) int {
	if s.limits == nil {
		return 0
	}
	now := time.Now()
	if method == "chat.postMessage" {
		return s.limits.take(method+" "+p.get("channel"), postMessagePerSecond, postMessageBurst, now)
	}
	perMinute := tierPerMinute(tier)
	if perMinute == 0 {
		return 0
	}
	return s.limits.take(method, perMinute/60, perMinute, now)
}

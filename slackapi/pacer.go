package slackapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Slack limits each Web API method per workspace and app by tier: Tier 2
// about 20 calls a minute, Tier 3 about 50, Tier 4 about 100;
// chat.postMessage about one a second per channel. The pacer holds
// warroom's calls to them, so a busy hour — live call state on every
// pinned message, Home tabs, canvases — is paced here instead of turning
// into a storm of 429s, and every Retry-After Slack sends is waited out
// before the method is called again.
//
// Calls marked as refreshes (WithRefresh: bringing a view up to date
// with a state that is already shown, or soon will be) never wait long
// for their turn: they fail with a *RateLimitError saying when to come
// back, and the job that made them runs again then with the newest state.
// A declare's calls wait their turn, so they go first.
var methodTiers = map[string]int{
	"conversations.create": 2, "conversations.list": 2, "conversations.setTopic": 2, "conversations.setPurpose": 2,
	"conversations.archive": 2, "conversations.unarchive": 2, "pins.add": 2, "pins.remove": 2, "pins.list": 2,
	"bookmarks.add": 2, "bookmarks.remove": 2, "conversations.canvases.create": 2,

	"conversations.invite": 3, "conversations.join": 3, "conversations.info": 3, "conversations.history": 3,
	"conversations.replies": 3, "chat.update": 3, "chat.delete": 3, "bookmarks.list": 3, "users.lookupByEmail": 3,
	"calls.add": 3, "calls.end": 3, "calls.info": 3, "calls.update": 3, "calls.participants.add": 3,
	"calls.participants.remove": 3, "canvases.edit": 3, "canvases.sections.lookup": 3,
	"functions.completeSuccess": 3, "functions.completeError": 3,

	"users.info": 4, "conversations.members": 4, "chat.postEphemeral": 4, "chat.getPermalink": 4,
	"views.open": 4, "views.update": 4, "views.publish": 4, "auth.test": 4,
}

// tierPerMinute is a tier's calls a minute.
func tierPerMinute(tier int) float64 {
	return map[int]float64{1: 1, 2: 20, 3: 50, 4: 100}[tier]
}

// Per channel, chat.postMessage allows about one a second, with short
// bursts.
const (
	postPerSecond = 1.0
	postBurst     = 4.0
)

// refreshWait is the longest a refresh waits for its turn before it is
// handed back to run later; maxWait the longest any call waits. Beyond
// it the call is handed back too (its job runs again when the turn
// comes): a wait inside the HTTP client would count against its timeout
// and hold a worker that other incidents need.
const (
	refreshWait = time.Second
	maxWait     = 5 * time.Second
)

type refreshKey struct{}

// WithRefresh marks ctx's Slack calls as refreshes (see the pacer).
func WithRefresh(ctx context.Context) context.Context {
	return context.WithValue(ctx, refreshKey{}, true)
}

func isRefresh(ctx context.Context) bool { b, _ := ctx.Value(refreshKey{}).(bool); return b }

// pacer is the Web API's HTTP transport.
type pacer struct {
	next http.RoundTripper
	now  func() time.Time

	mu      sync.Mutex
	buckets map[string]*tokens   // by method, or "chat.postMessage <channel>"
	blocked map[string]time.Time // a method Slack answered 429: until when
}

type tokens struct {
	left float64
	last time.Time
}

func newPacer(next http.RoundTripper) *pacer {
	if next == nil {
		next = http.DefaultTransport
	}
	return &pacer{next: next, now: time.Now, buckets: map[string]*tokens{}, blocked: map[string]time.Time{}}
}

// RoundTrip waits for the method's turn, makes the call, and notes a 429's
// Retry-After for the calls after it.
func (p *pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	method := path.Base(req.URL.Path)
	key := method
	if method == "chat.postMessage" {
		key += " " + channelOf(req)
	}
	if err := p.wait(req.Context(), method, key); err != nil {
		return nil, err
	}
	resp, err := p.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		p.mu.Lock()
		p.blocked[method] = p.now().Add(time.Duration(max(secs, 1)) * time.Second)
		p.mu.Unlock()
	}
	return resp, err
}

// wait blocks until method may be called, or, for a refresh whose turn
// is further than refreshWait away, says when to come back.
func (p *pacer) wait(ctx context.Context, method, key string) error {
	for {
		d := p.take(method, key)
		if d <= 0 {
			return nil
		}
		if d > maxWait || isRefresh(ctx) && d > refreshWait {
			return &RateLimitError{Method: method, At: p.now().Add(d)}
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// take spends one call of key's allowance, or says how long until one is
// there. Methods outside the tiers are not paced.
func (p *pacer) take(method, key string) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if until := p.blocked[method]; now.Before(until) {
		return until.Sub(now)
	}
	perSecond, burst := postPerSecond, postBurst
	if method != "chat.postMessage" {
		perMinute := tierPerMinute(methodTiers[method])
		if perMinute == 0 {
			return 0
		}
		// A bucket holds a minute's worth: a burst up to the tier passes
		// at once, as Slack tolerates, and the rest is spread out.
		perSecond, burst = perMinute/60, perMinute
	}
	b := p.buckets[key]
	if b == nil {
		b = &tokens{left: burst, last: now}
		p.buckets[key] = b
	}
	b.left = min(burst, b.left+now.Sub(b.last).Seconds()*perSecond)
	b.last = now
	if b.left >= 1 {
		b.left--
		return 0
	}
	return time.Duration(math.Ceil((1-b.left)/perSecond*1000)) * time.Millisecond
}

// channelOf reads the channel a chat.postMessage is for, from a form or a
// JSON body, leaving the body as it was.
func channelOf(req *http.Request) string {
	if req.Body == nil {
		return ""
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return ""
	}
	if strings.HasPrefix(req.Header.Get("Content-Type"), "application/json") {
		var v struct {
			Channel string `json:"channel"`
		}
		_ = json.Unmarshal(body, &v)
		return v.Channel
	}
	form, _ := url.ParseQuery(string(body))
	return form.Get("channel")
}

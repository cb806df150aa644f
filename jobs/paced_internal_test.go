package jobs

import (
	"errors"
	"testing"
	"time"
)

type pacedErr struct{ at time.Time }

func (e pacedErr) Error() string      { return "rate limited" }
func (e pacedErr) Paced() bool        { return true }
func (e pacedErr) RetryAt() time.Time { return e.at }

// A run held back only by rate limits waits for the latest of them; one
// with any other error is a failure.
func TestPacedUntil(t *testing.T) {
	t1, t2 := time.Unix(100, 0), time.Unix(200, 0)
	if at, ok := pacedUntil(errors.Join(pacedErr{t1}, pacedErr{t2})); !ok || !at.Equal(t2) {
		t.Errorf("two rate limits: %v %v, want paced until the later", at, ok)
	}
	if _, ok := pacedUntil(errors.Join(pacedErr{t1}, errors.New("channel_not_found"))); ok {
		t.Error("a rate limit beside a real failure counted as paced")
	}
	if _, ok := pacedUntil(errors.New("boom")); ok {
		t.Error("a plain error counted as paced")
	}
	if at, ok := pacedUntil(errors.Join(errors.Join(pacedErr{t1}), pacedErr{t1})); !ok || !at.Equal(t1) {
		t.Errorf("nested joins of rate limits: %v %v", at, ok)
	}
}

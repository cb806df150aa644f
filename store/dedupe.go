package store

import (
	"context"
	"fmt"
	"time"
)

// SeenEvent records a Slack event ID and reports whether it was handled
// before (a redelivery).
func (s *Store) SeenEvent(ctx context.Context, eventID string) (bool, error) {
	res, err := s.q.ExecContext(ctx, `INSERT INTO events_seen (event_id, seen_at) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING`,
		eventID, ms(s.now()))
	if err != nil {
		return false, fmt.Errorf("store: event %s: %w", eventID, err)
	}
	n, _ := res.RowsAffected()
	return n == 0, nil
}

// ForgetEvent undoes SeenEvent for an event that could not be handled, so
// its next delivery is handled rather than taken for a duplicate.
func (s *Store) ForgetEvent(ctx context.Context, eventID string) error {
	if _, err := s.q.ExecContext(ctx, `DELETE FROM events_seen WHERE event_id = ?`, eventID); err != nil {
		return fmt.Errorf("store: event %s: %w", eventID, err)
	}
	return nil
}

// SeenWebhook records the digest of a webhook (of what Zoom signed: its
// timestamp and body) and reports whether it had been seen already: a
// replay, or Zoom retrying. Digests older than keep are forgotten: the
// timestamp check refuses those anyway.
func (s *Store) SeenWebhook(ctx context.Context, digest string, keep time.Duration) (bool, error) {
	now := ms(s.now())
	if _, err := s.q.ExecContext(ctx, `DELETE FROM webhook_seen WHERE seen_at < ?`, now-keep.Milliseconds()); err != nil {
		return false, fmt.Errorf("store: webhook replay check: %w", err)
	}
	res, err := s.q.ExecContext(ctx, `INSERT INTO webhook_seen (digest, seen_at) VALUES (?, ?) ON CONFLICT (digest) DO NOTHING`, digest, now)
	if err != nil {
		return false, fmt.Errorf("store: webhook replay check: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 0, nil
}

// ForgetWebhook drops a digest recorded by SeenWebhook, when the webhook
// could not be handled: Zoom's retry of it must not pass for a replay.
func (s *Store) ForgetWebhook(ctx context.Context, digest string) error {
	if _, err := s.q.ExecContext(ctx, `DELETE FROM webhook_seen WHERE digest = ?`, digest); err != nil {
		return fmt.Errorf("store: webhook replay check: %w", err)
	}
	return nil
}

package store

import (
	"context"
	"fmt"
	"time"

	"github.com/warroom-dev/warroom"
)

// HomeViewer is someone who opened warroom's App Home, and what was last
// published to them.
type HomeViewer struct {
	UserID        string
	OpenedAt      time.Time
	PublishNow    bool
	PublishedFP   string
	PublishedHash string
	PublishedAt   time.Time
}

// HomeOpened records that user opened the App Home: their Home is
// published at once and kept current for a while.
func (s *Store) HomeOpened(ctx context.Context, userID string) error {
	err := s.inTx(ctx, "home opened", func(q txn) error {
		_, err := q.ExecContext(ctx, `INSERT INTO home_viewers (user_id, opened_at, publish_now) VALUES (?, ?, 1)
			ON CONFLICT (user_id) DO UPDATE SET opened_at = excluded.opened_at, publish_now = 1`, userID, ms(q.now))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: home opened: %w", err)
	}
	return nil
}

// HomeViewers lists the people who opened the App Home since since.
func (s *Store) HomeViewers(ctx context.Context, since time.Time) ([]HomeViewer, error) {
	vs, err := collect(ctx, s.q, func(row scanner) (HomeViewer, error) {
		var v HomeViewer
		var opened, published int64
		err := row.Scan(&v.UserID, &opened, intBool{&v.PublishNow}, &v.PublishedFP, &v.PublishedHash, &published)
		v.OpenedAt, v.PublishedAt = fromMS(opened), fromMS(published)
		return v, err
	}, `SELECT user_id, opened_at, publish_now, published_fp, published_hash, published_at FROM home_viewers
		WHERE opened_at >= ? ORDER BY opened_at`, ms(since))
	if err != nil {
		return nil, fmt.Errorf("store: home viewers: %w", err)
	}
	return vs, nil
}

// HomePublished records what was published to a viewer. A viewer who
// opened the Home again meanwhile keeps publish_now: they get the
// freshest view.
func (s *Store) HomePublished(ctx context.Context, userID string, openedAt time.Time, fp, hash string) error {
	err := s.inTx(ctx, "home published", func(q txn) error {
		_, err := q.ExecContext(ctx, `UPDATE home_viewers SET published_fp = ?, published_hash = ?, published_at = ?,
			publish_now = CASE WHEN opened_at = ? THEN 0 ELSE publish_now END WHERE user_id = ?`,
			fp, hash, ms(q.now), ms(openedAt), userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: home published: %w", err)
	}
	return nil
}

// RecentlyResolved lists the n incidents resolved last, newest first.
func (s *Store) RecentlyResolved(ctx context.Context, n int) ([]*Record, error) {
	recs, err := collect(ctx, s.q, scanIncident, `SELECT `+incidentColumns+` FROM incidents WHERE status = ?
		ORDER BY resolved_at DESC, id DESC LIMIT ?`, string(warroom.StatusResolved), n)
	if err != nil {
		return nil, fmt.Errorf("store: recently resolved: %w", err)
	}
	return recs, nil
}

package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/warroom-dev/warroom"
)

// MeetingDefaults returns the admin-chosen meeting settings, or the
// defaults if none were saved.
func (s *Store) MeetingDefaults(ctx context.Context) (warroom.MeetingDefaults, error) {
	d := warroom.DefaultMeetingDefaults()
	var raw string
	err := s.q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'meeting_defaults'`).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("store: meeting defaults: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return warroom.DefaultMeetingDefaults(), fmt.Errorf("store: meeting defaults: %w", err)
	}
	return d, nil
}

// SetMeetingDefaults saves the meeting settings for the next meetings.
func (s *Store) SetMeetingDefaults(ctx context.Context, d warroom.MeetingDefaults) error {
	raw, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("store: meeting defaults: %w", err)
	}
	_, err = s.q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('meeting_defaults', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, string(raw))
	if err != nil {
		return fmt.Errorf("store: meeting defaults: %w", err)
	}
	return nil
}

// InstallID is a random identifier made the first time it is asked for and
// kept forever. warroom tags the Zoom meetings it makes with it, so that a
// meeting found at Zoom during recovery is known to be this installation's.
func (s *Store) InstallID(ctx context.Context) (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("store: install id: %w", err)
	}
	// The first to ask makes it; replicas asking at once all read the one
	// that was kept.
	if _, err := s.q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('install_id', ?)
		ON CONFLICT (key) DO NOTHING`, hex.EncodeToString(b)); err != nil {
		return "", fmt.Errorf("store: install id: %w", err)
	}
	var id string
	if err := s.q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'install_id'`).Scan(&id); err != nil {
		return "", fmt.Errorf("store: install id: %w", err)
	}
	return id, nil
}

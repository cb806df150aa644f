package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/warroom-dev/warroom"
)

// CreateOAuthState records a one-time OAuth state (by its hash) issued to
// a Slack admin, valid for ttl.
func (s *Store) CreateOAuthState(ctx context.Context, stateHash, slackUser string, ttl time.Duration) error {
	now := s.now()
	_, err := s.db.ExecContext(ctx, `INSERT INTO oauth_states (state_hash, slack_user, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		stateHash, slackUser, ms(now), ms(now.Add(ttl)))
	if err != nil {
		return fmt.Errorf("store: oauth state: %w", err)
	}
	return nil
}

// usableState checks a state exists, is unused and unexpired. Each refusal
// is an *warroom.Error whose message suits the page a person sees.
func (s *Store) usableState(ctx context.Context, q queryer, stateHash string) (slackUser string, verifier []byte, err error) {
	var expires int64
	var used sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT slack_user, verifier, expires_at, used_at FROM oauth_states WHERE state_hash = ?`, stateHash).
		Scan(&slackUser, &verifier, &expires, &used)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil, warroom.Errorf(warroom.ENOTFOUND, "This link was not issued by warroom. Ask for a new one with /incident zoom connect.")
	case err != nil:
		return "", nil, fmt.Errorf("store: oauth state: %w", err)
	case used.Valid:
		return "", nil, warroom.Errorf(warroom.ECONFLICT, "This link has already been used. Ask for a new one with /incident zoom connect.")
	case ms(s.now()) >= expires:
		return "", nil, warroom.Errorf(warroom.EINVALID, "This link has expired. Ask for a new one with /incident zoom connect.")
	}
	return slackUser, verifier, nil
}

// StartOAuthState checks a state for /zoom/connect and keeps the PKCE
// verifier made for it (sealed). It returns the admin it was issued to.
func (s *Store) StartOAuthState(ctx context.Context, stateHash, verifier string) (string, error) {
	sealed, err := s.cipher.seal("pkce_verifier", verifier)
	if err != nil {
		return "", err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("store: oauth state: %w", err)
	}
	defer tx.Rollback()
	user, _, err := s.usableState(ctx, tx, stateHash)
	if err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE oauth_states SET verifier = ? WHERE state_hash = ?`, sealed, stateHash); err != nil {
		return "", fmt.Errorf("store: oauth state: %w", err)
	}
	return user, tx.Commit()
}

// ConsumeOAuthState uses a state up (it works once) and returns the admin
// and the PKCE verifier.
func (s *Store) ConsumeOAuthState(ctx context.Context, stateHash string) (slackUser, verifier string, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", "", fmt.Errorf("store: oauth state: %w", err)
	}
	defer tx.Rollback()
	user, sealed, err := s.usableState(ctx, tx, stateHash)
	if err != nil {
		return "", "", err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE oauth_states SET used_at = ? WHERE state_hash = ?`, ms(s.now()), stateHash); err != nil {
		return "", "", fmt.Errorf("store: oauth state: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return "", "", fmt.Errorf("store: oauth state: %w", err)
	}
	if len(sealed) == 0 {
		return "", "", warroom.Errorf(warroom.EINVALID, "This sign-in did not start from warroom's Connect Zoom link. Ask for a new one with /incident zoom connect.")
	}
	v, err := s.cipher.open("pkce_verifier", sealed)
	return user, v, err
}

// SeenWebhook records a webhook signature and reports whether it had been
// seen already (a replay). Signatures older than keep are forgotten: the
// timestamp check refuses those anyway.
func (s *Store) SeenWebhook(ctx context.Context, signature string, keep time.Duration) (bool, error) {
	now := ms(s.now())
	if _, err := s.db.ExecContext(ctx, `DELETE FROM webhook_seen WHERE seen_at < ?`, now-keep.Milliseconds()); err != nil {
		return false, fmt.Errorf("store: webhook replay check: %w", err)
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO webhook_seen (signature, seen_at) VALUES (?, ?) ON CONFLICT (signature) DO NOTHING`, signature, now)
	if err != nil {
		return false, fmt.Errorf("store: webhook replay check: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 0, nil
}

package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/warroom-dev/warroom"
)

// HashState is how a state (or a browser's binding cookie) is kept: a
// leaked database cannot be used to complete someone's connection.
func HashState(state string) string {
	sum := sha256.Sum256([]byte(state))
	return hex.EncodeToString(sum[:])
}

// CreateOAuthState records a one-time OAuth state (by its hash) issued to
// a Slack admin, valid for ttl.
func (s *Store) CreateOAuthState(ctx context.Context, stateHash, slackUser string, ttl time.Duration) error {
	now := s.now()
	_, err := s.q.ExecContext(ctx, `INSERT INTO oauth_states (state_hash, slack_user, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		stateHash, slackUser, ms(now), ms(now.Add(ttl)))
	if err != nil {
		return fmt.Errorf("store: oauth state: %w", err)
	}
	return nil
}

// usableState checks a state exists, is unused and unexpired. Each refusal
// is an *warroom.Error whose message suits the page a person sees.
func (s *Store) usableState(ctx context.Context, q txn, stateHash string) (slackUser string, verifier []byte, browser string, err error) {
	var expires int64
	var used sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT slack_user, verifier, expires_at, used_at, browser_hash FROM oauth_states WHERE state_hash = ?`, stateHash).
		Scan(&slackUser, &verifier, &expires, &used, &browser)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil, "", warroom.Errorf(warroom.ENOTFOUND, "This link was not issued by warroom. Ask for a new one with /incident zoom connect.")
	case err != nil:
		return "", nil, "", fmt.Errorf("store: oauth state: %w", err)
	case used.Valid:
		return "", nil, "", warroom.Errorf(warroom.ECONFLICT, "This link has already been used. Ask for a new one with /incident zoom connect.")
	case ms(q.now) >= expires:
		return "", nil, "", warroom.Errorf(warroom.EINVALID, "This link has expired. Ask for a new one with /incident zoom connect.")
	}
	return slackUser, verifier, browser, nil
}

// errOtherBrowser refuses a link used in a browser other than the one
// that first opened it: whoever else saw the link cannot connect through it.
var errOtherBrowser = warroom.Errorf(warroom.EINVALID, "This link was opened in another browser. For your safety it only works in the browser that opened it first; ask for a new one with /incident zoom connect.")

// StartOAuthState checks a state for /zoom/connect, binds it to the
// browser that opened it (by a hash of that browser's cookie; a state
// already bound to another browser is refused) and keeps the PKCE verifier
// made for it (sealed). It returns the admin it was issued to.
func (s *Store) StartOAuthState(ctx context.Context, stateHash, verifier, browserHash string) (string, error) {
	sealed, err := s.cipher.seal("pkce_verifier", verifier)
	if err != nil {
		return "", err
	}
	var user string
	err = s.inTx(ctx, "oauth state", func(q txn) error {
		var bound string
		var err error
		if user, _, bound, err = s.usableState(ctx, q, stateHash); err != nil {
			return err
		}
		if bound != "" && bound != browserHash {
			return errOtherBrowser
		}
		if _, err := q.ExecContext(ctx, `UPDATE oauth_states SET verifier = ?, browser_hash = ? WHERE state_hash = ?`,
			sealed, browserHash, stateHash); err != nil {
			return fmt.Errorf("store: oauth state: %w", err)
		}
		return nil
	})
	return user, err
}

// ConsumeOAuthState uses a state up (it works once) and returns the admin
// and the PKCE verifier. The browser must be the one that opened the link;
// a callback from another browser is refused and uses nothing up.
func (s *Store) ConsumeOAuthState(ctx context.Context, stateHash, browserHash string) (slackUser, verifier string, err error) {
	var sealed []byte
	err = s.inTx(ctx, "oauth state", func(q txn) error {
		var bound string
		var err error
		if slackUser, sealed, bound, err = s.usableState(ctx, q, stateHash); err != nil {
			return err
		}
		if bound == "" || bound != browserHash {
			if len(sealed) == 0 {
				return nil // never opened from warroom's link: said below
			}
			return errOtherBrowser
		}
		if _, err := q.ExecContext(ctx, `UPDATE oauth_states SET used_at = ? WHERE state_hash = ?`, ms(q.now), stateHash); err != nil {
			return fmt.Errorf("store: oauth state: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", "", err
	}
	if len(sealed) == 0 {
		return "", "", warroom.Errorf(warroom.EINVALID, "This sign-in did not start from warroom's Connect Zoom link. Ask for a new one with /incident zoom connect.")
	}
	v, err := s.cipher.open("pkce_verifier", sealed)
	return slackUser, v, err
}

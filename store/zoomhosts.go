package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/warroom-dev/warroom"
)

// ZoomTokens are a user-managed OAuth account's tokens, in the clear.
type ZoomTokens struct {
	Access  string
	Refresh string
	Expiry  time.Time
}

// EnsureS2SHost adds a Server-to-Server host (a ZOOM_HOSTS entry) to the
// pool if it is not there yet; position is its place in ZOOM_HOSTS, the
// order in which equally free hosts are chosen.
func (s *Store) EnsureS2SHost(ctx context.Context, key string, position int) error {
	now := ms(s.now())
	_, err := s.q.ExecContext(ctx, `INSERT INTO zoom_hosts (key, mode, email, position, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET position = excluded.position`,
		key, string(warroom.HostS2S), key, position, now, now)
	if err != nil {
		return fmt.Errorf("store: add zoom host %s: %w", key, err)
	}
	return nil
}

// SetHostProfile records what Zoom says of a host: who it is, its licence
// and its passcode rules.
func (s *Store) SetHostProfile(ctx context.Context, h warroom.ZoomHost) error {
	res, err := s.q.ExecContext(ctx, `UPDATE zoom_hosts SET email = ?, zoom_user_id = ?, user_type = ?, concurrent = ?,
		require_passcode = ?, passcode_rules = ?, updated_at = ? WHERE key = ?`,
		h.Email, h.ZoomUserID, h.UserType, h.Concurrent, boolInt(h.RequirePasscode), nonEmpty(h.PasscodeRules, "{}"), ms(s.now()), h.Key)
	if err != nil {
		return fmt.Errorf("store: zoom host %s: %w", h.Key, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return warroom.Errorf(warroom.ENOTFOUND, "Zoom host %s is not in the pool.", h.Key)
	}
	return nil
}

// SaveOAuthAccount stores a newly connected account and its tokens
// (replacing an earlier connection of the same Zoom user) and returns its
// key. The tokens are sealed; without a cipher nothing is stored.
func (s *Store) SaveOAuthAccount(ctx context.Context, h warroom.ZoomHost, tok ZoomTokens) (string, error) {
	access, err := s.cipher.seal("access_token", tok.Access)
	if err != nil {
		return "", err
	}
	refresh, err := s.cipher.seal("refresh_token", tok.Refresh)
	if err != nil {
		return "", err
	}
	key := warroom.OAuthHostKey(h.ZoomUserID)
	now := ms(s.now())
	_, err = s.q.ExecContext(ctx, `INSERT INTO zoom_hosts (key, mode, email, zoom_user_id, user_type, concurrent,
			require_passcode, passcode_rules, access_token, refresh_token, expires_at, status, connected_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET email = excluded.email, user_type = excluded.user_type,
			concurrent = excluded.concurrent, require_passcode = excluded.require_passcode,
			passcode_rules = excluded.passcode_rules, access_token = excluded.access_token,
			refresh_token = excluded.refresh_token, expires_at = excluded.expires_at, refreshing = 0,
			status = excluded.status, status_error = '', failing_until = 0, connected_by = excluded.connected_by, updated_at = excluded.updated_at`,
		key, string(warroom.HostOAuth), h.Email, h.ZoomUserID, h.UserType, h.Concurrent, boolInt(h.RequirePasscode),
		nonEmpty(h.PasscodeRules, "{}"), access, refresh, ms(tok.Expiry), string(warroom.HostOK), h.ConnectedBy, now, now)
	if err != nil {
		return "", fmt.Errorf("store: save zoom account %s: %w", h.Email, err)
	}
	return key, nil
}

const hostColumns = `key, mode, email, zoom_user_id, user_type, concurrent, require_passcode, passcode_rules,
	status, status_error, capped_until, failing_until, connected_by, expires_at, updated_at`

// scanHost reads hostColumns, and then extra columns into extra.
func scanHost(row scanner, extra ...any) (*warroom.ZoomHost, error) {
	var h warroom.ZoomHost
	var req int
	var mode, status string
	var capped, failing, expires, updated int64
	dest := []any{&h.Key, &mode, &h.Email, &h.ZoomUserID, &h.UserType, &h.Concurrent, &req, &h.PasscodeRules,
		&status, &h.StatusError, &capped, &failing, &h.ConnectedBy, &expires, &updated}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	h.Mode, h.Status = warroom.HostMode(mode), warroom.HostHealth(status)
	h.RequirePasscode = req == 1
	h.CappedUntil, h.FailingUntil, h.TokenExpiry, h.UpdatedAt = fromMS(capped), fromMS(failing), fromMS(expires), fromMS(updated)
	return &h, nil
}

// ZoomHosts lists the pool: Server-to-Server hosts first, each group in
// the order it was added.
func (s *Store) ZoomHosts(ctx context.Context) ([]warroom.ZoomHost, error) {
	out, err := collect(ctx, s.q, func(row scanner) (warroom.ZoomHost, error) {
		h, err := scanHost(row)
		if err != nil {
			return warroom.ZoomHost{}, err
		}
		return *h, nil
	}, `SELECT `+hostColumns+` FROM zoom_hosts ORDER BY CASE mode WHEN 's2s' THEN 0 ELSE 1 END, position, created_at, key`)
	if err != nil {
		return nil, fmt.Errorf("store: zoom hosts: %w", err)
	}
	return out, nil
}

// PoolHost is a host with what choosing among hosts needs: its open
// incidents and its meeting requests today.
type PoolHost struct {
	warroom.ZoomHost
	Load     int
	Requests int
}

// MaxLoad is as far as a host's open incidents are counted for choosing
// a host: far beyond any host's concurrent meetings (two at most), and
// enough to spread a storm; counting further would make every pick read
// every open incident.
const MaxLoad = 16

// PoolHosts lists the pool as ZoomHosts does, each host with its load and
// requests on day, in one query: it runs for every meeting created. With
// upTo > 0 a host's load is counted up to upTo, so each count reads at
// most that many index entries.
func (s *Store) PoolHosts(ctx context.Context, day string, upTo int) ([]PoolHost, error) {
	load := `(SELECT COUNT(*) FROM incidents i WHERE i.meeting_host = zoom_hosts.key AND i.status = ?)`
	if upTo > 0 {
		load = `(SELECT COUNT(*) FROM (SELECT 1 FROM incidents i WHERE i.meeting_host = zoom_hosts.key AND i.status = ?
			LIMIT ` + strconv.Itoa(upTo) + `) l)`
	}
	out, err := collect(ctx, s.q, func(row scanner) (PoolHost, error) {
		var ph PoolHost
		h, err := scanHost(row, &ph.Load, &ph.Requests)
		if err != nil {
			return ph, err
		}
		ph.ZoomHost = *h
		return ph, nil
	}, `SELECT `+hostColumns+`, `+load+`,
		COALESCE((SELECT requests FROM zoom_usage u WHERE u.host = zoom_hosts.key AND u.day = ?), 0)
		FROM zoom_hosts ORDER BY CASE mode WHEN 's2s' THEN 0 ELSE 1 END, position, created_at, key`,
		string(warroom.StatusActive), day)
	if err != nil {
		return nil, fmt.Errorf("store: zoom hosts: %w", err)
	}
	return out, nil
}

// ZoomHost returns one host by key.
func (s *Store) ZoomHost(ctx context.Context, key string) (*warroom.ZoomHost, error) {
	h, err := scanHost(s.q.QueryRowContext(ctx, `SELECT `+hostColumns+` FROM zoom_hosts WHERE key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Zoom host %s is not in the pool.", key)
	}
	if err != nil {
		return nil, fmt.Errorf("store: zoom host %s: %w", key, err)
	}
	return h, nil
}

// Tokens returns an OAuth account's tokens, opened.
func (s *Store) Tokens(ctx context.Context, key string) (ZoomTokens, error) {
	var access, refresh []byte
	var expires int64
	err := s.q.QueryRowContext(ctx, `SELECT access_token, refresh_token, expires_at FROM zoom_hosts WHERE key = ?`, key).
		Scan(&access, &refresh, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return ZoomTokens{}, warroom.Errorf(warroom.ENOTFOUND, "Zoom account %s is not connected.", key)
	}
	if err != nil {
		return ZoomTokens{}, fmt.Errorf("store: tokens %s: %w", key, err)
	}
	var t ZoomTokens
	if t.Access, err = s.cipher.open("access_token", access); err != nil {
		return ZoomTokens{}, err
	}
	if t.Refresh, err = s.cipher.open("refresh_token", refresh); err != nil {
		return ZoomTokens{}, err
	}
	t.Expiry = fromMS(expires)
	return t, nil
}

// MarkRefreshing records that a refresh request is about to be sent, and
// when: until its answer is saved, the refresh token stored is spent, and
// a refusal of it is explained by this (see WasRefreshing).
func (s *Store) MarkRefreshing(ctx context.Context, key string) error {
	return s.updateHost(ctx, key, `refreshing = ?`, ms(s.now()))
}

// SaveTokens replaces an account's tokens after a refresh by owner. The
// refresh token Zoom just rotated is durable when this returns, before
// the new access token is used for anything; owner's refresh lease ends
// with it (a refresh saved is a refresh done, even when the unlock that
// would have ended it could not reach the database).
func (s *Store) SaveTokens(ctx context.Context, key, owner string, tok ZoomTokens) error {
	access, err := s.cipher.seal("access_token", tok.Access)
	if err != nil {
		return err
	}
	refresh, err := s.cipher.seal("refresh_token", tok.Refresh)
	if err != nil {
		return err
	}
	return s.updateHost(ctx, key, `access_token = ?, refresh_token = ?, expires_at = ?, refreshing = 0, status = ?, status_error = '',
		refresh_until = CASE WHEN refresh_owner = ? THEN 0 ELSE refresh_until END`,
		access, refresh, ms(tok.Expiry), string(warroom.HostOK), owner)
}

// WasRefreshing says when a refresh request was last sent whose answer
// is not saved (zero if none): a process that died before saving it, or
// one that holds the new pair and cannot reach the database yet.
func (s *Store) WasRefreshing(ctx context.Context, key string) (time.Time, error) {
	var v int64
	if err := s.q.QueryRowContext(ctx, `SELECT refreshing FROM zoom_hosts WHERE key = ?`, key).Scan(&v); err != nil {
		return time.Time{}, fmt.Errorf("store: zoom host %s: %w", key, err)
	}
	return fromMS(v), nil
}

// ExpireAccessToken marks the stored access token as used up (Zoom
// rejected it), so the next call refreshes.
func (s *Store) ExpireAccessToken(ctx context.Context, key string) error {
	return s.updateHost(ctx, key, `expires_at = 0`)
}

// SetHostStatus records a host's health.
func (s *Store) SetHostStatus(ctx context.Context, key string, status warroom.HostHealth, reason string) error {
	return s.updateHost(ctx, key, `status = ?, status_error = ?`, string(status), reason)
}

// SetHostFailing records that Zoom refused the host itself, and skips it
// until then; a later success clears it.
func (s *Store) SetHostFailing(ctx context.Context, key, reason string, until time.Time) error {
	return s.updateHost(ctx, key, `status = CASE WHEN status = ? THEN status ELSE ? END, status_error = ?, failing_until = ?`,
		string(warroom.HostNeedsReconnect), string(warroom.HostFailing), reason, ms(until))
}

// ClearHostFailing records that the host worked again.
func (s *Store) ClearHostFailing(ctx context.Context, key string) error {
	// Nearly always the host was fine: a read spares taking the write lock.
	var failing int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM zoom_hosts WHERE key = ? AND status = ?`,
		key, string(warroom.HostFailing)).Scan(&failing); err != nil {
		return fmt.Errorf("store: zoom host %s: %w", key, err)
	}
	if failing == 0 {
		return nil
	}
	_, err := s.q.ExecContext(ctx, `UPDATE zoom_hosts SET status = ?, status_error = '', failing_until = 0, updated_at = ?
		WHERE key = ? AND status = ?`, string(warroom.HostOK), ms(s.now()), key, string(warroom.HostFailing))
	if err != nil {
		return fmt.Errorf("store: zoom host %s: %w", key, err)
	}
	return nil
}

// SetCappedUntil records that Zoom refused the host for the day.
func (s *Store) SetCappedUntil(ctx context.Context, key string, until time.Time) error {
	return s.updateHost(ctx, key, `capped_until = ?`, ms(until))
}

func (s *Store) updateHost(ctx context.Context, key, set string, args ...any) error {
	args = append(args, ms(s.now()), key)
	res, err := s.q.ExecContext(ctx, `UPDATE zoom_hosts SET `+set+`, updated_at = ? WHERE key = ?`, args...)
	if err != nil {
		return fmt.Errorf("store: zoom host %s: %w", key, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return warroom.Errorf(warroom.ENOTFOUND, "Zoom host %s is not in the pool.", key)
	}
	return nil
}

// CountZoomRequest adds one meeting create/update request to the host's
// count for day (UTC, YYYY-MM-DD) and returns the new count.
func (s *Store) CountZoomRequest(ctx context.Context, host, day string) (int, error) {
	var n int
	// Only for a host still in the pool: a count for one removed meanwhile
	// would bring back a row of its data.
	err := s.q.QueryRowContext(ctx, `INSERT INTO zoom_usage (host, day, requests)
		SELECT ?, ?, 1 WHERE EXISTS (SELECT 1 FROM zoom_hosts WHERE key = ?)
		ON CONFLICT (host, day) DO UPDATE SET requests = zoom_usage.requests + 1 RETURNING requests`, host, day, host).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, warroom.Errorf(warroom.ENOTFOUND, "Zoom host %s is not in the pool.", host)
	}
	if err != nil {
		return 0, fmt.Errorf("store: count zoom request: %w", err)
	}
	return n, nil
}

// countRequest adds one request to host's count for day, in the
// transaction that records the attempt it is for: one write, not two.
func countRequest(ctx context.Context, q querier, host, day string) error {
	if day == "" {
		return nil
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO zoom_usage (host, day, requests) VALUES (?, ?, 1)
		ON CONFLICT (host, day) DO UPDATE SET requests = zoom_usage.requests + 1`, host, day); err != nil {
		return fmt.Errorf("store: count zoom request: %w", err)
	}
	return nil
}

// ZoomRequests returns each host's request count for day.
func (s *Store) ZoomRequests(ctx context.Context, day string) (map[string]int, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT host, requests FROM zoom_usage WHERE day = ?`, day)
	if err != nil {
		return nil, fmt.Errorf("store: zoom requests: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var h string
		var n int
		if err := rows.Scan(&h, &n); err != nil {
			return nil, fmt.Errorf("store: zoom requests: %w", err)
		}
		out[h] = n
	}
	return out, rows.Err()
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// RefreshLease is how long one replica holds the right to refresh an
// account's tokens: a holder that dies frees the account after it.
const RefreshLease = 10 * time.Second

// LockAccount holds, until unlock is called, the right to refresh key's
// tokens across every replica on the database, waiting for it until ctx
// ends. Zoom rotates refresh tokens — the old one dies at the first
// refresh — so two replicas refreshing the same account at once would
// leave one of them saving a dead token. On PostgreSQL it is a lease on
// the account's row, judged by the database's clock (an advisory lock
// would be stranded by a transaction-mode pooler, and waits without a
// deadline); SQLite has one process per database, whose own mutex
// suffices.
func (s *Store) LockAccount(ctx context.Context, key, owner string) (unlock func(), err error) {
	if s.engine.name != postgresEngine.name {
		return func() {}, nil
	}
	for {
		now := s.now()
		res, err := s.q.ExecContext(ctx, `UPDATE zoom_hosts SET refresh_owner = ?, refresh_until = ?
			WHERE key = ? AND (refresh_owner = ? OR refresh_until <= ?)`, owner, ms(now.Add(RefreshLease)), key, owner, ms(now))
		if err != nil {
			return nil, fmt.Errorf("store: lock zoom account: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return func() {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				defer cancel()
				// Not released (the database is gone): the lease runs out.
				_, _ = s.q.ExecContext(ctx, `UPDATE zoom_hosts SET refresh_until = 0 WHERE key = ? AND refresh_owner = ?`, key, owner)
			}, nil
		}
		if _, err := s.ZoomHost(ctx, key); err != nil {
			return nil, err // removed meanwhile
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("store: lock zoom account: another replica is refreshing it: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// hostExists reports whether host is still in the pool.
func hostExists(ctx context.Context, q querier, host string) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM zoom_hosts WHERE key = ?`, host).Scan(&n); err != nil {
		return false, fmt.Errorf("store: zoom host %s: %w", host, err)
	}
	return n > 0, nil
}

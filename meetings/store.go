package meetings

import (
	"context"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/store"
)

// Hosts is the pool's book of hosts: which there are, and each with its
// load and today's requests.
type Hosts interface {
	EnsureS2SHost(ctx context.Context, key string, position int) error
	ZoomHost(ctx context.Context, key string) (*warroom.ZoomHost, error)
	ZoomHosts(ctx context.Context) ([]warroom.ZoomHost, error)
	PoolHosts(ctx context.Context, day string, upTo int) ([]store.PoolHost, error)
}

// HostHealth records what Zoom said of a host: its profile, and why it is
// set aside (capped for the day, refused, needing reconnection).
type HostHealth interface {
	SetHostProfile(ctx context.Context, h warroom.ZoomHost) error
	SetCappedUntil(ctx context.Context, key string, until time.Time) error
	SetHostFailing(ctx context.Context, key, reason string, until time.Time) error
	ClearHostFailing(ctx context.Context, key string) error
	SetHostStatus(ctx context.Context, key string, status warroom.HostHealth, reason string) error
}

// Requests counts a meeting update against Zoom's daily cap per host (a
// create is counted with its attempt, by its owner).
type Requests interface {
	CountZoomRequest(ctx context.Context, host, day string) (int, error)
}

// Accounts are the user accounts admins connect and disconnect.
type Accounts interface {
	SaveOAuthAccount(ctx context.Context, h warroom.ZoomHost, tok store.ZoomTokens) (string, error)
	RemoveZoomHost(ctx context.Context, key string) (store.Removal, error)
}

// Tokens keeps a connected account's rotating tokens, and the lease that
// lets one replica at a time refresh them.
type Tokens interface {
	Tokens(ctx context.Context, key string) (store.ZoomTokens, error)
	SaveTokens(ctx context.Context, key, owner string, tok store.ZoomTokens) error
	ExpireAccessToken(ctx context.Context, key string) error
	LockAccount(ctx context.Context, key, owner string) (unlock func(), err error)
	WasRefreshing(ctx context.Context, key string) (time.Time, error)
	MarkRefreshing(ctx context.Context, key string) error
}

// Store is what the pool keeps in the database.
type Store interface {
	Hosts
	HostHealth
	Requests
	Accounts
	Tokens
}

package web

import (
	"context"
	"time"

	"github.com/warroom-dev/warroom/store"
)

// ConnectStates are the Zoom connect flow's one-time states: a link's
// state is started when the admin opens it and consumed by the callback.
type ConnectStates interface {
	StartOAuthState(ctx context.Context, stateHash, verifier, browserHash string) (string, error)
	ConsumeOAuthState(ctx context.Context, stateHash, browserHash string) (slackUser, verifier string, err error)
}

// WaitingCalls are the open incidents a newly connected host can give a
// call at once.
type WaitingCalls interface {
	OpenIncidents(ctx context.Context) ([]*store.Record, error)
	RetryCall(ctx context.Context, id int64) (*store.Record, error)
}

// Webhooks remembers the webhook deliveries seen, so a replay is told
// from a new event.
type Webhooks interface {
	SeenWebhook(ctx context.Context, digest string, keep time.Duration) (bool, error)
	ForgetWebhook(ctx context.Context, digest string) error
}

// Pinger tells whether the database takes a write (/readyz).
type Pinger interface {
	Ping(ctx context.Context) error
}

// Store is what the HTTP side records and reads.
type Store interface {
	ConnectStates
	WaitingCalls
	Webhooks
	Pinger
}

package api

import (
	"context"

	"github.com/warroom-dev/warroom/slackapi"
	"github.com/warroom-dev/warroom/store"
)

// Declares records a declare and its war room's job in one transaction,
// idempotently by the declare's dedupe key.
type Declares interface {
	Declare(ctx context.Context, n store.NewIncident) (rec *store.Record, created bool, err error)
}

// Incidents reads incidents back: one, the active ones, all of them.
type Incidents interface {
	Incident(ctx context.Context, id int64) (*store.Record, error)
	OpenIncidents(ctx context.Context) ([]*store.Record, error)
	Incidents(ctx context.Context) ([]*store.Record, error)
}

// Store is what the API records and reads.
type Store interface {
	Declares
	Incidents
}

// Users finds the Slack user a declare names as its commander.
type Users interface {
	UserInfo(ctx context.Context, id string) (slackapi.User, error)
	UserByEmail(ctx context.Context, email string) (slackapi.User, error)
}

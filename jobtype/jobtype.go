// Package jobtype is what the job engine, the store and the workers share
// about durable jobs: a job as it is recorded, the fence a worker's writes
// carry, and the kinds of job with their typed arguments. Like
// riverqueue/river's rivertype it is a leaf: it imports nothing of
// warroom's, so the store that records jobs and the engine that runs them
// need not know each other.
//
// Adding a kind is one args type in kinds.go (its Kind and Scope) and the
// registration of its worker (jobs.Register).
package jobtype

import (
	"context"
	"time"
)

// Args are a job's typed arguments. They are recorded with the job (as
// JSON) and handed to its worker decoded.
type Args interface {
	// Kind names the worker that runs the job.
	Kind() string
	// Scope is the incident the job serves and its subject there. The
	// queue holds at most one unfinished job per kind and scope: asking
	// again for one that waits or runs merges into it. Whatever else the
	// args hold must be the same for every job of one scope, as the
	// waiting job keeps the args it was first recorded with.
	Scope() Scope
}

// Scope is the incident a job belongs to (0: none, an account's Zoom
// event) and its subject within it (0: the incident itself). The store
// runs an incident's jobs one at a time, and keeps one unfinished job per
// kind and scope.
type Scope struct {
	Incident int64
	Subject  int64
}

// Job is a unit of durable work as the store records it. Attempts counts
// claims, so a job whose process died mid-run still shows it was tried.
type Job struct {
	ID         int64
	Kind       string
	IncidentID int64
	// Subject is the scope's subject (the follow-up, the recording watch,
	// the summary or the Zoom event), kept in a column of its own for the
	// queue's one-per-scope rule; the worker reads its args instead.
	Subject int64
	// Payload holds the args as JSON ("{}" for jobs recorded before args
	// were: see Decode).
	Payload  []byte
	RunAt    time.Time
	Attempts int
	// LastError is the last failed run's error, or why a snoozed run waits.
	LastError string
	// Failures counts the failed runs in a row (a success resets it);
	// FailingSince is when the first of them was recorded.
	Failures     int
	FailingSince time.Time
	DoneAt       time.Time // when it finished, or was given up on
	// Token changes with every claim: writes made under an older token are
	// refused (see Fence).
	Token int64
}

// Fence is the job's current claim.
func (j Job) Fence() Fence { return Fence{Job: j.ID, Token: j.Token} }

// Scope is the scope the job was recorded under.
func (j Job) Scope() Scope { return Scope{Incident: j.IncidentID, Subject: j.Subject} }

// Fence is a job's claim on the database: a write made with it is refused
// with warroom.ErrLeaseLost once the job was claimed again, by this
// process or another. The zero Fence checks nothing (callers outside jobs).
type Fence struct{ Job, Token int64 }

type backgroundKey struct{}

// Background marks ctx as the job engine's: the store lets such writes give
// way to the front door's, whose acks wait on them.
func Background(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

// IsBackground reports whether ctx is the job engine's (see Background).
func IsBackground(ctx context.Context) bool {
	bg, _ := ctx.Value(backgroundKey{}).(bool)
	return bg
}

package jobs

import (
	"context"
	"time"

	"github.com/rs/zerolog"
)

// SingletonStore holds named singletons for replicas (store.Store is
// one).
type SingletonStore interface {
	HoldSingleton(ctx context.Context, name, owner string, ttl time.Duration) (bool, error)
	ReleaseSingleton(ctx context.Context, name, owner string) error
}

// RunSingleton runs fn on at most one replica at a time — work such as
// Zoom's event stream, which two replicas must not both do — until ctx
// ends. Every replica calls it; the one holding name runs fn, renewing its
// hold every ttl/3. fn's context ends when the hold is lost (another
// replica took it after renewals failed for most of ttl) or ctx ends; a
// replica that dies stops renewing, and another runs fn within ttl. When
// fn returns on its own, the hold is given up and taken again.
func RunSingleton(ctx context.Context, st SingletonStore, name, owner string, ttl time.Duration, log zerolog.Logger,
	fn func(ctx context.Context)) {
	every := ttl / 3
	for ctx.Err() == nil {
		held, err := st.HoldSingleton(ctx, name, owner, ttl)
		if err != nil && ctx.Err() == nil {
			log.Warn().Err(err).Str("singleton", name).Msg("could not take a singleton")
		}
		if held {
			log.Info().Str("singleton", name).Msg("holding a singleton")
			holdWhile(ctx, st, name, owner, ttl, log, fn)
			release, cancel := context.WithTimeout(context.WithoutCancel(ctx), every)
			_ = st.ReleaseSingleton(release, name, owner)
			cancel()
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(every):
		}
	}
}

// holdWhile runs fn and renews the hold until fn returns, ctx ends or the
// hold is lost.
func holdWhile(ctx context.Context, st SingletonStore, name, owner string, ttl time.Duration, log zerolog.Logger,
	fn func(ctx context.Context)) {
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); fn(fctx) }()
	tick := time.NewTicker(ttl / 3)
	defer tick.Stop()
	renewed := time.Now()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		held, err := st.HoldSingleton(fctx, name, owner, ttl)
		switch {
		case err == nil && held:
			renewed = time.Now()
			continue
		case err == nil:
			log.Warn().Str("singleton", name).Msg("singleton taken over by another replica; stopping")
		case time.Since(renewed) < ttl-ttl/3:
			continue // a failed renewal: the hold lasts a while yet
		default:
			log.Warn().Err(err).Str("singleton", name).Msg("could not renew a singleton in time; stopping")
		}
		cancel()
		<-done
		return
	}
}

package jobs

import (
	"context"
	"fmt"
	"runtime/debug"
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
		sent := time.Now()
		hctx, cancel := context.WithTimeout(ctx, every)
		held, err := st.HoldSingleton(hctx, name, owner, ttl)
		cancel()
		if err != nil && ctx.Err() == nil {
			log.Warn().Err(err).Str("singleton", name).Msg("could not take a singleton")
		}
		if held {
			log.Info().Str("singleton", name).Msg("holding a singleton")
			holdWhile(ctx, st, name, owner, ttl, sent, log, fn)
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

// holdWhile runs fn and renews the hold, taken by a call sent at held,
// until fn returns, ctx ends or the hold is lost.
func holdWhile(ctx context.Context, st SingletonStore, name, owner string, ttl time.Duration, held time.Time,
	log zerolog.Logger, fn func(ctx context.Context)) {
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				log.Error().Str("singleton", name).Str("panic", fmt.Sprint(p)).Str("stack", string(debug.Stack())).
					Msg("a singleton's work panicked; it starts again")
			}
		}()
		fn(fctx)
	}()
	every := ttl / 3
	tick := time.NewTicker(every)
	defer tick.Stop()
	// The hold counts from when a renewal was sent, which is before the
	// database's clock stamped it; fn stops a margin before the hold would
	// end unrenewed, so two replicas never both run it.
	margin := ttl / 6
	stopAt := held.Add(ttl - margin)
	for {
		wait := time.NewTimer(time.Until(stopAt))
		select {
		case <-done:
			wait.Stop()
			return
		case <-wait.C:
			log.Warn().Str("singleton", name).Msg("could not renew a singleton in time; stopping")
			cancel()
			<-done
			return
		case <-tick.C:
			wait.Stop()
		}
		sent := time.Now()
		hctx, hcancel := context.WithDeadline(fctx, stopAt)
		held, err := st.HoldSingleton(hctx, name, owner, ttl)
		hcancel()
		switch {
		case err == nil && held:
			stopAt = sent.Add(ttl - margin)
		case err == nil:
			log.Warn().Str("singleton", name).Msg("singleton taken over by another replica; stopping")
			cancel()
			<-done
			return
		}
		// A failed renewal: the hold lasts until stopAt, unless a later
		// renewal gets through first.
	}
}

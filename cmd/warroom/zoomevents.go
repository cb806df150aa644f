package main

import (
	"context"
	"net/http"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/workflow"
	"github.com/warroom-dev/warroom/zoom"
)

// streamSingleton names the Zoom event stream among replicas: Zoom's
// subscription is one connection, so one replica holds it.
const streamSingleton = "zoom-event-stream"

// eventRecordTimeout bounds the recording of one event off the stream.
const eventRecordTimeout = 5 * time.Second

// streamHold is how long a replica's hold on the stream lasts unrenewed:
// when it dies, another replica opens the stream within about this long.
const streamHold = 6 * time.Second

// runEventStream receives Zoom's events over the WebSocket event stream
// (ZOOM_WS_SUBSCRIPTION_ID) until ctx ends. Every (re)connect first
// reconciles open incidents from the REST API: Zoom does not re-send what
// happened while no connection was open. On PostgreSQL one replica at a
// time holds the stream.
func (m *Main) runEventStream(ctx context.Context, st *store.Store, wf *workflow.Workflow, hc *http.Client,
	sc zoom.StreamConfig, owner string) {
	cfg := m.Config
	if cfg.ZoomWSSubscriptionID == "" {
		if cfg.ZoomWebhookKey == "" || cfg.PublicURL == "" {
			m.Log.Info().Dur("every", callPoll).Msg("no Zoom event source (ZOOM_WS_SUBSCRIPTION_ID, or webhooks): the calls' state is polled")
			m.singleton(ctx, st, callPollSingleton, owner, func(ctx context.Context) { pollCalls(ctx, wf) })
		}
		return
	}
	sc.URL, sc.SubscriptionID = cfg.ZoomWSURL, cfg.ZoomWSSubscriptionID
	sc.Token = zoom.AppToken(cfg.ZoomOAuthURL, cfg.ZoomAccountID, cfg.ZoomClientID, cfg.ZoomClientSecret, hc)
	sc.OnConnect, sc.Log = wf.Reconcile, m.Log
	sc.Handle = func(ctx context.Context, ev zoom.WebhookEvent) error {
		// Recorded within a deadline: a database that does not answer
		// drops the connection, and the reconnect reconciles.
		rctx, cancel := context.WithTimeout(ctx, eventRecordTimeout)
		defer cancel()
		err := wf.ReceiveZoomEvent(rctx, ev)
		if warroom.ErrorCode(err) == warroom.EINVALID {
			m.Log.Warn().Err(err).Str("event", ev.Event).Msg("zoom event from the stream cannot be read; skipped")
			return nil
		}
		return err
	}
	m.singleton(ctx, st, streamSingleton, owner, func(ctx context.Context) { zoom.RunStream(ctx, sc) })
}

// singleton runs fn until ctx ends: at once on SQLite (one process per
// database), on one replica at a time on PostgreSQL.
func (m *Main) singleton(ctx context.Context, st *store.Store, name, owner string, fn func(context.Context)) {
	if st.Engine() != "postgres" {
		fn(ctx)
		return
	}
	jobs.RunSingleton(ctx, st, name, owner, streamHold, m.Log, fn)
}

// callPollSingleton names the poll of the calls' state among replicas.
const callPollSingleton = "zoom-call-poll"

// callPoll is how often, with no event source, the open incidents' calls
// are read from Zoom: one light request per open incident, far inside
// Zoom's rate limits, and the pinned message is at most this late.
const callPoll = time.Minute

// pollCalls reconciles the open incidents' calls with Zoom every callPoll
// until ctx ends: without events, the pinned message would otherwise
// claim "Waiting for people" during and after the call.
func pollCalls(ctx context.Context, wf *workflow.Workflow) {
	t := time.NewTicker(callPoll)
	defer t.Stop()
	for {
		wf.Reconcile(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

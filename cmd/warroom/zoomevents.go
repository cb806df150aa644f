package main

import (
	"context"
	"net/http"
	"time"

	"github.com/warroom-dev/warroom/jobs"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/workflow"
	"github.com/warroom-dev/warroom/zoom"
)

// streamSingleton names the Zoom event stream among replicas: Zoom's
// subscription is one connection, so one replica holds it.
const streamSingleton = "zoom-event-stream"

// streamHold is how long a replica's hold on the stream lasts unrenewed:
// when it dies, another replica opens the stream within about this long.
const streamHold = 9 * time.Second

// runEventStream receives Zoom's events over the WebSocket event stream
// (ZOOM_WS_SUBSCRIPTION_ID) until ctx ends. Every (re)connect first
// reconciles open incidents from the REST API: Zoom does not re-send what
// happened while no connection was open. On PostgreSQL one replica at a
// time holds the stream.
func (m *Main) runEventStream(ctx context.Context, st *store.Store, wf *workflow.Workflow, hc *http.Client,
	sc zoom.StreamConfig, owner string) {
	cfg := m.Config
	if cfg.ZoomWSSubscriptionID == "" {
		return
	}
	sc.URL, sc.SubscriptionID = cfg.ZoomWSURL, cfg.ZoomWSSubscriptionID
	sc.Token = zoom.AppToken(cfg.ZoomOAuthURL, cfg.ZoomAccountID, cfg.ZoomClientID, cfg.ZoomClientSecret, hc)
	sc.OnConnect, sc.Handle, sc.Log = wf.Reconcile, wf.ReceiveZoomEvent, m.Log
	if st.Engine() != "postgres" {
		zoom.RunStream(ctx, sc)
		return
	}
	jobs.RunSingleton(ctx, st, streamSingleton, owner, streamHold, m.Log, func(ctx context.Context) { zoom.RunStream(ctx, sc) })
}

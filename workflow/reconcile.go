package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom"
)

// ReceiveZoomEvent is the one entry for Zoom's events, by webhook or by
// the event stream: an event that came both ways, or twice one way, is
// recorded once. It records the event durably, in the transaction that
// marks it seen, for its incident's job to apply (runZoomEvents): an error
// here means nothing was recorded, and the event must not be acknowledged
// (the webhook answers 500 and Zoom sends it again; the stream reconnects
// and reconciles). The key is the event itself (its name, time and
// payload, re-encoded so key order and spacing do not matter), which both
// sources carry alike and which nobody can vary without changing it.
func (w *Workflow) ReceiveZoomEvent(ctx context.Context, ev zoom.WebhookEvent) error {
	meetingID, account, err := eventSubject(ev)
	if err != nil {
		return err
	}
	recorded, err := w.zoomEvents.ReceiveZoomEvent(ctx, eventKey(ev),
		store.ZoomEvent{Event: ev.Event, EventTS: ev.EventTS, Payload: string(ev.Payload)}, meetingID, account)
	if err != nil {
		return err
	}
	if !recorded {
		w.log.Debug().Str("event", ev.Event).Msg("zoom event seen before, or of no incident's meeting; nothing to do")
		return nil
	}
	w.kick()
	return nil
}

func eventKey(ev zoom.WebhookEvent) string {
	var payload any
	canon := []byte(ev.Payload)
	if json.Unmarshal(ev.Payload, &payload) == nil {
		canon, _ = json.Marshal(payload) // maps marshal with sorted keys
	}
	sum := sha256.New()
	sum.Write([]byte(ev.Event + "\x00" + strconv.FormatInt(ev.EventTS, 10) + "\x00"))
	sum.Write(canon)
	return "zoom:" + hex.EncodeToString(sum.Sum(nil))
}

// reconcilePace spaces Reconcile's requests to Zoom.
const reconcilePace = 100 * time.Millisecond

// Reconcile reads from Zoom's API the state of every open incident's call
// and corrects what warroom recorded: Zoom never re-sends an event missed
// while the event stream was down (or one warroom could not record), so
// this runs at every (re)connect. A recording being waited for is looked
// for at once too. While warroom's database does not answer it tries
// again, until it has reconciled once or ctx ends.
func (w *Workflow) Reconcile(ctx context.Context) {
	wait := time.Second
	for {
		err := w.reconcileOnce(ctx)
		if err == nil || ctx.Err() != nil {
			return
		}
		w.log.Warn().Err(err).Dur("retry_in", wait).Msg("reconcile: could not record the calls' state; trying again")
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// reconcileTimeout bounds each database call of a reconcile.
const reconcileTimeout = 5 * time.Second

// reconcileOnce reconciles once; an error means the database did not
// take it (Zoom's own failures only skip that incident).
func (w *Workflow) reconcileOnce(ctx context.Context) error {
	lctx, cancel := context.WithTimeout(ctx, reconcileTimeout)
	recs, err := w.incidents.OpenIncidents(lctx)
	cancel()
	if err != nil {
		return err
	}
	fixed := 0
	// Paced well inside Zoom's per-second limits, which the incident
	// meetings' own calls share.
	pace := time.NewTicker(reconcilePace)
	defer pace.Stop()
	for _, rec := range recs {
		if rec.Meeting == nil || rec.MeetingHost == "" || rec.Call != warroom.CallReady {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-pace.C:
		}
		ended, changed, err := w.callState(ctx, rec)
		if err != nil {
			var limited *zoom.RateLimitError
			if errors.As(err, &limited) {
				w.log.Warn().Err(err).Msg("reconcile: Zoom's rate limit; the rest waits for the next round")
				break
			}
			if ctx.Err() == nil {
				w.log.Warn().Err(err).Str("incident", rec.Ref()).Msg("reconcile: could not read the call's state")
			}
			continue
		}
		if !changed {
			continue
		}
		// Now is later than any event already applied, and is the truth.
		mctx, cancel := context.WithTimeout(ctx, reconcileTimeout)
		err = w.meetingChanged(mctx, rec.Meeting.ID, ended, w.now())
		cancel()
		if err != nil {
			return fmt.Errorf("reconcile %s: %w", rec.Ref(), err)
		}
		fixed++
	}
	lctx, cancel = context.WithTimeout(ctx, reconcileTimeout)
	err = w.recordings.LookForRecordingsNow(lctx)
	cancel()
	if err != nil {
		return err
	}
	w.kick()
	l := w.log.Debug()
	if fixed > 0 {
		l = w.log.Info()
	}
	l.Int("incidents", len(recs)).Int("corrected", fixed).Msg("zoom state reconciled")
	return nil
}

// callState reads the call's state at Zoom: whether it ran and runs no
// more (ended), and whether that differs from what warroom recorded.
func (w *Workflow) callState(ctx context.Context, rec *store.Record) (ended, changed bool, err error) {
	status, err := w.pool.MeetingStatus(ctx, rec.MeetingHost, rec.Meeting.ID)
	if err != nil {
		return false, false, err
	}
	switch {
	case status == warroom.MeetingStarted && rec.Meeting.Status != warroom.MeetingStarted:
		return false, true, nil
	case status != warroom.MeetingStarted && rec.Meeting.Status == warroom.MeetingStarted:
		return true, true, nil // it ran, and runs no more
	}
	return false, false, nil
}

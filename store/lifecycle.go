package store

import (
	"context"
	"fmt"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
)

// Commands that change an incident. Each reads and writes in one
// transaction (compare-and-set): two people acting at once get one change
// and one ECONFLICT, never two "done". Each also asks for the incident's
// sync in the same transaction, so the change reaches Slack and Zoom
// through the incident's job and through nothing else. They return the
// incident as it was before, for the reply.

// change runs one command: check may refuse by returning an error; set and
// args are the change, ev (kind "" for none) the timeline's line for it.
func (s *Store) change(ctx context.Context, id int64, check func(*Record) error, ev warroom.Event, set string, args ...any) (*Record, error) {
	var before *Record
	err := s.inTx(ctx, "change incident", func(q txn) error {
		var err error
		if before, err = findIncident(ctx, q, `id = ?`, id); err != nil {
			return err
		}
		if err := check(before); err != nil {
			return err
		}
		if ev.Kind != "" {
			if err := addEvent(ctx, q, id, q.now, ev.Kind, ev.Actor, ev.Detail, ""); err != nil {
				return err
			}
		}
		return s.applyChange(ctx, q, id, set, args...)
	})
	return before, err
}

func (s *Store) applyChange(ctx context.Context, q txn, id int64, set string, args ...any) error {
	now := ms(q.now)
	args = append(args, now, id)
	if _, err := q.ExecContext(ctx, `UPDATE incidents SET `+set+`, updated_at = ? WHERE id = ?`, args...); err != nil {
		return fmt.Errorf("store: change incident %d: %w", id, err)
	}
	return enqueue(ctx, q, jobtype.IncidentSync{IncidentID: id}, now, now)
}

// SetSeverity changes an incident's severity; ECONFLICT if it is that already.
func (s *Store) SetSeverity(ctx context.Context, id int64, sev warroom.Severity) (*Record, error) {
	if !sev.Valid() {
		return nil, warroom.Errorf(warroom.EINVALID, "Severity must be 1, 2, 3 or 4.")
	}
	return s.change(ctx, id, func(r *Record) error {
		if r.Severity == sev {
			return warroom.Errorf(warroom.ECONFLICT, "%s is already %s.", r.Ref(), sev)
		}
		return nil
	}, warroom.Event{Kind: warroom.EventSeverity, Detail: sev.String()}, `severity = ?`, int(sev))
}

// SetCommander changes who leads the incident; ECONFLICT if they do already.
func (s *Store) SetCommander(ctx context.Context, id int64, userID string) (*Record, error) {
	return s.change(ctx, id, func(r *Record) error {
		if r.Commander == userID {
			return warroom.Errorf(warroom.ECONFLICT, "<@%s> already leads %s.", userID, r.Ref())
		}
		return nil
	}, warroom.Event{Kind: warroom.EventCommander, Detail: userID}, `commander = ?`, userID)
}

// Reopen makes a resolved incident active again; ECONFLICT if it is active.
func (s *Store) Reopen(ctx context.Context, id int64) (*Record, error) {
	return s.change(ctx, id, func(r *Record) error {
		if r.Status != warroom.StatusResolved {
			return warroom.Errorf(warroom.ECONFLICT, "%s is not resolved.", r.Ref())
		}
		return nil
	}, warroom.Event{Kind: warroom.EventReopened}, `status = ?, summary = '', resolved_at = 0, meeting_ended = 0`, string(warroom.StatusActive))
}

// RetryCall makes the next attempt at the incident's meeting due now (the
// Retry button). ECONFLICT when the call is there already.
func (s *Store) RetryCall(ctx context.Context, id int64) (*Record, error) {
	return s.change(ctx, id, func(r *Record) error {
		if r.Call == warroom.CallReady {
			return warroom.Errorf(warroom.ECONFLICT, "The Zoom call of %s is already set up.", r.Ref())
		}
		return nil
	}, warroom.Event{}, `meeting_retry_at = 0`)
}

// ResolveOptions say what a resolve schedules besides the status change.
type ResolveOptions struct {
	Followup     bool          // schedule the post-incident review (its time is worked out by its job)
	FollowupFor  time.Duration // its length
	RecordingFor time.Duration // how long to wait for the bridge's recording
}

// Resolve resolves an incident and, in the same transaction, schedules its
// follow-up and starts waiting for the bridge's recording: a crash can
// lose neither. ECONFLICT if it is resolved already (two people resolving
// at once: one wins, and only its summary is kept). It returns the
// incident as it was, and whether a follow-up was scheduled.
func (s *Store) Resolve(ctx context.Context, id int64, summary string, o ResolveOptions) (before *Record, followup bool, err error) {
	err = s.inTx(ctx, "resolve", func(q txn) error {
		if before, err = findIncident(ctx, q, `id = ?`, id); err != nil {
			return err
		}
		if before.Status == warroom.StatusResolved {
			return warroom.Errorf(warroom.ECONFLICT, "%s is already resolved. `/incident reopen` opens it again.", before.Ref())
		}
		now := q.now
		if err := addEvent(ctx, q, id, now, warroom.EventResolved, "", "", ""); err != nil {
			return err
		}
		if err := s.applyChange(ctx, q, id, `status = ?, summary = ?, resolved_at = ?`,
			string(warroom.StatusResolved), summary, ms(now)); err != nil {
			return err
		}
		if o.Followup {
			// Resolving again after a reopen keeps the review already planned.
			var planned int
			if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM followups WHERE incident_id = ? AND auto = 1 AND cancelled = 0`, id).Scan(&planned); err != nil {
				return fmt.Errorf("store: resolve: %w", err)
			}
			followup = planned == 0
		}
		if followup {
			if _, err := insertFollowup(ctx, q, NewFollowup{IncidentID: id, DedupeKey: fmt.Sprintf("resolve:%d:%d", id, ms(now)),
				Auto: true, Duration: o.FollowupFor, Invitees: uniq(append([]string{before.DeclaredBy, before.Commander}, before.Responders...)),
			}, now); err != nil {
				return err
			}
		}
		if before.Meeting != nil && before.MeetingHost != "" {
			return addWatch(ctx, q, NewRecordingWatch{IncidentID: id, MeetingID: before.Meeting.ID, MeetingHost: before.MeetingHost,
				Label: "the incident call", Bridge: true, StartAt: now, PollUntil: now.Add(o.RecordingFor)}, now)
		}
		return nil
	})
	return before, followup, err
}

func uniq(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

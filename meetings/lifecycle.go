package meetings

import (
	"context"
	"errors"
	"fmt"

	"github.com/warroom-dev/warroom/zoom"
)

// What became of a meeting warroom asked to retire.
type Retired int

const (
	// RetiredGone: deleted now, or not at Zoom any more.
	RetiredGone Retired = iota
	// RetiredRunning: people are in it; it is left to end by itself.
	RetiredRunning
	// RetiredUnreachable: its host cannot be reached (disconnected,
	// refused); the meeting is left where it is.
	RetiredUnreachable
)

// Retire deletes a meeting warroom no longer uses, unless it has started:
// a call with people in it is never cut under them. Zoom's answers are
// read here, so the workflow never needs to know that 3002 means "started
// between the check and the delete".
func (p *Pool) Retire(ctx context.Context, host string, id int64) (Retired, error) {
	client, _, err := p.Client(ctx, host)
	if err != nil {
		return RetiredUnreachable, nil
	}
	m, err := client.GetMeeting(ctx, id)
	switch {
	case zoom.IsNotFound(err):
		return RetiredGone, nil
	case err != nil:
		return 0, fmt.Errorf("check the meeting: %w", err)
	case m.Status == "started":
		return RetiredRunning, nil
	}
	err = client.DeleteMeeting(ctx, id)
	var ze *zoom.Error
	switch {
	case errors.As(err, &ze) && ze.Code == 3002:
		return RetiredRunning, nil // it started between the two calls
	case err != nil && !zoom.IsNotFound(err):
		return 0, fmt.Errorf("delete the meeting: %w", err)
	}
	return RetiredGone, nil
}

// Delete deletes a meeting that has not happened yet (a follow-up's); one
// already gone is fine. A host that cannot be reached is reported as
// ErrHostUnreachable for the caller to decide whether to leave it.
func (p *Pool) Delete(ctx context.Context, host string, id int64) error {
	client, _, err := p.Client(ctx, host)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrHostUnreachable, err)
	}
	if err := client.DeleteMeeting(ctx, id); err != nil && !zoom.IsNotFound(err) {
		return fmt.Errorf("delete the meeting: %w", err)
	}
	return nil
}

// ErrHostUnreachable: the meeting's host has no working client (removed,
// disconnected, its tokens refused).
var ErrHostUnreachable = errors.New("the meeting's Zoom host cannot be reached")

// End ends a meeting for everyone in it. One that is not running (never
// started, already over: Zoom answers 400) or gone has nothing to end.
func (p *Pool) End(ctx context.Context, host string, id int64) error {
	client, _, err := p.Client(ctx, host)
	if err != nil {
		return err
	}
	if err := client.EndMeeting(ctx, id); err != nil {
		var ze *zoom.Error
		if !zoom.IsNotFound(err) && !(errors.As(err, &ze) && ze.Status == 400) {
			return fmt.Errorf("end the meeting: %w", err)
		}
	}
	return nil
}

// MeetingStatus is the meeting's status at Zoom now ("waiting",
// "started", "finished").
func (p *Pool) MeetingStatus(ctx context.Context, host string, id int64) (string, error) {
	client, _, err := p.Client(ctx, host)
	if err != nil {
		return "", err
	}
	m, err := client.GetMeeting(ctx, id)
	if err != nil {
		return "", err
	}
	return m.Status, nil
}

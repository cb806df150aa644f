package store

import (
	"context"
	"fmt"

	"github.com/warroom-dev/warroom/jobtype"
)

// HostControls is who has host controls of an incident's call: the
// commander warroom last tried to give them (User), who Zoom holds as the
// meeting's alternative host (Holder, with their Email: Zoom's truth,
// which may differ from User), and why User has them not (Note).
type HostControls struct {
	User, Holder, Email, Note string
}

// SetHostControls records who has host controls of the incident's call.
func (s *Store) SetHostControls(ctx context.Context, f jobtype.Fence, id int64, hc HostControls) error {
	_, err := s.fencedExec(ctx, s.q, f, fmt.Sprintf("incident %d host controls", id),
		`UPDATE incidents SET host_controls_user = ?, host_controls_holder = ?, host_controls_email = ?, host_controls_note = ?
		WHERE id = ?`, hc.User, hc.Holder, hc.Email, hc.Note, id)
	return err
}

// MarkHostControlsPosting records that a notice about host controls is
// being posted in the incident's channel: a run that finds it looks for
// the notice before posting it again.
func (s *Store) MarkHostControlsPosting(ctx context.Context, f jobtype.Fence, id int64) error {
	_, err := s.fencedExec(ctx, s.q, f, fmt.Sprintf("incident %d host controls notice", id),
		`UPDATE incidents SET host_controls_posting = 1 WHERE id = ?`, id)
	return err
}

// SetHostControlsTold records what the channel now knows about host
// controls; the notice, if one was due, is posted.
func (s *Store) SetHostControlsTold(ctx context.Context, f jobtype.Fence, id int64, told string) error {
	_, err := s.fencedExec(ctx, s.q, f, fmt.Sprintf("incident %d host controls notice", id),
		`UPDATE incidents SET host_controls_told = ?, host_controls_posting = 0 WHERE id = ?`, told, id)
	return err
}

package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
)

// Step is a one-way flag of the incident sync.
type Step int

// Steps recorded with Ledger.Mark and Ledger.Done.
const (
	StepInvited Step = iota + 1
	StepMessagePosting
	StepPinned
	StepBookmarkAdding
	StepConfirmed
	StepJoined
	StepAnnouncePosting
	StepMeetingEnded
	StepOriginPosting
	StepOriginPosted
	StepThreadPosting
	StepThreadPosted
	StepFunctionDone
)

func (st Step) column() (string, error) {
	switch st {
	case StepInvited:
		return "invited", nil
	case StepMessagePosting:
		return "message_posting", nil
	case StepPinned:
		return "pinned", nil
	case StepBookmarkAdding:
		return "bookmark_adding", nil
	case StepConfirmed:
		return "confirmed", nil
	case StepJoined:
		return "joined", nil
	case StepAnnouncePosting:
		return "announce_posting", nil
	case StepMeetingEnded:
		return "meeting_ended", nil
	case StepOriginPosting:
		return "origin_posting", nil
	case StepOriginPosted:
		return "origin_posted", nil
	case StepThreadPosting:
		return "thread_posting", nil
	case StepThreadPosted:
		return "thread_posted", nil
	case StepFunctionDone:
		return "function_done", nil
	}
	return "", fmt.Errorf("store: unknown step %d", int(st))
}

// Ledger is one sync run's record of what it did to an incident. Every
// write carries the job's Fence: a sync that lost its lease records nothing
// more.
//
// Two kinds of record: an intent (a channel name about to be created, a
// message about to be posted) must be on disk before the call it guards,
// so it is written at once. A result whose loss would only make its step
// run again, harmlessly (an invite of members, a pin already there, a post
// found again by its tag, a topic set to the same words), waits in the run
// and goes to disk with the next intent, or with the job's outcome at the
// end of the run. A declare's sync thus commits about half as often, and
// every commit keeps synchronous(FULL).
//
// Safe for concurrent use by the steps of one run.
type Ledger struct {
	s     *Store
	fence jobtype.Fence
	id    int64

	mu      sync.Mutex
	cols    []string // the waiting results' columns
	pending map[string]assignment
}

// assignment is one column's new value: an SQL expression and its args.
type assignment struct {
	expr string
	args []any
}

// Ledger starts the record of one sync run of incident id.
func (s *Store) Ledger(f jobtype.Fence, id int64) *Ledger {
	return &Ledger{s: s, fence: f, id: id, pending: map[string]assignment{}}
}

// ClaimChannelName records the channel name about to be created, before
// conversations.create is called.
func (p *Ledger) ClaimChannelName(ctx context.Context, name string, attempt int) error {
	return p.write(ctx, []string{"channel_name", "channel_attempt"}, []assignment{{"?", []any{name}}, {"?", []any{attempt}}})
}

// SetChannel records the incident's channel. A channel already recorded
// for another incident is refused with ECONFLICT.
func (p *Ledger) SetChannel(ctx context.Context, channelID, name string) error {
	err := p.write(ctx, []string{"channel_id", "channel_name"}, []assignment{{"?", []any{channelID}}, {"?", []any{name}}})
	if err != nil && isUniqueViolation(err) {
		return warroom.Errorf(warroom.ECONFLICT, "Channel %s already belongs to another incident.", channelID)
	}
	return err
}

// Mark records at once steps about to happen (the "…ing" steps), or done
// steps that must not wait.
func (p *Ledger) Mark(ctx context.Context, steps ...Step) error {
	cols := make([]string, 0, len(steps))
	set := make([]assignment, 0, len(steps))
	for _, st := range steps {
		col, err := st.column()
		if err != nil {
			return err
		}
		cols = append(cols, col)
		set = append(set, assignment{expr: "1"})
	}
	return p.write(ctx, cols, set)
}

// Done records steps that happened; the record waits.
func (p *Ledger) Done(steps ...Step) {
	for _, st := range steps {
		if col, err := st.column(); err == nil {
			p.later(col, "1")
		}
	}
}

// Message records the posted incident message and what it shows.
func (p *Ledger) Message(ts, shows string) {
	p.later("message_ts", "?", ts)
	p.later("message_shows", "?", shows)
}

// MessageShows records what the incident message shows after an update.
func (p *Ledger) MessageShows(shows string) { p.later("message_shows", "?", shows) }

// BookmarkLink records the link the channel bookmark now points to, if it
// is still the incident's call (or "", no bookmark). A bookmark added for a
// call that changed meanwhile — its account removed, say — is recorded as
// stale instead, for the sync to take away: the link is not kept. Whether
// the call changed is decided when the record is written.
func (p *Ledger) BookmarkLink(link string) {
	p.later("bookmark_adding", "0")
	p.later("bookmark_stale", "CASE WHEN ? = '' OR meeting_join_url = ? THEN bookmark_stale ELSE 1 END", link, link)
	p.later("bookmark_link", "CASE WHEN ? = '' OR meeting_join_url = ? THEN ? ELSE '' END", link, link, link)
}

// StaleBookmarkCleared records that the bookmark of a removed call is gone.
func (p *Ledger) StaleBookmarkCleared() { p.later("bookmark_stale", "0") }

// TopicShows records what the channel topic shows, made for the call link
// joinURL: if the call changed meanwhile, nothing is kept (the topic is set
// again on the next run).
func (p *Ledger) TopicShows(shows, joinURL string) {
	p.later("topic_shows", "CASE WHEN meeting_join_url = ? THEN ? ELSE '' END", joinURL, shows)
}

// Announcement records the incident's announcement and what it shows.
func (p *Ledger) Announcement(channel, ts, shows string) {
	p.later("announce_channel", "?", channel)
	p.later("announce_ts", "?", ts)
	p.later("announce_shows", "?", shows)
}

// AnnounceShows records what the announcement shows after an update.
func (p *Ledger) AnnounceShows(shows string) { p.later("announce_shows", "?", shows) }

// Flush writes the results still waiting.
func (p *Ledger) Flush(ctx context.Context) error {
	return p.write(ctx, nil, nil)
}

// HandOver leaves the results still waiting to be written with the job's
// outcome (CompleteJob, RetryJob, ReleaseJob), in the same commit. A run
// that lost its lease must not hand over: its outcome is never written.
// Without a job (a zero Fence) it writes them at once.
func (p *Ledger) HandOver(ctx context.Context) error {
	if p.fence.Job == 0 {
		return p.Flush(ctx)
	}
	p.s.handedOver.Store(p.fence, p)
	return nil
}

func (p *Ledger) later(col, expr string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.pending[col]; !ok {
		p.cols = append(p.cols, col)
	}
	p.pending[col] = assignment{expr, args}
}

// take empties the waiting results, for one write.
func (p *Ledger) take() ([]string, map[string]assignment) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cols, pending := p.cols, p.pending
	p.cols, p.pending = nil, map[string]assignment{}
	return cols, pending
}

// write writes the waiting results and then cols (which override a
// waiting result of the same column: they are newer) in one fenced
// statement. Results that fail to be written are not kept: their steps
// run again next time, which is what they were chosen for.
func (p *Ledger) write(ctx context.Context, cols []string, set []assignment) error {
	return p.writeOn(ctx, p.s.q, ms(p.s.now()), cols, set)
}

// writeOn is write on q, at now: the store itself, or the transaction
// that records the job's outcome (with that outcome's now).
func (p *Ledger) writeOn(ctx context.Context, q querier, now int64, cols []string, set []assignment) error {
	waiting, pending := p.take()
	for i, col := range cols {
		if _, ok := pending[col]; !ok {
			waiting = append(waiting, col)
		}
		pending[col] = set[i]
	}
	if len(waiting) == 0 {
		return nil
	}
	// One order for the same columns, so the statement is prepared once.
	slices.Sort(waiting)
	var b strings.Builder
	var args []any
	for _, col := range waiting {
		a := pending[col]
		b.WriteString(col + " = " + a.expr + ", ")
		args = append(args, a.args...)
	}
	s := p.s
	args = append(args, now, p.id)
	n, err := s.fencedExec(ctx, q, p.fence, fmt.Sprintf("update incident %d", p.id),
		`UPDATE incidents SET `+b.String()+`updated_at = ? WHERE id = ?`, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return warroom.Errorf(warroom.ENOTFOUND, "Incident %d does not exist.", p.id)
	}
	return nil
}

// MarkStep records steps of incident id at once (see Ledger.Mark).
func (s *Store) MarkStep(ctx context.Context, f jobtype.Fence, id int64, steps ...Step) error {
	return s.Ledger(f, id).Mark(ctx, steps...)
}

// ClaimChannelName records the channel name about to be created (see
// Ledger.ClaimChannelName).
func (s *Store) ClaimChannelName(ctx context.Context, f jobtype.Fence, id int64, name string, attempt int) error {
	return s.Ledger(f, id).ClaimChannelName(ctx, name, attempt)
}

// SetChannel records the incident's channel (see Ledger.SetChannel).
func (s *Store) SetChannel(ctx context.Context, f jobtype.Fence, id int64, channelID, name string) error {
	return s.Ledger(f, id).SetChannel(ctx, channelID, name)
}

package meetings

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/zoom"
)

// Attempt is where the making of one meeting stands, as its owner (an
// incident, a follow-up) records it: the tag the meeting carries, the host
// a create is being sent to, and every host a create was sent to before.
// It is recorded before each create, so after a crash or a lost answer
// the next run looks for the tag on each of those hosts before making
// another meeting.
type Attempt struct {
	Tag   string
	Host  string
	Tried []string
	// Day is the UTC day whose request count (Zoom's daily cap) the create
	// adds to: the Recorder counts it in the same write.
	Day string
}

// Spec is a meeting to make. The request's agenda gets the tag in front
// (Zoom's meeting list shows the agenda's first 250 characters, which is
// where recovery looks for it) and its passcode is made to the host's
// rules.
type Spec struct {
	Tag     string
	Request zoom.CreateMeetingRequest
}

// Made is a meeting and the pool host it is on.
type Made struct {
	Meeting warroom.Meeting
	Host    string
	Found   bool // an earlier run had made it; this run found it by its tag
}

// Recorder writes an Attempt durably; a refusal (the owner wants another
// meeting now, or was cancelled, or the job lost its lease) stops Ensure
// before it calls Zoom.
type Recorder func(ctx context.Context, a Attempt) error

// Ensure makes the meeting of spec once, whatever happened before:
//
//  1. If an earlier run may have sent a create (att.Host, att.Tried), the
//     tagged meeting is looked for on each of those hosts first.
//  2. A host is chosen (the one tried last, if it can still be used) and
//     the attempt recorded with it, before Zoom is asked.
//  3. When Zoom refuses the host itself (no such user, may not host,
//     deactivated, account needing reconnection, daily cap), the host is
//     set aside and the meeting moves to another host of the pool at once.
//
// Any other failure (Zoom down, a timeout, a rate limit) is returned: the
// caller's job retries later, and step 1 covers a create whose answer was
// lost.
func (p *Pool) Ensure(ctx context.Context, spec Spec, att Attempt, record Recorder) (Made, error) {
	att.Tag = spec.Tag
	if m, found, err := p.findTagged(ctx, att); err != nil || found {
		return m, err
	}
	exclude := map[string]bool{}
	var refusals []error
	for {
		host, err := p.chooseAndRecord(ctx, &att, exclude, record)
		var re *recordError
		if errors.As(err, &re) {
			return Made{}, re.err
		}
		if err != nil {
			return Made{}, errors.Join(append(refusals, err)...)
		}
		m, err := p.create(ctx, host, spec)
		if err == nil {
			p.worked(ctx, host.Key)
			return Made{Meeting: m, Host: host.Key}, nil
		}
		he, ok := hostFailure(host.Key, err)
		if !ok {
			return Made{}, fmt.Errorf("create zoom meeting on %s: %w", host.Key, err)
		}
		p.setAside(ctx, he)
		exclude[host.Key] = true
		refusals = append(refusals, he)
	}
}

// recordError is a refused Recorder: returned as it is, never joined with
// host refusals, so the caller sees why it was refused.
type recordError struct{ err error }

func (e *recordError) Error() string { return e.err.Error() }
func (e *recordError) Unwrap() error { return e.err }

// findTagged looks for the meeting on every host a create may have reached.
// A host that now refuses even a search (gone from the pool, deleted at
// Zoom) cannot show the meeting, and is skipped.
func (p *Pool) findTagged(ctx context.Context, att Attempt) (Made, bool, error) {
	hosts := slices.Clone(att.Tried)
	if att.Host != "" && !slices.Contains(hosts, att.Host) {
		hosts = append(hosts, att.Host)
	}
	for _, host := range hosts {
		client, userID, err := p.Client(ctx, host)
		if err != nil {
			if _, ok := hostFailure(host, err); ok || warroom.ErrorCode(err) == warroom.ENOTFOUND {
				continue
			}
			return Made{}, false, err
		}
		m, err := findTagged(ctx, client, userID, att.Tag)
		if err != nil {
			if _, ok := hostFailure(host, err); ok || zoom.IsNotFound(err) {
				continue
			}
			return Made{}, false, err
		}
		if m != nil {
			return Made{Meeting: toMeeting(m), Host: host, Found: true}, true, nil
		}
	}
	return Made{}, false, nil
}

// findTagged looks on a host for a meeting whose agenda starts with tag.
func findTagged(ctx context.Context, c *zoom.Client, userID, tag string) (*zoom.Meeting, error) {
	list, err := c.ListMeetings(ctx, userID, zoom.ListScheduled)
	if err != nil {
		return nil, fmt.Errorf("look for zoom meeting: %w", err)
	}
	for _, s := range list {
		if strings.HasPrefix(s.Agenda, tag) {
			m, err := c.GetMeeting(ctx, s.ID)
			if err != nil {
				return nil, fmt.Errorf("read zoom meeting %d: %w", s.ID, err)
			}
			return m, nil
		}
	}
	return nil, nil
}

// FindTagged looks for a tagged meeting on the hosts an attempt names (a
// meeting retired while it was still being made).
func (p *Pool) FindTagged(ctx context.Context, tag, host string, tried []string) (*Made, error) {
	m, found, err := p.findTagged(ctx, Attempt{Tag: tag, Host: host, Tried: tried})
	if err != nil || !found {
		return nil, err
	}
	return &m, nil
}

// create makes the meeting on host, as choose read it from the pool.
func (p *Pool) create(ctx context.Context, h warroom.ZoomHost, spec Spec) (warroom.Meeting, error) {
	if h.ZoomUserID == "" {
		// The host's passcode rules are read at start; a meeting asked for
		// before that finished reads them now, or its passcode may be refused.
		var err error
		if h, err = p.loadProfile(ctx, h); err != nil {
			return warroom.Meeting{}, err
		}
	}
	client, userID, err := p.clientFor(h)
	if err != nil {
		return warroom.Meeting{}, err
	}
	req := spec.Request
	agenda := spec.Tag + " " + req.Agenda
	if r := []rune(agenda); len(r) > 2000 {
		agenda = string(r[:2000]) // Zoom's limit counts characters
	}
	req.Agenda = agenda
	if req.Password, err = passcodeFor(h); err != nil {
		// Zoom makes one itself when the account requires it.
		p.cfg.Log.Warn().Err(err).Str("host", h.Key).Msg("no passcode generated")
		req.Password = ""
	}
	m, err := client.CreateMeeting(ctx, userID, req)
	if err != nil {
		return warroom.Meeting{}, err
	}
	return toMeeting(m), nil
}

func toMeeting(m *zoom.Meeting) warroom.Meeting {
	return warroom.Meeting{ID: m.ID, UUID: m.UUID, HostEmail: m.HostEmail, Topic: m.Topic, JoinURL: m.JoinURL, Password: m.Password}
}

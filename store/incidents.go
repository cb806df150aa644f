package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/warroom-dev/warroom"
)

// NewIncident is what a declare records before any network call.
type NewIncident struct {
	// DedupeKey makes a declare idempotent: the slash command's trigger_id
	// (or the event_id) — the same key never makes a second incident.
	DedupeKey     string
	Title         string
	FullTitle     string
	Severity      warroom.Severity
	DeclaredBy    string
	SourceChannel string
	ResponseURL   string
	Private       bool
	Responders    []string // Slack users to invite besides the declarer
	// ChannelID and ChannelName are set when the incident is declared for a
	// channel that already exists (a person created it).
	ChannelID   string
	ChannelName string
}

// Progress is how far an incident's declare workflow has got. Flags named
// "…ing" record an intent written before a call that has no idempotency
// key, so recovery knows to look for the result before trying again.
type Progress struct {
	ChannelAttempt int
	Invited        bool
	MessagePosting bool
	MessageShows   string // fingerprint of the call state the posted message shows
	Pinned         bool
	TopicShows     string // fingerprint of what the topic shows
	BookmarkAdding bool
	BookmarkLink   string // the call link the channel's bookmark points to
	Confirmed      bool
	MeetingTag     string // set before creating the meeting; the meeting's agenda carries it
	MeetingHost    string
	MeetingSeq     int  // meetings made so far; part of each meeting's tag
	MeetingEnded   bool // warroom ended the meeting at Zoom
	Joined         bool // the bot joined a channel someone else created
	Responders     []string

	AnnouncePosting bool
	AnnounceChannel string
	AnnounceTS      string
	AnnounceShows   string

	// A replaced meeting, to delete at Zoom if it never started.
	OldMeetingID   int64
	OldMeetingHost string
	OldJoinURL     string
}

// Record is an incident with its workflow progress.
type Record struct {
	warroom.Incident
	Progress
	DedupeKey string
}

// DedupeKeyKind is what declared the incident: "slash", "view" (the
// declare modal) or "channel" (a person created a prefixed channel).
func (r *Record) DedupeKeyKind() string {
	kind, _, _ := strings.Cut(r.DedupeKey, ":")
	return kind
}

// Step is a one-way flag of the declare workflow.
type Step int

// Steps recorded with MarkStep.
const (
	StepInvited Step = iota + 1
	StepMessagePosting
	StepPinned
	StepBookmarkAdding
	StepConfirmed
	StepJoined
	StepAnnouncePosting
	StepMeetingEnded
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
	}
	return "", fmt.Errorf("store: unknown step %d", int(st))
}

// JobDeclare is the job kind that runs an incident's declare workflow.
const JobDeclare = "declare"

// Declare records a new incident and the job that will build its war room,
// in one transaction. If an incident with the same dedupe key exists, it is
// returned with created=false and nothing is written.
func (s *Store) Declare(ctx context.Context, n NewIncident) (rec *Record, created bool, err error) {
	res, err := s.DeclareMany(ctx, []NewIncident{n})
	if err != nil {
		return nil, false, err
	}
	return res[0].Record, res[0].Created, res[0].Err
}

// Declared is the outcome of one declare of a DeclareMany.
type Declared struct {
	Record  *Record
	Created bool
	Err     error // this declare's own refusal (bad input); the others still count
}

// DeclareMany records several declares in one transaction: one commit (one
// fsync) for all of them, which is what keeps acks fast when an incident
// storm brings many at once. Each behaves as Declare would.
func (s *Store) DeclareMany(ctx context.Context, ns []NewIncident) ([]Declared, error) {
	out := make([]Declared, len(ns))
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: declare: %w", err)
	}
	defer tx.Rollback()
	for i, n := range ns {
		out[i].Record, out[i].Created, out[i].Err = s.declare(ctx, tx, n)
		if out[i].Err != nil && warroom.ErrorCode(out[i].Err) == warroom.EINTERNAL {
			return nil, out[i].Err // the transaction is unusable
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: declare: %w", err)
	}
	return out, nil
}

func (s *Store) declare(ctx context.Context, tx *sql.Tx, n NewIncident) (*Record, bool, error) {
	if n.DedupeKey == "" {
		return nil, false, warroom.Errorf(warroom.EINVALID, "A declare needs a dedupe key.")
	}
	if !n.Severity.Valid() {
		return nil, false, warroom.Errorf(warroom.EINVALID, "Severity must be 1, 2, 3 or 4.")
	}
	if existing, err := findIncident(ctx, tx, `dedupe_key = ?`, n.DedupeKey); err == nil {
		return existing, false, nil
	} else if warroom.ErrorCode(err) != warroom.ENOTFOUND {
		return nil, false, fmt.Errorf("store: declare: %w", err)
	}
	now := ms(s.now())
	responders, err := json.Marshal(nonNil(n.Responders))
	if err != nil {
		return nil, false, fmt.Errorf("store: declare: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO incidents
		(dedupe_key, title, full_title, severity, status, declared_by, commander, source_channel, response_url, private,
		 responders, channel_id, channel_name, call_state, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.DedupeKey, n.Title, n.FullTitle, int(n.Severity), string(warroom.StatusActive), n.DeclaredBy, n.DeclaredBy,
		n.SourceChannel, n.ResponseURL, boolInt(n.Private), string(responders), n.ChannelID, n.ChannelName,
		string(warroom.CallPending), now, now)
	if err != nil {
		return nil, false, fmt.Errorf("store: declare: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, false, fmt.Errorf("store: declare: %w", err)
	}
	if _, err := enqueue(ctx, tx, JobDeclare, id, now); err != nil {
		return nil, false, fmt.Errorf("store: declare: %w", err)
	}
	rec, err := findIncident(ctx, tx, `id = ?`, id)
	if err != nil {
		return nil, false, fmt.Errorf("store: declare: %w", err)
	}
	return rec, true, nil
}

// Incident returns the incident with its progress.
func (s *Store) Incident(ctx context.Context, id int64) (*Record, error) {
	rec, err := findIncident(ctx, s.db, `id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("store: incident %d: %w", id, err)
	}
	return rec, nil
}

// IncidentByChannel returns the incident whose channel is channelID.
func (s *Store) IncidentByChannel(ctx context.Context, channelID string) (*Record, error) {
	rec, err := findIncident(ctx, s.db, `channel_id = ? AND channel_id <> ''`, channelID)
	if err != nil {
		return nil, fmt.Errorf("store: incident in %s: %w", channelID, err)
	}
	return rec, nil
}

// Incidents lists incidents, newest first.
func (s *Store) Incidents(ctx context.Context) ([]*Record, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+incidentColumns+` FROM incidents ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: incidents: %w", err)
	}
	defer rows.Close()
	var out []*Record
	for rows.Next() {
		rec, err := scanIncident(rows)
		if err != nil {
			return nil, fmt.Errorf("store: incidents: %w", err)
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: incidents: %w", err)
	}
	return out, nil
}

// ClaimChannelName records the channel name about to be created, before
// conversations.create is called.
func (s *Store) ClaimChannelName(ctx context.Context, id int64, name string, attempt int) error {
	return s.update(ctx, id, `channel_name = ?, channel_attempt = ?`, name, attempt)
}

// ChannelNameClaimedByOther reports whether another incident has claimed
// or owns a channel of this name.
func (s *Store) ChannelNameClaimedByOther(ctx context.Context, id int64, name string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM incidents WHERE channel_name = ? AND id <> ?`, name, id).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: channel name %s: %w", name, err)
	}
	return n > 0, nil
}

// SetChannel records the incident's channel. A channel already recorded
// for another incident is refused with ECONFLICT.
func (s *Store) SetChannel(ctx context.Context, id int64, channelID, name string) error {
	err := s.update(ctx, id, `channel_id = ?, channel_name = ?`, channelID, name)
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return warroom.Errorf(warroom.ECONFLICT, "Channel %s already belongs to another incident.", channelID)
	}
	return err
}

// MarkStep records that a step of the declare workflow happened (or, for
// the "…ing" steps, is about to).
func (s *Store) MarkStep(ctx context.Context, id int64, st Step) error {
	col, err := st.column()
	if err != nil {
		return err
	}
	return s.update(ctx, id, col+` = 1`)
}

// SetMessage records the posted incident message and what it shows.
func (s *Store) SetMessage(ctx context.Context, id int64, ts, shows string) error {
	return s.update(ctx, id, `message_ts = ?, message_shows = ?`, ts, shows)
}

// SetMessageShows records what the incident message shows after an update.
func (s *Store) SetMessageShows(ctx context.Context, id int64, shows string) error {
	return s.update(ctx, id, `message_shows = ?`, shows)
}

// SetBookmarkLink records the link the channel bookmark now points to.
func (s *Store) SetBookmarkLink(ctx context.Context, id int64, link string) error {
	return s.update(ctx, id, `bookmark_link = ?, bookmark_adding = 0`, link)
}

// SetTopicShows records what the channel topic shows.
func (s *Store) SetTopicShows(ctx context.Context, id int64, shows string) error {
	return s.update(ctx, id, `topic_shows = ?`, shows)
}

// RecordMeetingIntent records, before Zoom is called, the host and the tag
// the meeting will carry, so recovery can find a meeting made by a call
// whose answer was lost.
func (s *Store) RecordMeetingIntent(ctx context.Context, id int64, tag, host string) error {
	return s.update(ctx, id, `meeting_tag = ?, meeting_host = ?`, tag, host)
}

// SetMeetingOn records the incident's meeting and the pool host it is on;
// the call is ready.
func (s *Store) SetMeetingOn(ctx context.Context, id int64, host string, m warroom.Meeting) error {
	return s.update(ctx, id, `meeting_id = ?, meeting_uuid = ?, meeting_host = ?, meeting_email = ?, meeting_topic = ?,
		meeting_join_url = ?, meeting_password = ?, call_state = ?, call_error = ''`,
		m.ID, m.UUID, host, m.HostEmail, m.Topic, m.JoinURL, m.Password, string(warroom.CallReady))
}

// SetCallFailed records why the meeting could not be made yet.
func (s *Store) SetCallFailed(ctx context.Context, id int64, reason string) error {
	return s.update(ctx, id, `call_state = ?, call_error = ?`, string(warroom.CallFailed), reason)
}

// HostLoad counts the active incidents whose meeting is (or is being) made
// on each host.
func (s *Store) HostLoad(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT meeting_host, COUNT(*) FROM incidents
		WHERE status = ? AND meeting_host <> '' GROUP BY meeting_host`, string(warroom.StatusActive))
	if err != nil {
		return nil, fmt.Errorf("store: host load: %w", err)
	}
	defer rows.Close()
	load := map[string]int{}
	for rows.Next() {
		var host string
		var n int
		if err := rows.Scan(&host, &n); err != nil {
			return nil, fmt.Errorf("store: host load: %w", err)
		}
		load[host] = n
	}
	return load, rows.Err()
}

func (s *Store) update(ctx context.Context, id int64, set string, args ...any) error {
	args = append(args, ms(s.now()), id)
	res, err := s.db.ExecContext(ctx, `UPDATE incidents SET `+set+`, updated_at = ? WHERE id = ?`, args...)
	if err != nil {
		return fmt.Errorf("store: update incident %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return warroom.Errorf(warroom.ENOTFOUND, "Incident %d does not exist.", id)
	}
	return nil
}

const incidentColumns = `id, dedupe_key, title, full_title, severity, status, declared_by, source_channel, response_url, private,
	channel_name, channel_attempt, channel_id, invited, message_posting, message_ts, message_shows, pinned,
	topic_shows, bookmark_adding, confirmed,
	call_state, call_error, meeting_tag, meeting_host, meeting_email, meeting_id, meeting_uuid, meeting_topic, meeting_join_url,
	meeting_password, created_at, updated_at,
	commander, summary, resolved_at, meeting_status, meeting_ended, responders, joined,
	announce_posting, announce_ts, announce_channel, announce_shows,
	old_meeting_id, old_meeting_host, old_join_url, meeting_seq, bookmark_link`

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type scanner interface{ Scan(dest ...any) error }

func findIncident(ctx context.Context, q queryer, where string, args ...any) (*Record, error) {
	rec, err := scanIncident(q.QueryRowContext(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "No such incident.")
	}
	return rec, err
}

func scanIncident(row scanner) (*Record, error) {
	var (
		r                                              Record
		sev                                            int
		status, call                                   string
		private, invited, posting, pinned, adding, cnf int
		meetingID                                      int64
		uuid, topic, joinURL, password, email          string
		created, updated, resolved                     int64
		meetingStatus, responders                      string
		ended, joined, announcing                      int
	)
	err := row.Scan(&r.ID, &r.DedupeKey, &r.Title, &r.FullTitle, &sev, &status, &r.DeclaredBy, &r.SourceChannel, &r.ResponseURL, &private,
		&r.ChannelName, &r.ChannelAttempt, &r.ChannelID, &invited, &posting, &r.MessageTS, &r.MessageShows, &pinned,
		&r.TopicShows, &adding, &cnf,
		&call, &r.CallError, &r.MeetingTag, &r.MeetingHost, &email, &meetingID, &uuid, &topic, &joinURL,
		&password, &created, &updated,
		&r.Commander, &r.Summary, &resolved, &meetingStatus, &ended, &responders, &joined,
		&announcing, &r.AnnounceTS, &r.AnnounceChannel, &r.AnnounceShows,
		&r.OldMeetingID, &r.OldMeetingHost, &r.OldJoinURL, &r.MeetingSeq, &r.BookmarkLink)
	if err != nil {
		return nil, err
	}
	r.ResolvedAt = fromMS(resolved)
	r.MeetingEnded, r.Joined, r.AnnouncePosting = ended == 1, joined == 1, announcing == 1
	if err := json.Unmarshal([]byte(responders), &r.Responders); err != nil {
		return nil, fmt.Errorf("responders: %w", err)
	}
	r.Severity = warroom.Severity(sev)
	r.Status = warroom.Status(status)
	r.Call = warroom.CallState(call)
	r.Private = private == 1
	r.Invited, r.MessagePosting, r.Pinned = invited == 1, posting == 1, pinned == 1
	r.BookmarkAdding, r.Confirmed = adding == 1, cnf == 1
	if meetingID != 0 {
		r.Meeting = &warroom.Meeting{ID: meetingID, UUID: uuid, HostEmail: email, Topic: topic, JoinURL: joinURL, Password: password, Status: meetingStatus}
	}
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	return &r, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

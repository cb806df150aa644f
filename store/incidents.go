package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
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
	// Commander is the incident commander's Slack user ID; the declarer
	// when empty.
	Commander string
	// Origin is where the declare came from (its door, source message,
	// description, links).
	Origin warroom.Origin
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
	BookmarkStale  bool   // the bookmark points to a link since deleted: remove it
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

	// MeetingTried lists the pool hosts the current meeting's create was
	// sent to: recovery looks for its tag on each.
	MeetingTried []string
	// MeetingFailures and MeetingRetryAt are the meeting's own backoff, so
	// that a change to the incident updates Slack at once without calling
	// a failing Zoom again before its time.
	MeetingFailures int
	MeetingRetryAt  time.Time
	// MeetingEventAt is the time of the newest Zoom event applied to the
	// meeting's state; an older one arriving late changes nothing.
	MeetingEventAt time.Time
	// HostControlsUser is the Slack user warroom last tried to give host
	// controls of the call (the commander); HostControlsEmail is the
	// alternative host Zoom holds (the incident's HostControlsHolder),
	// HostControlsNote says why HostControlsUser is not.
	HostControlsUser, HostControlsEmail, HostControlsNote string
	// HostControlsTold is what the channel was last told about host
	// controls (see workflow); HostControlsPosting records that a notice
	// about them is being posted.
	HostControlsTold    string
	HostControlsPosting bool
	// OriginPosting/OriginPosted: the origin (source message, description,
	// links) is being posted, then was posted, in the incident channel;
	// ThreadPosting/ThreadPosted the same for the reply in the source
	// message's thread; FunctionDone: the workflow step was told.
	OriginPosting, OriginPosted, ThreadPosting, ThreadPosted, FunctionDone bool
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
	err := s.inTx(ctx, "declare", func(q txn) error {
		for i, n := range ns {
			out[i].Record, out[i].Created, out[i].Err = s.declare(ctx, q, n)
			if out[i].Err != nil && warroom.ErrorCode(out[i].Err) == warroom.EINTERNAL {
				return out[i].Err // the transaction is unusable
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Warm runs a declare in a transaction that is rolled back, so the
// connection has the declare's statements prepared: the first declares
// after a start (a storm, often) do not pay for it while their acks wait.
// It writes nothing.
//
// PostgreSQL would spend an incident number on the rehearsal (sequences
// do not roll back), so there it does nothing.
func (s *Store) Warm(ctx context.Context) error {
	if s.engine.name != "sqlite" {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: rehearse declare: %w", err)
	}
	defer tx.Rollback()
	_, _, err = s.declare(ctx, txn{tx: tx, c: s.stmts, now: s.now()}, NewIncident{DedupeKey: "rehearsal", Title: "rehearsal",
		FullTitle: "rehearsal", Severity: warroom.SEV4})
	return err
}

func (s *Store) declare(ctx context.Context, tx txn, n NewIncident) (*Record, bool, error) {
	if n.DedupeKey == "" {
		return nil, false, warroom.Errorf(warroom.EINVALID, "A declare needs a dedupe key.")
	}
	if !n.Severity.Valid() {
		return nil, false, warroom.Errorf(warroom.EINVALID, "Severity must be 1, 2, 3 or 4.")
	}
	now := ms(tx.now)
	responders, err := json.Marshal(nonNil(n.Responders))
	if err != nil {
		return nil, false, fmt.Errorf("store: declare: %w", err)
	}
	commander := n.Commander
	if commander == "" {
		commander = n.DeclaredBy
	}
	origin, err := json.Marshal(n.Origin)
	if err != nil {
		return nil, false, fmt.Errorf("store: declare: %w", err)
	}
	// One statement inserts the incident and reads it back, or finds its
	// dedupe key taken: a declare is two round trips and a commit, which
	// matters when the database is far or slow.
	rec, err := scanIncident(tx.QueryRowContext(ctx, `INSERT INTO incidents
		(dedupe_key, title, full_title, severity, status, declared_by, commander, source_channel, response_url, private,
		 responders, channel_id, channel_name, call_state, created_at, updated_at, origin)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (dedupe_key) DO NOTHING RETURNING `+incidentColumns,
		n.DedupeKey, n.Title, n.FullTitle, int(n.Severity), string(warroom.StatusActive), n.DeclaredBy, commander,
		n.SourceChannel, n.ResponseURL, boolInt(n.Private), string(responders), n.ChannelID, n.ChannelName,
		string(warroom.CallPending), now, now, string(origin)))
	if errors.Is(err, sql.ErrNoRows) {
		existing, err := findIncident(ctx, tx, `dedupe_key = ?`, n.DedupeKey)
		if err != nil {
			return nil, false, fmt.Errorf("store: declare: %w", err)
		}
		return existing, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: declare: %w", err)
	}
	if err := enqueue(ctx, tx, jobtype.IncidentSync{IncidentID: rec.ID}, now, now); err != nil {
		return nil, false, fmt.Errorf("store: declare: %w", err)
	}
	if err := addEvent(ctx, tx, rec.ID, tx.now, warroom.EventDeclared, n.DeclaredBy, string(n.Origin.Door), ""); err != nil {
		return nil, false, err
	}
	return rec, true, nil
}

// Incident returns the incident with its progress.
func (s *Store) Incident(ctx context.Context, id int64) (*Record, error) {
	rec, err := findIncident(ctx, s.q, `id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("store: incident %d: %w", id, err)
	}
	return rec, nil
}

// IncidentByChannel returns the incident whose channel is channelID.
func (s *Store) IncidentByChannel(ctx context.Context, channelID string) (*Record, error) {
	rec, err := findIncident(ctx, s.q, `channel_id = ? AND channel_id <> ''`, channelID)
	if err != nil {
		return nil, fmt.Errorf("store: incident in %s: %w", channelID, err)
	}
	return rec, nil
}

// Incidents lists incidents, newest first.
func (s *Store) Incidents(ctx context.Context) ([]*Record, error) {
	recs, err := collect(ctx, s.q, scanIncident, `SELECT `+incidentColumns+` FROM incidents ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: incidents: %w", err)
	}
	return recs, nil
}

const incidentColumns = `id, dedupe_key, title, full_title, severity, status, declared_by, source_channel, response_url, private,
	channel_name, channel_attempt, channel_id, invited, message_posting, message_ts, message_shows, pinned,
	topic_shows, bookmark_adding, confirmed,
	call_state, call_error, meeting_tag, meeting_host, meeting_email, meeting_id, meeting_uuid, meeting_topic, meeting_join_url,
	meeting_password, created_at, updated_at,
	commander, summary, resolved_at, meeting_status, meeting_ended, responders, joined,
	announce_posting, announce_ts, announce_channel, announce_shows,
	meeting_seq, bookmark_link, meeting_tried, meeting_failures, meeting_retry_at, meeting_event_at, bookmark_stale,
	meeting_people, meeting_started_at, meeting_ended_at, host_controls_user, host_controls_email, host_controls_note,
	host_controls_holder, host_controls_told, host_controls_posting,
	origin, origin_posting, origin_posted, thread_posting, thread_posted, function_done`

func findIncident(ctx context.Context, q querier, where string, args ...any) (*Record, error) {
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
		meetingStatus, responders, tried               string
		ended, joined, announcing                      int
		retryAt, eventAt                               int64
		stale, people                                  int
		callStarted, callEnded                         int64
		origin                                         string
	)
	err := row.Scan(&r.ID, &r.DedupeKey, &r.Title, &r.FullTitle, &sev, &status, &r.DeclaredBy, &r.SourceChannel, &r.ResponseURL, &private,
		&r.ChannelName, &r.ChannelAttempt, &r.ChannelID, &invited, &posting, &r.MessageTS, &r.MessageShows, &pinned,
		&r.TopicShows, &adding, &cnf,
		&call, &r.CallError, &r.MeetingTag, &r.MeetingHost, &email, &meetingID, &uuid, &topic, &joinURL,
		&password, &created, &updated,
		&r.Commander, &r.Summary, &resolved, &meetingStatus, &ended, &responders, &joined,
		&announcing, &r.AnnounceTS, &r.AnnounceChannel, &r.AnnounceShows,
		&r.MeetingSeq, &r.BookmarkLink, &tried, &r.MeetingFailures, &retryAt, &eventAt, &stale,
		&people, &callStarted, &callEnded, &r.HostControlsUser, &r.HostControlsEmail, &r.HostControlsNote,
		&r.HostControlsHolder, &r.HostControlsTold, intBool{&r.HostControlsPosting},
		&origin, intBool{&r.OriginPosting}, intBool{&r.OriginPosted}, intBool{&r.ThreadPosting}, intBool{&r.ThreadPosted},
		intBool{&r.FunctionDone})
	if err != nil {
		return nil, err
	}
	r.MeetingRetryAt, r.MeetingEventAt, r.BookmarkStale = fromMS(retryAt), fromMS(eventAt), stale == 1
	if err := json.Unmarshal([]byte(tried), &r.MeetingTried); err != nil {
		return nil, fmt.Errorf("meeting_tried: %w", err)
	}
	r.ResolvedAt = fromMS(resolved)
	r.MeetingEnded, r.Joined, r.AnnouncePosting = ended == 1, joined == 1, announcing == 1
	if err := json.Unmarshal([]byte(responders), &r.Responders); err != nil {
		return nil, fmt.Errorf("responders: %w", err)
	}
	if err := json.Unmarshal([]byte(origin), &r.Origin); err != nil {
		return nil, fmt.Errorf("origin: %w", err)
	}
	r.Severity = warroom.Severity(sev)
	r.Status = warroom.Status(status)
	r.Call = warroom.CallState(call)
	r.Private = private == 1
	r.Invited, r.MessagePosting, r.Pinned = invited == 1, posting == 1, pinned == 1
	r.BookmarkAdding, r.Confirmed = adding == 1, cnf == 1
	if meetingID != 0 {
		r.Meeting = &warroom.Meeting{ID: meetingID, UUID: uuid, HostEmail: email, Topic: topic, JoinURL: joinURL, Password: password,
			Status: meetingStatus, People: people, StartedAt: fromMS(callStarted), EndedAt: fromMS(callEnded)}
	}
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	return &r, nil
}

// IncidentCounts counts incidents by severity and by status, for /metrics.
func (s *Store) IncidentCounts(ctx context.Context) (bySeverity, byStatus map[string]int, err error) {
	rows, err := s.q.QueryContext(ctx, `SELECT severity, status, COUNT(*) FROM incidents GROUP BY severity, status`)
	if err != nil {
		return nil, nil, fmt.Errorf("store: incident counts: %w", err)
	}
	defer rows.Close()
	bySeverity, byStatus = map[string]int{}, map[string]int{}
	for rows.Next() {
		var sev, n int
		var status string
		if err := rows.Scan(&sev, &status, &n); err != nil {
			return nil, nil, fmt.Errorf("store: incident counts: %w", err)
		}
		bySeverity[warroom.Severity(sev).String()] += n
		byStatus[status] += n
	}
	return bySeverity, byStatus, rows.Err()
}

// ChannelNameClaimedByOther reports whether another incident has claimed
// or owns a channel of this name.
func (s *Store) ChannelNameClaimedByOther(ctx context.Context, id int64, name string) (bool, error) {
	var n int
	err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM incidents WHERE channel_name = ? AND id <> ?`, name, id).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: channel name %s: %w", name, err)
	}
	return n > 0, nil
}

// OpenIncidents lists active incidents, oldest first.
func (s *Store) OpenIncidents(ctx context.Context) ([]*Record, error) {
	recs, err := collect(ctx, s.q, scanIncident, `SELECT `+incidentColumns+` FROM incidents WHERE status = ? ORDER BY id`,
		string(warroom.StatusActive))
	if err != nil {
		return nil, fmt.Errorf("store: open incidents: %w", err)
	}
	return recs, nil
}

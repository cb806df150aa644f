package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/jobtype"
)

// Removal says what deleting a Zoom account touched.
type Removal struct {
	Incidents []int64 // incidents whose call it hosted: their call is now "removed"
	Followups []int64 // follow-ups whose meeting it hosted: now "removed"
	Watches   int     // recording watches ended
}

// RemoveZoomHost deletes a host with its tokens and every piece of Zoom
// data kept for it, in every table: the meetings of the incidents,
// follow-ups, retired meetings and recording watches it hosted, and its
// usage counts. The work still pending on it ends with a visible note: the
// incidents' and follow-ups' jobs run once more to say the meeting was
// removed, and the recording watches stop. Then the write-ahead log is
// checkpointed and truncated, so with secure_delete no join link, passcode
// or token of the account is left anywhere in the database files.
func (s *Store) RemoveZoomHost(ctx context.Context, key string) (Removal, error) {
	var out Removal
	err := s.inTx(ctx, "remove zoom host", func(q txn) error {
		now := ms(q.now)
		// The pool key of a connected account holds its Zoom user ID: the
		// host lists that mention it are Zoom data too.
		mentioned := `%` + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(`"`+key+`"`) + `%`
		var err error
		if out.Incidents, err = ids(ctx, q, `SELECT id FROM incidents WHERE meeting_host = ? OR meeting_tried LIKE ? ESCAPE '\'`, key, mentioned); err != nil {
			return err
		}
		if out.Followups, err = ids(ctx, q, `SELECT id FROM followups WHERE meeting_host = ? OR meeting_tried LIKE ? ESCAPE '\'`, key, mentioned); err != nil {
			return err
		}
		watches, err := ids(ctx, q, `SELECT id FROM recordings WHERE meeting_host = ?`, key)
		if err != nil {
			return err
		}
		if err := forgetLinks(ctx, q, key, mentioned); err != nil {
			return err
		}
		out.Watches = len(watches)
		for _, st := range []struct {
			sql  string
			args []any
		}{
			// The account's meetings' pending events and head counts (names,
			// emails) go first, while the incidents still name the meetings.
			{`DELETE FROM zoom_events WHERE incident_id IN (SELECT id FROM incidents
				WHERE meeting_host = ? OR meeting_tried LIKE ? ESCAPE '\')`, []any{key, mentioned}},
			{`DELETE FROM participants WHERE meeting_id IN (SELECT meeting_id FROM incidents WHERE meeting_host = ?
				UNION SELECT meeting_id FROM followups WHERE meeting_host = ? UNION SELECT meeting_id FROM retired_meetings WHERE host = ?)`,
				[]any{key, key, key}},
			{`DELETE FROM participant_names WHERE meeting_id IN (SELECT meeting_id FROM incidents WHERE meeting_host = ?
				UNION SELECT meeting_id FROM slack_calls WHERE host = ?)`, []any{key, key}},
			{`UPDATE incidents SET meeting_id = 0, meeting_uuid = '', meeting_topic = '', meeting_join_url = '',
				meeting_password = '', meeting_tag = '', meeting_host = '', meeting_email = '', meeting_tried = '[]',
				meeting_status = '', call_state = ?, call_error = 'the Zoom connection was removed',
				host_controls_user = '', host_controls_email = '', host_controls_note = '', host_controls_holder = '',
				bookmark_stale = CASE WHEN bookmark_link <> '' THEN 1 ELSE bookmark_stale END, bookmark_link = '',
				topic_shows = '', updated_at = ?
				WHERE meeting_host = ? OR meeting_tried LIKE ? ESCAPE '\'`,
				[]any{string(warroom.CallRemoved), now, key, mentioned}},
			{`UPDATE followups SET meeting_id = 0, meeting_uuid = '', meeting_join_url = '', meeting_password = '',
				meeting_tag = '', meeting_host = '', meeting_tried = '[]', removed = 1, updated_at = ?
				WHERE meeting_host = ? OR meeting_tried LIKE ? ESCAPE '\'`, []any{now, key, mentioned}},
			{`DELETE FROM incident_events WHERE zoom_host = ?`, []any{key}},
			{`DELETE FROM recordings WHERE meeting_host = ?`, []any{key}},
			{`DELETE FROM summaries WHERE meeting_host = ?`, []any{key}},
			{`DELETE FROM retired_meetings WHERE host = ? OR tried LIKE ? ESCAPE '\'`, []any{key, mentioned}},
			{`DELETE FROM zoom_usage WHERE host = ?`, []any{key}},
			{`DELETE FROM zoom_hosts WHERE key = ?`, []any{key}},
		} {
			if _, err := q.ExecContext(ctx, st.sql, st.args...); err != nil {
				return fmt.Errorf("store: remove zoom host: %w", err)
			}
		}
		for _, id := range watches {
			if _, err := q.ExecContext(ctx, `UPDATE jobs SET done_at = ?, lease_owner = '', lease_until = 0
				WHERE kind = ? AND ref_id = ? AND done_at IS NULL AND lease_owner = ''`, now, jobtype.KindRecording, id); err != nil {
				return fmt.Errorf("store: remove zoom host: %w", err)
			}
		}
		for _, id := range out.Incidents {
			if err := enqueue(ctx, q, jobtype.IncidentSync{IncidentID: id}, now, now); err != nil {
				return err
			}
		}
		for _, id := range out.Followups {
			var incident int64
			if err := q.QueryRowContext(ctx, `SELECT incident_id FROM followups WHERE id = ?`, id).Scan(&incident); err != nil {
				return fmt.Errorf("store: remove zoom host: %w", err)
			}
			if err := enqueue(ctx, q, jobtype.Followup{IncidentID: incident, FollowupID: id}, now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Removal{}, err
	}
	return out, s.truncateLog(ctx)
}

// forgetLinks clears what incidents remember of the account's join links
// besides their meeting: the bookmark (marked stale, for the sync to take
// away from the channel) and the topic (set again without it).
func forgetLinks(ctx context.Context, q querier, key, mentioned string) error {
	rows, err := q.QueryContext(ctx, `SELECT meeting_join_url FROM incidents WHERE meeting_host = ? AND meeting_join_url <> ''
		UNION SELECT join_url FROM retired_meetings WHERE (host = ? OR tried LIKE ? ESCAPE '\') AND join_url <> ''
		UNION SELECT meeting_join_url FROM followups WHERE meeting_host = ? AND meeting_join_url <> ''`, key, key, mentioned, key)
	if err != nil {
		return fmt.Errorf("store: remove zoom host: %w", err)
	}
	var links []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			rows.Close()
			return fmt.Errorf("store: remove zoom host: %w", err)
		}
		links = append(links, l)
	}
	rows.Close()
	escape := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	for _, l := range links {
		if _, err := q.ExecContext(ctx, `UPDATE incidents SET bookmark_stale = 1, bookmark_link = '' WHERE bookmark_link = ?`, l); err != nil {
			return fmt.Errorf("store: remove zoom host: %w", err)
		}
		if _, err := q.ExecContext(ctx, `UPDATE incidents SET topic_shows = '' WHERE topic_shows LIKE ? ESCAPE '\'`,
			"%"+escape.Replace(l)+"%"); err != nil {
			return fmt.Errorf("store: remove zoom host: %w", err)
		}
	}
	return nil
}

func ids(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	out, err := collect(ctx, q, scanID, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return out, nil
}

// truncateLog copies the write-ahead log into the database and empties it:
// the log keeps old versions of pages, deleted data included, until then.
// The checkpoint runs on the committer, between its transactions, so no
// write can hold it up; a reader holding an old snapshot can, for a
// moment, so it is tried again for up to truncateFor. A leftover (readers
// that never paused) is overwritten by later writes, and emptied by the
// next Prune.
//
// PostgreSQL has no such file to empty here: deleted rows are vacuumed and
// its WAL is the operator's to keep or recycle (see the README).
func (s *Store) truncateLog(ctx context.Context) error {
	if s.commits == nil {
		return nil
	}
	deadline := time.Now().Add(truncateFor)
	for {
		var busy int
		err := s.commits.outside(ctx, func(ctx context.Context) error {
			var logged, done int
			return s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &done)
		})
		if err != nil {
			return fmt.Errorf("store: checkpoint: %w", err)
		}
		if busy == 0 || time.Now().After(deadline) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// truncateFor bounds how long truncateLog waits for readers.
const truncateFor = 5 * time.Second

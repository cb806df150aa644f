-- Settings this installation keeps about itself (install_id, …).
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- One row per incident. The step columns record what the declare workflow
-- has done, so a restart resumes at the first step not yet recorded.
-- Times are Unix milliseconds (portable to PostgreSQL's BIGINT).
CREATE TABLE incidents (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	dedupe_key     TEXT    NOT NULL UNIQUE,
	title          TEXT    NOT NULL,
	full_title     TEXT    NOT NULL,
	severity       INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),
	status         TEXT    NOT NULL,
	declared_by    TEXT    NOT NULL,
	source_channel TEXT    NOT NULL DEFAULT '',
	response_url   TEXT    NOT NULL DEFAULT '',
	private        INTEGER NOT NULL DEFAULT 0,

	channel_name    TEXT    NOT NULL DEFAULT '',
	channel_attempt INTEGER NOT NULL DEFAULT 0,
	channel_id      TEXT    NOT NULL DEFAULT '',
	invited         INTEGER NOT NULL DEFAULT 0,
	message_posting INTEGER NOT NULL DEFAULT 0,
	message_ts      TEXT    NOT NULL DEFAULT '',
	message_shows   TEXT    NOT NULL DEFAULT '',
	pinned          INTEGER NOT NULL DEFAULT 0,
	topic_shows     TEXT    NOT NULL DEFAULT '',
	bookmark_adding INTEGER NOT NULL DEFAULT 0,
	confirmed       INTEGER NOT NULL DEFAULT 0,

	call_state       TEXT    NOT NULL DEFAULT 'pending',
	call_error       TEXT    NOT NULL DEFAULT '',
	meeting_tag      TEXT    NOT NULL DEFAULT '',
	meeting_host     TEXT    NOT NULL DEFAULT '', -- the pool host's key
	meeting_email    TEXT    NOT NULL DEFAULT '', -- the host's Zoom email
	meeting_id       INTEGER NOT NULL DEFAULT 0,
	meeting_uuid     TEXT    NOT NULL DEFAULT '',
	meeting_topic    TEXT    NOT NULL DEFAULT '',
	meeting_join_url TEXT    NOT NULL DEFAULT '',
	meeting_password TEXT    NOT NULL DEFAULT '',

	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

-- A Slack channel belongs to at most one incident.
CREATE UNIQUE INDEX incidents_channel_id ON incidents (channel_id) WHERE channel_id <> '';
CREATE INDEX incidents_meeting_host ON incidents (meeting_host, status);

-- Durable work: the outbox of every workflow. A worker claims due rows
-- with a lease, runs them and records the outcome.
CREATE TABLE jobs (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	kind        TEXT    NOT NULL,
	incident_id INTEGER REFERENCES incidents (id) ON DELETE CASCADE,
	payload     TEXT    NOT NULL DEFAULT '{}',
	run_at      INTEGER NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT    NOT NULL DEFAULT '',
	-- rerun: someone asked for the job to run again (Retry) while it was
	-- running; its outcome must not push it back into a backoff.
	rerun       INTEGER NOT NULL DEFAULT 0,
	lease_owner TEXT    NOT NULL DEFAULT '',
	lease_until INTEGER NOT NULL DEFAULT 0,
	done_at     INTEGER,
	created_at  INTEGER NOT NULL
);

CREATE INDEX jobs_due ON jobs (done_at, run_at);

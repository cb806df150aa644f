-- Post-incident review meetings, scheduled on resolve or by hand.
CREATE TABLE followups (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	incident_id      INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	n                INTEGER NOT NULL,           -- 1, 2, … per incident
	dedupe_key       TEXT    NOT NULL UNIQUE,
	auto             INTEGER NOT NULL DEFAULT 0, -- scheduled by resolve
	topic            TEXT    NOT NULL DEFAULT '',
	start_at         INTEGER NOT NULL DEFAULT 0, -- 0: computed by the job (time zone needed)
	duration_min     INTEGER NOT NULL DEFAULT 30,
	invitees         TEXT    NOT NULL DEFAULT '[]',
	requested_by     TEXT    NOT NULL DEFAULT '',
	meeting_host     TEXT    NOT NULL DEFAULT '',
	meeting_tag      TEXT    NOT NULL DEFAULT '',
	meeting_id       INTEGER NOT NULL DEFAULT 0,
	meeting_uuid     TEXT    NOT NULL DEFAULT '',
	meeting_join_url TEXT    NOT NULL DEFAULT '',
	meeting_password TEXT    NOT NULL DEFAULT '',
	call_error       TEXT    NOT NULL DEFAULT '',
	post_posting     INTEGER NOT NULL DEFAULT 0,
	post_ts          TEXT    NOT NULL DEFAULT '',
	reminder_queued  INTEGER NOT NULL DEFAULT 0,
	reminder_posting INTEGER NOT NULL DEFAULT 0,
	reminder_ts      TEXT    NOT NULL DEFAULT '',
	cancelled        INTEGER NOT NULL DEFAULT 0,
	cancelled_by     TEXT    NOT NULL DEFAULT '',
	cancel_done      INTEGER NOT NULL DEFAULT 0,
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL,
	UNIQUE (incident_id, n)
);

-- Meetings whose recording (and, for bridges, attendance) is awaited.
CREATE TABLE recordings (
	id                   INTEGER PRIMARY KEY AUTOINCREMENT,
	incident_id          INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	meeting_id           INTEGER NOT NULL,
	meeting_host         TEXT    NOT NULL,
	label                TEXT    NOT NULL, -- "the incident call", "the post-incident review"
	bridge               INTEGER NOT NULL DEFAULT 0,
	poll_until           INTEGER NOT NULL,
	rec_posting          INTEGER NOT NULL DEFAULT 0,
	rec_ts               TEXT    NOT NULL DEFAULT '',
	attendance_posting   INTEGER NOT NULL DEFAULT 0,
	attendance_ts        TEXT    NOT NULL DEFAULT '',
	attendance_done      INTEGER NOT NULL DEFAULT 0,
	gave_up              INTEGER NOT NULL DEFAULT 0,
	created_at           INTEGER NOT NULL,
	UNIQUE (incident_id, meeting_id)
);

ALTER TABLE jobs ADD COLUMN ref_id INTEGER NOT NULL DEFAULT 0; -- the followup or recording a job is about
CREATE INDEX jobs_ref ON jobs (kind, ref_id);

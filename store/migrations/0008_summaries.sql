-- Zoom AI Companion summaries of incident calls, posted once in the
-- incident's channel. Zoom data of the host's account: removed with it.
CREATE TABLE summaries (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	incident_id  INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	meeting_uuid TEXT    NOT NULL UNIQUE,
	meeting_host TEXT    NOT NULL DEFAULT '',
	overview     TEXT    NOT NULL DEFAULT '',
	next_steps   TEXT    NOT NULL DEFAULT '[]',
	posting      INTEGER NOT NULL DEFAULT 0,
	post_ts      TEXT    NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL
);

-- The incident's calls as Slack's own Call objects (the Calls API): one
-- row per Zoom meeting that got one. adding is the intent, written before
-- calls.add, and call_id its answer; block_posting and block_ts the same
-- for the message that shows the Call in the channel. people is who Slack
-- shows in the Call (JSON), so each run sends only the difference.
-- replaced: the incident has another call now, and this one ends when its
-- meeting does (meeting_ended_at, from Zoom's event); ended: calls.end
-- was answered.
CREATE TABLE slack_calls (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	incident_id      INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	meeting_id       INTEGER NOT NULL,
	host             TEXT    NOT NULL DEFAULT '',
	adding           INTEGER NOT NULL DEFAULT 0,
	call_id          TEXT    NOT NULL DEFAULT '',
	started_at       INTEGER NOT NULL DEFAULT 0,
	people           TEXT    NOT NULL DEFAULT '[]',
	block_posting    INTEGER NOT NULL DEFAULT 0,
	block_ts         TEXT    NOT NULL DEFAULT '',
	replaced         INTEGER NOT NULL DEFAULT 0,
	meeting_ended_at INTEGER NOT NULL DEFAULT 0,
	ended            INTEGER NOT NULL DEFAULT 0,
	created_at       INTEGER NOT NULL,
	UNIQUE (incident_id, meeting_id)
);
CREATE INDEX slack_calls_meeting ON slack_calls (meeting_id) WHERE ended = 0;

-- Who a participant is, as Zoom's events name them: their email (a Slack
-- user when it is one) and the name they joined with.
CREATE TABLE participant_names (
	meeting_id INTEGER NOT NULL,
	who        TEXT    NOT NULL,
	email      TEXT    NOT NULL,
	name       TEXT    NOT NULL,
	PRIMARY KEY (meeting_id, who)
);

-- users.lookupByEmail's answers: user_id '' means no Slack user has the
-- email. Looked up again after a day, as people join Slack or change
-- their address.
CREATE TABLE slack_user_emails (
	email     TEXT    PRIMARY KEY,
	user_id   TEXT    NOT NULL,
	looked_at INTEGER NOT NULL
);

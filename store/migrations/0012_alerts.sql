-- Alertmanager's alert groups. A group has one open incident at a time:
-- generation counts the incidents it has had, and is part of the declare's
-- dedupe key, so that once people resolve an incident the group's next
-- firing declares a new one, while repeated and concurrent notifications
-- of the same firing find the one declared.
CREATE TABLE alert_groups (
	group_key    TEXT    PRIMARY KEY,
	incident_id  INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	generation   INTEGER NOT NULL,
	-- all_resolved: the channel was told every alert resolved; a new
	-- firing clears it.
	all_resolved INTEGER NOT NULL DEFAULT 0,
	updated_at   INTEGER NOT NULL
);
CREATE INDEX alert_groups_incident ON alert_groups (incident_id);

-- What the incident knows of each alert of its group (by Alertmanager's
-- fingerprint): a notification is compared with it, and only the changes
-- are told.
CREATE TABLE alert_states (
	incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	fingerprint TEXT    NOT NULL,
	firing      INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	PRIMARY KEY (incident_id, fingerprint)
);

-- The changes to tell the incident channel, recorded with the
-- notification that brought them and posted once each by the incident's
-- alert_notes job: posting records the intent before the post, done the
-- post.
CREATE TABLE alert_notes (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	body        TEXT    NOT NULL,
	posting     INTEGER NOT NULL DEFAULT 0,
	done        INTEGER NOT NULL DEFAULT 0,
	post_ts     TEXT    NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL
);
CREATE INDEX alert_notes_pending ON alert_notes (incident_id, id) WHERE done = 0;

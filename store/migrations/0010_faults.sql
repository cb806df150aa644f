-- A job that keeps failing ends instead of retrying forever: failures
-- counts its failed runs in a row (a success resets it), failing_since is
-- when the first of them was recorded, and a job given up on is done with
-- dead = 1, which /incident status, warroom doctor and /metrics show.
ALTER TABLE jobs ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN failing_since INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN dead INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_dead ON jobs (done_at) WHERE dead = 1;
CREATE INDEX jobs_failing ON jobs (failing_since) WHERE done_at IS NULL AND failures > 0;

-- Every Zoom event looks its meeting up, inside a serializable transaction
-- on PostgreSQL: without an index each one reads, and so conflicts with,
-- the whole table.
CREATE INDEX incidents_meeting_id ON incidents (meeting_id) WHERE meeting_id <> 0;
CREATE INDEX followups_meeting_id ON followups (meeting_id) WHERE meeting_id <> 0;
CREATE INDEX recordings_meeting_id ON recordings (meeting_id);

-- Seen events are kept long enough to recognise any redelivery, then pruned.
CREATE INDEX events_seen_at ON events_seen (seen_at);

-- Zoom's events, recorded in the transaction that marks them seen and
-- applied by their incident's job: a failed apply is retried, never lost.
-- An event whose meeting is no incident's call (an account removed the
-- app) has no incident.
CREATE TABLE zoom_events (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	incident_id INTEGER REFERENCES incidents (id) ON DELETE CASCADE,
	event       TEXT    NOT NULL,
	event_ts    INTEGER NOT NULL,
	payload     TEXT    NOT NULL,
	received_at INTEGER NOT NULL
);
CREATE INDEX zoom_events_incident ON zoom_events (incident_id, id);

-- One replica at a time refreshes a Zoom account's rotating tokens: a
-- lease on the account judged by the database's clock (an advisory lock
-- would be stranded by a transaction-mode pooler).
ALTER TABLE zoom_hosts ADD COLUMN refresh_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE zoom_hosts ADD COLUMN refresh_until INTEGER NOT NULL DEFAULT 0;
-- refreshing holds when a refresh was sent (Unix milliseconds), not a flag.

-- Who Zoom holds as the call's alternative host may differ from the
-- commander warroom last tried (Zoom cannot change a running meeting's
-- hosts): host_controls_email is Zoom's truth, host_controls_holder the
-- Slack user it belongs to; the channel is told once of each change.
ALTER TABLE incidents ADD COLUMN host_controls_holder TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN host_controls_told TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN host_controls_posting INTEGER NOT NULL DEFAULT 0;
UPDATE incidents SET host_controls_holder = host_controls_user WHERE host_controls_email <> '';

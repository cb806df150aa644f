-- The job engine: a lease token fences a worker that lost its lease, and
-- available_at says when a job can next be claimed (its run_at while it
-- waits, the end of its lease while it runs), so finding due work and the
-- next wake-up are one index lookup.
ALTER TABLE jobs ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN available_at INTEGER NOT NULL DEFAULT 0;
UPDATE jobs SET kind = 'incident_sync' WHERE kind = 'declare';
-- One unfinished job per kind and subject: extra copies fold into the oldest,
-- which runs at once.
UPDATE jobs SET done_at = created_at
	WHERE done_at IS NULL AND id NOT IN (SELECT MIN(id) FROM jobs WHERE done_at IS NULL GROUP BY kind, incident_id, ref_id);
UPDATE jobs SET available_at = CASE WHEN lease_until > run_at THEN lease_until ELSE run_at END WHERE done_at IS NULL;
DROP INDEX jobs_due;
CREATE INDEX jobs_available ON jobs (available_at) WHERE done_at IS NULL;
CREATE UNIQUE INDEX jobs_one_open ON jobs (kind, incident_id, ref_id) WHERE done_at IS NULL;

-- Meeting creation moves between hosts: the hosts a meeting was tried on
-- (a create may have reached them), its own backoff, and the newest Zoom
-- event applied to the incident's meeting.
ALTER TABLE incidents ADD COLUMN meeting_tried TEXT NOT NULL DEFAULT '[]';
ALTER TABLE incidents ADD COLUMN meeting_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN meeting_retry_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN meeting_event_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE followups ADD COLUMN meeting_tried TEXT NOT NULL DEFAULT '[]';
-- A follow-up whose Zoom account was disconnected: its meeting is gone.
ALTER TABLE followups ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE recordings ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
-- The channel's bookmark points to a call whose link was deleted (its Zoom
-- account was removed): the sync takes the bookmark away.
ALTER TABLE incidents ADD COLUMN bookmark_stale INTEGER NOT NULL DEFAULT 0;

-- Meetings an incident no longer uses (/incident call new, a pasted link):
-- each is deleted at Zoom unless it has started, and its bookmark removed.
-- A meeting still being created when it was replaced is known by its tag.
CREATE TABLE retired_meetings (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	meeting_id  INTEGER NOT NULL DEFAULT 0,
	host        TEXT    NOT NULL DEFAULT '',
	tag         TEXT    NOT NULL DEFAULT '',
	tried       TEXT    NOT NULL DEFAULT '[]',
	join_url    TEXT    NOT NULL DEFAULT '',
	note_posting INTEGER NOT NULL DEFAULT 0, -- the "left running" note is being posted
	created_at  INTEGER NOT NULL
);
CREATE INDEX retired_meetings_incident ON retired_meetings (incident_id);
INSERT INTO retired_meetings (incident_id, meeting_id, host, join_url, created_at)
	SELECT id, old_meeting_id, old_meeting_host, old_join_url, updated_at FROM incidents
	WHERE old_meeting_id <> 0 OR old_join_url <> '';
ALTER TABLE incidents DROP COLUMN old_meeting_id;
ALTER TABLE incidents DROP COLUMN old_meeting_host;
ALTER TABLE incidents DROP COLUMN old_join_url;

-- Webhook replays are recognised by a digest of what Zoom signed, which a
-- replayer cannot vary (the signature's hex case, say) without the secret.
DROP TABLE webhook_seen;
CREATE TABLE webhook_seen (
	digest  TEXT    PRIMARY KEY,
	seen_at INTEGER NOT NULL
);

-- The Connect Zoom link works only in the browser that opened it.
ALTER TABLE oauth_states ADD COLUMN browser_hash TEXT NOT NULL DEFAULT '';

-- A host Zoom refused (no such user, may not host) is skipped until then.
ALTER TABLE zoom_hosts ADD COLUMN failing_until INTEGER NOT NULL DEFAULT 0;
-- Server-to-Server hosts are tried in the order ZOOM_HOSTS names them.
ALTER TABLE zoom_hosts ADD COLUMN position INTEGER NOT NULL DEFAULT 0;

-- The running jobs, by incident: at most one job of an incident runs at a
-- time, and the claim looks here to keep it so.
CREATE INDEX jobs_running ON jobs (incident_id) WHERE done_at IS NULL AND lease_owner <> '';

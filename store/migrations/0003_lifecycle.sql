-- The incident's life after declare: who leads it, how it ended, the
-- meeting's live state, the announcement, and who else to invite.
ALTER TABLE incidents ADD COLUMN commander TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN resolved_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN meeting_status TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN meeting_ended INTEGER NOT NULL DEFAULT 0; -- ended at Zoom by warroom
ALTER TABLE incidents ADD COLUMN responders TEXT NOT NULL DEFAULT '[]';  -- Slack user IDs to invite
ALTER TABLE incidents ADD COLUMN joined INTEGER NOT NULL DEFAULT 0;      -- bot joined a channel it did not create
ALTER TABLE incidents ADD COLUMN announce_posting INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN announce_ts TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN announce_channel TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN announce_shows TEXT NOT NULL DEFAULT '';
-- A replaced meeting waiting to be deleted at Zoom (if it never started).
ALTER TABLE incidents ADD COLUMN old_meeting_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN old_meeting_host TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN old_join_url TEXT NOT NULL DEFAULT '';
-- How many meetings were made for the incident: the tag of each differs,
-- so recovery never mistakes a replaced meeting for the current one.
ALTER TABLE incidents ADD COLUMN meeting_seq INTEGER NOT NULL DEFAULT 0;
-- The call link the channel bookmark points to (the bookmark is redone
-- when the call changes).
ALTER TABLE incidents ADD COLUMN bookmark_link TEXT NOT NULL DEFAULT '';

UPDATE incidents SET commander = declared_by WHERE commander = '';

-- Event IDs already handled (message events), so a redelivery does nothing twice.
CREATE TABLE events_seen (
	event_id TEXT    PRIMARY KEY,
	seen_at  INTEGER NOT NULL
);

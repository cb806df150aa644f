-- The call's live state in the pinned message: how many people are in it,
-- since when it runs, when it ended. participants keeps each person's
-- newest event, so a late or repeated join/leave cannot skew the count.
ALTER TABLE incidents ADD COLUMN meeting_people INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN meeting_started_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN meeting_ended_at INTEGER NOT NULL DEFAULT 0;

CREATE TABLE participants (
	meeting_id INTEGER NOT NULL,
	who        TEXT    NOT NULL,
	present    INTEGER NOT NULL,
	event_at   INTEGER NOT NULL,
	PRIMARY KEY (meeting_id, who)
);

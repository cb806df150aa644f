-- What happened to each incident, for its canvas's timeline: written in
-- the same transaction as the change it tells of, so the timeline never
-- misses a change nor tells one that did not happen. zoom_host names the
-- Zoom account an event came from (a participant's name, a recording):
-- removing the account deletes them with the rest of its data.
CREATE TABLE incident_events (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	at          INTEGER NOT NULL,
	kind        TEXT    NOT NULL,
	actor       TEXT    NOT NULL DEFAULT '',
	detail      TEXT    NOT NULL DEFAULT '',
	zoom_host   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, at);
CREATE INDEX incident_events_zoom_host ON incident_events (zoom_host) WHERE zoom_host <> '';

-- The incident channel's canvas. state is "creating" (the create was
-- sent: its answer may have been lost, so look for the channel's canvas
-- before sending another), "ready" (canvas_id is it) or "unavailable"
-- (the workspace has no canvases, or the app lacks the scope: note says
-- which, and nothing is tried again). shows is the fingerprint of the
-- document last written, so an edit is sent only when it changed.
CREATE TABLE canvases (
	incident_id INTEGER PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
	state       TEXT    NOT NULL,
	canvas_id   TEXT    NOT NULL DEFAULT '',
	shows       TEXT    NOT NULL DEFAULT '',
	note        TEXT    NOT NULL DEFAULT '',
	updated_at  INTEGER NOT NULL
);

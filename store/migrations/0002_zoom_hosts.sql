-- The pool of Zoom hosts: Server-to-Server hosts named in ZOOM_HOSTS and
-- accounts connected through user-managed OAuth. Tokens are sealed with
-- AES-GCM (WARROOM_SECRET_KEY) before they reach this table.
CREATE TABLE zoom_hosts (
	key              TEXT    PRIMARY KEY, -- what incidents.meeting_host holds
	mode             TEXT    NOT NULL,    -- 's2s' or 'oauth'
	email            TEXT    NOT NULL DEFAULT '',
	zoom_user_id     TEXT    NOT NULL DEFAULT '',
	user_type        INTEGER NOT NULL DEFAULT 0,   -- 1 Basic, 2 Licensed
	concurrent       TEXT    NOT NULL DEFAULT '',  -- feature.concurrent_meeting
	require_passcode INTEGER NOT NULL DEFAULT 0,
	passcode_rules   TEXT    NOT NULL DEFAULT '{}',
	access_token     BLOB,
	refresh_token    BLOB,
	expires_at       INTEGER NOT NULL DEFAULT 0,
	refreshing       INTEGER NOT NULL DEFAULT 0,   -- a refresh was sent and its answer not yet stored
	status           TEXT    NOT NULL DEFAULT 'ok', -- 'ok', 'needs_reconnect', 'error'
	status_error     TEXT    NOT NULL DEFAULT '',
	capped_until     INTEGER NOT NULL DEFAULT 0,   -- Zoom's daily cap answered; skip until then
	connected_by     TEXT    NOT NULL DEFAULT '',
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL
);

CREATE UNIQUE INDEX zoom_hosts_user ON zoom_hosts (zoom_user_id) WHERE zoom_user_id <> '' AND mode = 'oauth';

-- Meeting create/update requests per host and UTC day, against Zoom's cap
-- of 100 a day.
CREATE TABLE zoom_usage (
	host     TEXT    NOT NULL,
	day      TEXT    NOT NULL, -- YYYY-MM-DD, UTC
	requests INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (host, day)
);

-- One-time OAuth states issued by /incident zoom connect. Only a hash of
-- the state is kept; the PKCE verifier is sealed.
CREATE TABLE oauth_states (
	state_hash TEXT    PRIMARY KEY,
	slack_user TEXT    NOT NULL,
	verifier   BLOB,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER
);

-- Webhook signatures already accepted, to refuse replays within the
-- timestamp window.
CREATE TABLE webhook_seen (
	signature TEXT    PRIMARY KEY,
	seen_at   INTEGER NOT NULL
);

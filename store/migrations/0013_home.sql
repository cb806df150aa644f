-- People who opened warroom's App Home, and what their Home shows. The
-- Home of someone who opened it in the last hour is kept current:
-- published_fp is the fingerprint of what was last published to them
-- (only a change is published again), published_at paces the publishes,
-- publish_now asks for one at once (they just opened it), and
-- published_hash is the hash Slack gave the view, sent with the next
-- publish so an older view never overwrites a newer one.
CREATE TABLE home_viewers (
	user_id        TEXT    PRIMARY KEY,
	opened_at      BIGINT  NOT NULL,
	publish_now    INTEGER NOT NULL DEFAULT 1,
	published_fp   TEXT    NOT NULL DEFAULT '',
	published_hash TEXT    NOT NULL DEFAULT '',
	published_at   BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX home_viewers_opened ON home_viewers (opened_at);

-- The warroom processes that used this database lately, for `warroom
-- doctor` and the operator: each running replica writes its row every few
-- seconds.
CREATE TABLE replicas (
	name       TEXT    PRIMARY KEY,
	version    TEXT    NOT NULL DEFAULT '',
	started_at INTEGER NOT NULL,
	seen_at    INTEGER NOT NULL
);

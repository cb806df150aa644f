-- The warroom processes that used this database lately, for `warroom
-- doctor` and the operator: each running replica writes its row every few
-- seconds.
CREATE TABLE replicas (
	name       TEXT    PRIMARY KEY,
	version    TEXT    NOT NULL DEFAULT '',
	started_at INTEGER NOT NULL,
	seen_at    INTEGER NOT NULL
);

-- Work that one replica at a time must do (Zoom's event stream): the
-- holder renews its row; when it stops renewing, another takes it over.
CREATE TABLE singletons (
	name  TEXT    PRIMARY KEY,
	owner TEXT    NOT NULL,
	until INTEGER NOT NULL
);

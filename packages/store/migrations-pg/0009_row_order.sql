-- PostgreSQL only, no SQLite twin (SQLite has it built in; migrations.spec lists it as such): SQLite's implicit `rowid`, the insertion order, on the
-- tables without a seq whose rows the store lists in that order (child teams created in the same
-- millisecond, a task's dependencies as given, a team's acks). The store's statements are written
-- once, in SQLite's dialect, and read `rowid` on both engines. Self-contained: it only adds.
ALTER TABLE teams ADD COLUMN rowid BIGINT GENERATED ALWAYS AS IDENTITY;
ALTER TABLE task_dependencies ADD COLUMN rowid BIGINT GENERATED ALWAYS AS IDENTITY;
ALTER TABLE message_acks ADD COLUMN rowid BIGINT GENERATED ALWAYS AS IDENTITY;

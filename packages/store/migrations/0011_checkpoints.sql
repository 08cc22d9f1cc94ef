-- Checkpoints: a team's state as replaying its audit trail up to `upto_seq` gives it, compressed
-- (gzip of the state's JSON) with its checksum, so a replay starts from the latest checkpoint
-- instead of the first event. The events a checkpoint covers are sealed as an archive segment
-- (from_seq..to_seq since the previous checkpoint) whose sha256 chains the previous segment's:
-- they stay in audit_events, never changed nor deleted (the triggers below refuse it).
-- Self-contained: it only adds.

CREATE TABLE checkpoints (
  team_id          TEXT NOT NULL REFERENCES teams (id),
  -- 1 for the team's first checkpoint, then one more each time.
  number           INTEGER NOT NULL CHECK (number >= 1),
  -- The format of `state`; a reader refuses a format it does not know.
  format           INTEGER NOT NULL,
  -- The last audit event of the team the state covers, and how many events of the team it covers.
  upto_seq         INTEGER NOT NULL REFERENCES audit_events (seq),
  events           INTEGER NOT NULL CHECK (events >= 1),
  archive_from_seq INTEGER NOT NULL,
  archive_to_seq   INTEGER NOT NULL,
  archive_events   INTEGER NOT NULL CHECK (archive_events >= 1),
  archive_sha256   TEXT NOT NULL,
  state            BLOB NOT NULL,
  -- sha256 of the uncompressed state JSON, checked whenever it is read.
  state_sha256     TEXT NOT NULL,
  -- sha256 of the state as replay gives it (what `codex-team replay --verify` compares).
  state_digest     TEXT NOT NULL,
  -- The compact view published with it (artifact team-checkpoint).
  artifact_id      TEXT NOT NULL REFERENCES artifacts (id),
  created_at       INTEGER NOT NULL,
  PRIMARY KEY (team_id, number),
  UNIQUE (team_id, upto_seq)
) STRICT;

CREATE TRIGGER audit_events_archived_no_update BEFORE UPDATE ON audit_events
  WHEN OLD.seq <= (SELECT MAX(upto_seq) FROM checkpoints WHERE team_id = OLD.team_id)
BEGIN
  SELECT RAISE(ABORT, 'archived audit events are never changed');
END;

CREATE TRIGGER audit_events_archived_no_delete BEFORE DELETE ON audit_events
  WHEN OLD.seq <= (SELECT MAX(upto_seq) FROM checkpoints WHERE team_id = OLD.team_id)
BEGIN
  SELECT RAISE(ABORT, 'archived audit events are never deleted');
END;

-- Heartbeats, leases and recovery. Two changes to messages: codex-team itself sends recovery notices
-- to the lead (no sending agent: from_agent_id NULL), and a message may be about a task its sender
-- holds (task_id, checked against the fence when sent). SQLite cannot drop a NOT NULL constraint in
-- place, so messages is rebuilt with its acks (acks first: they reference messages), keeping every
-- row, its seq and its id.

CREATE TABLE messages_v2 (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  team_id         TEXT NOT NULL REFERENCES teams (id),
  -- NULL: sent by codex-team itself (recovery notices).
  from_agent_id   TEXT REFERENCES agents (id),
  -- NULL: broadcast to every other agent of the team.
  to_agent_id     TEXT REFERENCES agents (id),
  body            TEXT NOT NULL,
  artifact_refs   TEXT NOT NULL DEFAULT '[]',
  -- The task the message is about; only its holder may send such a message.
  task_id         TEXT REFERENCES tasks (id),
  idempotency_key TEXT,
  created_at      INTEGER NOT NULL,
  UNIQUE (team_id, from_agent_id, idempotency_key)
) STRICT;

INSERT INTO messages_v2 (seq, id, team_id, from_agent_id, to_agent_id, body, artifact_refs, task_id, idempotency_key, created_at)
  SELECT seq, id, team_id, from_agent_id, to_agent_id, body, artifact_refs, NULL, idempotency_key, created_at
  FROM messages ORDER BY seq;

CREATE TABLE message_acks_v2 (
  message_id TEXT NOT NULL REFERENCES messages_v2 (id),
  agent_id   TEXT NOT NULL REFERENCES agents (id),
  acked_at   INTEGER NOT NULL,
  PRIMARY KEY (message_id, agent_id)
) STRICT;

INSERT INTO message_acks_v2 (message_id, agent_id, acked_at)
  SELECT message_id, agent_id, acked_at FROM message_acks ORDER BY rowid;

DROP TABLE message_acks;
DROP TABLE messages;
-- Renaming rewrites the reference of message_acks_v2 to the new name.
ALTER TABLE messages_v2 RENAME TO messages;
ALTER TABLE message_acks_v2 RENAME TO message_acks;

CREATE INDEX messages_inbox ON messages (team_id, to_agent_id, seq);


-- Task counts by status, kept by triggers in the same transaction as every status change. Claims
-- (the admission check of early stop), team_status and recovery read them on every call; counting
-- the tasks each time made every claim O(tasks) and a whole run quadratic. Derived data: no audit.
CREATE TABLE task_status_counts (
  team_id TEXT NOT NULL REFERENCES teams (id),
  status  TEXT NOT NULL,
  n       INTEGER NOT NULL CHECK (n >= 0),
  PRIMARY KEY (team_id, status)
) STRICT;

INSERT INTO task_status_counts (team_id, status, n)
  SELECT team_id, status, COUNT(*) FROM tasks GROUP BY team_id, status;

CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks BEGIN
  INSERT INTO task_status_counts (team_id, status, n) VALUES (NEW.team_id, NEW.status, 1)
    ON CONFLICT (team_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER tasks_count_update AFTER UPDATE OF status ON tasks WHEN OLD.status IS NOT NEW.status BEGIN
  UPDATE task_status_counts SET n = n - 1 WHERE team_id = OLD.team_id AND status = OLD.status;
  INSERT INTO task_status_counts (team_id, status, n) VALUES (NEW.team_id, NEW.status, 1)
    ON CONFLICT (team_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks BEGIN
  UPDATE task_status_counts SET n = n - 1 WHERE team_id = OLD.team_id AND status = OLD.status;
END;

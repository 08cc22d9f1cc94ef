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

-- The sweep reads every claim in flight across teams; this keeps that read proportional to the
-- claims in flight, not to the tasks stored.
CREATE INDEX tasks_in_flight ON tasks (lease_expires_at) WHERE status = 'in_progress';

-- The sweep reads the agents that may hold a slot or a claim: not retired ones.
CREATE INDEX agents_live ON agents (team_id) WHERE state <> 'retired';

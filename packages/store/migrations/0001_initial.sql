-- The first schema of the codex-team store. Applied migrations are never edited: change the
-- schema with a new numbered file. Times are epoch milliseconds (INTEGER); JSON columns are TEXT.
-- Rows are never deleted, so an INTEGER PRIMARY KEY `seq` (max + 1 on insert) is creation order:
-- lists page in that order because random ids do not sort by creation.

CREATE TABLE teams (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  objective     TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('active', 'finalized')),
  -- Deferred: the team row and its lead agent are inserted in the same transaction.
  lead_agent_id TEXT NOT NULL REFERENCES agents (id) DEFERRABLE INITIALLY DEFERRED,
  max_threads   INTEGER NOT NULL CHECK (max_threads BETWEEN 1 AND 6),
  profile       TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  finalized_at  INTEGER,
  summary       TEXT
) STRICT;

CREATE TABLE agents (
  seq                INTEGER PRIMARY KEY,
  id                 TEXT NOT NULL UNIQUE,
  team_id            TEXT NOT NULL REFERENCES teams (id),
  name               TEXT NOT NULL,
  role               TEXT NOT NULL,
  state              TEXT NOT NULL CHECK (state IN ('invited', 'active', 'disconnected', 'retired')),
  -- 0 until the first bind; +1 on every resume so an older session of the agent stops working.
  epoch              INTEGER NOT NULL DEFAULT 0,
  -- Hashes only: the tickets themselves go back to the caller once. The join hash is cleared
  -- when used (one use).
  join_ticket_hash   TEXT UNIQUE,
  resume_ticket_hash TEXT UNIQUE,
  created_at         INTEGER NOT NULL,
  joined_at          INTEGER,
  last_seen_at       INTEGER,
  UNIQUE (team_id, name)
) STRICT;

-- The thread cap counts a team's invited and active agents.
CREATE INDEX agents_by_team_state ON agents (team_id, state);

CREATE TABLE tasks (
  seq                 INTEGER PRIMARY KEY,
  id                  TEXT NOT NULL UNIQUE,
  team_id             TEXT NOT NULL REFERENCES teams (id),
  title               TEXT NOT NULL,
  description         TEXT NOT NULL,
  required_role       TEXT,
  priority            INTEGER NOT NULL DEFAULT 0,
  status              TEXT NOT NULL
                      CHECK (status IN ('blocked', 'ready', 'in_progress', 'done', 'failed', 'cancelled')),
  owner_agent_id      TEXT REFERENCES agents (id),
  -- +1 on every claim; later writes about the task must present the current value.
  fence               INTEGER NOT NULL DEFAULT 0,
  lease_expires_at    INTEGER,
  attempts            INTEGER NOT NULL DEFAULT 0,
  progress            TEXT,
  result              TEXT,
  -- Artifact ids given as evidence at completion (JSON array).
  result_artifact_ids TEXT NOT NULL DEFAULT '[]',
  created_by          TEXT NOT NULL REFERENCES agents (id),
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  completed_at        INTEGER
) STRICT;

-- Claim next: a team's ready tasks, highest priority first, then oldest. Also serves counts by
-- status and status-filtered lists.
CREATE INDEX tasks_claim_order ON tasks (team_id, status, priority DESC, seq);
CREATE INDEX tasks_by_owner ON tasks (team_id, owner_agent_id, seq);

CREATE TABLE task_dependencies (
  task_id       TEXT NOT NULL REFERENCES tasks (id),
  depends_on_id TEXT NOT NULL REFERENCES tasks (id),
  PRIMARY KEY (task_id, depends_on_id)
) STRICT;

-- Dependants of a task: which blocked tasks a completion may unblock.
CREATE INDEX task_dependants ON task_dependencies (depends_on_id, task_id);

CREATE TABLE messages (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  team_id         TEXT NOT NULL REFERENCES teams (id),
  from_agent_id   TEXT NOT NULL REFERENCES agents (id),
  -- NULL: broadcast to every other agent of the team.
  to_agent_id     TEXT REFERENCES agents (id),
  body            TEXT NOT NULL,
  artifact_refs   TEXT NOT NULL DEFAULT '[]',
  idempotency_key TEXT,
  created_at      INTEGER NOT NULL,
  -- A retried send with the same key is stored once (NULL keys never collide).
  UNIQUE (team_id, from_agent_id, idempotency_key)
) STRICT;

-- Unread inbox: messages to one agent (or broadcasts, to_agent_id NULL) of a team, oldest first.
CREATE INDEX messages_inbox ON messages (team_id, to_agent_id, seq);

CREATE TABLE message_acks (
  message_id TEXT NOT NULL REFERENCES messages (id),
  agent_id   TEXT NOT NULL REFERENCES agents (id),
  acked_at   INTEGER NOT NULL,
  PRIMARY KEY (message_id, agent_id)
) STRICT;

CREATE TABLE artifacts (
  seq          INTEGER PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  team_id      TEXT NOT NULL REFERENCES teams (id),
  name         TEXT NOT NULL,
  version      INTEGER NOT NULL CHECK (version >= 1),
  media_type   TEXT NOT NULL,
  sha256       TEXT NOT NULL,
  size_bytes   INTEGER NOT NULL,
  content      TEXT NOT NULL,
  task_id      TEXT REFERENCES tasks (id),
  published_by TEXT NOT NULL REFERENCES agents (id),
  created_at   INTEGER NOT NULL,
  UNIQUE (team_id, name, version)
) STRICT;

CREATE TABLE audit_events (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  team_id        TEXT NOT NULL REFERENCES teams (id),
  at             INTEGER NOT NULL,
  actor_agent_id TEXT REFERENCES agents (id),
  action         TEXT NOT NULL,
  subject_id     TEXT,
  decision       TEXT NOT NULL CHECK (decision IN ('allow', 'deny')),
  reason         TEXT NOT NULL,
  data           TEXT NOT NULL CHECK (json_valid(data))
) STRICT;

CREATE INDEX audit_events_by_team ON audit_events (team_id, seq);

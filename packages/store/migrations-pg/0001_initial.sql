-- The PostgreSQL schema of the codex-team store: today's SQLite schema (migrations/0001 to 0005)
-- in one file. Applied migrations are never edited: change the schema with a new numbered file,
-- beside its SQLite twin. Same columns and meanings as SQLite: times are epoch milliseconds
-- (BIGINT; leases are judged by the database clock), JSON columns are TEXT checked to parse, and a
-- generated `seq` is creation order: lists page in that order because random ids do not sort by
-- creation.

CREATE TABLE teams (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  objective       TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('active', 'finalized')),
  -- References agents (added below, deferred): the team row and its lead are inserted together.
  lead_agent_id   TEXT NOT NULL,
  max_threads     INTEGER NOT NULL CHECK (max_threads BETWEEN 1 AND 6),
  profile         TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  finalized_at    BIGINT,
  summary         TEXT,
  -- Running total of usage_samples.charged_tokens, kept in the same transaction as each sample.
  used_tokens     BIGINT NOT NULL DEFAULT 0 CHECK (used_tokens >= 0),
  -- When the lead declared consensus: the team is ready to finalize, no new claims.
  consensus_at    BIGINT,
  -- Operating mode; a temporary one returns to mode_returns_to at mode_expires_at.
  mode            TEXT NOT NULL DEFAULT 'default' CHECK (mode IN ('default', 'delegate', 'plan')),
  mode_set_by     TEXT,
  mode_reason     TEXT NOT NULL DEFAULT '',
  mode_set_at     BIGINT,
  mode_expires_at BIGINT,
  mode_returns_to TEXT CHECK (mode_returns_to IN ('default', 'delegate', 'plan'))
);

CREATE TABLE agents (
  seq                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                 TEXT NOT NULL UNIQUE,
  team_id            TEXT NOT NULL REFERENCES teams (id),
  name               TEXT NOT NULL,
  role               TEXT NOT NULL,
  state              TEXT NOT NULL CHECK (state IN ('invited', 'active', 'disconnected', 'retired')),
  -- 0 until the first bind; +1 on every resume so an older session of the agent stops working.
  epoch              INTEGER NOT NULL DEFAULT 0,
  -- Hashes only; the join hash is cleared when used (one use).
  join_ticket_hash   TEXT UNIQUE,
  resume_ticket_hash TEXT UNIQUE,
  created_at         BIGINT NOT NULL,
  joined_at          BIGINT,
  last_seen_at       BIGINT,
  -- When the idle sweep marked the agent idle; NULL when it is not marked.
  idle_since         BIGINT,
  -- NULL: the agent has its role's profile.
  permission_profile TEXT,
  UNIQUE (team_id, name)
);

ALTER TABLE teams ADD CONSTRAINT teams_lead_agent_fk
  FOREIGN KEY (lead_agent_id) REFERENCES agents (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE teams ADD CONSTRAINT teams_mode_set_by_fk FOREIGN KEY (mode_set_by) REFERENCES agents (id);

-- The thread cap counts a team's invited and active agents.
CREATE INDEX agents_by_team_state ON agents (team_id, state);

CREATE TABLE tasks (
  seq                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
  lease_expires_at    BIGINT,
  attempts            INTEGER NOT NULL DEFAULT 0,
  progress            TEXT,
  result              TEXT,
  -- Artifact ids given as evidence at completion (JSON array).
  result_artifact_ids TEXT NOT NULL DEFAULT '[]' CHECK ((result_artifact_ids::jsonb) IS NOT NULL),
  created_by          TEXT NOT NULL REFERENCES agents (id),
  created_at          BIGINT NOT NULL,
  updated_at          BIGINT NOT NULL,
  completed_at        BIGINT
);

-- Claim next: a team's ready tasks, highest priority first, then oldest.
CREATE INDEX tasks_claim_order ON tasks (team_id, status, priority DESC, seq);
CREATE INDEX tasks_by_owner ON tasks (team_id, owner_agent_id, seq);

CREATE TABLE task_dependencies (
  task_id       TEXT NOT NULL REFERENCES tasks (id),
  depends_on_id TEXT NOT NULL REFERENCES tasks (id),
  PRIMARY KEY (task_id, depends_on_id)
);

-- Dependants of a task: which blocked tasks a completion may unblock.
CREATE INDEX task_dependants ON task_dependencies (depends_on_id, task_id);

CREATE TABLE messages (
  seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  team_id         TEXT NOT NULL REFERENCES teams (id),
  -- NULL: sent by codex-team itself (recovery notices).
  from_agent_id   TEXT REFERENCES agents (id),
  -- NULL: broadcast to every other agent of the team.
  to_agent_id     TEXT REFERENCES agents (id),
  body            TEXT NOT NULL,
  artifact_refs   TEXT NOT NULL DEFAULT '[]' CHECK ((artifact_refs::jsonb) IS NOT NULL),
  -- The task the message is about; only its holder may send such a message.
  task_id         TEXT REFERENCES tasks (id),
  idempotency_key TEXT,
  created_at      BIGINT NOT NULL,
  -- A retried send with the same key is stored once (NULL keys never collide).
  UNIQUE (team_id, from_agent_id, idempotency_key)
);

-- Unread inbox: messages to one agent (or broadcasts) of a team, oldest first.
CREATE INDEX messages_inbox ON messages (team_id, to_agent_id, seq);

CREATE TABLE message_acks (
  message_id TEXT NOT NULL REFERENCES messages (id),
  agent_id   TEXT NOT NULL REFERENCES agents (id),
  acked_at   BIGINT NOT NULL,
  PRIMARY KEY (message_id, agent_id)
);

CREATE TABLE artifacts (
  seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  team_id      TEXT NOT NULL REFERENCES teams (id),
  name         TEXT NOT NULL,
  version      INTEGER NOT NULL CHECK (version >= 1),
  media_type   TEXT NOT NULL,
  sha256       TEXT NOT NULL,
  size_bytes   BIGINT NOT NULL,
  content      TEXT NOT NULL,
  task_id      TEXT REFERENCES tasks (id),
  published_by TEXT NOT NULL REFERENCES agents (id),
  created_at   BIGINT NOT NULL,
  -- Plans are the only artifacts plan mode lets anyone publish.
  plan         INTEGER NOT NULL DEFAULT 0 CHECK (plan IN (0, 1)),
  UNIQUE (team_id, name, version)
);

CREATE TABLE audit_events (
  seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  team_id        TEXT NOT NULL REFERENCES teams (id),
  at             BIGINT NOT NULL,
  actor_agent_id TEXT REFERENCES agents (id),
  action         TEXT NOT NULL,
  subject_id     TEXT,
  decision       TEXT NOT NULL CHECK (decision IN ('allow', 'deny')),
  reason         TEXT NOT NULL,
  data           TEXT NOT NULL CHECK ((data::jsonb) IS NOT NULL)
);

CREATE INDEX audit_events_by_team ON audit_events (team_id, seq);
-- The last event of one action (the last fanout recommendation) and the last state change an
-- agent made (its activity for the idle sweep).
CREATE INDEX audit_events_by_action ON audit_events (team_id, action, seq);
CREATE INDEX audit_events_by_actor ON audit_events (team_id, actor_agent_id, seq);

CREATE TABLE usage_samples (
  seq                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  team_id             TEXT NOT NULL REFERENCES teams (id),
  agent_id            TEXT NOT NULL REFERENCES agents (id),
  task_id             TEXT REFERENCES tasks (id),
  input_tokens        BIGINT NOT NULL CHECK (input_tokens >= 0),
  output_tokens       BIGINT NOT NULL CHECK (output_tokens >= 0),
  cached_input_tokens BIGINT NOT NULL DEFAULT 0 CHECK (cached_input_tokens >= 0),
  charged_tokens      BIGINT NOT NULL CHECK (charged_tokens >= 0),
  created_at          BIGINT NOT NULL
);

CREATE INDEX usage_samples_by_team ON usage_samples (team_id, seq);

-- One row per tools/call, allowed or refused. An allowed call that changed state is recorded in
-- the same transaction as its audit events (audit_first_seq..audit_last_seq). team_id is NULL for
-- a session bound to no team.
CREATE TABLE authz_decisions (
  seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at              BIGINT NOT NULL,
  team_id         TEXT REFERENCES teams (id),
  agent_id        TEXT REFERENCES agents (id),
  role            TEXT,
  tool            TEXT NOT NULL,
  action          TEXT NOT NULL,
  profile         TEXT,
  rule            TEXT NOT NULL,
  matched         TEXT NOT NULL CHECK ((matched::jsonb) IS NOT NULL),
  decision        TEXT NOT NULL CHECK (decision IN ('allow', 'deny')),
  reason          TEXT NOT NULL,
  step            TEXT NOT NULL,
  outcome         TEXT NOT NULL,
  audit_first_seq BIGINT REFERENCES audit_events (seq),
  audit_last_seq  BIGINT REFERENCES audit_events (seq)
);

CREATE INDEX authz_decisions_by_team ON authz_decisions (team_id, seq);

-- The sweep looks for temporary modes that have lapsed.
CREATE INDEX teams_mode_expiry ON teams (mode_expires_at) WHERE mode_expires_at IS NOT NULL;

-- A plan artifact submitted for the lead's approval, and the lead's answer.
CREATE TABLE plan_reviews (
  artifact_id  TEXT PRIMARY KEY REFERENCES artifacts (id),
  team_id      TEXT NOT NULL REFERENCES teams (id),
  submitted_by TEXT NOT NULL REFERENCES agents (id),
  submitted_at BIGINT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  reviewed_by  TEXT REFERENCES agents (id),
  reviewed_at  BIGINT,
  reason       TEXT
);

-- Task counts by status, kept by a trigger in the same transaction as every status change: claims,
-- team_status and recovery read them on every call instead of counting the tasks. Derived data.
CREATE TABLE task_status_counts (
  team_id TEXT NOT NULL REFERENCES teams (id),
  status  TEXT NOT NULL,
  n       INTEGER NOT NULL CHECK (n >= 0),
  PRIMARY KEY (team_id, status)
);

CREATE FUNCTION tasks_count_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE task_status_counts SET n = n - 1 WHERE team_id = OLD.team_id AND status = OLD.status;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO task_status_counts (team_id, status, n) VALUES (NEW.team_id, NEW.status, 1)
      ON CONFLICT (team_id, status) DO UPDATE SET n = task_status_counts.n + 1;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks
  FOR EACH ROW EXECUTE FUNCTION tasks_count_status();
CREATE TRIGGER tasks_count_update AFTER UPDATE OF status ON tasks
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION tasks_count_status();
CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks
  FOR EACH ROW EXECUTE FUNCTION tasks_count_status();

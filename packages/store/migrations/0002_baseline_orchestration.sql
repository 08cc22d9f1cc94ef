-- Baseline orchestration: token usage and budgets, the lead's consensus, idle marks, and indexes
-- for the audit queries of the idle sweep and the fanout log. Self-contained (it only adds), so
-- its number can change without touching its content.

-- Running total of usage_samples.charged_tokens, kept in the same transaction as each sample so
-- the budget check of a spawn or claim reads one row.
ALTER TABLE teams ADD COLUMN used_tokens INTEGER NOT NULL DEFAULT 0 CHECK (used_tokens >= 0);
-- When the lead declared consensus (epoch ms): the team is ready to finalize, no new claims.
ALTER TABLE teams ADD COLUMN consensus_at INTEGER;
-- When the idle sweep marked the agent idle (epoch ms); NULL when it is not marked.
ALTER TABLE agents ADD COLUMN idle_since INTEGER;

CREATE TABLE usage_samples (
  seq                 INTEGER PRIMARY KEY,
  team_id             TEXT NOT NULL REFERENCES teams (id),
  agent_id            TEXT NOT NULL REFERENCES agents (id),
  task_id             TEXT REFERENCES tasks (id),
  input_tokens        INTEGER NOT NULL CHECK (input_tokens >= 0),
  output_tokens       INTEGER NOT NULL CHECK (output_tokens >= 0),
  cached_input_tokens INTEGER NOT NULL DEFAULT 0 CHECK (cached_input_tokens >= 0),
  charged_tokens      INTEGER NOT NULL CHECK (charged_tokens >= 0),
  created_at          INTEGER NOT NULL
) STRICT;

CREATE INDEX usage_samples_by_team ON usage_samples (team_id, seq);

-- The last event of one action (the last fanout recommendation logged) and the last state change
-- an agent made (its activity for the idle sweep).
CREATE INDEX audit_events_by_action ON audit_events (team_id, action, seq);
CREATE INDEX audit_events_by_actor ON audit_events (team_id, actor_agent_id, seq);

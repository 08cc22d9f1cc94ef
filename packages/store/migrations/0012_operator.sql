-- The operator's verbs (docs/operator.md): a team an operator cancelled, where a team was started
-- from, the operator as an actor of the audit and as the sender of a message. Self-contained: it
-- only adds, and existing rows read as before.

-- When the operator cancelled the team (it is finalized as well, so every rule for a closed team
-- holds); NULL for a team that was not cancelled.
ALTER TABLE teams ADD COLUMN cancelled_at INTEGER;
-- The working directory and git repository (its top folder) the team was started from; NULL when
-- not known (teams started before this migration, a server without a working directory).
ALTER TABLE teams ADD COLUMN cwd TEXT;
ALTER TABLE teams ADD COLUMN repo TEXT;

-- 'operator' for what the operator did from the shell (codex-team finalize, cancel, send);
-- NULL for agents (actor_agent_id) and codex-team itself (no actor), as before.
ALTER TABLE audit_events ADD COLUMN actor_kind TEXT CHECK (actor_kind IS NULL OR actor_kind = 'operator');

-- 'operator' for a message the operator sent (from_agent_id NULL); NULL for agents and notices.
ALTER TABLE messages ADD COLUMN sender_kind TEXT CHECK (sender_kind IS NULL OR sender_kind = 'operator');

-- A retried operator send with the same key is stored once (agents' keys are unique per sender).
CREATE UNIQUE INDEX messages_operator_dedup ON messages (team_id, idempotency_key)
  WHERE sender_kind = 'operator' AND idempotency_key IS NOT NULL;

-- prune: finalized teams by age.
CREATE INDEX teams_by_state_finalized ON teams (state, finalized_at);

-- Usage measured from Codex's own records (docs/operator.md, "Token usage"): the server of an
-- agent's thread reads the thread's session rollout file and charges each model response once.
-- 'measured' for such a sample, NULL for what an agent reported itself (as before).
ALTER TABLE usage_samples ADD COLUMN source TEXT CHECK (source IS NULL OR source = 'measured');
-- The Codex thread and the response (or rollout line) a measured sample came from.
ALTER TABLE usage_samples ADD COLUMN codex_thread_id TEXT;
ALTER TABLE usage_samples ADD COLUMN codex_response_id TEXT;
-- One response is charged once, whichever server process or session reads it.
CREATE UNIQUE INDEX usage_samples_measured_once ON usage_samples (codex_thread_id, codex_response_id)
  WHERE codex_response_id IS NOT NULL;

-- Runtime rebalancing (issue 16): what claim order and the rebalancing controller read that no
-- row held. Everything else they need (agents busy or idle since when, claims recovery took back,
-- the previous decision) is derived from existing rows and audit events.

-- When the task's latest claim was taken (epoch ms); kept after completion, so a done task took
-- completed_at - claimed_at: the durations the controller learns per role. NULL until claimed (and
-- for tasks finished before this migration, which then teach nothing).
ALTER TABLE tasks ADD COLUMN claimed_at INTEGER;
-- The creator's size estimate in whole minutes; NULL: none, and the role's learned duration is used.
ALTER TABLE tasks ADD COLUMN estimate_min INTEGER CHECK (estimate_min IS NULL OR estimate_min >= 1);

-- Claim order: the ready task with the largest estimate first (only tasks that have one).
CREATE INDEX tasks_by_estimate ON tasks (team_id, status, estimate_min DESC, priority DESC, seq) WHERE estimate_min IS NOT NULL;

-- Durations of done tasks added up by required role ('*' for tasks naming none), kept by a trigger
-- in the same transaction as each completion: claims rank by the learned means on every call, and
-- summing every done task each time made a claim O(tasks). Derived data: no audit.
CREATE TABLE task_duration_totals (
  team_id  TEXT NOT NULL REFERENCES teams (id),
  role_key TEXT NOT NULL,
  samples  INTEGER NOT NULL CHECK (samples >= 0),
  total_ms INTEGER NOT NULL CHECK (total_ms >= 0),
  PRIMARY KEY (team_id, role_key)
) STRICT;

CREATE TRIGGER tasks_duration_done AFTER UPDATE OF status ON tasks
  WHEN NEW.status = 'done' AND OLD.status IS NOT 'done' AND NEW.claimed_at IS NOT NULL AND NEW.completed_at IS NOT NULL
BEGIN
  INSERT INTO task_duration_totals (team_id, role_key, samples, total_ms)
    VALUES (NEW.team_id, coalesce(NEW.required_role, '*'), 1, max(0, NEW.completed_at - NEW.claimed_at))
    ON CONFLICT (team_id, role_key) DO UPDATE SET samples = samples + 1, total_ms = total_ms + excluded.total_ms;
END;

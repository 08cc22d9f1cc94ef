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

-- A counter per team that moves whenever what critical-path ranks read of the team's unfinished
-- work may change: a task or a dependency added (or removed), a task failed or cancelled (what
-- waits on it is dead work), a finished task reopened, a priority, role or estimate changed. A
-- task claimed, released or done moves nothing: no live task's rank reads a task it could have
-- claimed before (ranks read the work after a task, never before it). Claims keep their ranks
-- between calls and rebuild them only when it moved. Derived data: no audit.
CREATE TABLE dag_versions (
  team_id TEXT PRIMARY KEY REFERENCES teams (id),
  version INTEGER NOT NULL CHECK (version >= 1)
) STRICT;

CREATE TRIGGER tasks_dag_insert AFTER INSERT ON tasks
BEGIN
  INSERT INTO dag_versions (team_id, version) VALUES (NEW.team_id, 1)
    ON CONFLICT (team_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER tasks_dag_change AFTER UPDATE OF status, priority, required_role, estimate_min ON tasks
  WHEN NEW.priority IS NOT OLD.priority OR NEW.required_role IS NOT OLD.required_role OR NEW.estimate_min IS NOT OLD.estimate_min
    OR (NEW.status IS NOT OLD.status AND (NEW.status IN ('failed', 'cancelled') OR OLD.status IN ('done', 'failed', 'cancelled')))
BEGIN
  INSERT INTO dag_versions (team_id, version) VALUES (NEW.team_id, 1)
    ON CONFLICT (team_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER task_dependencies_dag_insert AFTER INSERT ON task_dependencies
BEGIN
  INSERT INTO dag_versions (team_id, version) SELECT team_id, 1 FROM tasks WHERE id = NEW.task_id
    ON CONFLICT (team_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER task_dependencies_dag_delete AFTER DELETE ON task_dependencies
BEGIN
  INSERT INTO dag_versions (team_id, version) SELECT team_id, 1 FROM tasks WHERE id = OLD.task_id
    ON CONFLICT (team_id) DO UPDATE SET version = version + 1;
END;

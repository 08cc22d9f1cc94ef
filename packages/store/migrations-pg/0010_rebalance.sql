-- The PostgreSQL twin of SQLite's 0013_rebalance. Runtime rebalancing (issue 16): when a task's
-- latest claim was taken, the creator's size estimate, and the learned durations by role that
-- claim order and the rebalancing controller read. Self-contained: it only adds.

-- When the task's latest claim was taken (epoch ms); kept after completion. NULL until claimed.
ALTER TABLE tasks ADD COLUMN claimed_at BIGINT;
-- The creator's size estimate in whole minutes; NULL: none, and the role's learned duration is used.
ALTER TABLE tasks ADD COLUMN estimate_min INTEGER CHECK (estimate_min IS NULL OR estimate_min >= 1);

-- Claim order: the ready task with the largest estimate first (only tasks that have one).
CREATE INDEX tasks_by_estimate ON tasks (team_id, status, estimate_min DESC, priority DESC, seq) WHERE estimate_min IS NOT NULL;

-- Durations of done tasks added up by required role ('*' for tasks naming none), kept by a trigger
-- in the same transaction as each completion. Derived data: no audit.
CREATE TABLE task_duration_totals (
  team_id  TEXT NOT NULL REFERENCES teams (id),
  role_key TEXT NOT NULL,
  samples  INTEGER NOT NULL CHECK (samples >= 0),
  total_ms BIGINT NOT NULL CHECK (total_ms >= 0),
  PRIMARY KEY (team_id, role_key)
);

CREATE FUNCTION tasks_duration_done() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO task_duration_totals (team_id, role_key, samples, total_ms)
    VALUES (NEW.team_id, coalesce(NEW.required_role, '*'), 1, greatest(0, NEW.completed_at - NEW.claimed_at))
    ON CONFLICT (team_id, role_key) DO UPDATE
      SET samples = task_duration_totals.samples + 1, total_ms = task_duration_totals.total_ms + excluded.total_ms;
  RETURN NULL;
END;
$$;

CREATE TRIGGER tasks_duration_done AFTER UPDATE OF status ON tasks
  FOR EACH ROW WHEN (NEW.status = 'done' AND OLD.status IS DISTINCT FROM 'done' AND NEW.claimed_at IS NOT NULL AND NEW.completed_at IS NOT NULL)
  EXECUTE FUNCTION tasks_duration_done();

-- A counter per team that moves whenever what critical-path ranks read of the team's unfinished
-- work may change (see SQLite's 0013_rebalance). Derived data: no audit.
CREATE TABLE dag_versions (
  team_id TEXT PRIMARY KEY REFERENCES teams (id),
  version BIGINT NOT NULL CHECK (version >= 1)
);

CREATE FUNCTION dag_version_bump(team TEXT) RETURNS void LANGUAGE sql AS $$
  INSERT INTO dag_versions (team_id, version) VALUES (team, 1)
    ON CONFLICT (team_id) DO UPDATE SET version = dag_versions.version + 1;
$$;

CREATE FUNCTION tasks_dag_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dag_version_bump(NEW.team_id);
  RETURN NULL;
END;
$$;

CREATE TRIGGER tasks_dag_insert AFTER INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION tasks_dag_bump();

CREATE TRIGGER tasks_dag_change AFTER UPDATE OF status, priority, required_role, estimate_min ON tasks
  FOR EACH ROW WHEN (NEW.priority IS DISTINCT FROM OLD.priority OR NEW.required_role IS DISTINCT FROM OLD.required_role
    OR NEW.estimate_min IS DISTINCT FROM OLD.estimate_min
    OR (NEW.status IS DISTINCT FROM OLD.status AND (NEW.status IN ('failed', 'cancelled') OR OLD.status IN ('done', 'failed', 'cancelled'))))
  EXECUTE FUNCTION tasks_dag_bump();

CREATE FUNCTION task_dependencies_dag_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM dag_version_bump(team_id) FROM tasks WHERE id = OLD.task_id;
  ELSE
    PERFORM dag_version_bump(team_id) FROM tasks WHERE id = NEW.task_id;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER task_dependencies_dag_change AFTER INSERT OR DELETE ON task_dependencies
  FOR EACH ROW EXECUTE FUNCTION task_dependencies_dag_bump();

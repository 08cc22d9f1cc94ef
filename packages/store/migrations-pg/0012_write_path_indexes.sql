-- Twin of SQLite 0015_write_path_indexes: claim order's leaf lookups index ready tasks only, and
-- tasks by owner only owned ones, so a claim and a completion move fewer index entries.
DROP INDEX tasks_by_estimate;
CREATE INDEX tasks_ready_by_estimate ON tasks (team_id, estimate_min DESC, priority DESC, seq)
  WHERE status = 'ready' AND estimate_min IS NOT NULL;
DROP INDEX tasks_unestimated_by_role;
CREATE INDEX tasks_ready_unestimated_by_role ON tasks (team_id, required_role, priority DESC, seq)
  WHERE status = 'ready' AND estimate_min IS NULL;
DROP INDEX tasks_by_owner;
CREATE INDEX tasks_by_owner ON tasks (team_id, owner_agent_id, seq) WHERE owner_agent_id IS NOT NULL;

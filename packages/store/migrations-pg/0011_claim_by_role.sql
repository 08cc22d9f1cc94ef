-- Twin of SQLite 0014_claim_by_role: claim order among ready tasks without an estimate, per kind.
CREATE INDEX tasks_unestimated_by_role ON tasks (team_id, status, required_role, priority DESC, seq) WHERE estimate_min IS NULL;

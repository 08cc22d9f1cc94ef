-- Hooks and quality gates: a task's risk tier (which of the profile's quality rules apply), test
-- reports among artifacts (the evidence require_tests asks for), and reviews of claims (the
-- approvals required_reviews counts). Self-contained: it only adds.

-- low unless set at creation or by the lead, so a team that never sets it behaves as before.
ALTER TABLE tasks ADD COLUMN risk TEXT NOT NULL DEFAULT 'low' CHECK (risk IN ('low', 'medium', 'high'));

-- 1: published as a test report (team_artifact_publish tests=true).
ALTER TABLE artifacts ADD COLUMN tests INTEGER NOT NULL DEFAULT 0 CHECK (tests IN (0, 1));

-- One vote per agent on each claim of a task (fence): a later vote replaces the earlier one, the
-- first vote's seq keeps the order votes were first cast in. Never the holder's (checked on write).
CREATE TABLE task_reviews (
  seq               INTEGER PRIMARY KEY,
  team_id           TEXT NOT NULL REFERENCES teams (id),
  task_id           TEXT NOT NULL REFERENCES tasks (id),
  fence             INTEGER NOT NULL CHECK (fence >= 1),
  reviewer_agent_id TEXT NOT NULL REFERENCES agents (id),
  verdict           TEXT NOT NULL CHECK (verdict IN ('approve', 'reject')),
  at                INTEGER NOT NULL,
  UNIQUE (task_id, fence, reviewer_agent_id)
) STRICT;

CREATE INDEX task_reviews_by_team ON task_reviews (team_id, seq);

-- Per-agent caps count claims and usage samples of one agent.
CREATE INDEX usage_samples_by_agent ON usage_samples (agent_id);

-- Child teams (docs/hierarchy.md): a team may have a parent, which makes teams a tree. The tree's
-- rules (scope, depth, threads and budget across the tree, roll-up) are checked by the store inside
-- each transaction. Existing teams are roots of trees of their own. Self-contained: it only adds.

-- NULL for a root team.
ALTER TABLE teams ADD COLUMN parent_team_id TEXT REFERENCES teams (id);
-- The root of the team's tree (itself for a root): the thread cap counts every team of it at once.
ALTER TABLE teams ADD COLUMN root_team_id TEXT REFERENCES teams (id);
-- Levels below the root: 0 for a root, 1 for its children...
ALTER TABLE teams ADD COLUMN depth INTEGER NOT NULL DEFAULT 0 CHECK (depth BETWEEN 0 AND 3);
-- A child's token budget, carved from its parent's when it started; NULL for a root (its profile's).
ALTER TABLE teams ADD COLUMN budget_tokens INTEGER CHECK (budget_tokens IS NULL OR budget_tokens >= 0);
-- Tokens the team's finished children used, charged to it when each finished.
ALTER TABLE teams ADD COLUMN rolled_up_tokens INTEGER NOT NULL DEFAULT 0 CHECK (rolled_up_tokens >= 0);
-- How a finished child ended, as its roll-up decided: done, failed or cancelled.
ALTER TABLE teams ADD COLUMN outcome TEXT CHECK (outcome IS NULL OR outcome IN ('done', 'failed', 'cancelled'));
-- When recovery told the parent's lead that this child's lead is lost (once per loss).
ALTER TABLE teams ADD COLUMN lead_lost_at INTEGER;

UPDATE teams SET root_team_id = id;

CREATE INDEX teams_by_parent ON teams (parent_team_id) WHERE parent_team_id IS NOT NULL;
CREATE INDEX teams_by_root ON teams (root_team_id);

-- A child team's lead played by an ancestor's lead: that agent's session acts for this one.
ALTER TABLE agents ADD COLUMN principal_agent_id TEXT REFERENCES agents (id);

-- The child team that holds a delegated task until it finishes (the task is in progress, unowned).
ALTER TABLE tasks ADD COLUMN delegated_to_team_id TEXT REFERENCES teams (id);

CREATE INDEX tasks_by_delegate ON tasks (delegated_to_team_id) WHERE delegated_to_team_id IS NOT NULL;

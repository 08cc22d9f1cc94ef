-- Runtime rebalancing (issue 16): what claim order and the rebalancing controller read that no
-- row held. Everything else they need (agents busy or idle since when, claims recovery took back,
-- the previous decision) is derived from existing rows and audit events.

-- When the task's latest claim was taken (epoch ms); kept after completion, so a done task took
-- completed_at - claimed_at: the durations the controller learns per role. NULL until claimed (and
-- for tasks finished before this migration, which then teach nothing).
ALTER TABLE tasks ADD COLUMN claimed_at INTEGER;
-- The creator's size estimate in whole minutes; NULL: none, and the role's learned duration is used.
ALTER TABLE tasks ADD COLUMN estimate_min INTEGER CHECK (estimate_min IS NULL OR estimate_min >= 1);

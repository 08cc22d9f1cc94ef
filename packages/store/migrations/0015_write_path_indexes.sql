-- Fewer index entries for a claim and a completion to move (claim-throughput: each commit wrote
-- about 12 pages, most of them index pages). Every index below keeps answering the queries it
-- served; only rows no query looks up through it leave it.

-- Claim order's leaf lookups (scheduling-facts: FIRST_ESTIMATED_LEAF, FIRST_UNESTIMATED_LEAF) only
-- ever read ready tasks: indexing only those, a claim removes its task's entry and a completion
-- touches none, where both moved it from one status to the next.
DROP INDEX tasks_by_estimate;
CREATE INDEX tasks_ready_by_estimate ON tasks (team_id, estimate_min DESC, priority DESC, seq)
  WHERE status = 'ready' AND estimate_min IS NOT NULL;
DROP INDEX tasks_unestimated_by_role;
CREATE INDEX tasks_ready_unestimated_by_role ON tasks (team_id, required_role, priority DESC, seq)
  WHERE status = 'ready' AND estimate_min IS NULL;

-- Tasks by owner are only looked up for a named owner (owner_agent_id = ?): a task nobody has
-- claimed needs no entry, so a claim adds one instead of moving it out of the unowned ones.
DROP INDEX tasks_by_owner;
CREATE INDEX tasks_by_owner ON tasks (team_id, owner_agent_id, seq) WHERE owner_agent_id IS NOT NULL;

-- Permissions: the profile a lead granted an agent at spawn, and the decision log that records the
-- authorization decision of every tool call, allowed or refused. Self-contained: it only adds.

-- NULL: the agent has its role's profile.
ALTER TABLE agents ADD COLUMN permission_profile TEXT;

-- One row per tools/call. An allowed call that changed state is recorded in the same transaction as
-- its audit events (audit_first_seq..audit_last_seq); reads and refusals are recorded on their own.
-- team_id is NULL for a session bound to no team (a call before team_join).
CREATE TABLE authz_decisions (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  at              INTEGER NOT NULL,
  team_id         TEXT REFERENCES teams (id),
  agent_id        TEXT REFERENCES agents (id),
  role            TEXT,
  tool            TEXT NOT NULL,
  action          TEXT NOT NULL,
  profile         TEXT,
  rule            TEXT NOT NULL,
  matched         TEXT NOT NULL CHECK (json_valid(matched)),
  decision        TEXT NOT NULL CHECK (decision IN ('allow', 'deny')),
  reason          TEXT NOT NULL,
  step            TEXT NOT NULL,
  outcome         TEXT NOT NULL,
  audit_first_seq INTEGER REFERENCES audit_events (seq),
  audit_last_seq  INTEGER REFERENCES audit_events (seq)
) STRICT;

CREATE INDEX authz_decisions_by_team ON authz_decisions (team_id, seq);

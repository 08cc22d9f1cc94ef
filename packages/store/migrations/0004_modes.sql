-- Operating modes and plan reviews. A team's mode gates its calls (default: no gate). A temporary
-- mode returns to mode_returns_to at mode_expires_at: every read applies that at its own clock,
-- and the sweep records the lapse as an audit event. Existing teams read as default.
ALTER TABLE teams ADD COLUMN mode TEXT NOT NULL DEFAULT 'default' CHECK (mode IN ('default', 'delegate', 'plan'));
ALTER TABLE teams ADD COLUMN mode_set_by TEXT REFERENCES agents (id);
ALTER TABLE teams ADD COLUMN mode_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE teams ADD COLUMN mode_set_at INTEGER;
ALTER TABLE teams ADD COLUMN mode_expires_at INTEGER;
ALTER TABLE teams ADD COLUMN mode_returns_to TEXT CHECK (mode_returns_to IN ('default', 'delegate', 'plan'));

-- The sweep looks for temporary modes that have lapsed.
CREATE INDEX teams_mode_expiry ON teams (mode_expires_at) WHERE mode_expires_at IS NOT NULL;

-- Plans are the only artifacts plan mode lets anyone publish.
ALTER TABLE artifacts ADD COLUMN plan INTEGER NOT NULL DEFAULT 0 CHECK (plan IN (0, 1));

-- A plan artifact submitted for the lead's approval, and the lead's answer.
CREATE TABLE plan_reviews (
  artifact_id  TEXT PRIMARY KEY REFERENCES artifacts (id),
  team_id      TEXT NOT NULL REFERENCES teams (id),
  submitted_by TEXT NOT NULL REFERENCES agents (id),
  submitted_at INTEGER NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  reviewed_by  TEXT REFERENCES agents (id),
  reviewed_at  INTEGER,
  reason       TEXT
) STRICT;

-- The per-agent usage bound (policy-engine usageRateRuling, rule usage.per_minute) sums the tokens
-- an agent's reports charged over the last minute inside every usage report's transaction: the
-- agent index of 0008_hooks gains the time, so that this is a range scan of the agent's recent
-- samples rather than of all of them (the hooks' per-agent counts use its first column as before).
DROP INDEX usage_samples_by_agent;
CREATE INDEX usage_samples_by_agent ON usage_samples (agent_id, created_at);

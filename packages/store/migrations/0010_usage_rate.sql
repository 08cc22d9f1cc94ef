-- The per-agent usage bound (policy-engine usageRateRuling, rule usage.per_minute) sums the tokens
-- an agent's reports charged over the last minute inside every usage report's transaction: this
-- index makes that a range scan of the agent's recent samples rather than of the team's.
CREATE INDEX usage_samples_by_agent ON usage_samples (agent_id, created_at);

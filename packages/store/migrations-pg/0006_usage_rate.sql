-- The PostgreSQL twin of SQLite's 0010_usage_rate: the per-agent usage bound (rule
-- usage.per_minute) sums an agent's charged tokens over the last minute in every usage report's
-- transaction; this index makes that a range scan of the agent's recent samples.
CREATE INDEX usage_samples_by_agent ON usage_samples (agent_id, created_at);

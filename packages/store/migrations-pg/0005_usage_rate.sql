-- The PostgreSQL twin of SQLite's 0009_usage_rate: the per-agent usage bound (rule
-- usage.per_minute) sums an agent's charged tokens over the last minute in every usage report's
-- transaction; the agent index of 0004_hooks gains the time, so that this is a range scan of the
-- agent's recent samples (the hooks' per-agent counts use its first column as before).
DROP INDEX usage_samples_by_agent;
CREATE INDEX usage_samples_by_agent ON usage_samples (agent_id, created_at);

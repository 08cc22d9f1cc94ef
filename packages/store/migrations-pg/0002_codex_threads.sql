-- The PostgreSQL twin of SQLite's 0006_codex_threads: the Codex thread each agent's session was
-- bound from. Codex (0.171) sends the thread's id with every tool call (`_meta.threadId`) and hands
-- the same id to its hooks (`session_id` for the root, `agent_id` for a sub-agent), so
-- `codex-team hook` can find the agent a Stop or SubagentStop is about. Set by team_start,
-- team_join and team_resume; a later binding of the thread wins.
ALTER TABLE agents ADD COLUMN codex_thread_id TEXT;
ALTER TABLE agents ADD COLUMN codex_thread_bound_at BIGINT;

CREATE INDEX agents_by_codex_thread ON agents (codex_thread_id, codex_thread_bound_at);

-- The PostgreSQL twin of SQLite's 0009_reserved. Reserved: number 5 belongs to the twin of another
-- branch's migration (rebalancing, SQLite 0009). This placeholder changes nothing and exists only so
-- that 0006_checkpoints follows without a gap; it is removed when that branch's twin is merged.
SELECT 1;

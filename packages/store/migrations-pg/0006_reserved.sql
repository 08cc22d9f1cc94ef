-- The PostgreSQL twin of SQLite's 0010_reserved. Reserved: number 6 belongs to the twin of another
-- branch's migration (rebalancing, issue 16). This placeholder changes nothing and exists only so
-- that 0007_checkpoints follows without a gap; it is removed when that branch's twin is merged.
SELECT 1;

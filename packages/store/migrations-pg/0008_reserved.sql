-- The PostgreSQL twin of SQLite's 0012_reserved. Reserved: number 8 belongs to the twin of another
-- branch's migration (runtime). This placeholder changes nothing and exists only so that
-- 0009_operator follows without a gap; it is removed when that branch's twin is merged.
SELECT 1;

-- Reserved: number 5 belongs to another branch's migration (the twin of SQLite's 0009_rebalance). This placeholder
-- changes nothing and exists only so that 0006_usage_rate follows without a gap, as SQLite's
-- 0007-0009 placeholders do; it is removed when that branch's migration is merged.
SELECT 1;

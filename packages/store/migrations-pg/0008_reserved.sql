-- Reserved: number 8 belongs to the PostgreSQL twin of another branch's migration (rebalancing,
-- SQLite 0012). This placeholder changes nothing and exists only so that 0010_row_order follows
-- without a gap; it is removed when that branch's twin is merged.
SELECT 1;

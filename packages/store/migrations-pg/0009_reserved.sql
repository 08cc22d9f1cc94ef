-- Reserved: number 9 belongs to the PostgreSQL twin of another branch's migration (operator ops,
-- SQLite 0013). This placeholder changes nothing and exists only so that 0010_row_order follows
-- without a gap; it is removed when that branch's twin is merged.
SELECT 1;

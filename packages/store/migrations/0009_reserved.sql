-- Reserved: number 9 belongs to another branch's migration (runtime rebalancing (0009_rebalance)). This placeholder
-- changes nothing and exists only so that 0010_usage_rate follows without a gap on this branch; it
-- is removed when that branch's migration is merged.
SELECT 1;

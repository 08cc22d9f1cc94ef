-- Reserved: number 8 belongs to another branch's migration (hooks (0008_hooks)). This placeholder
-- changes nothing and exists only so that 0010_usage_rate follows without a gap on this branch; it
-- is removed when that branch's migration is merged.
SELECT 1;

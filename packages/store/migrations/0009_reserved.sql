-- Reserved: number 9 belongs to another branch's migration (rebalancing). This placeholder changes
-- nothing and exists only so that 0010_checkpoints follows without a gap on this branch; it is
-- removed when that branch's 0009 is merged.
SELECT 1;

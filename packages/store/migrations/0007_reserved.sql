-- Reserved: number 7 belongs to another branch's migration (hierarchy). This placeholder changes
-- nothing and exists only so that 0010_checkpoints follows without a gap on this branch; it is
-- removed when that branch's 0007 is merged.
SELECT 1;

-- Reserved: number 10 belongs to another branch's migration (rebalancing, issue 16). This
-- placeholder changes nothing and exists only so that 0011_checkpoints follows without a gap on
-- this branch; it is removed when that branch's migration is merged.
SELECT 1;

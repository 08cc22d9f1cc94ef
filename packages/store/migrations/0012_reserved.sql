-- Reserved: number 12 belongs to another branch's migration (runtime). This placeholder changes
-- nothing and exists only so that 0013_operator follows without a gap (the runner refuses gaps);
-- it is removed when that branch's migration is merged.
SELECT 1;

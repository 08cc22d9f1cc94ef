// Public API of @codex-team/testkit: harnesses that several packages' tests share. Imported only by
// specs and testing/ folders (lint enforces it); nothing here ships in a product. Exported: what
// other packages' tests import (the cluster CLI for .ci/run uses pg-cluster.ts directly).
export { postgresForTests, findPostgresBinDir } from './pg-cluster';
export type { TestPostgres } from './pg-cluster';

// Public API of @codex-team/testkit: harnesses that several packages' tests share. Imported only by
// specs and testing/ folders (lint enforces it); nothing here ships in a product.
export {
  startThrowawayPostgres,
  stopThrowawayPostgres,
  postgresForTests,
  findPostgresBinDir,
  PG_URL_ENV,
  PG_BIN_ENV,
  PG_OS_USER,
} from './pg-cluster';
export type { ThrowawayPostgres, ThrowawayOptions, TestPostgres } from './pg-cluster';

// Test helpers of @codex-team/store, imported as `@codex-team/store/testing` by specs and test
// harnesses only: lint forbids production code to import any package's testing entry.
export { digestDatabase, checkDatabaseIntegrity, DECISION_LOG_TABLE } from './database-digest';
export type { TableDigest, DigestOptions } from './database-digest';
export { forceTeamMode } from './force-mode';
export { PgScratch } from './pg-scratch-database';
export type { ScratchDatabase } from './pg-scratch-database';
export { digestPostgres } from './pg-digest';

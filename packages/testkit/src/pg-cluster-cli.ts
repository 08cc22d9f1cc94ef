#!/usr/bin/env node
// Starts and stops the throwaway PostgreSQL cluster that .ci/run provides to the PostgreSQL suites:
//   node dist/pg-cluster-cli.js start      prints `export CODEX_TEAM_PG_URL=...` and `export CODEX_TEAM_PG_DIR=...`
//   node dist/pg-cluster-cli.js stop DIR   stops that cluster and deletes its directory
// The cluster outlives `start` (pg_ctl runs it in the background) until `stop`.
import { PG_URL_ENV, startThrowawayPostgres, stopThrowawayPostgres } from './pg-cluster';

async function main(argv: readonly string[]): Promise<number> {
  const [command, dir] = argv;
  if (command === 'start') {
    const cluster = await startThrowawayPostgres({ stopOnExit: false });
    process.stdout.write(`export ${PG_URL_ENV}='${cluster.url}'\nexport CODEX_TEAM_PG_DIR='${cluster.dir}'\n`);
    return 0;
  }
  if (command === 'stop' && dir !== undefined && dir !== '') {
    stopThrowawayPostgres(dir);
    return 0;
  }
  process.stderr.write('usage: pg-cluster-cli start | stop DIR\n');
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`pg-cluster-cli: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);

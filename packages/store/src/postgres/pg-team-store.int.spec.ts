import type { TeamStore } from '../team-store';
import { describeTeamStoreConformance } from '../team-store.conformance';
import { PgScratch, type ScratchDatabase } from '../testing/pg-scratch-database';
import { openPostgresTeamStore } from './pg-team-store';

// The unchanged store conformance suite against the PostgreSQL adapter, on a real throwaway cluster
// ($CODEX_TEAM_PG_URL, else one this suite starts): every store gets a schema of its own in one
// scratch database, dropped at the end.

jest.setTimeout(120_000);

let pg: PgScratch;
let database: ScratchDatabase;

beforeAll(async () => {
  pg = await PgScratch.start();
  database = await pg.database();
});
afterAll(async () => {
  await database.drop();
  await pg.release();
});

describeTeamStoreConformance('PostgreSQL', async (clock, ids, profiles, options): Promise<TeamStore> => {
  const schema = await database.schema();
  return openPostgresTeamStore({ url: database.url, schema, clock, ids, profiles, time: 'clock', ...options });
});

import { randomBytes } from 'node:crypto';
import { connectPostgres } from './pg-driver';

/**
 * Runs `work` with a fresh schema of the database at `url` (named `<prefix>_<random hex>`), then
 * drops the schema and everything in it, whatever `work` did: the benchmarks' scratch space.
 */
export async function withPgScratchSchema<T>(url: string, prefix: string, work: (schema: string) => Promise<T>): Promise<T> {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(prefix)) throw new Error(`not a schema prefix we make: ${prefix}`);
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = await connectPostgres(url);
  try {
    // The name is ours (checked prefix, random hex): DDL takes no parameters.
    await admin.query(`CREATE SCHEMA ${schema}`);
    return await work(schema);
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
  }
}

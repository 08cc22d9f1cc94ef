import type * as Pg from 'pg';

let driver: typeof Pg | undefined;

/**
 * The pg driver, loaded on first use. Loading it takes about 100 ms; every stdio server process
 * loads the store at start, and most of them never speak to PostgreSQL.
 */
export function pgDriver(): typeof Pg {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  driver ??= require('pg') as typeof Pg;
  return driver;
}

/**
 * A connected client of `url`, its search_path set to `schema` when given (a name we made, checked);
 * with `pipeline`, queries go out without waiting for the answers before them (pg's pipeline mode).
 */
export async function connectPostgres(url: string, schema?: string, options: { pipeline?: boolean } = {}): Promise<Pg.Client> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`not a schema name we make: ${schema}`);
  const { Client } = pgDriver();
  const client = new Client({
    connectionString: url,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    ...(options.pipeline === true ? { pipeline: true } : {}),
  });
  await client.connect();
  return client;
}

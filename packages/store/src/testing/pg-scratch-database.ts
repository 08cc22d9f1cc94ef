import { randomBytes } from 'node:crypto';
import { postgresForTests, type TestPostgres } from '@codex-team/testkit';
import { connectPostgres } from '../postgres/pg-driver';

/** A database of its own on the suite's throwaway cluster, for one test. */
export interface ScratchDatabase {
  url: string;
  name: string;
  /** Runs SQL of the test's own (statements without parameters) in the database, as its owner. */
  run(sql: string): Promise<void>;
  /** Creates a fresh schema in the database and answers its name: a store of its own there. */
  schema(): Promise<string>;
  drop(): Promise<void>;
}

/** The PostgreSQL side of a suite: its cluster and fresh databases on it, each dropped after use. */
export class PgScratch {
  private constructor(private readonly cluster: TestPostgres) {}

  /** The cluster from $CODEX_TEAM_PG_URL, else a throwaway one started for this suite. */
  static async start(): Promise<PgScratch> {
    return new PgScratch(await postgresForTests());
  }

  get url(): string {
    return this.cluster.url;
  }

  /** A fresh database: empty, or a copy of `template` (which nobody may be connected to). */
  async database(template?: ScratchDatabase): Promise<ScratchDatabase> {
    const name = `codex_team_test_${randomBytes(6).toString('hex')}`;
    const admin = await connectPostgres(this.cluster.url);
    try {
      for (let attempt = 1; ; attempt += 1) {
        try {
          await admin.query(`CREATE DATABASE ${name}${template === undefined ? '' : ` TEMPLATE ${template.name}`}`);
          break;
        } catch (error) {
          // A client that just disconnected from the template may still be leaving it.
          if (template === undefined || attempt >= 50 || !/being accessed by other users/.test(String(error))) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    } finally {
      await admin.end();
    }
    const url = new URL(this.cluster.url);
    url.pathname = `/${name}`;
    const run = async (sql: string): Promise<void> => {
      const client = await connectPostgres(url.toString());
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    return {
      url: url.toString(),
      name,
      run,
      schema: async () => {
        const schema = `store_${randomBytes(6).toString('hex')}`;
        await run(`CREATE SCHEMA ${schema}`);
        return schema;
      },
      drop: async () => {
        const dropper = await connectPostgres(this.cluster.url);
        try {
          await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await dropper.end();
        }
      },
    };
  }

  release(): Promise<void> {
    return this.cluster.release();
  }
}

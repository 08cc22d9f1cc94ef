import type { Client } from 'pg';
import { TeamError } from '@codex-team/contracts';
import { SequentialIdGenerator } from '@codex-team/contracts/testing';
import { ProfileCatalog } from '@codex-team/policy-engine';
import { DEFAULT_BUSY_RETRY, type Op } from '../sqlite/transaction';
import { PgScratch, type ScratchDatabase } from '../testing/pg-scratch-database';
import { connectPostgres } from './pg-driver';
import { PgSyncConnection, type SentStatement } from './pg-sync-connection';
import { PG_COMMIT_ORDER_CLASS, PgSql, PgTransactionRunner, advisoryLockKey } from './pg-transaction';

// The PostgreSQL write path's round trips on a real throwaway cluster. Savepoints go with the first
// statement after them. Read-ahead (PgSql): the reads a call's last two writes began with alike are
// sent in its next write's opening round trip and answered from there; a read after the write's own
// first write, or asked otherwise, goes to the server.

jest.setTimeout(120_000);

const READ = 'SELECT v FROM notes WHERE id = ?';
const PG_READ = 'SELECT v FROM notes WHERE id = $1';

let pg: PgScratch;
let db: ScratchDatabase;
let outside: Client;
let connection: PgSyncConnection;
/** Another session, synchronous like the store's, to change rows in the middle of an operation. */
let other: PgSyncConnection;
let runner: PgTransactionRunner;
let sent: SentStatement[];

beforeAll(async () => {
  pg = await PgScratch.start();
});
afterAll(async () => {
  await pg.release();
});

beforeEach(async () => {
  db = await pg.database();
  outside = await connectPostgres(db.url);
  await outside.query('CREATE TABLE notes (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  await outside.query("INSERT INTO notes VALUES (1, 'a'), (2, 'x')");
  sent = [];
  connection = new PgSyncConnection(db.url, { onRoundTrip: (statements) => sent.push(...statements) });
  other = new PgSyncConnection(db.url);
  runner = new PgTransactionRunner(
    new PgSql(connection),
    { kind: 'clock', now: () => 1_000 },
    new SequentialIdGenerator(),
    DEFAULT_BUSY_RETRY,
    2_000,
    ProfileCatalog.shipped(),
    undefined,
    () => undefined,
    () => undefined,
    null,
  );
});
afterEach(async () => {
  connection.close();
  other.close();
  await outside.end();
  await db.drop();
});

function write<T>(key: string, work: (op: Op) => T): Promise<T> {
  return runner.write(work, { readAheadKey: key });
}

/** The statements a write sent, and whether `PG_READ` went in its opening round trip (beside BEGIN). */
async function sentBy<T>(key: string, work: (op: Op) => T): Promise<{ value: T; statements: string[] }> {
  sent = [];
  const value = await write(key, work);
  return { value, statements: sent.map((statement) => statement.text) };
}

/** Teaches `key` to begin with reading note 1: two writes that do. */
async function teach(key: string): Promise<void> {
  for (let i = 0; i < 2; i += 1) await write(key, (op) => op.sql.get<{ v: string }>(READ, 1));
}

describe('PostgreSQL savepoints', () => {
  it('rolls a refused operation back to the savepoint sent with its first statement, and commits nothing of it', async () => {
    sent = [];
    const refused = write('call', (op) => {
      op.sql.run("UPDATE notes SET v = 'z' WHERE id = ?", 1);
      throw new TeamError('DENIED', 'refused after a write');
    });
    await expect(refused).rejects.toMatchObject({ code: 'DENIED' });
    expect(sent.map((statement) => statement.text).slice(1)).toEqual(['SAVEPOINT op', "UPDATE notes SET v = 'z' WHERE id = $1", 'ROLLBACK TO SAVEPOINT op', 'COMMIT']);
    expect((await outside.query<{ v: string }>('SELECT v FROM notes WHERE id = 1')).rows[0]?.v).toBe('a');
  });

  it('sends no savepoint for an operation refused before it sent anything', async () => {
    sent = [];
    await expect(write('call', () => { throw new TeamError('DENIED', 'refused at once'); })).rejects.toMatchObject({ code: 'DENIED' });
    expect(sent.map((statement) => statement.text).slice(1)).toEqual(['COMMIT']);
  });
});

describe('PostgreSQL read-ahead', () => {
  it('sends the read two writes of a call began with in the next one\'s opening round trip, and answers it from there', async () => {
    await teach('call');
    const { value, statements } = await sentBy('call', (op) => {
      // Changed by another connection after the opening round trip: the answer read ahead stands.
      other.query("UPDATE notes SET v = 'changed' WHERE id = 1");
      return op.sql.get<{ v: string }>(READ, 1)?.v;
    });
    // Beside BEGIN, and never asked again: the operation sent nothing, not even its savepoint.
    expect(statements.slice(1)).toEqual([PG_READ, 'COMMIT']);
    expect(value).toBe('a');
  });

  it('answers from the server, not the read ahead, once the write has written', async () => {
    await teach('call');
    const { value, statements } = await sentBy('call', (op) => {
      op.sql.run("UPDATE notes SET v = 'b' WHERE id = ?", 1);
      return op.sql.get<{ v: string }>(READ, 1)?.v;
    });
    expect(value).toBe('b');
    // Sent ahead, and once more after the update.
    expect(statements.filter((text) => text === PG_READ)).toHaveLength(2);
  });

  it('answers a read asked with other values from the server', async () => {
    await teach('call');
    const { value } = await sentBy('call', (op) => op.sql.get<{ v: string }>(READ, 2)?.v);
    expect(value).toBe('x');
  });

  it('sends nothing ahead for a read whose values change from one write to the next', async () => {
    for (const id of [1, 2]) await write('call', (op) => op.sql.get(READ, id));
    const { statements } = await sentBy('call', (op) => op.sql.get(READ, 1));
    expect(statements[0]).toMatch(/^BEGIN/);
    expect(statements.slice(1)).toEqual(['SAVEPOINT op', PG_READ, 'COMMIT']);
  });

  it('keeps what each call learned apart', async () => {
    await teach('one call');
    const { statements } = await sentBy('another call', (op) => op.sql.get(READ, 2));
    expect(statements.slice(1)).toEqual(['SAVEPOINT op', PG_READ, 'COMMIT']);
  });
});

describe('PostgreSQL claim writes', () => {
  it("takes the commit-order lock with a claim's first write, and again after a rollback to the savepoint released it", async () => {
    await outside.query('CREATE TABLE teams (id TEXT PRIMARY KEY, root_team_id TEXT NOT NULL)');
    await outside.query("INSERT INTO teams VALUES ('tm_a', 'tm_a')");
    const order = `SELECT pg_advisory_xact_lock(${PG_COMMIT_ORDER_CLASS}, ${advisoryLockKey('tm_a')})`;
    sent = [];
    const refused = runner.write(
      (op) => {
        op.onRefusal(() => op.sql.run("UPDATE notes SET v = 'r' WHERE id = ?", 2));
        op.sql.run("UPDATE notes SET v = 'z' WHERE id = ?", 1);
        throw new TeamError('DENIED', 'refused after a write');
      },
      { team: 'tm_a', claimBy: 'ag_1' },
    );
    await expect(refused).rejects.toMatchObject({ code: 'DENIED' });
    const texts = sent.map((statement) => statement.text);
    expect(texts.slice(texts.findIndex((text) => text.startsWith('BEGIN')) + 1)).toEqual([
      'SAVEPOINT op',
      order,
      "UPDATE notes SET v = 'z' WHERE id = $1",
      'ROLLBACK TO SAVEPOINT op',
      order,
      "UPDATE notes SET v = 'r' WHERE id = $1",
      'COMMIT',
    ]);
    expect((await outside.query<{ id: number; v: string }>('SELECT id, v FROM notes ORDER BY id')).rows).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'r' }]);
  });
});

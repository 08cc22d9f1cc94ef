import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgScratch, digestPostgres, type ScratchDatabase } from '@codex-team/store/testing';
import { builtCliBin } from '../testing/codex-team-env';
import { SEEDED_SECRET, seedCrowdedTeam, seedEndedTeam, seedTeam } from '../testing/seed-team';

// The operator's verbs on a team kept in PostgreSQL (`--db postgres://...` or CODEX_TEAM_DB), run as
// the built CLI against a real throwaway cluster ($CODEX_TEAM_PG_URL, else one this suite starts):
// they print what the same verb prints for the same team kept in a SQLite file, the readers write
// nothing, and a database without a codex-team store is refused and left without one.

jest.setTimeout(180_000);

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

let pg: PgScratch;
let dir: string;
const databases: ScratchDatabase[] = [];

beforeAll(async () => {
  pg = await PgScratch.start();
  dir = mkdtempSync(join(tmpdir(), 'codex-team-pg-verbs-'));
});
afterAll(async () => {
  for (const database of databases.splice(0)) await database.drop();
  await pg?.release();
  rmSync(dir, { recursive: true, force: true });
});

async function database(): Promise<ScratchDatabase> {
  const made = await pg.database();
  databases.push(made);
  return made;
}

/** The URL as the CLI may print it: its password masked. */
function shown(url: string): string {
  const parsed = new URL(url);
  parsed.password = '***';
  return parsed.toString();
}

function passwordOf(url: string): string {
  return decodeURIComponent(new URL(url).password);
}

/** The built CLI, with the store named by `--db` or, with `viaEnv`, by CODEX_TEAM_DB only. */
function cli(store: string, argv: readonly string[], viaEnv = false): Outcome {
  const result = spawnSync(process.execPath, [builtCliBin(), ...argv, ...(viaEnv ? [] : ['--db', store])], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: join(dir, 'home'), TMPDIR: dir, ...(viaEnv ? { CODEX_TEAM_DB: store } : {}) },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** `codex-team doctor`'s store line (and its fix line, when it failed) for `store`. */
function doctorStoreLines(store: string): string {
  const lines = cli(store, ['doctor']).stdout.split('\n');
  const at = lines.findIndex((line) => /^(ok|FAIL) +store /.test(line));
  return lines.slice(at, lines[at + 1]?.trim().startsWith('fix:') === true ? at + 2 : at + 1).join('\n');
}

/** An outcome with the store's name replaced, so the same verb on either engine can be compared. */
function anonymous(outcome: Outcome, store: string): Outcome {
  const name = store.startsWith('postgres') ? shown(store) : store;
  const scrub = (text: string): string => text.split(name).join('<store>');
  return { status: outcome.status, stdout: scrub(outcome.stdout), stderr: scrub(outcome.stderr) };
}

const DAY_MS = 86_400_000;
const SEEDS_START = Date.UTC(2026, 0, 1);

/**
 * An outcome without what depends on the moment the verb ran or on fresh random ids: the two runs
 * being compared are a moment apart. Times of this day become <now>; epoch or elapsed milliseconds
 * near now (or near now less the seeds' fake start) become <now> or <to now>; "N ago" becomes <ago>;
 * random ids (16 characters) become <id>. The seeds' own times and sequential ids are kept.
 */
function runFree(outcome: Outcome): Outcome {
  const now = Date.now();
  const today = new Date(now).toISOString().slice(0, 10);
  const near = (value: number, to: number): boolean => Math.abs(value - to) < DAY_MS;
  const text = (value: string): string =>
    value
      .replace(new RegExp(`${today}T[\\d:.]+Z`, 'g'), '<now>')
      .replace(/\b\d{9,}\b/g, (digits) => (near(Number(digits), now) ? '<now>' : near(Number(digits), now - SEEDS_START) ? '<to now>' : digits))
      .replace(/\b\d+(\.\d+)?\s?(ms|s|m|h|d|w|min|minutes?|hours?|days?|seconds?) ago\b/g, '<ago>')
      .replace(/\b[a-z]{2,3}_[a-z0-9]{16}\b/g, '<id>');
  return { status: outcome.status, stdout: text(outcome.stdout), stderr: text(outcome.stderr) };
}

describe('the operator verbs on a team kept in PostgreSQL', () => {
  let sqlite: string;
  let url: string;
  let endedSqlite: string;
  let endedUrl: string;

  beforeAll(async () => {
    sqlite = join(dir, 'release.db');
    url = (await database()).url;
    endedSqlite = join(dir, 'shipped.db');
    endedUrl = (await database()).url;
    await Promise.all([seedTeam(sqlite), seedTeam(url), seedEndedTeam(endedSqlite), seedEndedTeam(endedUrl)]);
  });

  it.each([
    ['teams', ['teams']],
    ['teams --json', ['teams', '--json']],
    ['status', ['status', 'release']],
    ['status --json', ['status', 'release', '--json']],
    ['tasks', ['tasks', 'release']],
    ['tasks --json', ['tasks', 'release', '--json']],
    ['replay', ['replay', 'release']],
    ['replay --json', ['replay', 'release', '--json']],
    ['replay --decisions', ['replay', 'release', '--decisions']],
    ['report --json', ['report', 'release', '--json']],
    ['messages', ['messages', 'release']],
    ['agent', ['agent', 'release', 'ann', '--json']],
    ['watch --once', ['watch', 'release', '--once']],
  ] as [string, string[]][])('%s prints what it prints for the same team in a SQLite file', (_verb, argv) => {
    const onFile = anonymous(cli(sqlite, argv), sqlite);
    const onPostgres = anonymous(cli(url, argv), url);
    expect(onFile.status).toBe(0);
    expect(runFree(onPostgres)).toEqual(runFree(onFile));
    // Operator output masks secrets on either engine; the URL's password is never printed.
    expect(onPostgres.stdout).not.toContain(SEEDED_SECRET);
    expect(onPostgres.stdout + onPostgres.stderr).not.toContain(passwordOf(url));
  });

  it.each([
    ['status', ['status', 'shipped', '--json']],
    ['replay --verify', ['replay', 'shipped', '--verify']],
    ['report --json', ['report', 'shipped', '--json']],
    ['tasks', ['tasks', 'shipped']],
  ] as [string, string[]][])('%s of an ended team (recovered claim, finalized) matches SQLite too', (_verb, argv) => {
    const onFile = anonymous(cli(endedSqlite, argv), endedSqlite);
    const onPostgres = anonymous(cli(endedUrl, argv), endedUrl);
    expect(onFile.status).toBe(0);
    expect(runFree(onPostgres)).toEqual(runFree(onFile));
  });

  it('prints an artifact as on SQLite, its checksum checked', () => {
    const report = JSON.parse(cli(url, ['report', 'release', '--json']).stdout) as { artifacts: { artifact_id: string }[] };
    const id = report.artifacts[0]?.artifact_id ?? '';
    for (const argv of [['artifact', id], ['artifact', id, '--json']]) {
      const onFile = anonymous(cli(sqlite, argv), sqlite);
      expect(onFile.status).toBe(0);
      expect(anonymous(cli(url, argv), url)).toEqual(onFile);
    }
  });

  it('needs no more than a role that may only read', async () => {
    const role = `reader_${process.pid}_${Date.now() % 100_000}`;
    const database = databases.find((made) => made.url === url);
    if (database === undefined) throw new Error('no database');
    await database.run(`CREATE ROLE ${role} LOGIN PASSWORD 'reader-pass'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
    try {
      const asReader = new URL(url);
      asReader.username = role;
      asReader.password = 'reader-pass';
      for (const argv of [['status', 'release', '--json'], ['replay', 'release', '--verify']]) {
        expect(anonymous(cli(asReader.toString(), argv), asReader.toString())).toEqual(anonymous(cli(url, argv), url));
      }
      // It may not write: each writing verb says so in one FILE_ACCESS line, and changes nothing.
      const before = await digestPostgres(url, { includeDecisionLog: true });
      for (const argv of [['send', 'release', '--to', 'lead', 'hi'], ['finalize', 'release', '--force'], ['cancel', 'release']]) {
        const refused = cli(asReader.toString(), argv);
        expect(refused).toMatchObject({ status: 1, stdout: '' });
        expect(refused.stderr).toMatch(/^codex-team \w+: FILE_ACCESS: the database role may not write the store \(permission denied for table \w+\); nothing changed: .+\n$/);
        expect(refused.stderr).not.toContain('reader-pass');
      }
      expect(await digestPostgres(url, { includeDecisionLog: true })).toEqual(before);
      // doctor tells it before a server finds out.
      expect(doctorStoreLines(asReader.toString())).toBe(
        `FAIL  store         ${shown(asReader.toString())} is a codex-team store, but the role may not insert into its table agents\n` +
          "                    fix: grant the role INSERT, UPDATE and DELETE on the store's tables, or give --db a role that may write them",
      );
    } finally {
      await database.run(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  });

  it('doctor reads the store without writing it: reachable, its schema, writable by the role', async () => {
    const before = await digestPostgres(url, { includeDecisionLog: true });
    expect(doctorStoreLines(url)).toMatch(new RegExp(`^ok +store +${shown(url).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is a codex-team store the role may write, schema v\\d+ \\(same as the code\\)$`));
    expect(await digestPostgres(url, { includeDecisionLog: true })).toEqual(before);
  });

  it('takes the database from CODEX_TEAM_DB as from --db', () => {
    const byFlag = cli(url, ['status', 'release', '--json']);
    expect(byFlag.status).toBe(0);
    expect(cli(url, ['status', 'release', '--json'], true).stdout).toBe(byFlag.stdout);
  });

  it('reads without writing: the database is the same, row for row, after every reading verb', async () => {
    const before = await digestPostgres(url, { includeDecisionLog: true });
    for (const argv of [['teams'], ['status', 'release'], ['tasks', 'release'], ['replay', 'release', '--verify'], ['report', 'release', '--json'], ['watch', 'release', '--once']]) {
      expect(cli(url, argv).status).toBe(0);
    }
    expect(await digestPostgres(url, { includeDecisionLog: true })).toEqual(before);
  });

  it('names a team it cannot find by the database, password masked', () => {
    const outcome = cli(url, ['status', 'no-such-team']);
    expect(outcome).toEqual({ status: 1, stdout: '', stderr: `codex-team status: NOT_FOUND: no team with id or name "no-such-team" in ${shown(url)}\n` });
  });
});

describe("the operator's writing verbs on a team kept in PostgreSQL", () => {
  let sqlite: string;
  let url: string;
  let crowdSqlite: string;
  let crowdUrl: string;

  beforeAll(async () => {
    sqlite = join(dir, 'steer.db');
    url = (await database()).url;
    crowdSqlite = join(dir, 'crowd.db');
    crowdUrl = (await database()).url;
    await Promise.all([seedTeam(sqlite), seedTeam(url), seedCrowdedTeam(crowdSqlite), seedCrowdedTeam(crowdUrl)]);
  });

  /** The same verb on the SQLite file and on the database: both succeed, and print the same. */
  const both = (argv: readonly string[], stores: [string, string] = [sqlite, url]): Outcome => {
    const [file, db] = stores;
    const onFile = cli(file, argv);
    const onPostgres = cli(db, argv);
    expect({ argv, status: onFile.status, stderr: onFile.stderr }).toEqual({ argv, status: 0, stderr: '' });
    expect(runFree(anonymous(onPostgres, db))).toEqual(runFree(anonymous(onFile, file)));
    return onPostgres;
  };

  it('send, cancel and prune change the team as on SQLite, and the change is read back', () => {
    both(['send', 'release', '--to', 'ann', 'please rebase', '--json', '--idempotency-key', 'k1']);
    // The same key again is the same message, not a second one.
    expect(JSON.parse(both(['send', 'release', '--to', 'ann', 'please rebase', '--json', '--idempotency-key', 'k1']).stdout)).toMatchObject({ duplicate: true });
    expect(both(['messages', 'release']).stdout).toContain('please rebase');
    both(['cancel', 'release', '--reason', 'scope changed', '--json']);
    expect(JSON.parse(both(['status', 'release', '--json']).stdout)).toMatchObject({ team: { state: 'finalized' } });
    const again = [cli(sqlite, ['finalize', 'release']), cli(url, ['finalize', 'release'])] as const;
    expect(again[1]).toMatchObject({ status: 1, stderr: expect.stringMatching(/^codex-team finalize: TEAM_FINALIZED: /) });
    expect(anonymous(again[1], url)).toEqual(anonymous(again[0], sqlite));
    both(['prune', '--older-than', '0s', '--dry-run', '--json']);
    expect(JSON.parse(both(['prune', '--older-than', '0s', '--json']).stdout)).toMatchObject({ team_ids: [expect.any(String)] });
    expect(both(['teams', '--json']).stdout).not.toContain('release');
  });

  it('recover takes back the claims of teammates silent for long, as on SQLite', () => {
    const stores: [string, string] = [crowdSqlite, crowdUrl];
    const swept = JSON.parse(both(['recover', '--team', 'crowd', '--json'], stores).stdout) as { applied: unknown[] };
    expect(swept.applied.length).toBeGreaterThan(0);
    both(['status', 'crowd', '--json'], stores);
    // Once taken back, there is nothing left to take.
    expect(both(['recover', '--team', 'crowd'], stores).stdout).toMatch(/^nothing to recover/);
  });

  it('refuses a write the team does not allow as on SQLite: one line, the same code', () => {
    const onFile = cli(sqlite, ['send', 'no-such-team', '--to', 'lead', 'hi']);
    const onPostgres = cli(url, ['send', 'no-such-team', '--to', 'lead', 'hi']);
    expect(onPostgres).toEqual({ status: 1, stdout: '', stderr: `codex-team send: NOT_FOUND: no team with id or name "no-such-team" in ${shown(url)}\n` });
    expect(anonymous(onPostgres, url)).toEqual(anonymous(onFile, sqlite));
  });
});

describe('a PostgreSQL database that holds no codex-team store', () => {
  const VERBS: [string, string[]][] = [
    ['teams', ['teams']],
    ['status', ['status']],
    ['tasks', ['tasks']],
    ['replay', ['replay']],
    ['report', ['report', '--json']],
    ['watch', ['watch', '--once']],
    ['recover', ['recover']],
    ['prune', ['prune', '--older-than', '30d']],
    ['send', ['send', 'release', '--to', 'lead', 'hi']],
    ['cancel', ['cancel', 'release']],
  ];

  it.each(VERBS)('%s: one NOT_A_STORE line naming the database, password masked, and no store made in it', async (verb, argv) => {
    const empty = await database();
    for (const viaEnv of [false, true]) {
      const outcome = cli(empty.url, argv, viaEnv);
      expect(outcome).toEqual({
        status: 1,
        stdout: '',
        stderr: `codex-team ${verb}: NOT_A_STORE: the PostgreSQL database ${shown(empty.url)} holds no codex-team store (no codex-team schema); nothing was created in it: a server opened on it (codex-team serve --db URL) makes one\n`,
      });
    }
    expect(await digestPostgres(empty.url)).toEqual({});
  });

  it('doctor says the first server start makes one, and makes none itself', async () => {
    const empty = await database();
    expect(doctorStoreLines(empty.url)).toBe(`ok    store         ${shown(empty.url)} holds no codex-team store yet; the first server start makes one (its role needs CREATE in the schema)`);
    expect(await digestPostgres(empty.url)).toEqual({});
  });

  it("refuses another application's database with a schema_migrations table of its own, and leaves it as it was", async () => {
    const foreign = await database();
    await foreign.run("CREATE TABLE schema_migrations (version varchar PRIMARY KEY); INSERT INTO schema_migrations VALUES ('20240101')");
    const before = await digestPostgres(foreign.url);
    for (const argv of [['status'], ['recover'], ['send', 'x', '--to', 'lead', 'hi']]) {
      const outcome = cli(foreign.url, argv);
      expect(outcome.status).toBe(1);
      expect(outcome.stderr).toMatch(/^codex-team [a-z]+: NOT_A_STORE: the PostgreSQL database .* holds no codex-team store/);
    }
    expect(doctorStoreLines(foreign.url)).toMatch(/^FAIL +store +NOT_A_STORE: the PostgreSQL database .* holds no codex-team store.*\n +fix: point --db .* at a database or schema of codex-team's own; this one was not changed$/);
    expect(await digestPostgres(foreign.url)).toEqual(before);
  });
});

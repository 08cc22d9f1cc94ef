import { execFileSync, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCliBin } from './testing/codex-team-env';
import { seedTeam } from './testing/seed-team';

jest.setTimeout(300_000);

/**
 * Files root could still write are made unwritable by running the CLI as `nobody` (uid 65534)
 * when the tests run as root (as in CI's container); otherwise as the user itself.
 */
const AS_UNPRIVILEGED: Pick<SpawnSyncOptions, 'uid' | 'gid'> = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

let dir: string;
let store: string;
let appDb: string;
let appDbBytes: Buffer;
let appDbMtime: number;
let busyPort: Server;
let busyPortNumber = 0;

/**
 * Runs SQL on a file with SQLite in a process of its own (only the store package may load the
 * driver), as another program would.
 */
function sqlite(path: string, sql: string): void {
  const script = "const D=require('better-sqlite3');const d=new D(process.argv[1]);d.pragma('journal_mode = WAL');d.exec(process.argv[2]);d.close();";
  execFileSync(process.execPath, ['-e', script, path, sql], { cwd: join(__dirname, '..', '..', 'store') });
}

/** A real application's SQLite database, the kind a mistyped --db points at. */
function makeAppDatabase(path: string): void {
  sqlite(
    path,
    `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
     CREATE TABLE schema_migrations (version TEXT PRIMARY KEY);
     INSERT INTO notes (body) VALUES ('buy milk'), ('call mum');`,
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-cli-errors-'));
  chmodSync(dir, 0o755);
  store = join(dir, 'team.db');
  await seedTeam(store);
  const newer = join(dir, 'newer.db');
  await seedTeam(newer, 'future');
  sqlite(newer, "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, 'from_the_future', 'x', 0)");
  writeFileSync(join(dir, 'notes.txt'), 'not a database\n');
  mkdirSync(join(dir, 'a-folder'));
  appDb = join(dir, 'notes.sqlite');
  makeAppDatabase(appDb);
  appDbBytes = readFileSync(appDb);
  appDbMtime = statSync(appDb).mtimeMs;
  writeFileSync(join(dir, 'unreadable.db'), readFileSync(store));
  chmodSync(join(dir, 'unreadable.db'), 0o000);
  mkdirSync(join(dir, 'read-only'), { mode: 0o555 });
  chmodSync(join(dir, 'read-only'), 0o555);
  // A store this user may read but not write: its file and its folder are someone else's.
  mkdirSync(join(dir, 'locked'));
  await seedTeam(join(dir, 'locked', 'team.db'));
  chmodSync(join(dir, 'locked', 'team.db'), 0o444);
  chmodSync(join(dir, 'locked'), 0o555);
  busyPort = createServer();
  await new Promise<void>((resolve) => busyPort.listen(0, '127.0.0.1', () => resolve()));
  busyPortNumber = (busyPort.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => busyPort.close(resolve));
  chmodSync(join(dir, 'read-only'), 0o755);
  chmodSync(join(dir, 'locked'), 0o755);
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function cli(argv: string[], extra: SpawnSyncOptions = {}): Outcome {
  const result = spawnSync(process.execPath, [builtCliBin(), ...argv], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: join(dir, 'home'), TMPDIR: dir },
    encoding: 'utf8',
    timeout: 60_000,
    ...extra,
  });
  return { status: result.status, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** The error contract: exit status, exactly one line `codex-team <verb>: CODE: message`, no stack anywhere. */
function expectOneLineError(outcome: Outcome, status: number, code: string, mentions?: string): void {
  const context = JSON.stringify(outcome);
  expect({ context, stack: /\n\s+at |Error: .*\n\s+at /.test(outcome.stderr + outcome.stdout) }).toEqual({ context, stack: false });
  expect({ context, status: outcome.status }).toEqual({ context, status });
  expect({ context, lines: outcome.stderr.split('\n').length }).toEqual({ context, lines: 2 });
  expect(outcome.stderr).toMatch(new RegExp(`^codex-team( [a-z]+)?: ${code}: \\S.*\\n$`));
  if (mentions !== undefined) expect(outcome.stderr).toContain(mentions);
}

/** Every verb that reads a store, with the arguments it needs besides --db. */
const STORE_VERBS: [string, string[]][] = [
  ['status', ['status']],
  ['tasks', ['tasks']],
  ['watch', ['watch', '--once']],
  ['replay', ['replay']],
  ['report --json', ['report', '--json']],
  ['report --html', ['report', '--html', 'out.html']],
  ['ui', ['ui', '--port', '0']],
  ['recover', ['recover']],
  ['teams', ['teams']],
  ['messages', ['messages', 'release']],
  ['agent', ['agent', 'release', 'ann']],
  ['artifact', ['artifact', 'af_x']],
  ['send', ['send', 'release', '--to', 'ann', 'hi']],
  ['finalize', ['finalize', 'release']],
  ['cancel', ['cancel', 'release']],
  ['prune', ['prune', '--older-than', '30d']],
];

const BAD_STORES: [string, (d: string) => string, string][] = [
  ['a file that is not a database', (d) => join(d, 'notes.txt'), 'NOT_A_STORE'],
  ['a folder', (d) => join(d, 'a-folder'), 'NOT_A_STORE'],
  ["another application's SQLite database", (d) => join(d, 'notes.sqlite'), 'NOT_A_STORE'],
  ['a store newer than the code', (d) => join(d, 'newer.db'), 'SCHEMA_MISMATCH'],
  ['a store that is not there', (d) => join(d, 'absent.db'), 'NOT_FOUND'],
];

describe('inspection never writes', () => {
  it.each([
    ['status', ['status']],
    ['tasks', ['tasks']],
    ['replay', ['replay']],
    ['watch', ['watch', '--once']],
    ['report --json', ['report', '--json']],
  ])('%s reads a store this user may not write, and creates nothing beside it', (_verb, argv) => {
    const db = join(dir, 'locked', 'team.db');
    const before = readFileSync(db);
    const outcome = cli([...argv, '--db', db], AS_UNPRIVILEGED);
    expect({ status: outcome.status, stderr: outcome.stderr }).toEqual({ status: 0, stderr: '' });
    expect(outcome.stdout).toMatch(/release|Build the CLI/);
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(readdirSync(join(dir, 'locked'))).toEqual(['team.db']);
  });
});

describe('every verb answers every bad input with one line, a stable code and its exit status, never a stack', () => {
  it.each(STORE_VERBS)('%s: each bad --db is one line naming the file', (_verb, argv) => {
    for (const [label, path, code] of BAD_STORES) {
      const outcome = cli([...argv, '--db', path(dir)]);
      try {
        expectOneLineError(outcome, 1, code, path(dir));
      } catch (error) {
        throw new Error(`${argv.join(' ')} on ${label}: ${String(error)}`);
      }
    }
    // A store this user may not read.
    expectOneLineError(cli([...argv, '--db', join(dir, 'unreadable.db')], AS_UNPRIVILEGED), 1, 'FILE_ACCESS', join(dir, 'unreadable.db'));
    // Another application's database is left byte for byte as it was, without files beside it.
    expect(readFileSync(appDb).equals(appDbBytes)).toBe(true);
    expect(statSync(appDb).mtimeMs).toBe(appDbMtime);
    expect(readdirSync(dir).filter((file) => file.startsWith('notes.sqlite'))).toEqual(['notes.sqlite']);
  });

  it.each(STORE_VERBS)('%s: a PostgreSQL database it cannot reach is one FILE_ACCESS line, its password masked, nothing made', (_verb, argv) => {
    // Port 1 on loopback: refused at once, no DNS.
    const url = 'postgres://codex:hunter2-secret@127.0.0.1:1/team';
    for (const given of [['--db', url], []]) {
      const outcome = cli([...argv, ...given], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: join(dir, 'home'), TMPDIR: dir, CODEX_TEAM_DB: url } });
      expectOneLineError(outcome, 1, 'FILE_ACCESS', 'cannot reach the PostgreSQL database postgres://codex:***@127.0.0.1:1/team');
      expect(outcome.stdout + outcome.stderr).not.toContain('hunter2');
    }
    expect(readdirSync(dir).filter((file) => file.startsWith('postgres'))).toEqual([]);
  });

  it('run: a PostgreSQL URL (run drives a team over a SQLite file only) is one USAGE line saying so, its password masked, nothing made', () => {
    const url = 'postgres://codex:hunter2-secret@db.invalid:5432/team';
    for (const given of [['--db', url], []]) {
      const outcome = cli(['run', 'ship it', '--codex-home', 'no-codex', ...given], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: join(dir, 'home'), TMPDIR: dir, CODEX_TEAM_DB: url } });
      expectOneLineError(outcome, 2, 'USAGE', 'over a SQLite store file only');
      expect(outcome.stderr).toContain('postgres://codex:***@db.invalid:5432/team');
      expect(outcome.stdout + outcome.stderr).not.toContain('hunter2');
    }
    expect(readdirSync(dir).filter((file) => file.startsWith('postgres'))).toEqual([]);
  });

  it.each([
    ...STORE_VERBS,
    ['doctor', ['doctor']],
    ['install', ['install']],
    ['uninstall', ['uninstall']],
    ['demo', ['demo']],
    ['bench', ['bench']],
    ['serve', ['serve', '--http', '127.0.0.1:0']],
  ] as [string, string[]][])(
    '%s: an unknown flag is a USAGE line with exit 2',
    (_verb, argv) => {
      expectOneLineError(cli([...argv, '--frobnicate']), 2, 'USAGE', '--frobnicate');
    },
  );

  it.each([
    [['status', 'a', 'b'], 'unexpected argument "b"'],
    [['tasks', '--status', 'todo'], '--status "todo"'],
    [['watch', '--interval', '5'], '--interval must be a whole number of at least 100'],
    [['replay', '--after', 'x'], '--after must be a whole number'],
    [['recover', '--grace-ms', 'soon'], '--grace-ms must be a whole number'],
    [['report'], 'give --html FILE'],
    [['report', '--html', ''], '--html needs a file name'],
    [['ui', '--port', '70000'], '--port must be at most 65535'],
    [['demo', '--teammates', '9'], '--teammates must be a whole number from 3 to 6'],
    [['install', '--name', 'a b'], '--name must be'],
    [['bench', '--only', 'nope'], 'unknown benchmark "nope"'],
    [['install', '--bearer-env', 'TEAM_TOKEN'], '--bearer-env goes with --url'],
    [['install', '--url', 'ftp://example.org/mcp'], '--url must be http:// or https://'],
    [['install', '--multi-agent', 'v3'], '--multi-agent must be auto, v1 or v2'],
    [['install', '--project', ''], '--project needs a folder'],
    [['serve', '--http', '127.0.0.1:0', '--codex-thread-cap', 'many'], '--codex-thread-cap must be a whole number'],
    [['serve', '--http', '127.0.0.1:0', '--codex-thread-cap-from', 'x'], '--codex-thread-cap-from needs --codex-thread-cap'],
    [['serve'], '--http HOST:PORT is required'],
    [['serve', '--http', '127.0.0.1:99999'], 'the port must be 0-65535'],
    [['serve', '--http', '127.0.0.1:0', '--max-sessions', '0'], '--max-sessions must be a whole number of at least 1'],
    [['serve', '--http', '127.0.0.1:0', '--token-env', 'NOT-A-VAR'], '--token-env "NOT-A-VAR" is not an environment variable name'],
    [['serve', '--http', '127.0.0.1:0', '--log-level', 'loud'], '--log-level must be one of'],
    [['send', 'release', 'hi'], 'give --to NAME, --to lead or --to "*"'],
    [['send', 'release', '--to', 'ann'], 'give the message'],
    [['finalize'], 'give a team id or name'],
    [['cancel', '--force', 'release'], 'Unknown option \'--force\''],
    [['prune'], 'give --older-than DURATION'],
    [['prune', '--older-than', 'soon'], '--older-than must be a whole number and a unit'],
    [['messages', 'release', '--limit', '0'], '--limit must be a whole number of at least 1'],
    [['artifact'], 'give an artifact id'],
    [['artifact', 'af_x', '--version', 'latest'], '--version must be a whole number'],
    [['agent', 'release'], 'give an agent name or id'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [[], 'missing command'],
  ])('%j: a bad value is a USAGE line naming it, exit 2', (argv, mentions) => {
    expectOneLineError(cli([...argv, ...(argv[0] === 'status' || argv[0] === 'tasks' ? ['--db', store] : [])]), 2, 'USAGE', mentions);
  });

  it('report into a missing folder, a folder, or a folder it may not write: FILE_ACCESS naming the path', () => {
    expectOneLineError(cli(['report', '--db', store, '--html', join(dir, 'no', 'such', 'r.html')]), 1, 'FILE_ACCESS', `${join(dir, 'no', 'such', 'r.html')}: no such file or folder (ENOENT)`);
    expectOneLineError(cli(['report', '--db', store, '--html', join(dir, 'a-folder')]), 1, 'FILE_ACCESS', `${join(dir, 'a-folder')}: it is a folder (EISDIR)`);
    expectOneLineError(cli(['report', '--db', store, '--html', join(dir, 'read-only', 'r.html')], AS_UNPRIVILEGED), 1, 'FILE_ACCESS', 'permission denied (EACCES)');
  });

  it('the operator verbs name what they cannot find, and leave the store as it was', () => {
    const before = readFileSync(store);
    expectOneLineError(cli(['cancel', 'nope', '--db', store]), 1, 'NOT_FOUND', 'no team with id or name "nope"');
    expectOneLineError(cli(['send', 'release', '--to', 'nobody', 'hi', '--db', store]), 1, 'NOT_FOUND', 'no agent "nobody" in team release');
    expectOneLineError(cli(['finalize', 'release', '--db', store]), 1, 'CONFLICT', 'tasks are unfinished');
    expectOneLineError(cli(['artifact', 'af_nope', '--db', store]), 1, 'NOT_FOUND', 'no artifact af_nope');
    expectOneLineError(cli(['agent', 'release', 'nobody', '--db', store]), 1, 'NOT_FOUND', 'no agent "nobody" in team release');
    expectOneLineError(cli(['messages', 'release', '--agent', 'nobody', '--db', store]), 1, 'NOT_FOUND', 'no agent "nobody" in team release');
    expect(readFileSync(store).equals(before)).toBe(true);
  });

  it('recover --team: an unknown team is NOT_FOUND with exit 1; a name works like an id', () => {
    expectOneLineError(cli(['recover', '--db', store, '--team', 'nope']), 1, 'NOT_FOUND', 'no team with id or name "nope"');
    const byName = cli(['recover', '--db', store, '--team', 'release', '--json']);
    expect(byName.stderr).toBe('');
    expect(byName.status).toBe(0);
    expect(JSON.parse(byName.stdout)).toMatchObject({ considered: { teams: 1 } });
  });

  it('install into a Codex home it may not write, or under /proc: FILE_ACCESS at once, nothing written', () => {
    const home = join(dir, 'read-only', '.codex');
    expectOneLineError(cli(['install', '--codex-home', home, '--db', store], AS_UNPRIVILEGED), 1, 'FILE_ACCESS', `cannot create the folder ${home}: permission denied (EACCES)`);
    expect(readdirSync(join(dir, 'read-only'))).toEqual([]);
    // Node's recursive mkdir loops for ever here; the timeout of cli() turns a hang into a failure.
    const proc = cli(['install', '--codex-home', '/proc/codex-team-x', '--db', store], { timeout: 20_000 });
    expect(proc.signal).toBeNull();
    expectOneLineError(proc, 1, 'FILE_ACCESS', 'cannot create the folder /proc/codex-team-x');
  });

  it('demo --db in a folder it may not write shows the real cause before any agent starts', () => {
    const db = join(dir, 'read-only', 'demo.db');
    const outcome = cli(['demo', '--db', db, '--fast'], AS_UNPRIVILEGED);
    expectOneLineError(outcome, 1, 'FILE_ACCESS', `cannot open the store ${db}: its folder ${join(dir, 'read-only')} is not writable: permission denied (EACCES)`);
    expect(outcome.stdout).toBe('');
    expectOneLineError(cli(['demo', '--db', join(dir, 'notes.txt'), '--fast']), 1, 'NOT_A_STORE', join(dir, 'notes.txt'));
  });

  it('serve: a --db that is not a store, or one it may not open, is one line naming the file, before it listens', () => {
    for (const [label, path, code] of BAD_STORES.filter(([, , each]) => each !== 'NOT_FOUND')) {
      const outcome = cli(['serve', '--http', '127.0.0.1:0', '--db', path(dir)]);
      try {
        expectOneLineError(outcome, 1, code, path(dir));
      } catch (error) {
        throw new Error(`serve on ${label}: ${String(error)}`);
      }
      expect(outcome.stdout).toBe('');
    }
    expectOneLineError(cli(['serve', '--http', '127.0.0.1:0', '--db', join(dir, 'unreadable.db')], AS_UNPRIVILEGED), 1, 'FILE_ACCESS', join(dir, 'unreadable.db'));
    expect(readFileSync(appDb).equals(appDbBytes)).toBe(true);
    expect(readdirSync(dir).filter((file) => file.startsWith('notes.sqlite'))).toEqual(['notes.sqlite']);
  });

  it('ui on a port already taken: CONFLICT naming the port', () => {
    expectOneLineError(cli(['ui', '--db', store, '--port', String(busyPortNumber)]), 1, 'CONFLICT', `port ${busyPortNumber} on 127.0.0.1 is in use`);
  });

  it('doctor reports a bad store as a failed check with the right advice, and writes nothing', () => {
    const outcome = cli(['doctor', '--db', appDb, '--codex-home', join(dir, 'home', '.codex')]);
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toMatch(/^FAIL {2}store +NOT_A_STORE: .*notes\.sqlite is a SQLite database but not a codex-team store/m);
    expect(outcome.stdout).toMatch(/fix: point --db \(and codex-team install --db\) at a codex-team store file/);
    expect(outcome.stdout).not.toMatch(/\n\s+at /);
    expect(readFileSync(appDb).equals(appDbBytes)).toBe(true);
  });
});

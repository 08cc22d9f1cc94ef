import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The variable PostgreSQL suites read their cluster's URL from; unset, they start a throwaway cluster. */
export const PG_URL_ENV = 'CODEX_TEAM_PG_URL';
/** Where the server binaries are, when not in /usr/lib/postgresql/<version>/bin or on PATH. */
export const PG_BIN_ENV = 'CODEX_TEAM_PG_BIN';
/** The unprivileged OS user a throwaway cluster runs as when the tests run as root (initdb refuses root). */
export const PG_OS_USER = 'codexpg';
/** The cluster's superuser. */
const PG_ROLE = 'codex';
const DEBIAN_PG_ROOT = '/usr/lib/postgresql';

/** A PostgreSQL cluster this process started on loopback, in a temporary directory of its own. */
export interface ThrowawayPostgres {
  /** `postgres://codex:<password>@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  /** The temporary directory holding the data directory, its socket and its log. */
  dir: string;
  /** Stops the cluster at once and deletes its directory. Idempotent. */
  stop(): Promise<void>;
}

export interface ThrowawayOptions {
  /**
   * fsync and synchronous commit on. Off (the default) makes tests and smoke benchmarks several times
   * faster and loses nothing a test needs: a throwaway cluster never outlives a crash of the machine.
   * @default false
   */
  durable?: boolean;
  /** Stop the cluster when this process exits, if `stop` was not called. @default true */
  stopOnExit?: boolean;
  /** @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The folder of initdb and pg_ctl: $CODEX_TEAM_PG_BIN, else the newest Debian
 * /usr/lib/postgresql/<version>/bin, else the PATH.
 */
export function findPostgresBinDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const given = env[PG_BIN_ENV];
  const candidates: string[] = [];
  if (given !== undefined && given !== '') candidates.push(given);
  if (existsSync(DEBIAN_PG_ROOT)) {
    const versions = readdirSync(DEBIAN_PG_ROOT)
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => join(DEBIAN_PG_ROOT, version, 'bin')));
  }
  candidates.push(...(env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== ''));
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (found === undefined) {
    throw new Error(`PostgreSQL server binaries (initdb, pg_ctl) not found: install the OS package postgresql, or set ${PG_BIN_ENV}`);
  }
  return found;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function idOf(flag: '-u' | '-g', user: string): number | undefined {
  try {
    return Number(execFileSync('id', [flag, user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    return undefined;
  }
}

/** The uid and gid of PG_OS_USER, creating it (a system user without home or shell) when missing. */
function ensureOsUser(): { uid: number; gid: number } {
  if (idOf('-u', PG_OS_USER) === undefined) {
    try {
      execFileSync('useradd', ['--system', '--no-create-home', '--user-group', '--shell', '/usr/sbin/nologin', PG_OS_USER], { stdio: 'ignore' });
    } catch {
      // Another test process may have created it meanwhile; checked below.
    }
  }
  const uid = idOf('-u', PG_OS_USER);
  const gid = idOf('-g', PG_OS_USER);
  if (uid === undefined || gid === undefined) throw new Error(`could not create the OS user ${PG_OS_USER} to run PostgreSQL as`);
  return { uid, gid };
}

/** A command line run as the cluster's owner: ourselves, or PG_OS_USER through runuser when we are root. */
function asOwner(command: string, args: readonly string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', PG_OS_USER, '--', command, ...args]] : [command, [...args]];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function stopSync(binDir: string, dataDir: string): void {
  try {
    const [command, args] = asOwner(join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    execFileSync(command, args, { stdio: 'ignore' });
  } catch {
    // Already stopped.
  }
}

/**
 * Starts a fresh PostgreSQL cluster on 127.0.0.1 at a free port, owned by an unprivileged user
 * (PG_OS_USER, created if missing, when this process is root), with password authentication
 * and its socket, data and log inside a new temporary directory. It touches no other server.
 */
export async function startThrowawayPostgres(options: ThrowawayOptions = {}): Promise<ThrowawayPostgres> {
  const binDir = findPostgresBinDir(options.env ?? process.env);
  const dir = mkdtempSync(join(tmpdir(), 'codex-team-pg-'));
  const dataDir = join(dir, 'data');
  const password = randomBytes(24).toString('hex');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (isRoot()) {
    const { uid, gid } = ensureOsUser();
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  writeFileSync(join(dir, 'bin-dir'), binDir);
  try {
    const [initdb, initArgs] = asOwner(join(binDir, 'initdb'), [
      '-D', dataDir, '-U', PG_ROLE, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync',
    ]);
    await run(initdb, initArgs);
    rmSync(pwfile);
    const settings = ['-c listen_addresses=127.0.0.1', `-k ${dir}`, '-c max_connections=200'];
    if (options.durable !== true) settings.push('-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off');
    let port = 0;
    for (let attempt = 1; ; attempt += 1) {
      port = await freePort();
      const [pgCtl, ctlArgs] = asOwner(join(binDir, 'pg_ctl'), ['-D', dataDir, '-l', join(dir, 'postgres.log'), '-w', '-t', '60', '-o', [`-p ${port}`, ...settings].join(' '), 'start']);
      try {
        await run(pgCtl, ctlArgs);
        break;
      } catch (error) {
        // The port may have been taken between the probe and the start: try another.
        if (attempt >= 3) throw error;
      }
    }
    let stopped = false;
    const onExit = (): void => stopSync(binDir, dataDir);
    if (options.stopOnExit !== false) process.once('exit', onExit);
    return {
      url: `postgres://${PG_ROLE}:${password}@127.0.0.1:${port}/postgres`,
      port,
      dir,
      stop: () => {
        if (!stopped) {
          stopped = true;
          process.off('exit', onExit);
          stopSync(binDir, dataDir);
          rmSync(dir, { recursive: true, force: true });
        }
        return Promise.resolve();
      },
    };
  } catch (error) {
    stopSync(binDir, dataDir);
    const log = existsSync(join(dir, 'postgres.log')) ? readFileSync(join(dir, 'postgres.log'), 'utf8').slice(-2_000) : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a throwaway PostgreSQL cluster: ${String(error)}${log === '' ? '' : `\n${log}`}`);
  }
}

/** Stops a cluster started by another process (`pg-cluster-cli start`) and deletes its directory. */
export function stopThrowawayPostgres(dir: string): void {
  const binDir = readFileSync(join(dir, 'bin-dir'), 'utf8').trim();
  stopSync(binDir, join(dir, 'data'));
  rmSync(dir, { recursive: true, force: true });
}

/** A cluster for a PostgreSQL suite: $CODEX_TEAM_PG_URL when set (CI starts one), else a throwaway one of its own. */
export interface TestPostgres {
  url: string;
  /** Stops the cluster if this call started it; a cluster from the environment is left running. */
  release(): Promise<void>;
}

/** The cluster a PostgreSQL suite uses; it never reaches a server nobody started for tests. */
export async function postgresForTests(env: Readonly<Record<string, string | undefined>> = process.env): Promise<TestPostgres> {
  const given = env[PG_URL_ENV];
  if (given !== undefined && given !== '') return { url: given, release: () => Promise.resolve() };
  const cluster = await startThrowawayPostgres({ env });
  return { url: cluster.url, release: () => cluster.stop() };
}

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { SequentialIdGenerator } from '@codex-team/contracts/testing';
import { CURRENT_SCHEMA_VERSION, openSqliteTeamStore } from '@codex-team/store';
import { BufferSink } from '../cli-io';
import { installCodexIntegration } from '../codex/codex-integration';
import { projectTarget, userTarget } from '../codex/codex-paths';
import { packageRoot, readShippedSkill } from '../codex/package-assets';
import { runCli } from '../run-cli';
import { checkNode, runDoctorChecks, type DoctorCheck, type DoctorOptions } from './doctor-checks';

/** The PATH with the real Codex CLI this repository installs (node_modules/.bin/codex). */
const CODEX_PATH = [join(packageRoot(__dirname, '@codex-team/cli'), '..', '..', 'node_modules', '.bin'), dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter);

let home: string;
let options: DoctorOptions;
let serverBin: string;

function byName(checks: DoctorCheck[]): Record<string, DoctorCheck> {
  return Object.fromEntries(checks.map((check) => [check.name, check]));
}

const V2_DEFAULT_CAP = {
  teammates: 3,
  from: "multi-agent v2 default: 4 threads per session, lead included; v1 would allow 6, and with multi_agent_v2 unset the model's preset may pick either surface",
};

function install(dbPath = join(home, 'store', 'team.db'), extra: { hooks?: boolean } = {}): void {
  installCodexIntegration({
    target: options.target,
    serverName: 'team',
    dbPath,
    nodePath: process.execPath,
    serverBin,
    codexThreadCap: V2_DEFAULT_CAP,
    skillTemplate: readShippedSkill(),
    ...(extra.hooks === true ? { hooks: { cliBin: join(home, 'codex-team.cjs'), logPath: join(home, 'hooks.log') } } : {}),
  });
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'doctor-'));
  serverBin = join(home, 'bin.js');
  writeFileSync(serverBin, '// codex-team-mcp stand-in\n');
  options = {
    codexHome: join(home, '.codex'),
    target: userTarget(join(home, '.codex')),
    serverName: 'team',
    dbPath: undefined,
    defaultDbPath: join(home, 'default', 'team.db'),
    nodeVersion: '20.20.0',
    skillTemplate: readShippedSkill(),
    pathEnv: CODEX_PATH,
    // Starting the server needs the built bundle: the integration tests check it (install.int.spec.ts).
    probe: false,
  };
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('codex-team doctor checks', () => {
  it('passes every check after install, on the store the Codex entry names', async () => {
    install();
    const checks = await runDoctorChecks(options);
    expect(checks.map((check) => check.name)).toEqual(['node', 'sqlite', 'store', 'codex', 'codex-config', 'server-bin', 'codex-cap', 'child-teams', 'skill']);
    expect(checks.filter((check) => !check.ok)).toEqual([]);
    expect(byName(checks)['store']?.detail).toContain(join(home, 'store', 'team.db'));
  });

  it('checks a url entry (install --url) by its url and token variable, starting no server', async () => {
    installCodexIntegration({
      target: options.target,
      serverName: 'team',
      url: 'http://127.0.0.1:8765/mcp',
      bearerTokenEnvVar: 'CODEX_TEAM_TOKEN',
      skillTemplate: readShippedSkill(),
    });
    const checks = await runDoctorChecks({ ...options, probe: true });
    expect(checks.map((check) => check.name)).toEqual(['node', 'sqlite', 'store', 'codex', 'codex-config', 'server-url', 'codex-cap', 'child-teams', 'skill']);
    expect(byName(checks)['server-url']).toMatchObject({ ok: true, detail: expect.stringContaining('http://127.0.0.1:8765/mcp with the token in $CODEX_TEAM_TOKEN') as string });
    expect(checks.filter((check) => !check.ok)).toEqual([]);
  });

  it('opens an existing store and reports its schema version', async () => {
    const dbPath = join(home, 'store', 'team.db');
    const store = await openSqliteTeamStore({ path: dbPath, clock: { now: () => 0 }, ids: new SequentialIdGenerator() });
    await store.close();
    install(dbPath);
    const check = byName(await runDoctorChecks(options))['store'];
    expect(check).toMatchObject({ ok: true, detail: `${dbPath} is a writable codex-team store, schema v${CURRENT_SCHEMA_VERSION} (same as the code)` });
  });

  it('reads the store without writing it: a non-database file gets advice about the file, not about locks', async () => {
    const dbPath = join(home, 'notes.txt');
    writeFileSync(dbPath, 'shopping list\n');
    const before = statSync(dbPath).mtimeMs;
    const check = byName(await runDoctorChecks({ ...options, dbPath }))['store'];
    expect(check).toMatchObject({
      ok: false,
      detail: `NOT_A_STORE: ${dbPath} is not a SQLite database, so not a codex-team store; it was left as it was`,
      fix: expect.stringContaining('point --db (and codex-team install --db) at a codex-team store file'),
    });
    expect(check?.fix).not.toContain('close the processes');
    expect(readFileSync(dbPath, 'utf8')).toBe('shopping list\n');
    expect(statSync(dbPath).mtimeMs).toBe(before);
    expect(readdirSync(home).filter((file) => file.startsWith('notes.txt'))).toEqual(['notes.txt']);
  });

  it('checks the codex binary: its version when found, a fix when it is not on the PATH', async () => {
    const found = byName(await runDoctorChecks(options))['codex'];
    expect(found).toMatchObject({ ok: true });
    expect(found?.detail).toMatch(/^codex-cli \d+\.\d+\.\d+ at \/.*\/codex/);
    const missing = byName(await runDoctorChecks({ ...options, pathEnv: join(home, 'empty-bin') }))['codex'];
    expect(missing).toMatchObject({ ok: false, detail: 'no codex binary on the PATH', fix: 'install Codex: npm install -g @openai/codex' });
  });

  it('fails a store written by a newer schema, saying what to do', async () => {
    const dbPath = join(home, 'newer.db');
    const migrations = join(home, 'migrations');
    mkdirSync(migrations);
    const shipped = join(packageRoot(dirname(require.resolve('@codex-team/store')), '@codex-team/store'), 'migrations');
    for (const file of readdirSync(shipped)) copyFileSync(join(shipped, file), join(migrations, file));
    const next = String(CURRENT_SCHEMA_VERSION + 1).padStart(4, '0');
    writeFileSync(join(migrations, `${next}_from_the_future.sql`), 'CREATE TABLE future (id INTEGER PRIMARY KEY) STRICT;\n');
    const store = await openSqliteTeamStore({ path: dbPath, clock: { now: () => 0 }, ids: new SequentialIdGenerator(), migrationsDir: migrations });
    await store.close();

    const check = byName(await runDoctorChecks({ ...options, dbPath }))['store'];
    expect(check?.ok).toBe(false);
    expect(check?.detail).toContain('SCHEMA_MISMATCH');
    expect(check?.fix).toContain('upgrade codex-team');
  });

  it('fails the Codex checks before install, each with a fix', async () => {
    const checks = byName(await runDoctorChecks(options));
    expect(checks['codex-config']).toMatchObject({ ok: false, fix: 'run codex-team install' });
    expect(checks['skill']).toMatchObject({ ok: false, fix: 'run codex-team install' });
    expect(checks['store']).toMatchObject({ ok: true });
    expect(checks['store']?.detail).toContain(options.defaultDbPath);
  });

  it('fails when the registered server binary is gone', async () => {
    install();
    rmSync(serverBin);
    const check = byName(await runDoctorChecks(options))['server-bin'];
    expect(check).toMatchObject({ ok: false });
    expect(check?.detail).toContain('does not exist');
  });

  it('fails an outdated skill', async () => {
    install();
    writeFileSync(join(options.codexHome, 'skills', 'codex-team', 'SKILL.md'), '---\nname: codex-team\n---\nold\n');
    expect(byName(await runDoctorChecks(options))['skill']).toMatchObject({ ok: false });
  });

  it('fails an unreadable config with the TOML error', async () => {
    mkdirSync(options.codexHome, { recursive: true });
    writeFileSync(join(options.codexHome, 'config.toml'), '[broken\n');
    expect(byName(await runDoctorChecks(options))['codex-config']?.detail).toMatch(/INVALID_INPUT: .*not valid TOML/);
  });

  it("prints Codex's cap and where it came from, and fails when the config changed since install", async () => {
    install();
    expect(byName(await runDoctorChecks(options))['codex-cap']).toEqual({ name: 'codex-cap', ok: true, detail: `3 teammates at once: ${V2_DEFAULT_CAP.from}` });
    writeFileSync(options.target.configPath, `${readFileSync(options.target.configPath, 'utf8')}\n[features.multi_agent_v2]\nenabled = true\nmax_concurrent_threads_per_session = 2\n`);
    const changed = byName(await runDoctorChecks(options))['codex-cap'];
    expect(changed).toMatchObject({ ok: false, fix: expect.stringContaining('rerun codex-team install') as string });
    expect(changed?.detail).toContain('1 teammate at once: multi-agent v2 max_concurrent_threads_per_session 2, lead included');
    expect(changed?.detail).toContain('but the server was installed with a cap of 3');
  });

  it('reports each installed hook as untrusted until the user reviews it in Codex', async () => {
    install(undefined, { hooks: true });
    const checks = byName(await runDoctorChecks(options));
    expect(checks['hook Stop']).toMatchObject({ ok: false, detail: expect.stringMatching(/^untrusted \(.*hooks\.json:stop:0:0\)$/) as string });
    expect(checks['hook SubagentStop']?.fix).toContain('open /hooks');
  });

  it('fails a server that runs from inside a checkout, which moving or cleaning it would break', async () => {
    const inCheckout = join(home, 'clone', 'packages', 'mcp-server', 'dist', 'codex-team-mcp.cjs');
    mkdirSync(dirname(inCheckout), { recursive: true });
    writeFileSync(inCheckout, '// old install\n');
    serverBin = inCheckout;
    install();
    expect(byName(await runDoctorChecks(options))['server-bin']).toMatchObject({ ok: false, detail: expect.stringContaining('is inside a checkout') as string });
  });

  it("checks a project install in the project's layer, and that Codex trusts the project", async () => {
    const project = join(home, 'repo');
    options = { ...options, target: projectTarget(project) };
    install();
    let checks = byName(await runDoctorChecks(options));
    expect(checks['codex-config']?.detail).toContain(join(project, '.codex', 'config.toml'));
    expect(checks['skill']).toMatchObject({ ok: true });
    expect(checks['project-trust']).toMatchObject({ ok: false, fix: `start codex in ${project} and accept its trust prompt` });
    mkdirSync(options.codexHome, { recursive: true });
    writeFileSync(join(options.codexHome, 'config.toml'), `[projects.${JSON.stringify(project)}]\ntrust_level = "trusted"\n`);
    checks = byName(await runDoctorChecks(options));
    expect(checks['project-trust']).toMatchObject({ ok: true });
  });

  it('requires Node 20 or newer', () => {
    expect(checkNode('18.19.1')).toMatchObject({ ok: false, fix: 'install Node 20 or newer' });
    expect(checkNode('22.3.0').ok).toBe(true);
  });
});

describe('codex-team doctor command', () => {
  it('prints JSON and exits 1 when a check fails', async () => {
    const stdout = new BufferSink();
    const code = await runCli(['doctor', '--codex-home', options.codexHome, '--db', join(home, 'x.db'), '--json'], {
      stdout,
      stderr: new BufferSink(),
      env: {},
      homeDir: home,
      cwd: home,
      execPath: process.execPath,
      nodeVersion: '20.20.0',
      stdoutIsTerminal: false,
    });
    expect(code).toBe(1);
    const report = JSON.parse(stdout.text()) as { ok: boolean; checks: DoctorCheck[] };
    expect(report.ok).toBe(false);
    expect(report.checks.find((check) => check.name === 'codex-config')?.ok).toBe(false);
  });

  it('starts the registered server as Codex would, and fails one that does not finish the MCP handshake', async () => {
    install();
    const stdout = new BufferSink();
    const code = await runCli(['doctor', '--codex-home', options.codexHome], {
      stdout,
      stderr: new BufferSink(),
      env: { PATH: CODEX_PATH },
      homeDir: home,
      cwd: home,
      execPath: process.execPath,
      nodeVersion: '20.20.0',
      stdoutIsTerminal: false,
    });
    expect(stdout.text()).toMatch(/^ok {4}node/m);
    expect(stdout.text()).toMatch(/^FAIL {2}server-start +the server did not complete the MCP handshake/m);
    expect(stdout.text()).toContain('1 of 10 checks failed');
    expect(code).toBe(1);
  });
});

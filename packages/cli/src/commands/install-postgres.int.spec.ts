import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RandomIdGenerator, systemClock, TeamStartOutputSchema } from '@codex-team/contracts';
import { openPostgresTeamStore } from '@codex-team/store';
import { PgScratch, type ScratchDatabase } from '@codex-team/store/testing';
import { runCodexExec, writeScriptedProviderConfig } from '../testing/codex-exec';
import { builtCliBin } from '../testing/codex-team-env';
import { mcpCall, ScriptedResponses, type AgentProgram } from '../testing/scripted-responses';

// `codex-team install --db postgres://...` as a user on a machine that shares a PostgreSQL store:
// the runtime folder install writes must reach PostgreSQL on its own (the driver and the
// PostgreSQL migrations travel with it, as the native SQLite module does), and the server real
// Codex starts from it must run its team on that database.

jest.setTimeout(180_000);

let pg: PgScratch;
let database: ScratchDatabase;
let root: string;
let responses: ScriptedResponses | undefined;

beforeAll(async () => {
  pg = await PgScratch.start();
});
afterAll(async () => {
  await pg.release();
});
beforeEach(async () => {
  database = await pg.database();
  root = mkdtempSync(join(tmpdir(), 'codex-team-install-pg-'));
});
afterEach(async () => {
  await responses?.close();
  responses = undefined;
  rmSync(root, { recursive: true, force: true });
  await database.drop();
});

describe('codex-team install --db postgres://', () => {
  it('installs a runtime that reaches PostgreSQL by itself, and real Codex starts a team on that database', async () => {
    const homeDir = join(root, 'home');
    const codexHome = join(homeDir, '.codex');
    mkdirSync(codexHome, { recursive: true });
    const starts: string[] = [];
    responses = await ScriptedResponses.start(() =>
      (function* (): AgentProgram {
        starts.push(TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'on postgres' })).json).team.name);
        return 'team started';
      })(),
    );
    writeScriptedProviderConfig(codexHome, responses.baseUrl);
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: homeDir, CODEX_HOME: codexHome };
    const installed = spawnSync(process.execPath, [builtCliBin(), 'install', '--db', database.url], { cwd: root, env, encoding: 'utf8' });
    expect(installed.stderr).toBe('');
    expect(installed.status).toBe(0);
    const runtime = /runtime: +(\S+)/.exec(installed.stdout)?.[1] ?? '';
    expect(existsSync(join(runtime, 'node_modules', 'pg', 'package.json'))).toBe(true);
    expect(existsSync(join(runtime, 'migrations-pg', '0001_initial.sql'))).toBe(true);

    const workspace = join(root, 'project');
    mkdirSync(workspace);
    const run = await runCodexExec({ codexHome, homeDir, cwd: workspace, prompt: 'start a team', timeoutMs: 90_000 });
    expect(run.stderr).not.toContain('required MCP servers failed to initialize');
    expect(run.exitCode).toBe(0);
    expect(starts).toEqual(['on postgres']);
    expect(responses.errors).toEqual([]);
    const store = await openPostgresTeamStore({ url: database.url, clock: systemClock, ids: new RandomIdGenerator() });
    try {
      expect((await store.listTeams()).map((team) => team.name)).toEqual(['on postgres']);
    } finally {
      await store.close();
    }
  });
});

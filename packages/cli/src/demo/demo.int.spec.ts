import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteTeamStore } from '@codex-team/store';
import type { AuditEvent } from '@codex-team/contracts';
import { nonSnakeKeys } from '../testing/json-keys';
import { DEMO_TASKS } from './demo-plan';
import type { DemoOutcome } from './run-demo';

const CLI = join(__dirname, '..', '..', 'dist', 'bin.js');
const noIds = { next: (): string => 'unused' };

function countBy(events: readonly AuditEvent[], action: string): Map<string | null, number> {
  const counts = new Map<string | null, number>();
  for (const event of events) {
    if (event.action === action) counts.set(event.actor_agent_id, (counts.get(event.actor_agent_id) ?? 0) + 1);
  }
  return counts;
}

describe('codex-team demo (built binary)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'codex-team-demo-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the DAG to a finalized team with every teammate in its own process and server', async () => {
    const dbPath = join(dir, 'team.db');
    const run = spawnSync(process.execPath, [CLI, 'demo', '--db', dbPath, '--fast', '--json'], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const outcome = JSON.parse(run.stdout) as DemoOutcome;
    expect(nonSnakeKeys(outcome)).toEqual([]);
    expect(outcome).toMatchObject({ finalized: true, tasks_total: DEMO_TASKS.length, tasks_done: DEMO_TASKS.length });
    expect(DEMO_TASKS.length).toBeGreaterThanOrEqual(10);
    const serverPids = new Set([outcome.lead_server_pid, ...outcome.teammates.map((t) => t.server_pid)]);
    expect(serverPids.size).toBe(1 + outcome.teammates.length);
    expect(outcome.teammates.length).toBeGreaterThanOrEqual(3);
    // The run summary's critical path is a real dependency chain of the plan, ending at the release.
    const byTitle = new Map(DEMO_TASKS.map((task) => [task.title, task]));
    const path = outcome.critical_path.titles.map((title) => byTitle.get(title));
    expect(path.every((task) => task !== undefined)).toBe(true);
    expect(path[path.length - 1]?.key).toBe('release');
    for (let i = 1; i < path.length; i += 1) expect(path[i]?.after).toContain(path[i - 1]?.key);
    expect(outcome.critical_path.duration_ms).toBeGreaterThan(0);

    // What the demo printed is checked against what the store recorded.
    const store = await openSqliteTeamStore({ path: dbPath, clock: { now: () => Date.now() }, ids: noIds });
    try {
      const events = await store.listAuditEvents(outcome.team_id as never, { limit: 10_000 });
      const teammateIds = new Set(outcome.teammates.map((t) => t.agent_id));
      expect(new Set(countBy(events, 'agent.join').keys())).toEqual(teammateIds);
      const completions = countBy(events, 'task.complete');
      expect([...completions.values()].reduce((a, b) => a + b, 0)).toBe(DEMO_TASKS.length);
      for (const actor of completions.keys()) expect(teammateIds.has(actor ?? '')).toBe(true);
      // Roles decide who may take what, so at least the implementer, tester and reviewer roles worked.
      expect(completions.size).toBeGreaterThanOrEqual(3);
      for (const teammate of outcome.teammates) expect(completions.get(teammate.agent_id) ?? 0).toBe(teammate.tasks_done);
      expect(countBy(events, 'artifact.publish').size).toBeGreaterThan(0);
      expect(events.filter((e) => e.action === 'team.finalize')).toHaveLength(1);
      // Every session (lead and teammates) ended by closing stdin, and each server recorded it once.
      const disconnects = countBy(events, 'agent.disconnect');
      expect(new Set(disconnects.keys())).toEqual(new Set([outcome.lead_agent_id, ...teammateIds]));
      expect([...disconnects.values()].every((count) => count === 1)).toBe(true);
    } finally {
      await store.close();
    }
  }, 150_000);

  it('uses a fresh store of its own unless given --db, never the default store', () => {
    const home = join(dir, 'home');
    const scratch = join(dir, 'scratch');
    mkdirSync(scratch, { recursive: true });
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, CODEX_TEAM_HOME: join(home, 'team-home'), TMPDIR: scratch };
    const runs = [1, 2].map(() => {
      const run = spawnSync(process.execPath, [CLI, 'demo', '--fast', '--json'], { encoding: 'utf8', timeout: 120_000, env });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      return JSON.parse(run.stdout) as DemoOutcome;
    });
    const [first, second] = runs.map((outcome) => outcome.db_path);
    expect(first?.startsWith(`${scratch}/`)).toBe(true);
    expect(second).not.toBe(first);
    expect(existsSync(join(home, '.codex-team'))).toBe(false);
    expect(existsSync(join(home, 'team-home'))).toBe(false);
    // Each run's team is the only "demo" of its store: naming it is never ambiguous.
    const tasks = spawnSync(process.execPath, [CLI, 'tasks', 'demo', '--db', second ?? ''], { encoding: 'utf8', env });
    expect(tasks.stderr).toBe('');
    expect(tasks.status).toBe(0);
  }, 300_000);

  it('refuses a teammate count outside 3..6 with a usage error and starts nothing', () => {
    const dbPath = join(dir, 'refused.db');
    const run = spawnSync(process.execPath, [CLI, 'demo', '--db', dbPath, '--teammates', '7'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('codex-team demo: USAGE: --teammates must be a whole number from 3 to 6, got "7"\n');
  });
});

import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@codex-team/contracts';
import { SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openSqliteTeamStore } from '@codex-team/store';
import { checkDatabaseIntegrity } from '@codex-team/store/testing';
import { checkHosts, completedTasks, seedHostsTeam, startWorker, stopWorkers, until, type HostsTeam, type Worker } from '../testing/host-workers';
import { killAllServes, startServe, type ServeProcess } from '../testing/serve-process';

// Two "hosts" share one team through `codex-team serve --http`: each host is its own set of
// teammate processes with its own CODEX_HOME, each process its own MCP session, as Codex threads
// on two machines would be. One host is killed (SIGKILL) while each of its teammates holds a
// claim; the other must take those tasks over once their leases lapse, and no claim may double.
// The broken variant gives each host its own copy of the store behind its own server (what
// sharing SQLite files between machines amounts to): the same check must find doubled claims.

jest.setTimeout(180_000);

const TASKS = 120;
const PER_HOST = 3;
const LEASE_MS = 1_500;
const IDLE_MS = 1_000;
// A stale time well past the start of servers and workers on a loaded machine: recovery must not
// withdraw an invitation before its teammate has joined. The killed host's claims come back by
// their leases and disconnects, not by staleness.
const SERVER_ARGS = ['--lease-ms', String(LEASE_MS), '--sweep-ms', '200', '--grace-ms', '300', '--stale-ms', '30000', '--idle-ms', String(IDLE_MS), '--max-attempts', '10', '--log-level', 'warn'];

async function seed(dbPath: string): Promise<HostsTeam> {
  const store = await openSqliteTeamStore({ path: dbPath, clock: systemClock, ids: new SequentialIdGenerator() });
  try {
    return await seedHostsTeam(store, 'two-hosts', 2 * PER_HOST, TASKS);
  } finally {
    await store.close();
  }
}

describe('two hosts sharing one team through codex-team serve --http', () => {
  let dir: string;
  const servers: ServeProcess[] = [];
  const workers: Worker[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'codex-team-hosts-'));
  });

  afterEach(async () => {
    for (const worker of workers.splice(0)) worker.child.kill('SIGKILL');
    for (const server of servers.splice(0)) await server.stop();
    killAllServes();
    rmSync(dir, { recursive: true, force: true });
  });

  function host(name: string, server: ServeProcess, tickets: readonly string[], holdAfter: number | null): Worker[] {
    const codexHome = mkdtempSync(join(dir, `codex-home-${name}-`));
    const started = tickets.map((ticket) => startWorker(name, codexHome, { url: server.url, token: server.token, ticket, holdAfter }));
    workers.push(...started);
    return started;
  }

  it('never doubles a claim, and the surviving host takes over the claims of the host killed mid-claim', async () => {
    const dbPath = join(dir, 'team.db');
    const seeded = await seed(dbPath);
    const server = await startServe(dbPath, SERVER_ARGS);
    servers.push(server);
    const hostA = host('A', server, seeded.tickets.slice(0, PER_HOST), 5);
    const hostB = host('B', server, seeded.tickets.slice(PER_HOST), null);

    await until(() => hostA.every((w) => w.reports.some((r) => r.type === 'holding')), 'every teammate of host A holds a claim', hostA);
    const held = hostA.flatMap((w) => w.reports.flatMap((r) => (r.type === 'holding' ? [{ task: r.task, fence: r.fence }] : [])));
    for (const worker of hostA) worker.child.kill('SIGKILL');
    await Promise.all(hostA.map((worker) => worker.exited));

    await until(() => completedTasks(hostB).size + completedTasks(hostA).size >= TASKS, 'every task is done', [...hostA, ...hostB]);
    await stopWorkers(hostB);
    expect(server.alive()).toBe(true);

    const report = checkHosts([...hostA, ...hostB], seeded.tasks);
    expect(report).toEqual({ doubledClaims: [], doubledCompletions: [], notDone: [], failures: [] });
    // Each held task was finished by host B under a newer fence.
    for (const claim of held) {
      const finisher = hostB.flatMap((w) => w.reports).find((r) => r.type === 'completed' && r.code === null && r.task === claim.task);
      expect(finisher).toMatchObject({ task: claim.task });
      expect(finisher?.type === 'completed' ? finisher.fence : 0).toBeGreaterThan(claim.fence);
    }
    // Every teammate of each host spoke from its own session and its host's own Codex home.
    const homes = (ws: Worker[]) => new Set(ws.flatMap((w) => w.reports.flatMap((r) => (r.type === 'joined' ? [r.codexHome] : []))));
    expect(homes(hostA).size).toBe(1);
    expect(homes(hostB).size).toBe(1);
    expect([...homes(hostA)][0]).not.toBe([...homes(hostB)][0]);

    await server.stop();
    expect(checkDatabaseIntegrity(dbPath)).toBe('ok');
    const store = await openSqliteTeamStore({ path: dbPath, clock: systemClock, ids: new SequentialIdGenerator() });
    try {
      const events = await store.listAuditEvents(seeded.teamId);
      const completions = events.filter((event) => event.action === 'task.complete').map((event) => event.subject_id);
      expect(completions.length).toBe(TASKS);
      expect(new Set(completions).size).toBe(TASKS);
      // The killed host's sessions ended idle on the server, which recorded each agent's disconnect.
      const agentsOfA = new Set(hostA.flatMap((w) => w.reports.flatMap((r) => (r.type === 'joined' ? [r.agentId] : []))));
      const idleDisconnects = events.filter((event) => event.action === 'agent.disconnect' && agentsOfA.has(event.subject_id ?? '') && /idle/.test(event.reason));
      expect(new Set(idleDisconnects.map((event) => event.subject_id)).size).toBe(PER_HOST);
    } finally {
      await store.close();
    }
  });

  it('catches doubled claims when each host has its own copy of the store (the broken variant)', async () => {
    const dbPath = join(dir, 'team.db');
    const seeded = await seed(dbPath);
    const copyPath = join(dir, 'copy.db');
    copyFileSync(dbPath, copyPath);
    const [serverA, serverB] = await Promise.all([startServe(dbPath, SERVER_ARGS), startServe(copyPath, SERVER_ARGS)]);
    servers.push(serverA, serverB);
    const hostA = host('A', serverA, seeded.tickets.slice(0, PER_HOST), null);
    const hostB = host('B', serverB, seeded.tickets.slice(PER_HOST), null);

    await until(() => completedTasks([...hostA, ...hostB]).size >= TASKS, 'every task is done somewhere', [...hostA, ...hostB]);
    await stopWorkers([...hostA, ...hostB]);

    const report = checkHosts([...hostA, ...hostB], seeded.tasks);
    expect(report.failures).toEqual([]);
    expect(report.doubledClaims.length).toBeGreaterThan(0);
    expect(report.doubledCompletions.length).toBeGreaterThan(0);
  });
});

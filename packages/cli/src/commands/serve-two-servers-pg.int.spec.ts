import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@codex-team/contracts';
import { SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openPostgresTeamStore } from '@codex-team/store';
import { PgScratch, type ScratchDatabase } from '@codex-team/store/testing';
import { checkHosts, completedTasks, seedHostsTeam, startWorker, stopWorkers, until, type HostsTeam, type Worker } from '../testing/host-workers';
import { killAllServes, startServe, type ServeProcess } from '../testing/serve-process';

// Two "hosts", each with its own `codex-team serve --http` process and its own teammate processes
// (own CODEX_HOME), share one team through one PostgreSQL database (`--db postgres://...`), on a
// throwaway cluster ($CODEX_TEAM_PG_URL, else one this suite starts). Host A, its server and its
// teammates, is killed with SIGKILL while each teammate holds a claim; host B's server must give
// those tasks back once their leases lapse and host B finish them, and no claim may double. The
// broken variant gives each server its own copy of the database: the same check finds doubles.

jest.setTimeout(240_000);

const TASKS = 120;
const PER_HOST = 3;
const LEASE_MS = 1_500;
const SERVER_ARGS = ['--lease-ms', String(LEASE_MS), '--sweep-ms', '200', '--grace-ms', '300', '--stale-ms', '30000', '--idle-ms', '5000', '--max-attempts', '10', '--log-level', 'warn'];

async function seed(url: string): Promise<HostsTeam> {
  const store = await openPostgresTeamStore({ url, clock: systemClock, ids: new SequentialIdGenerator() });
  try {
    return await seedHostsTeam(store, 'two-servers', 2 * PER_HOST, TASKS);
  } finally {
    await store.close();
  }
}

describe('two hosts, each with its own codex-team serve --http, sharing one team on one PostgreSQL', () => {
  let pg: PgScratch;
  let dir: string;
  const databases: ScratchDatabase[] = [];
  const servers: ServeProcess[] = [];
  const workers: Worker[] = [];

  beforeAll(async () => {
    pg = await PgScratch.start();
  });
  afterAll(async () => {
    await pg.release();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'codex-team-pg-hosts-'));
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) worker.child.kill('SIGKILL');
    for (const server of servers.splice(0)) await server.stop();
    killAllServes();
    for (const database of databases.splice(0)) await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  function host(name: string, server: ServeProcess, tickets: readonly string[], holdAfter: number | null): Worker[] {
    const codexHome = mkdtempSync(join(dir, `codex-home-${name}-`));
    const started = tickets.map((ticket) => startWorker(name, codexHome, { url: server.url, token: server.token, ticket, holdAfter }));
    workers.push(...started);
    return started;
  }

  it('never doubles a claim, and the surviving host takes over the claims of the host killed mid-claim', async () => {
    const database = await pg.database();
    databases.push(database);
    const seeded = await seed(database.url);
    const [serverA, serverB] = await Promise.all([startServe(database.url, SERVER_ARGS), startServe(database.url, SERVER_ARGS)]);
    servers.push(serverA, serverB);
    const hostA = host('A', serverA, seeded.tickets.slice(0, PER_HOST), 5);
    const hostB = host('B', serverB, seeded.tickets.slice(PER_HOST), null);

    await until(() => hostA.every((w) => w.reports.some((r) => r.type === 'holding')), 'every teammate of host A holds a claim', hostA);
    const held = hostA.flatMap((w) => w.reports.flatMap((r) => (r.type === 'holding' ? [{ task: r.task, fence: r.fence }] : [])));
    // The whole host dies: its server and its teammates.
    process.kill(serverA.pid, 'SIGKILL');
    for (const worker of hostA) worker.child.kill('SIGKILL');
    await Promise.all([serverA.exited, ...hostA.map((worker) => worker.exited)]);

    await until(() => completedTasks([...hostA, ...hostB]).size >= TASKS, 'every task is done', [...hostA, ...hostB], 150_000);
    await stopWorkers(hostB);
    expect(serverB.alive()).toBe(true);

    const report = checkHosts([...hostA, ...hostB], seeded.tasks);
    expect(report).toEqual({ doubledClaims: [], doubledCompletions: [], notDone: [], failures: [] });
    for (const claim of held) {
      const finisher = hostB.flatMap((w) => w.reports).find((r) => r.type === 'completed' && r.code === null && r.task === claim.task);
      expect(finisher).toMatchObject({ task: claim.task });
      expect(finisher?.type === 'completed' ? finisher.fence : 0).toBeGreaterThan(claim.fence);
    }
    // Each host's teammates spoke from their own sessions, through their own server.
    const homes = (ws: Worker[]) => new Set(ws.flatMap((w) => w.reports.flatMap((r) => (r.type === 'joined' ? [r.codexHome] : []))));
    expect([...homes(hostA)][0]).not.toBe([...homes(hostB)][0]);

    await serverB.stop();
    const store = await openPostgresTeamStore({ url: database.url, clock: systemClock, ids: new SequentialIdGenerator() });
    try {
      const events = await store.listAuditEvents(seeded.teamId, { limit: 10_000 });
      const completions = events.filter((event) => event.action === 'task.complete').map((event) => event.subject_id);
      expect(completions.length).toBe(TASKS);
      expect(new Set(completions).size).toBe(TASKS);
      // Host B's server gave the dead host's claims back (recovery, without an actor).
      const takenBack = new Set(events.filter((event) => event.action === 'task.recover').map((event) => event.subject_id));
      for (const claim of held) expect(takenBack.has(claim.task)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('catches doubled claims when each server has its own copy of the database (the broken variant)', async () => {
    const database = await pg.database();
    databases.push(database);
    const seeded = await seed(database.url);
    const copy = await pg.database(database);
    databases.push(copy);
    const [serverA, serverB] = await Promise.all([startServe(database.url, SERVER_ARGS), startServe(copy.url, SERVER_ARGS)]);
    servers.push(serverA, serverB);
    const hostA = host('A', serverA, seeded.tickets.slice(0, PER_HOST), null);
    const hostB = host('B', serverB, seeded.tickets.slice(PER_HOST), null);

    await until(() => completedTasks([...hostA, ...hostB]).size >= TASKS, 'every task is done somewhere', [...hostA, ...hostB], 150_000);
    await stopWorkers([...hostA, ...hostB]);

    const report = checkHosts([...hostA, ...hostB], seeded.tasks);
    expect(report.failures).toEqual([]);
    expect(report.doubledClaims.length).toBeGreaterThan(0);
    expect(report.doubledCompletions.length).toBeGreaterThan(0);
  });
});

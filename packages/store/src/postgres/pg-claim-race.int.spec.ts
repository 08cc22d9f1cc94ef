import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom, toBase32, type AuditEvent, type IdGenerator } from '@codex-team/contracts';
import type { Actor, TeamStore } from '../team-store';
import { PgScratch, type ScratchDatabase } from '../testing/pg-scratch-database';
import { connectPostgres } from './pg-driver';
import { withPgScratchSchema } from './pg-scratch-schema';
import { openPostgresTeamStore } from './pg-team-store';

// Real OS processes race for claims on one PostgreSQL database through the adapter (the built
// store, dist/), on a throwaway cluster ($CODEX_TEAM_PG_URL, else one this suite starts). The
// broken variant is a careless adapter's raw SQL: pick, then claim without a guard. (The adapter
// without its advisory locks is no broken variant: its claims pick SKIP LOCKED and update guarded,
// and the count trigger's rows serialize a team's status changes; pg-claim-lane.int.spec.ts tells
// the lane's locks apart.)

jest.setTimeout(240_000);

const WORKER = join(__dirname, '..', 'fixtures', 'pg-claim-race-worker.cjs');
const BUILT_STORE = join(__dirname, '..', '..', 'dist', 'index.js');
const WORKERS = 6;
const clock = { now: () => Date.now() };
const ids: IdGenerator = { next: (prefix) => `${prefix}_${toBase32(randomBytes(10))}` };

interface Seeded {
  teamId: string;
  workers: Actor[];
  /** task id -> its dependencies */
  deps: Map<string, string[]>;
}

/** Layers of tasks; each task depends on 0-3 distinct tasks of earlier layers. */
async function seed(store: TeamStore, layers: number, perLayer: number, seedValue: number): Promise<Seeded> {
  const random = seededRandom(seedValue);
  const bound = await store.createTeam({ name: 'race', objective: 'claim race', maxThreads: WORKERS, profile: 'default', leadName: 'lead', resumeTicketHash: `resume-lead-${seedValue}` });
  const lead = { teamId: bound.team.id, agentId: bound.agent.id };
  const workers: Actor[] = [];
  for (let i = 0; i < WORKERS; i += 1) {
    const joinTicketHash = `join-${seedValue}-${i}`;
    await store.spawnAgent(lead, { name: `worker-${i}`, role: 'implementer', joinTicketHash });
    const joined = await store.joinAgent({ joinTicketHash, resumeTicketHash: `resume-${seedValue}-${i}` });
    workers.push({ teamId: lead.teamId, agentId: joined.agent.id });
  }
  const deps = new Map<string, string[]>();
  const earlier: string[] = [];
  for (let layer = 0; layer < layers; layer += 1) {
    const batch = Array.from({ length: perLayer }, (_, i) => {
      const picks = new Set<string>();
      const want = layer === 0 ? 0 : Math.floor(random() * 4);
      while (picks.size < want) picks.add(earlier[Math.floor(random() * earlier.length)] ?? '');
      return { title: `L${layer} #${i}`, description: '', priority: Math.floor(random() * 4), depends_on: [...picks] };
    });
    const out = await store.createTasks(lead, { tasks: batch });
    for (const task of out.tasks) {
      deps.set(task.id, task.depends_on);
      earlier.push(task.id);
    }
  }
  return { teamId: lead.teamId, workers, deps };
}

interface RaceRun {
  claims: { worker: string; task: string; fence: number }[];
  errors: string[];
}

async function runWorkers(url: string, schema: string, seeded: Seeded, mode: 'store' | 'naive'): Promise<RaceRun> {
  const run: RaceRun = { claims: [], errors: [] };
  const children: ChildProcess[] = [];
  let ready = 0;
  await Promise.all(
    seeded.workers.map(
      (actor, index) =>
        new Promise<void>((resolve) => {
          const child = fork(WORKER, [url, schema, seeded.teamId, actor.agentId, `w${index}`, mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
          children.push(child);
          child.on('message', (raw: unknown) => {
            const message = raw as { type: string; worker: string; task?: string; fence?: number; message?: string };
            if (message.type === 'ready') {
              ready += 1;
              if (ready === seeded.workers.length) for (const each of children) each.send('go');
            }
            if (message.type === 'claim') run.claims.push({ worker: message.worker, task: message.task ?? '', fence: message.fence ?? -1 });
            if (message.type === 'error') run.errors.push(`${message.worker}: ${message.message ?? ''}`);
          });
          child.on('exit', (code) => {
            if (code !== 0) run.errors.push(`worker w${index} exited with ${String(code)}`);
            resolve();
          });
        }),
    ),
  );
  return run;
}

/** What the checker finds: double claims, tasks lost or not done once, claims before a dependency was done. */
function checkRace(seeded: Seeded, run: RaceRun, done: Set<string>, events: AuditEvent[]) {
  const claimsPerTask = new Map<string, number>();
  for (const claim of run.claims) claimsPerTask.set(claim.task, (claimsPerTask.get(claim.task) ?? 0) + 1);
  let doubleClaims = 0;
  for (const count of claimsPerTask.values()) doubleClaims += count - 1;
  const completeSeq = new Map<string, number>();
  const completions = new Map<string, number>();
  for (const event of events) {
    if (event.action !== 'task.complete' || event.subject_id === null) continue;
    completeSeq.set(event.subject_id, event.seq);
    completions.set(event.subject_id, (completions.get(event.subject_id) ?? 0) + 1);
  }
  const claimedBeforeDeps: string[] = [];
  for (const event of events) {
    if (event.action !== 'task.claim' || event.subject_id === null) continue;
    for (const dep of seeded.deps.get(event.subject_id) ?? []) {
      const doneAt = completeSeq.get(dep);
      if (doneAt === undefined || doneAt > event.seq) claimedBeforeDeps.push(`${event.subject_id} before ${dep}`);
    }
  }
  const taskIds = [...seeded.deps.keys()];
  return {
    tasks: taskIds.length,
    claims: run.claims.length,
    doubleClaims,
    lost: taskIds.filter((id) => !claimsPerTask.has(id) || !done.has(id)),
    notCompletedOnce: taskIds.filter((id) => completions.get(id) !== 1),
    claimedBeforeDeps,
  };
}

async function auditTrail(store: TeamStore, teamId: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for (;;) {
    const page = await store.listAuditEvents(teamId, { afterSeq: events[events.length - 1]?.seq ?? 0, limit: 5_000 });
    events.push(...page);
    if (page.length < 5_000) return events;
  }
}

let pg: PgScratch;
let database: ScratchDatabase;

beforeAll(async () => {
  if (!existsSync(BUILT_STORE)) throw new Error(`build the store first: ${BUILT_STORE} is missing`);
  pg = await PgScratch.start();
  database = await pg.database();
});
afterAll(async () => {
  await database.drop();
  await pg.release();
});

/** A fresh schema (dropped afterwards) with a seeded team; returns the seed, the run and what the checker found after `race` ran. */
async function raced(layers: number, seedValue: number, mode: 'store' | 'naive') {
  return withPgScratchSchema(database.url, 'race', async (schema) => {
    const admin = await connectPostgres(database.url, schema);
    try {
      const store = await openPostgresTeamStore({ url: database.url, schema, clock, ids });
      const seeded = await seed(store, layers, 100, seedValue);
      const started = Date.now();
      const run = await runWorkers(database.url, schema, seeded, mode);
      const seconds = (Date.now() - started) / 1_000;
      const events = await auditTrail(store, seeded.teamId);
      await store.close();
      const done = new Set((await admin.query<{ id: string }>("SELECT id FROM tasks WHERE team_id = $1 AND status = 'done'", [seeded.teamId])).rows.map((row) => row.id));
      const counts = await admin.query<{ status: string; kept: number; counted: number }>(
        `SELECT c.status, c.n AS kept, (SELECT count(*)::int FROM tasks t WHERE t.team_id = c.team_id AND t.status = c.status) AS counted
         FROM task_status_counts c WHERE c.team_id = $1`,
        [seeded.teamId],
      );
      return { seeded, run, events, seconds, report: checkRace(seeded, run, done, events), countsDrift: counts.rows.filter((row) => row.kept !== row.counted) };
    } finally {
      await admin.end();
    }
  });
}

describe('claim race across processes on PostgreSQL', () => {
  it('claims each of 2,000 DAG tasks exactly once, after its dependencies, with 6 processes', async () => {
    const { run, events, seconds, report, countsDrift } = await raced(20, 42, 'store');
    expect(run.errors).toEqual([]);
    expect(report).toEqual({ tasks: 2_000, claims: 2_000, doubleClaims: 0, lost: [], notCompletedOnce: [], claimedBeforeDeps: [] });
    expect(countsDrift).toEqual([]);
    const audited = events.filter((e) => e.action === 'task.claim').map((e) => `${e.subject_id ?? ''}@${String((e.data['task'] as { fence: number }).fence)}`);
    expect(audited.sort()).toEqual(run.claims.map((c) => `${c.task}@${c.fence}`).sort());
    const perWorker = new Map<string, number>();
    for (const claim of run.claims) perWorker.set(claim.worker, (perWorker.get(claim.worker) ?? 0) + 1);
    expect(perWorker.size).toBeGreaterThan(1);
    process.stderr.write(`pg claim race: 2000 tasks, ${WORKERS} processes, ${seconds.toFixed(1)} s, claims per worker ${JSON.stringify(Object.fromEntries([...perWorker].sort()))}\n`);
  });

  it('catches double claims when workers claim without a guard', async () => {
    const { run, report } = await raced(10, 7, 'naive');
    expect(run.errors).toEqual([]);
    process.stderr.write(`pg naive claim race: ${report.tasks} tasks, ${report.doubleClaims} double claims\n`);
    expect(report.doubleClaims).toBeGreaterThan(0);
  });
});

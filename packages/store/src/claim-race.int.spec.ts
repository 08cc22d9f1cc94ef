import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { seededRandom, toBase32, type AuditEvent, type IdGenerator } from '@codex-team/contracts';
import { openSqliteTeamStore } from './sqlite-team-store';
import type { Actor, TeamStore } from './team-store';

// Real OS processes race for claims on one SQLite file. Workers run the built store (dist/).
const WORKER = join(__dirname, 'fixtures', 'claim-race-worker.cjs');
const BUILT_STORE = join(__dirname, '..', 'dist', 'index.js');
const WORKERS = 6;
const clock = { now: () => Date.now() };
const ids: IdGenerator = { next: (prefix) => `${prefix}_${toBase32(randomBytes(10))}` };

interface ClaimLog {
  worker: string;
  task: string;
  fence: number;
}

interface Seeded {
  teamId: string;
  lead: Actor;
  workers: Actor[];
  /** task id -> its dependencies */
  deps: Map<string, string[]>;
}

/** Layers of tasks; each task depends on 0-3 distinct tasks of earlier layers. */
async function seed(store: TeamStore, layers: number, perLayer: number, seedValue: number): Promise<Seeded> {
  const random = seededRandom(seedValue);
  const bound = await store.createTeam({
    name: 'race',
    objective: 'claim race',
    maxThreads: WORKERS,
    profile: 'default',
    leadName: 'lead',
    resumeTicketHash: `resume-lead-${seedValue}`,
  });
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
      return {
        title: `L${layer} #${i}`,
        description: '',
        priority: Math.floor(random() * 4),
        depends_on: [...picks],
      };
    });
    const out = await store.createTasks(lead, { tasks: batch });
    for (const task of out.tasks) {
      deps.set(task.id, task.depends_on);
      earlier.push(task.id);
    }
  }
  return { teamId: lead.teamId, lead, workers, deps };
}

async function runWorkers(dbPath: string, seeded: Seeded, mode: 'store' | 'naive'): Promise<ClaimLog[]> {
  const claims: ClaimLog[] = [];
  const errors: string[] = [];
  const children: ChildProcess[] = [];
  let ready = 0;
  await Promise.all(
    seeded.workers.map(
      (actor, index) =>
        new Promise<void>((resolve) => {
          const child = fork(WORKER, [dbPath, seeded.teamId, actor.agentId, `w${index}`, mode], {
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          });
          children.push(child);
          child.on('message', (raw: unknown) => {
            const message = raw as { type: string; worker: string; task?: string; fence?: number; message?: string };
            if (message.type === 'ready') {
              ready += 1;
              // Start line: release every worker at once when the last one has opened the file.
              if (ready === seeded.workers.length) for (const each of children) each.send('go');
            }
            if (message.type === 'claim') {
              claims.push({ worker: message.worker, task: message.task ?? '', fence: message.fence ?? -1 });
            }
            if (message.type === 'error') errors.push(`${message.worker}: ${message.message ?? ''}`);
          });
          child.on('exit', (code) => {
            if (code !== 0) errors.push(`worker w${index} exited with ${String(code)}`);
            resolve();
          });
        }),
    ),
  );
  expect(errors).toEqual([]);
  return claims;
}

interface RaceReport {
  tasks: number;
  claims: number;
  /** Claims beyond the first of the same task: two agents believed they held it. */
  doubleClaims: number;
  /** Tasks never claimed or not done at the end. */
  lost: string[];
  /** Tasks whose task.complete event count is not exactly one (only with an audit trail). */
  notCompletedOnce: string[];
  /** task.claim events that came before the task.complete of one of the task's dependencies. */
  claimedBeforeDeps: string[];
}

/** The one checker both variants go through. */
function checkRace(seeded: Seeded, claims: ClaimLog[], doneIds: Set<string>, events: AuditEvent[]): RaceReport {
  const claimsPerTask = new Map<string, number>();
  for (const claim of claims) claimsPerTask.set(claim.task, (claimsPerTask.get(claim.task) ?? 0) + 1);
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
    claims: claims.length,
    doubleClaims,
    lost: taskIds.filter((id) => !claimsPerTask.has(id) || !doneIds.has(id)),
    notCompletedOnce: events.length === 0 ? [] : taskIds.filter((id) => completions.get(id) !== 1),
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

function doneTaskIds(dbPath: string, teamId: string): Set<string> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db.prepare("SELECT id FROM tasks WHERE team_id = ? AND status = 'done'").pluck().all(teamId) as string[];
    return new Set(rows);
  } finally {
    db.close();
  }
}

function integrity(dbPath: string): unknown {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true });
  } finally {
    db.close();
  }
}

describe('claim race across processes', () => {
  let dir: string;

  beforeAll(() => {
    if (!existsSync(BUILT_STORE)) throw new Error(`build the store first: ${BUILT_STORE} is missing`);
    dir = mkdtempSync(join(tmpdir(), 'codex-team-race-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('claims each of 2,000 DAG tasks exactly once, after its dependencies, with 6 processes', async () => {
    const dbPath = join(dir, 'race.db');
    const store = await openSqliteTeamStore({ path: dbPath, clock, ids });
    const seeded = await seed(store, 20, 100, 42);
    await store.close();

    const started = Date.now();
    const claims = await runWorkers(dbPath, seeded, 'store');
    const seconds = (Date.now() - started) / 1_000;

    const reader = await openSqliteTeamStore({ path: dbPath, clock, ids });
    const events = await auditTrail(reader, seeded.teamId);
    await reader.close();
    const report = checkRace(seeded, claims, doneTaskIds(dbPath, seeded.teamId), events);
    expect(report).toEqual({
      tasks: 2_000,
      claims: 2_000,
      doubleClaims: 0,
      lost: [],
      notCompletedOnce: [],
      claimedBeforeDeps: [],
    });
    // The claims logged by the workers are exactly the claims in the audit trail.
    const audited = events
      .filter((e) => e.action === 'task.claim')
      .map((e) => `${e.subject_id ?? ''}@${String((e.data['task'] as { fence: number }).fence)}`);
    expect(audited.sort()).toEqual(claims.map((c) => `${c.task}@${c.fence}`).sort());
    const perWorker = new Map<string, number>();
    for (const claim of claims) perWorker.set(claim.worker, (perWorker.get(claim.worker) ?? 0) + 1);
    // SQLite's lock is not fair (a waiting process backs off while others take it), so one worker
    // may get little; what matters is that several processes really raced.
    expect(perWorker.size).toBeGreaterThan(1);
    expect(integrity(dbPath)).toBe('ok');
    process.stderr.write(
      `claim race: 2000 tasks, ${WORKERS} processes, ${seconds.toFixed(1)} s, claims per worker ` +
        `${JSON.stringify(Object.fromEntries([...perWorker].sort()))}\n`,
    );
  }, 60_000);

  it('catches double claims when workers claim without a guarded transaction', async () => {
    const dbPath = join(dir, 'naive.db');
    const store = await openSqliteTeamStore({ path: dbPath, clock, ids });
    const seeded = await seed(store, 10, 100, 7);
    await store.close();

    const claims = await runWorkers(dbPath, seeded, 'naive');
    const report = checkRace(seeded, claims, doneTaskIds(dbPath, seeded.teamId), []);
    process.stderr.write(`naive claim race: ${report.tasks} tasks, ${report.doubleClaims} double claims\n`);
    expect(report.doubleClaims).toBeGreaterThan(0);
    expect(integrity(dbPath)).toBe('ok');
  }, 60_000);
});

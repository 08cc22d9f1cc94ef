import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { toBase32, type IdGenerator, type TeamId } from '@codex-team/contracts';
import { RaceRounds } from './testing/race-rounds';
import { openSqliteTeamStore } from './sqlite-team-store';
import type { Actor, RecoveryStep, TeamStore } from './team-store';

// Invariant 1 across a team tree and real processes: teammates spawned and joined at once into
// several teams of one tree never exceed the root's cap, which counts the whole tree (root lead
// and played child leads excluded). Workers run the built store (dist/); two deliberately broken
// writers (a check-then-act over the tree, an atomic check of the own team only) are caught by the
// same per-round check.
const WORKER = join(__dirname, 'fixtures', 'tree-cap-race-worker.cjs');
const BUILT_STORE = join(__dirname, '..', 'dist', 'index.js');
const MAX_THREADS = 3;
const WORKERS_PER_TEAM = 2;
const ROUNDS = 40;
const clock = { now: () => Date.now() };
const ids: IdGenerator = { next: (prefix) => `${prefix}_${toBase32(randomBytes(10))}` };

interface Seeded {
  rootId: TeamId;
  /** The lead actor of each team of the tree: the root's lead, and the child leads it plays. */
  leads: Actor[];
}

/** A root of max_threads 3 and two child teams whose leads the root's lead plays (no threads of their own). */
async function seed(store: TeamStore): Promise<Seeded> {
  const bound = await store.createTeam({
    name: 'tree',
    objective: 'tree cap race',
    maxThreads: MAX_THREADS,
    profile: 'default',
    leadName: 'lead',
    resumeTicketHash: `resume-lead-${toBase32(randomBytes(5))}`,
  });
  const root = { teamId: bound.team.id, agentId: bound.agent.id };
  const created = await store.createTasks(root, {
    tasks: [1, 2].map((n) => ({ title: `part ${n}`, description: '', priority: 0, depends_on: [] })),
  });
  const leads: Actor[] = [root];
  for (const task of created.tasks) {
    const child = await store.startChild(root, { tasks: [task.id], tokens: 1_000 });
    leads.push({ teamId: child.team.id, agentId: child.lead.id });
  }
  return { rootId: bound.team.id, leads };
}

/** Threads of the tree as the cap counts them: invited or active, root lead and played leads excluded. */
function treeThreads(db: Database.Database, rootId: string): number {
  return db
    .prepare(
      `SELECT COUNT(*) FROM agents a JOIN teams t ON t.id = a.team_id JOIN teams r ON r.id = t.root_team_id
       WHERE t.root_team_id = ? AND a.id <> r.lead_agent_id AND a.principal_agent_id IS NULL AND a.state IN ('invited', 'active')`,
    )
    .pluck()
    .get(rootId) as number;
}

interface RaceReport {
  /** Rounds that ended with more threads in the tree than its cap. */
  overCap: number;
  mostThreads: number;
  admittedPerRound: number[];
  refusals: string[];
}

/** Sends every teammate of the tree away through the store, so the next round starts with the tree empty. */
async function emptyTree(store: TeamStore, rootId: TeamId): Promise<void> {
  const view = await store.recoveryView({ teamId: rootId });
  const steps: RecoveryStep[] = [];
  for (const team of view.teams) {
    for (const agent of team.agents) {
      if (agent.id === team.leadAgentId || agent.state === 'disconnected') continue;
      steps.push({
        kind: 'mark_agent_lost',
        teamId: team.teamId,
        agentId: agent.id,
        to: agent.state === 'invited' ? 'retired' : 'disconnected',
        expect: { state: agent.state, epoch: agent.epoch, lastSeenAt: agent.lastSeenAt },
        rule: 'race.round_over',
        reason: 'round over',
      });
    }
  }
  if (steps.length > 0) await store.applyRecovery({ steps });
}

async function race(dbPath: string, seeded: Seeded, mode: 'store' | 'naive' | 'team-only'): Promise<RaceReport> {
  const store = await openSqliteTeamStore({ path: dbPath, clock, ids });
  const db = new Database(dbPath, { readonly: true });
  const workers = seeded.leads.flatMap((lead, team) =>
    Array.from({ length: WORKERS_PER_TEAM }, (_, n) => [dbPath, lead.teamId, lead.agentId, `t${team}w${n}`, mode]),
  );
  const rounds = await RaceRounds.start(WORKER, workers);
  try {
    const report: RaceReport = { overCap: 0, mostThreads: 0, admittedPerRound: [], refusals: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      const results = await rounds.round(round);
      expect(rounds.errors).toEqual([]);
      // The one check, the same for every mode: the tree's threads after the round.
      const threads = treeThreads(db, seeded.rootId);
      report.mostThreads = Math.max(report.mostThreads, threads);
      if (threads > MAX_THREADS) report.overCap += 1;
      report.admittedPerRound.push(results.filter((r) => r.ok).length);
      report.refusals.push(...results.filter((r) => !r.ok).map((r) => r.code ?? '?'));
      await emptyTree(store, seeded.rootId);
    }
    return report;
  } finally {
    await rounds.stop();
    db.close();
    await store.close();
  }
}

describe('thread cap across a team tree and processes', () => {
  let dir: string;

  beforeAll(() => {
    if (!existsSync(BUILT_STORE)) throw new Error(`build the store first: ${BUILT_STORE} is missing`);
    dir = mkdtempSync(join(tmpdir(), 'codex-team-tree-race-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function seeded(name: string): Promise<{ dbPath: string; seed: Seeded }> {
    const dbPath = join(dir, `${name}.db`);
    const setup = await openSqliteTeamStore({ path: dbPath, clock, ids });
    const tree = await seed(setup);
    await setup.close();
    return { dbPath, seed: tree };
  }

  it(`never lets more than the root's cap of threads into the tree when ${3 * WORKERS_PER_TEAM} processes add teammates to its three teams at once`, async () => {
    const { dbPath, seed: tree } = await seeded('store');
    const report = await race(dbPath, tree, 'store');
    expect(report).toMatchObject({ overCap: 0, mostThreads: MAX_THREADS });
    expect(report.admittedPerRound).toEqual(Array(ROUNDS).fill(MAX_THREADS));
    expect(new Set(report.refusals)).toEqual(new Set(['LIMIT_EXCEEDED']));
    // Every team of the tree got teammates at some point: the cap is the tree's, not one team's.
    const reader = await openSqliteTeamStore({ path: dbPath, clock, ids });
    try {
      for (const lead of tree.leads) {
        const spawned = (await reader.listAuditEvents(lead.teamId, { limit: 10_000 })).filter((event) => event.action === 'agent.spawn');
        expect(spawned.length).toBeGreaterThan(0);
      }
    } finally {
      await reader.close();
    }
  }, 180_000);

  it.each(['naive', 'team-only'] as const)('catches a %s writer letting more threads into the tree than its cap', async (mode) => {
    const { dbPath, seed: tree } = await seeded(mode);
    const report = await race(dbPath, tree, mode);
    process.stderr.write(`${mode} tree-cap race: ${report.overCap} of ${ROUNDS} rounds over the cap, at most ${report.mostThreads} threads\n`);
    expect(report.overCap).toBeGreaterThan(0);
    expect(report.mostThreads).toBeGreaterThan(MAX_THREADS);
  }, 180_000);
});

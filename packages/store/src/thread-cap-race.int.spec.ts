import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { toBase32, type IdGenerator, type TeamId } from '@codex-team/contracts';
import { RaceRounds } from './testing/race-rounds';
import { openSqliteTeamStore } from './sqlite-team-store';
import type { TeamStore } from './team-store';

// Invariant 1 across real processes: teammates come back with team_resume concurrently, and no more
// than max_threads of them may be active at once. Workers run the built store (dist/).
const WORKER = join(__dirname, 'fixtures', 'thread-cap-race-worker.cjs');
const BUILT_STORE = join(__dirname, '..', 'dist', 'index.js');
const MAX_THREADS = 3;
const TEAMMATES = 6;
const ROUNDS = 40;
const clock = { now: () => Date.now() };
const ids: IdGenerator = { next: (prefix) => `${prefix}_${toBase32(randomBytes(10))}` };

interface Seeded {
  teamId: TeamId;
  resumeHashes: string[];
}

/** A team of max_threads 3 with six teammates that have all been and gone (disconnected). */
async function seed(store: TeamStore): Promise<Seeded> {
  const bound = await store.createTeam({
    name: 'cap',
    objective: 'thread cap race',
    maxThreads: MAX_THREADS,
    profile: 'default',
    leadName: 'lead',
    resumeTicketHash: `resume-lead-${toBase32(randomBytes(5))}`,
  });
  const lead = { teamId: bound.team.id, agentId: bound.agent.id };
  const resumeHashes: string[] = [];
  for (let i = 0; i < TEAMMATES; i += 1) {
    const joinTicketHash = `join-${i}-${toBase32(randomBytes(5))}`;
    const resumeTicketHash = `resume-${i}-${toBase32(randomBytes(5))}`;
    await store.spawnAgent(lead, { name: `mate-${i}`, role: 'implementer', joinTicketHash });
    const joined = await store.joinAgent({ joinTicketHash, resumeTicketHash });
    await store.disconnectAgent({ teamId: lead.teamId, agentId: joined.agent.id, epoch: joined.epoch }, 'seeded away');
    resumeHashes.push(resumeTicketHash);
  }
  return { teamId: lead.teamId, resumeHashes };
}

function activeTeammates(db: Database.Database, teamId: string): { id: string; epoch: number }[] {
  return db
    .prepare("SELECT a.id, a.epoch FROM agents a JOIN teams t ON t.id = a.team_id WHERE a.team_id = ? AND a.id <> t.lead_agent_id AND a.state = 'active'")
    .all(teamId) as { id: string; epoch: number }[];
}

interface RaceReport {
  rounds: number;
  /** Rounds that ended with more active teammates than max_threads. */
  overCap: number;
  mostActive: number;
  admittedPerRound: number[];
}

async function race(dbPath: string, seeded: Seeded, mode: 'store' | 'naive'): Promise<RaceReport> {
  const store = await openSqliteTeamStore({ path: dbPath, clock, ids });
  const db = new Database(dbPath, { readonly: true });
  const rounds = await RaceRounds.start(
    WORKER,
    seeded.resumeHashes.map((hash, index) => [dbPath, hash, `w${index}`, mode]),
  );
  try {
    const report: RaceReport = { rounds: ROUNDS, overCap: 0, mostActive: 0, admittedPerRound: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      const results = await rounds.round(round);
      expect(rounds.errors).toEqual([]);
      const active = activeTeammates(db, seeded.teamId);
      report.mostActive = Math.max(report.mostActive, active.length);
      if (active.length > MAX_THREADS) report.overCap += 1;
      report.admittedPerRound.push(results.filter((r) => r.ok).length);
      if (mode === 'store') {
        expect(results.filter((r) => !r.ok).map((r) => r.code)).toEqual(Array(TEAMMATES - MAX_THREADS).fill('LIMIT_EXCEEDED'));
      }
      // Send everyone away again, through the store, so the next round starts with every slot free.
      for (const agent of active) {
        await store.disconnectAgent({ teamId: seeded.teamId, agentId: agent.id, epoch: agent.epoch }, 'round over');
      }
    }
    return report;
  } finally {
    await rounds.stop();
    db.close();
    await store.close();
  }
}

describe('thread cap across processes', () => {
  let dir: string;

  beforeAll(() => {
    if (!existsSync(BUILT_STORE)) throw new Error(`build the store first: ${BUILT_STORE} is missing`);
    dir = mkdtempSync(join(tmpdir(), 'codex-team-cap-race-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`never lets more than max_threads teammates be active when ${TEAMMATES} processes resume at once`, async () => {
    const dbPath = join(dir, 'cap.db');
    const setup = await openSqliteTeamStore({ path: dbPath, clock, ids });
    const seeded = await seed(setup);
    await setup.close();

    const report = await race(dbPath, seeded, 'store');
    expect(report).toMatchObject({ overCap: 0, mostActive: MAX_THREADS });
    expect(report.admittedPerRound).toEqual(Array(ROUNDS).fill(MAX_THREADS));

    const reader = await openSqliteTeamStore({ path: dbPath, clock, ids });
    const events = await reader.listAuditEvents(seeded.teamId, { limit: 10_000 });
    await reader.close();
    expect(events.filter((event) => event.action === 'agent.resume')).toHaveLength(ROUNDS * MAX_THREADS);
  }, 120_000);

  it('catches teammates over the cap when the slot check and the write are separate steps', async () => {
    const dbPath = join(dir, 'naive.db');
    const setup = await openSqliteTeamStore({ path: dbPath, clock, ids });
    const seeded = await seed(setup);
    await setup.close();

    const report = await race(dbPath, seeded, 'naive');
    process.stderr.write(`naive thread-cap race: ${report.overCap} of ${ROUNDS} rounds over the cap, at most ${report.mostActive} active\n`);
    expect(report.overCap).toBeGreaterThan(0);
    expect(report.mostActive).toBeGreaterThan(MAX_THREADS);
  }, 120_000);
});

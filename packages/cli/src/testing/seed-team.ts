import type { TeamId } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { recoveryPolicy, runRecoverySweep } from '@codex-team/recovery';
import { isPostgresUrl, openPostgresTeamStore, openSqliteTeamStore, type SqliteTeamStore } from '@codex-team/store';

/**
 * The store a seed writes: a SQLite file, or a PostgreSQL database (a `postgres://` URL) on the
 * same fake clock, so one seed makes the same team, ids and times on either engine.
 */
function openSeedStore(location: string, clock: FakeClock): Promise<SqliteTeamStore> {
  const ids = new SequentialIdGenerator();
  return isPostgresUrl(location) ? openPostgresTeamStore({ url: location, clock, ids, time: 'clock' }) : openSqliteTeamStore({ path: location, clock, ids });
}

/** A secret the seed plants in a task result, to show operator output masks it. */
export const SEEDED_SECRET = 'sk-proj-SeededSecret0123456789abcdefXYZ';

export interface SeededTeam {
  teamId: TeamId;
  teamName: string;
  titles: string[];
  /** The fake clock time when seeding ended. */
  endedAt: number;
}

/**
 * Writes a small finished-in-part team into a store (a file, or a PostgreSQL URL), through the store's own operations on
 * a fake clock: a lead, two teammates, a five-task DAG with work done, failed, held and waiting,
 * usage, a message and an artifact. The store has no server in front of it here, so the secret in
 * a result is stored as given: operator commands must mask it themselves.
 */
export async function seedTeam(dbPath: string, name = 'release'): Promise<SeededTeam> {
  const clock = new FakeClock();
  const store = await openSeedStore(dbPath, clock);
  try {
    const bound = await store.createTeam({ name, objective: 'ship 1.0', maxThreads: 4, profile: 'default', leadName: 'lead', resumeTicketHash: `r-${name}` });
    const lead = { teamId: bound.team.id, agentId: bound.agent.id };
    const member = async (who: string, role: string) => {
      await store.spawnAgent(lead, { name: who, role, joinTicketHash: `j-${name}-${who}` });
      const joined = await store.joinAgent({ joinTicketHash: `j-${name}-${who}`, resumeTicketHash: `r-${name}-${who}` });
      return { teamId: joined.team.id, agentId: joined.agent.id };
    };
    const ann = await member('ann', 'implementer');
    const rev = await member('rev', 'reviewer');
    const titles = ['Design the API', 'Build the parser', 'Build the CLI', 'Review the parser', 'Write the docs'];
    const created = await store.createTasks(lead, {
      tasks: [
        { key: 'design', title: titles[0] ?? '', description: '', priority: 5, depends_on: [], required_role: 'implementer' },
        { key: 'parser', title: titles[1] ?? '', description: '', priority: 0, depends_on: ['design'], required_role: 'implementer' },
        { key: 'cli', title: titles[2] ?? '', description: '', priority: 0, depends_on: ['design'], required_role: 'implementer' },
        { key: 'review', title: titles[3] ?? '', description: '', priority: 0, depends_on: ['parser'], required_role: 'reviewer' },
        { key: 'docs', title: titles[4] ?? '', description: '', priority: 0, depends_on: ['review', 'cli'] },
      ],
    });
    const id = (key: string) => created.keys[key] ?? '';
    const lease = { leaseMs: 3_600_000 };
    type Usage = { input_tokens: number; output_tokens: number };
    const work = async (who: typeof ann, key: string, minutes: number, outcome: 'done' | 'failed', result: string, usage?: Usage) => {
      const claim = await store.claimTask(who, { task_id: id(key) }, lease);
      clock.advance(minutes * 60_000);
      await store.completeTask(who, { task_id: id(key), fence: claim.fence, outcome, result, artifact_ids: [], ...(usage === undefined ? {} : { usage }) });
    };
    clock.advance(60_000);
    await work(ann, 'design', 4, 'done', 'API designed');
    await work(ann, 'parser', 6, 'done', `parser done; used key ${SEEDED_SECRET}`, { input_tokens: 40_000, output_tokens: 9_000 });
    await work(rev, 'review', 3, 'failed', 'two bugs found');
    await store.claimTask(ann, { task_id: id('cli') }, lease);
    clock.advance(2 * 60_000);
    await store.sendMessage(rev, { to: lead.agentId, body: 'review failed: see notes', artifact_refs: [] });
    await store.publishArtifact(rev, { name: 'review-notes.md', content: '# Bugs\n1. off by one', media_type: 'text/markdown', plan: false });
    return { teamId: lead.teamId, teamName: name, titles, endedAt: clock.now() };
  } finally {
    await store.close();
  }
}

/** Text an agent may send to make an operator's terminal misbehave: retitle, clear, recolour, reorder. */
export const HOSTILE_TEXT = '\u001b]0;pwned\u0007\u001b[2J\u001b[31mred\u001b[0m\u009b1m\r\u202eevil';

export interface SeededEndedTeam {
  teamId: TeamId;
  teamName: string;
  /** Fake-clock milliseconds since the team started. */
  at: { bobLastSeen: number; recovered: number; annDisconnected: number; finalized: number };
  agents: { lead: string; ann: string; bob: string; cat: string; dan: string };
}

/**
 * A team that ran to its end through the store's and recovery's own operations on a fake clock:
 * ann works and disconnects, bob is killed mid-claim (no disconnect; recovery finds him lost and
 * takes his claim back), dan takes the task over, cat tests, messages and artifacts are sent, a
 * task title carries terminal escape sequences, and the lead finalizes.
 */
export async function seedEndedTeam(dbPath: string, name = 'shipped'): Promise<SeededEndedTeam> {
  const clock = new FakeClock();
  const started = clock.now();
  const after = (seconds: number): void => clock.set(started + seconds * 1_000);
  const store = await openSeedStore(dbPath, clock);
  try {
    const bound = await store.createTeam({ name, objective: 'ship 2.0', maxThreads: 4, profile: 'default', leadName: 'lead', resumeTicketHash: `r-${name}` });
    const lead = { teamId: bound.team.id, agentId: bound.agent.id };
    const member = async (who: string, role: string) => {
      await store.spawnAgent(lead, { name: who, role, joinTicketHash: `j-${name}-${who}` });
      const joined = await store.joinAgent({ joinTicketHash: `j-${name}-${who}`, resumeTicketHash: `r-${name}-${who}` });
      return { teamId: joined.team.id, agentId: joined.agent.id, epoch: joined.epoch };
    };
    after(2);
    const ann = await member('ann', 'implementer');
    const bob = await member('bob', 'implementer');
    const cat = await member('cat', 'tester');
    const created = await store.createTasks(lead, {
      tasks: [
        { key: 'parser', title: 'Build the parser', description: '', priority: 5, depends_on: [], required_role: 'implementer' },
        { key: 'cli', title: `Build the CLI ${HOSTILE_TEXT}`, description: '', priority: 5, depends_on: [], required_role: 'implementer' },
        { key: 'test', title: 'Test everything end to end with a long title that must not be cut', description: '', priority: 0, depends_on: ['parser', 'cli'], required_role: 'tester' },
      ],
    });
    const id = (key: string) => created.keys[key] ?? '';
    const lease = { leaseMs: 600_000 };
    after(10);
    const annClaim = await store.claimTask(ann, { task_id: id('parser') }, lease);
    await store.claimTask(bob, { task_id: id('cli') }, { leaseMs: 30_000 });
    // bob is killed here: no disconnect, no further call.
    after(40);
    const spec = await store.publishArtifact(ann, { name: 'parser.md', content: '# Parser\nLL(1)', media_type: 'text/markdown', plan: false });
    await store.completeTask(ann, { task_id: id('parser'), fence: annClaim.fence, outcome: 'done', result: 'parser done', artifact_ids: [spec.id] });
    await store.sendMessage(ann, { to: lead.agentId, body: `parser done; see parser.md ${HOSTILE_TEXT}`, artifact_refs: [spec.id] });
    after(45);
    await store.disconnectAgent(ann, 'stdin closed');
    after(80);
    await runRecoverySweep(store, recoveryPolicy({ leaseMs: 30_000, graceMs: 15_000, staleAfterMs: 60_000 }));
    after(85);
    const dan = await member('dan', 'implementer');
    const danClaim = await store.claimTask(dan, { task_id: id('cli') }, lease);
    after(100);
    await store.completeTask(dan, { task_id: id('cli'), fence: danClaim.fence, outcome: 'done', result: 'CLI done', artifact_ids: [] });
    const catClaim = await store.claimTask(cat, { task_id: id('test') }, lease);
    after(120);
    await store.completeTask(cat, { task_id: id('test'), fence: catClaim.fence, outcome: 'done', result: 'all green', artifact_ids: [] });
    await store.sendMessage(lead, { to: '*', body: 'thanks all', artifact_refs: [] });
    after(125);
    await store.finalizeTeam(lead, { summary: `shipped 2.0 ${HOSTILE_TEXT}`, force: false });
    after(126);
    for (const agent of [cat, dan]) await store.disconnectAgent(agent, 'stdin closed');
    const agentIds = (await store.readTeam(lead.teamId)).agents;
    const idOf = (who: string) => agentIds.find((agent) => agent.name === who)?.id ?? '';
    return {
      teamId: lead.teamId,
      teamName: name,
      at: { bobLastSeen: 10_000, recovered: 80_000, annDisconnected: 45_000, finalized: 125_000 },
      agents: { lead: lead.agentId, ann: idOf('ann'), bob: idOf('bob'), cat: idOf('cat'), dan: idOf('dan') },
    };
  } finally {
    await store.close();
  }
}

/** A team too big for 80x24: six teammates with long task titles and a busy trail. */
export async function seedCrowdedTeam(path: string): Promise<void> {
  const clock = new FakeClock();
  const store = await openSeedStore(path, clock);
  try {
    const bound = await store.createTeam({ name: 'crowd', objective: 'o', maxThreads: 6, profile: 'default', leadName: 'lead', resumeTicketHash: 'r' });
    const lead = { teamId: bound.team.id, agentId: bound.agent.id };
    const titles = Array.from({ length: 8 }, (_, i) => `Implement the very long named subsystem number ${i} with all of its edge cases covered`);
    await store.createTasks(lead, {
      tasks: titles.map((title, i) => ({ key: `t${i}`, title, description: '', priority: 0, depends_on: [], required_role: 'implementer' })),
    });
    for (let i = 0; i < 6; i += 1) {
      const name = `teammate-with-a-long-name-${i}`;
      await store.spawnAgent(lead, { name, role: 'implementer', joinTicketHash: `j${i}` });
      const joined = await store.joinAgent({ joinTicketHash: `j${i}`, resumeTicketHash: `r${i}` });
      clock.advance(1_000);
      await store.claimNextTask({ teamId: joined.team.id, agentId: joined.agent.id }, { leaseMs: 600_000 });
    }
  } finally {
    await store.close();
  }
}

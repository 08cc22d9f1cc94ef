import type { TeamId } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openSqliteTeamStore } from '@codex-team/store';

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
 * Writes a small finished-in-part team into a store file, through the store's own operations on
 * a fake clock: a lead, two teammates, a five-task DAG with work done, failed, held and waiting,
 * usage, a message and an artifact. The store has no server in front of it here, so the secret in
 * a result is stored as given: operator commands must mask it themselves.
 */
export async function seedTeam(dbPath: string, name = 'release'): Promise<SeededTeam> {
  const clock = new FakeClock();
  const store = await openSqliteTeamStore({ path: dbPath, clock, ids: new SequentialIdGenerator() });
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

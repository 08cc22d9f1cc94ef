import {
  ArtifactPublishOutputSchema,
  TOOL_CONTRACTS,
  TeamJoinOutputSchema,
  TeamSpawnOutputSchema,
  TeamStartOutputSchema,
  TeamStatusOutputSchema,
  TaskNextOutputSchema,
  type AuditEvent,
  type Task,
} from '@codex-team/contracts';
import { createCodexTeamEnv, type CodexTeamEnv, type Surface } from '../testing/codex-team-env';
import { V1_SURFACE, V2_SURFACE, letGo, spawnedAgentId, ticketIn, waitForAll } from '../testing/program-helpers';
import { agentCall, collabCall, mcpCall, type AgentProgram, type ThreadInfo, type ToolCall, type ToolResult } from '../testing/scripted-responses';

// Child teams inside a real `codex exec` (npm @openai/codex 0.171.0) with a scripted model: the root
// thread leads a team and delegates a task to a child team, whose lead is a sub-agent joined with
// the child-lead ticket. Under multi-agent v1 with `[agents] max_depth = 2` that child lead spawns
// its own teammate; under v2 (sub-agents get no spawn tools) the parent's lead spawns it for the
// child. Either way the teammate completes the child's task, the child finalizes, and the parent's
// delegated task is done with the child's summary and artifact as its evidence.

jest.setTimeout(150_000);

interface Facts {
  teamId?: string;
  leadId?: string;
  childId?: string;
  delegated?: string;
  summary: string;
  artifactId?: string;
  childLines: string[];
}

const newFacts = (): Facts => ({ summary: 'parser built by cid; its notes are the evidence', childLines: [] });
const childOf = (json: unknown) => TOOL_CONTRACTS.team_child.output.parse(json);

/** The child's teammate: joins with its ticket, works the child's one task with an artifact as evidence. */
function* childTeammate(info: ThreadInfo, facts: Facts): AgentProgram {
  const joined = TeamJoinOutputSchema.parse((yield mcpCall('team_join', { ticket: ticketIn(info.userTexts) })).json);
  for (let polls = 0; polls < 200; polls += 1) {
    const next = TaskNextOutputSchema.parse((yield mcpCall('team_task_next')).json);
    if (next.claim === null) continue;
    const { task, fence } = next.claim;
    const notes = ArtifactPublishOutputSchema.parse(
      (yield mcpCall('team_artifact_publish', { name: 'parser-notes.md', content: '# Parser\n12 tests pass', task_id: task.id, fence })).json,
    );
    facts.artifactId = notes.artifact.id;
    yield mcpCall('team_task_complete', { task_id: task.id, fence, result: 'parser built; 12 tests pass', artifact_ids: [notes.artifact.id] });
    yield mcpCall('team_send', { to: joined.team.lead_agent_id, body: 'parser done' });
    return `CID-FINAL: ${task.title} done`;
  }
  return 'CID-FINAL: nothing to do';
}

/** Polls the child team's status until its task is done. */
function* untilChildDone(): Generator<ToolCall, void, ToolResult> {
  for (let polls = 0; polls < 300; polls += 1) {
    const status = TeamStatusOutputSchema.parse((yield mcpCall('team_status')).json);
    if ((status.tasks_by_status.done ?? 0) >= 1) return;
  }
}

/** v1 (max_depth 2): the child's lead spawns its own teammate with spawn_agent, waits, finalizes. */
function* childLeadV1(info: ThreadInfo, facts: Facts): AgentProgram {
  yield mcpCall('team_join', { ticket: ticketIn(info.userTexts) });
  const spawn = TeamSpawnOutputSchema.parse((yield mcpCall('team_spawn', { name: 'cid', role: 'implementer' })).json);
  const cid = spawnedAgentId(yield agentCall('spawn_agent', { message: spawn.spawn_instruction }));
  yield* waitForAll(V1_SURFACE, [cid]);
  yield* untilChildDone();
  yield mcpCall('team_finalize', { summary: facts.summary });
  yield* letGo(V1_SURFACE, [cid]);
  return 'CHILD-LEAD-FINAL: child team finalized';
}

/** v2: the child's lead cannot spawn: it asks its parent's lead, waits for the work, finalizes. */
function* childLeadV2(info: ThreadInfo, facts: Facts): AgentProgram {
  const joined = TeamJoinOutputSchema.parse((yield mcpCall('team_join', { ticket: ticketIn(info.userTexts) })).json);
  const status = TeamStatusOutputSchema.parse((yield mcpCall('team_status')).json);
  const parentLead = /\(lead (ag_[a-z2-7]+)\)/.exec(status.parent ?? '')?.[1];
  yield mcpCall('team_send', {
    team: joined.team.parent_team_id,
    to: parentLead,
    body: 'I cannot spawn agents here (multi-agent v2): please spawn one implementer for my team',
  });
  yield* untilChildDone();
  yield mcpCall('team_finalize', { summary: facts.summary });
  return 'CHILD-LEAD-FINAL: child team finalized';
}

/** The root lead: delegates the parser to a child team led by a new sub-agent, then ships. */
function* rootLead(facts: Facts, surface: Surface): AgentProgram {
  const started = TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'tree e2e', objective: 'ship a parser' })).json);
  facts.teamId = started.team.id;
  facts.leadId = started.agent.id;
  const created = yield mcpCall('team_task_create', {
    tasks: [
      { key: 'parser', title: 'Build the parser', description: 'with tests' },
      { key: 'ship', title: 'Ship it', depends_on: ['parser'] },
    ],
  });
  const keys = (created.json as { keys: Record<string, string> }).keys;
  facts.delegated = keys['parser'];
  const child = childOf((yield mcpCall('team_child', { action: 'start', tasks: [keys['parser']], lead: 'ticket' })).json);
  facts.childId = child.team.id;
  const instruction = child.spawn_instruction ?? '';
  if (surface === 'v1') {
    const childLead = spawnedAgentId(yield agentCall('spawn_agent', { message: instruction }));
    yield* waitForAll(V1_SURFACE, [childLead], 12);
    yield* letGo(V1_SURFACE, [childLead]);
  } else {
    const childLead = V2_SURFACE.idOf(yield collabCall('spawn_agent', { task_name: 'child_lead', message: instruction, fork_turns: 'none' }));
    // The child's lead asks for a teammate: the parent's lead spawns it with a ticket of the child team.
    for (let polls = 0; polls < 300; polls += 1) {
      const inbox = (yield mcpCall('team_inbox')).json as { messages: { id: string; body: string }[] };
      if (inbox.messages.some((message) => message.body.includes('please spawn'))) {
        yield mcpCall('team_inbox', { ack: inbox.messages.map((message) => message.id) });
        break;
      }
    }
    const spawn = TeamSpawnOutputSchema.parse((yield mcpCall('team_spawn', { team: child.team.id, name: 'cid', role: 'implementer' })).json);
    const cid = V2_SURFACE.idOf(yield collabCall('spawn_agent', { task_name: 'cid', message: spawn.spawn_instruction, fork_turns: 'none' }));
    // v2's wait_agent does not say who finished: the child's line in team_status does.
    for (let polls = 0; polls < 300; polls += 1) {
      const lines = TeamStatusOutputSchema.parse((yield mcpCall('team_status')).json).children ?? [];
      if (lines.some((line) => line.includes('finalized'))) break;
    }
    yield* waitForAll(V2_SURFACE, [childLead, cid], 12);
  }
  const status = TeamStatusOutputSchema.parse((yield mcpCall('team_status')).json);
  facts.childLines = status.children ?? [];
  const next = TaskNextOutputSchema.parse((yield mcpCall('team_task_next')).json);
  if (next.claim !== null) yield mcpCall('team_task_complete', { task_id: next.claim.task.id, fence: next.claim.fence, result: 'shipped with the parser' });
  yield mcpCall('team_finalize', { summary: 'parser delegated to a child team, then shipped' });
  return 'LEAD-FINAL: shipped with a child team';
}

async function readBack(env: CodexTeamEnv, facts: Facts): Promise<{ tasks: Task[]; events: AuditEvent[]; childEvents: AuditEvent[] }> {
  const store = await env.openStore();
  try {
    const { teamId, leadId, childId } = facts;
    if (teamId === undefined || leadId === undefined || childId === undefined) throw new Error('the lead did not start its team and child');
    const tasks = (await store.listTasks({ teamId: teamId as Task['team_id'], agentId: leadId as Task['created_by'] }, { limit: 100 })).tasks;
    return {
      tasks,
      events: await store.listAuditEvents(teamId as AuditEvent['team_id']),
      childEvents: await store.listAuditEvents(childId as AuditEvent['team_id']),
    };
  } finally {
    await store.close();
  }
}

describe.each<Surface>(['v1', 'v2'])('a child team inside a real Codex %s (scripted model, no network)', (surface) => {
  let env: CodexTeamEnv | undefined;
  afterEach(async () => {
    await env?.dispose();
    env = undefined;
  });

  it(
    surface === 'v1'
      ? 'delegates a task to a child whose lead (a sub-agent, max_depth 2) spawns its own teammate; the parent task is done with its evidence'
      : "delegates a task to a child whose lead cannot spawn; the parent's lead spawns the child's teammate; the parent task is done with its evidence",
    async () => {
      const facts = newFacts();
      env = await createCodexTeamEnv(
        (info) => {
          if (info.parentThreadId === undefined) return rootLead(facts, surface);
          const text = info.userTexts.join('\n');
          if (text.includes('You lead child team')) return surface === 'v1' ? childLeadV1(info, facts) : childLeadV2(info, facts);
          return childTeammate(info, facts);
        },
        { surface, ...(surface === 'v1' ? { extraConfig: '[agents]\nmax_depth = 2\n' } : {}) },
      );
      const run = await env.exec('Use a codex-team team with a child team for the parser.', { timeoutMs: 120_000 });
      expect(env.responses.errors).toEqual([]);
      expect(run.timedOut).toBe(false);
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain('LEAD-FINAL: shipped with a child team');
      expect([...env.responses.finalAnswers().values()].sort()).toEqual(
        ['CHILD-LEAD-FINAL: child team finalized', 'CID-FINAL: Build the parser done', 'LEAD-FINAL: shipped with a child team'].sort(),
      );

      // Three threads. v1: the child's lead spawned the teammate (depth 2) and had the spawn tools;
      // v2: the root spawned both, and no sub-agent had any.
      const threads = env.responses.threadInfos();
      expect(threads).toHaveLength(3);
      const root = threads.find((thread) => thread.parentThreadId === undefined);
      const childLead = threads.find((thread) => thread.userTexts.join('\n').includes('You lead child team'));
      const cid = threads.find((thread) => thread !== root && thread !== childLead);
      expect(childLead?.parentThreadId).toBe(root?.threadId);
      expect(cid?.parentThreadId).toBe(surface === 'v1' ? childLead?.threadId : root?.threadId);
      const spawnTools = surface === 'v1' ? 'multi_agent_v1' : 'collaboration';
      const childLeadRequests = env.responses.requests.filter((request) => request.threadId === childLead?.threadId);
      expect(childLeadRequests.length).toBeGreaterThan(0);
      for (const request of childLeadRequests) expect(JSON.stringify(request.body).includes(`"name":"${spawnTools}"`)).toBe(surface === 'v1');

      // The delegated task is done, with the child's summary as its result and its artifact as evidence.
      const { tasks, events, childEvents } = await readBack(env, facts);
      expect(tasks.map((task) => [task.title, task.status])).toEqual([
        ['Build the parser', 'done'],
        ['Ship it', 'done'],
      ]);
      expect(tasks[0]).toMatchObject({ delegated_to: facts.childId, owner_agent_id: null });
      expect(tasks[0]?.result).toContain(facts.summary);
      const rollup = events.find((event) => event.action === 'team.rollup');
      expect(rollup?.data['child']).toMatchObject({ team_id: facts.childId, outcome: 'done', artifact_ids: [facts.artifactId] });
      expect(facts.childLines).toEqual([expect.stringContaining('1/1 done')]);
      // The child ran its own team: its lead joined with the ticket, its teammate was spawned there
      // (by the child's lead under v1, by the parent's lead acting in the child under v2).
      const joinsAndSpawns = childEvents.filter((event) => event.action === 'agent.join' || event.action === 'agent.spawn');
      expect(joinsAndSpawns.map((event) => event.action)).toEqual(['agent.join', 'agent.spawn', 'agent.join']);
      const spawnedBy = childEvents.find((event) => event.action === 'agent.spawn')?.actor_agent_id;
      expect(spawnedBy).toBe(surface === 'v1' ? childEvents.find((event) => event.action === 'agent.join')?.actor_agent_id : facts.leadId);
      expect(childEvents.filter((event) => event.action === 'team.finalize')).toHaveLength(1);
    },
  );
});

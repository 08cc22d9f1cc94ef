import {
  ArtifactPublishOutputSchema,
  InboxOutputSchema,
  TeamJoinOutputSchema,
  TeamSpawnOutputSchema,
  TeamStartOutputSchema,
  TaskNextOutputSchema,
  TOOL_NAMES,
  type AuditEvent,
  type Task,
} from '@codex-team/contracts';
import { createCodexTeamEnv, type CodexTeamEnv } from '../testing/codex-team-env';
import { errorOf, finishedAgentIds, spawnedAgentId, ticketIn } from '../testing/program-helpers';
import { agentCall, mcpCall, type AgentProgram, type ThreadInfo, type ToolResult } from '../testing/scripted-responses';

// A real `codex exec` (npm @openai/codex) with a scripted model on loopback: the root thread plays
// the lead, every spawn_agent sub-agent plays a teammate, and each thread talks to its own real
// codex-team-mcp process over the one store file registered by `codex-team install`.

jest.setTimeout(90_000);

interface TeamFacts {
  teamId?: string;
  leadId?: string;
  leadResumeTicket?: string;
  leadTaskId?: string;
  /** Agent ids by name, as the teammates learned them from team_join. */
  agents: Map<string, string>;
  spawnInstructions: string[];
}

/** Waits on the given Codex agents until all are finished (or `rounds` waits passed). */
function* waitForAll(agentIds: readonly string[], rounds = 8): Generator<ReturnType<typeof agentCall>, void, ToolResult> {
  const pending = new Set(agentIds);
  for (let round = 0; round < rounds && pending.size > 0; round += 1) {
    const waited = yield agentCall('wait_agent', { targets: [...pending], timeout_ms: 30_000 });
    for (const id of finishedAgentIds(waited)) pending.delete(id);
  }
}

/** A teammate that joins with the ticket of its spawn message and works `tasks` tasks. */
function* teammate(info: ThreadInfo, facts: TeamFacts, tasks: number): AgentProgram {
  const ticket = ticketIn(info.userTexts);
  if (ticket === undefined) return 'no join ticket in my instructions';
  const joined = TeamJoinOutputSchema.parse((yield mcpCall('team_join', { ticket })).json);
  facts.agents.set(joined.agent.name, joined.agent.id);
  let done = 0;
  for (let polls = 0; done < tasks && polls < 400; polls += 1) {
    const next = TaskNextOutputSchema.parse((yield mcpCall('team_task_next')).json);
    if (next.claim === null) continue;
    const { task, fence } = next.claim;
    yield mcpCall('team_task_update', { task_id: task.id, fence, progress: 'halfway' });
    const published = ArtifactPublishOutputSchema.parse(
      (yield mcpCall('team_artifact_publish', { name: `notes-${task.id}`, content: `# ${task.title}\nchecked`, task_id: task.id, fence })).json,
    );
    yield mcpCall('team_task_complete', {
      task_id: task.id,
      fence,
      result: `${task.title}: done by ${joined.agent.name}, checked by review`,
      artifact_ids: [published.artifact.id],
    });
    done += 1;
  }
  yield mcpCall('team_send', { to: joined.team.lead_agent_id, body: `${joined.agent.name} finished ${done} tasks` });
  return `${joined.agent.name}: ${done} tasks done`;
}

function* lead(facts: TeamFacts): AgentProgram {
  const started = TeamStartOutputSchema.parse(
    (yield mcpCall('team_start', { name: 'e2e team', objective: 'Ship a tiny feature' })).json,
  );
  facts.teamId = started.team.id;
  facts.leadId = started.agent.id;
  yield mcpCall('team_task_create', {
    tasks: [
      { key: 'design', title: 'Design the API', required_role: 'architect' },
      { key: 'api', title: 'Build the API', required_role: 'builder', depends_on: ['design'] },
      { key: 'cli', title: 'Build the CLI', required_role: 'builder', depends_on: ['design'] },
      { key: 'review', title: 'Review the build', required_role: 'architect', depends_on: ['api', 'cli'] },
    ],
  });
  const architect = TeamSpawnOutputSchema.parse((yield mcpCall('team_spawn', { name: 'ada', role: 'architect' })).json);
  const builder = TeamSpawnOutputSchema.parse((yield mcpCall('team_spawn', { name: 'bob', role: 'builder' })).json);
  facts.spawnInstructions.push(architect.spawn_instruction, builder.spawn_instruction);
  const ada = spawnedAgentId(yield agentCall('spawn_agent', { message: architect.spawn_instruction }));
  const bob = spawnedAgentId(yield agentCall('spawn_agent', { message: builder.spawn_instruction }));
  yield* waitForAll([ada, bob]);
  const inbox = InboxOutputSchema.parse((yield mcpCall('team_inbox')).json);
  yield mcpCall('team_inbox', { ack: inbox.messages.map((message) => message.id) });
  yield mcpCall('team_finalize', { summary: inbox.messages.map((message) => message.body).join('; ') });
  yield agentCall('close_agent', { target: ada });
  yield agentCall('close_agent', { target: bob });
  return `LEAD-FINAL: team finalized with ${inbox.messages.length} reports`;
}

async function auditOf(env: CodexTeamEnv, teamId: string, until: (events: AuditEvent[]) => boolean): Promise<AuditEvent[]> {
  // The servers record disconnects as Codex shuts them down; give the last ones a moment.
  for (let attempt = 0; ; attempt += 1) {
    const store = await env.openStore();
    try {
      const events = await store.listAuditEvents(teamId as AuditEvent['team_id']);
      if (until(events) || attempt >= 50) return events;
    } finally {
      await store.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function tasksOf(env: CodexTeamEnv, teamId: string, leadId: string): Promise<Task[]> {
  const store = await env.openStore();
  try {
    const actor = { teamId: teamId as Task['team_id'], agentId: leadId as Task['created_by'] };
    return (await store.listTasks(actor, { limit: 100 })).tasks;
  } finally {
    await store.close();
  }
}

/** The `{"type": "namespace", name, tools}` entries of a request's `tools`. */
function namespacesOf(body: Record<string, unknown>): { name: string; tools: string[] }[] {
  const tools = Array.isArray(body['tools']) ? (body['tools'] as unknown[]) : [];
  return tools.flatMap((tool) => {
    const entry = tool as { type?: unknown; name?: unknown; tools?: { name?: unknown }[] };
    if (entry.type !== 'namespace' || typeof entry.name !== 'string') return [];
    return [{ name: entry.name, tools: (entry.tools ?? []).map((inner) => String(inner.name)) }];
  });
}

function countBy(events: readonly AuditEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) counts[event.action] = (counts[event.action] ?? 0) + 1;
  return counts;
}

describe('codex-team inside a real Codex (scripted model, no network)', () => {
  let env: CodexTeamEnv | undefined;
  afterEach(async () => {
    await env?.dispose();
    env = undefined;
  });

  it('runs a lead and two teammates through a task DAG to a finalized team', async () => {
    const facts: TeamFacts = { agents: new Map(), spawnInstructions: [] };
    env = await createCodexTeamEnv((info) => {
      if (info.parentThreadId === undefined) return lead(facts);
      return teammate(info, facts, 2);
    });

    const run = await env.exec('Use a codex-team team to ship a tiny feature.');
    expect(env.responses.errors).toEqual([]);
    expect(run.timedOut).toBe(false);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('LEAD-FINAL: team finalized with 2 reports');
    expect(run.stderr).toContain('mcp: team/team_start (completed)');
    expect(run.stderr).toContain('collab: SpawnAgent');
    expect(run.stderr).not.toContain('(failed)');

    // Three threads: the root and two sub-agents whose parent is the root.
    const threads = env.responses.threadInfos();
    expect(threads).toHaveLength(3);
    const root = threads.find((thread) => thread.parentThreadId === undefined);
    expect(threads.filter((thread) => thread.parentThreadId === root?.threadId)).toHaveLength(2);

    // A sub-agent's first user message is exactly the spawn_agent message.
    expect(threads.filter((thread) => thread !== root).map((thread) => thread.userTexts[0]).sort()).toEqual(
      [...facts.spawnInstructions].sort(),
    );
    // Every thread gets all our tools in the mcp__team namespace and sees the installed skill;
    // only the root gets Codex's multi_agent_v1 tools (max_depth 1).
    for (const request of env.responses.requests) {
      const namespaces = new Map(namespacesOf(request.body).map((namespace) => [namespace.name, namespace.tools]));
      expect(namespaces.get('mcp__team')?.sort()).toEqual([...TOOL_NAMES].sort());
      expect(namespaces.has('multi_agent_v1')).toBe(request.parentThreadId === undefined);
    }
    expect(JSON.stringify(env.responses.requests[0]?.body)).toContain('codex-team: Run a team of Codex agents');

    const { teamId, leadId } = facts;
    if (teamId === undefined || leadId === undefined) throw new Error('team_start did not run');
    const ada = facts.agents.get('ada');
    const bob = facts.agents.get('bob');
    const tasks = await tasksOf(env, teamId, leadId);
    expect(tasks.map((task) => [task.title, task.status, task.owner_agent_id])).toEqual([
      ['Design the API', 'done', ada],
      ['Build the API', 'done', bob],
      ['Build the CLI', 'done', bob],
      ['Review the build', 'done', ada],
    ]);

    const events = await auditOf(env, teamId, (all) => countBy(all)['agent.disconnect'] === 3);
    const counts = countBy(events);
    expect(counts).toMatchObject({
      'team.start': 1,
      'agent.spawn': 2,
      'agent.join': 2,
      'task.claim': 4,
      'task.progress': 4,
      'artifact.publish': 4,
      'task.complete': 4,
      'message.send': 2,
      'team.finalize': 1,
      'agent.disconnect': 3,
    });
    expect(events.every((event) => event.decision === 'allow')).toBe(true);
    // close_agent ends each teammate's server and codex exec's exit ends the lead's; each
    // server records its disconnect. Codex both closes stdin and sends SIGTERM, so the reason
    // recorded is whichever the server saw first.
    const disconnects = events.filter((event) => event.action === 'agent.disconnect');
    expect(disconnects).toHaveLength(3);
    expect(new Set(disconnects.map((event) => event.actor_agent_id))).toEqual(new Set([ada, bob, leadId]));
    for (const event of disconnects) expect(['received SIGTERM', 'stdin closed']).toContain(event.reason);
    for (const event of events.filter((candidate) => candidate.action === 'task.complete')) {
      const task = tasks.find((candidate) => candidate.id === event.subject_id);
      expect(event.actor_agent_id).toBe(task?.owner_agent_id);
    }
    expect(events.map((event) => event.seq)).toEqual(events.map((_event, index) => index + 1));
  });

  it('refuses a teammate acting as another agent, and the model sees the error and carries on', async () => {
    const facts: TeamFacts = { agents: new Map(), spawnInstructions: [] };
    const seen: Record<string, string | undefined> = {};
    function* intruder(info: ThreadInfo): AgentProgram {
      // 1. Join with the lead's resume ticket instead of its own join ticket.
      seen['lead ticket'] = errorOf(yield mcpCall('team_join', { ticket: facts.leadResumeTicket }))?.code;
      // 2. Act before joining at all.
      seen['unbound'] = errorOf(yield mcpCall('team_task_next'))?.code;
      const joined = TeamJoinOutputSchema.parse((yield mcpCall('team_join', { ticket: ticketIn(info.userTexts) })).json);
      // 3. Join a second time: the session is already someone.
      seen['join twice'] = errorOf(yield mcpCall('team_join', { ticket: ticketIn(info.userTexts) }))?.code;
      // 4. Complete the task the lead holds, with the lead's fence.
      seen['complete lead task'] = errorOf(
        yield mcpCall('team_task_complete', { task_id: facts.leadTaskId, fence: 1, result: 'I did it for the lead' }),
      )?.code;
      // 5. Lead-only tools are refused to a teammate.
      seen['spawn as teammate'] = errorOf(yield mcpCall('team_spawn', { name: 'mallory', role: 'worker' }))?.code;
      const next = TaskNextOutputSchema.parse((yield mcpCall('team_task_next')).json);
      if (next.claim === null) return 'nothing to do';
      yield mcpCall('team_task_complete', { task_id: next.claim.task.id, fence: next.claim.fence, result: 'own task done' });
      yield mcpCall('team_send', { to: joined.team.lead_agent_id, body: 'worker done' });
      return 'WORKER-FINAL: finished after refusals';
    }
    function* leadWithTask(): AgentProgram {
      const started = TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'guarded team' })).json);
      facts.teamId = started.team.id;
      facts.leadId = started.agent.id;
      facts.leadResumeTicket = started.resume_ticket;
      const created = yield mcpCall('team_task_create', {
        tasks: [
          { key: 'mine', title: 'Lead work', required_role: 'lead' },
          { key: 'theirs', title: 'Worker work', required_role: 'worker' },
        ],
      });
      const keys = (created.json as { keys: Record<string, string> }).keys;
      facts.leadTaskId = keys['mine'];
      const claim = yield mcpCall('team_task_claim', { task_id: keys['mine'] });
      const fence = (claim.json as { fence: number }).fence;
      const spawn = TeamSpawnOutputSchema.parse((yield mcpCall('team_spawn', { name: 'wes', role: 'worker' })).json);
      const worker = spawnedAgentId(yield agentCall('spawn_agent', { message: spawn.spawn_instruction }));
      yield* waitForAll([worker]);
      yield mcpCall('team_task_complete', { task_id: keys['mine'], fence, result: 'lead work checked' });
      yield mcpCall('team_inbox');
      // A tool error in the lead's own thread: bad input, then the proper call.
      seen['bad input'] = errorOf(yield mcpCall('team_finalize', { summary: 42 }))?.code;
      yield mcpCall('team_finalize', { summary: 'done' });
      yield agentCall('close_agent', { target: worker });
      return 'LEAD-FINAL: guarded team done';
    }
    env = await createCodexTeamEnv((info) => (info.parentThreadId === undefined ? leadWithTask() : intruder(info)));

    const run = await env.exec('Use a codex-team team, carefully.');
    expect(env.responses.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('LEAD-FINAL: guarded team done');
    expect(seen).toEqual({
      'lead ticket': 'NOT_FOUND',
      unbound: 'NOT_BOUND',
      'join twice': 'ALREADY_BOUND',
      'complete lead task': 'STALE_CLAIM',
      'spawn as teammate': 'DENIED',
      'bad input': 'INVALID_INPUT',
    });
    expect(env.responses.finalAnswers().size).toBe(2);
    expect([...env.responses.finalAnswers().values()]).toContain('WORKER-FINAL: finished after refusals');

    // The refusal reached the model as the next request's function_call_output, code included.
    const refused = env.responses.transcript.find((entry) => entry.result.call.name === 'team_task_complete' && errorOf(entry.result) !== undefined);
    expect(refused?.result.text).toContain('{"error":{"code":"STALE_CLAIM"');
    // Codex prints the root thread's calls only: the lead's refused finalize shows as failed.
    expect(run.stderr).toContain('mcp: team/team_finalize (failed)');
    expect(run.stderr).toContain('mcp: team/team_finalize (completed)');

    const { teamId, leadId } = facts;
    if (teamId === undefined || leadId === undefined) throw new Error('team_start did not run');
    const tasks = await tasksOf(env, teamId, leadId);
    const wes = tasks.find((task) => task.title === 'Worker work')?.owner_agent_id;
    expect(tasks.map((task) => [task.title, task.status])).toEqual([
      ['Lead work', 'done'],
      ['Worker work', 'done'],
    ]);
    expect(tasks[0]?.owner_agent_id).toBe(leadId);
    expect(tasks[0]?.result).toBe('lead work checked');
    expect(wes).not.toBe(leadId);
  });

  it("refuses a teammate's claim in plan mode, and lets it through once the lead switches back to default", async () => {
    const facts: TeamFacts = { agents: new Map(), spawnInstructions: [] };
    const seen: { planRefusal?: Record<string, unknown>; polls: number } = { polls: 0 };
    function* waitingWorker(info: ThreadInfo): AgentProgram {
      const joined = TeamJoinOutputSchema.parse((yield mcpCall('team_join', { ticket: ticketIn(info.userTexts) })).json);
      for (; seen.polls < 300; seen.polls += 1) {
        const result = yield mcpCall('team_task_next');
        const refused = errorOf(result);
        if (refused !== undefined) {
          if (seen.planRefusal === undefined) {
            seen.planRefusal = { code: refused.code, ...refused.details };
            yield mcpCall('team_send', { to: joined.team.lead_agent_id, body: `blocked: ${refused.message}` });
          }
          continue;
        }
        const next = TaskNextOutputSchema.parse(result.json);
        if (next.claim === null) continue;
        yield mcpCall('team_task_complete', { task_id: next.claim.task.id, fence: next.claim.fence, result: 'built after the plan' });
        return 'WORKER-FINAL: built once planning was over';
      }
      return 'WORKER-FINAL: never got to work';
    }
    function* planningLead(): AgentProgram {
      const started = TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'planned team' })).json);
      facts.teamId = started.team.id;
      facts.leadId = started.agent.id;
      yield mcpCall('team_task_create', { tasks: [{ title: 'Build it', required_role: 'worker' }] });
      const spawn = TeamSpawnOutputSchema.parse((yield mcpCall('team_spawn', { name: 'wes', role: 'worker' })).json);
      yield mcpCall('team_mode_set', { mode: 'plan', reason: 'review the design first' });
      const worker = spawnedAgentId(yield agentCall('spawn_agent', { message: spawn.spawn_instruction }));
      // Wait until the worker reports that plan mode stopped it, then end planning.
      for (let polls = 0; polls < 300; polls += 1) {
        const inbox = InboxOutputSchema.parse((yield mcpCall('team_inbox')).json);
        if (inbox.messages.some((message) => message.body.startsWith('blocked:'))) break;
      }
      yield mcpCall('team_mode_set', { mode: 'default', reason: 'design approved' });
      yield* waitForAll([worker]);
      yield mcpCall('team_finalize', { summary: 'built after planning' });
      yield agentCall('close_agent', { target: worker });
      return 'LEAD-FINAL: planned, then built';
    }
    env = await createCodexTeamEnv((info) => (info.parentThreadId === undefined ? planningLead() : waitingWorker(info)));

    const run = await env.exec('Use a codex-team team; plan before building.');
    expect(env.responses.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('LEAD-FINAL: planned, then built');
    expect([...env.responses.finalAnswers().values()]).toContain('WORKER-FINAL: built once planning was over');
    expect(seen.planRefusal).toMatchObject({ code: 'DENIED', mode: 'plan', rule: 'mode.plan:no-claims', mode_reason: 'review the design first' });
    // The model saw the refusal, naming the mode, as its tool output.
    const refusal = env.responses.transcript.find((entry) => errorOf(entry.result)?.details?.['rule'] === 'mode.plan:no-claims');
    expect(refusal?.result.text).toContain('plan mode');

    const { teamId, leadId } = facts;
    if (teamId === undefined || leadId === undefined) throw new Error('team_start did not run');
    const tasks = await tasksOf(env, teamId, leadId);
    expect(tasks.map((task) => [task.title, task.status, task.result])).toEqual([['Build it', 'done', 'built after the plan']]);
    const events = await auditOf(env, teamId, () => true);
    const modeChanges = events.filter((event) => event.action === 'mode.set');
    expect(modeChanges.map((event) => [event.actor_agent_id, (event.data['team'] as { mode: { current: string } }).mode.current])).toEqual([
      [leadId, 'plan'],
      [leadId, 'default'],
    ]);
    // The claim came after the switch back: nothing was claimed while the team planned.
    const claim = events.find((event) => event.action === 'task.claim');
    expect(claim?.seq ?? 0).toBeGreaterThan(modeChanges[1]?.seq ?? Infinity);
  });
});

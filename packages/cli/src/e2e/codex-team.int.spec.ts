import {
  ArtifactPublishOutputSchema,
  InboxOutputSchema,
  TeamJoinOutputSchema,
  TeamSpawnOutputSchema,
  TeamStartOutputSchema,
  TeamStatusOutputSchema,
  TaskNextOutputSchema,
  TOOL_NAMES,
  type AuditEvent,
  type Task,
} from '@codex-team/contracts';
import { createCodexTeamEnv, type CodexTeamEnv, type Surface } from '../testing/codex-team-env';
import { errorOf, leadSurface, letGo, ticketIn, waitForAll, type LeadSurface } from '../testing/program-helpers';
import { answerOnly, collabCall, mcpCall, type AgentProgram, type ThreadInfo } from '../testing/scripted-responses';

// A real `codex exec` (npm @openai/codex 0.171.0) with a scripted model on loopback, under both of
// Codex's multi-agent surfaces: the root thread plays the lead, every spawn_agent sub-agent plays
// a teammate, and each thread talks to its own real codex-team-mcp process over the one store file
// registered by `codex-team install`.

jest.setTimeout(90_000);

interface TeamFacts {
  teamId?: string;
  leadId?: string;
  leadResumeTicket?: string;
  leadTaskId?: string;
  /** Agent ids by name, as the teammates learned them from team_join. */
  agents: Map<string, string>;
  spawnInstructions: string[];
  spawnWith: string[];
  /** team_status hints.cap before spawning. */
  hintedCap?: number;
  /** The refusal of a 4th teammate. */
  fourth?: ReturnType<typeof errorOf>;
}

const newFacts = (): TeamFacts => ({ agents: new Map(), spawnInstructions: [], spawnWith: [] });

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

/** Tasks each teammate works, by name. */
const WORK = { ada: 2, bob: 2, tess: 1 } as const;

function* lead(facts: TeamFacts, surface: LeadSurface): AgentProgram {
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
      { key: 'tests', title: 'Test the build', required_role: 'tester', depends_on: ['api', 'cli'] },
      { key: 'review', title: 'Review the build', required_role: 'architect', depends_on: ['tests'] },
    ],
  });
  facts.hintedCap = TeamStatusOutputSchema.parse((yield mcpCall('team_status')).json).hints?.cap;
  const ids: string[] = [];
  for (const [name, role] of [['ada', 'architect'], ['bob', 'builder'], ['tess', 'tester']] as const) {
    const spawn = TeamSpawnOutputSchema.parse((yield mcpCall('team_spawn', { name, role })).json);
    facts.spawnInstructions.push(spawn.spawn_instruction);
    facts.spawnWith.push(spawn.spawn_with);
    ids.push(surface.idOf(yield surface.spawn(spawn.spawn_instruction, name)));
  }
  // A 4th teammate would pass Codex's own thread cap: codex-team refuses it first.
  facts.fourth = errorOf(yield mcpCall('team_spawn', { name: 'dee', role: 'builder' }));
  yield* waitForAll(surface, ids);
  const inbox = InboxOutputSchema.parse((yield mcpCall('team_inbox')).json);
  yield mcpCall('team_inbox', { ack: inbox.messages.map((message) => message.id) });
  yield mcpCall('team_finalize', { summary: inbox.messages.map((message) => message.body).join('; ') });
  yield* letGo(surface, ids);
  return `LEAD-FINAL: team finalized with ${inbox.messages.length} reports`;
}

async function auditOf(env: CodexTeamEnv, teamId: string, until: (events: AuditEvent[]) => boolean): Promise<AuditEvent[]> {
  // The servers record disconnects as Codex shuts them down; give the last ones a moment (a
  // server still alive after codex exec's exit is killed within it).
  for (let attempt = 0; ; attempt += 1) {
    const store = await env.openStore();
    try {
      const events = await store.listAuditEvents(teamId as AuditEvent['team_id']);
      if (until(events) || attempt >= 30) {
        if (process.env['E2E_DEBUG']) process.stderr.write(`auditOf: attempt ${attempt}\n`);
        return events;
      }
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

describe.each<Surface>(['v1', 'v2'])('codex-team inside a real Codex %s (scripted model, no network)', (surfaceName) => {
  const surface = leadSurface(surfaceName);
  let env: CodexTeamEnv | undefined;
  afterEach(async () => {
    await env?.dispose();
    env = undefined;
  });

  it("runs a lead and three teammates through a task DAG to a finalized team, never past Codex's thread cap", async () => {
    const facts = newFacts();
    env = await createCodexTeamEnv(
      (info) => {
        if (info.parentThreadId === undefined) return lead(facts, surface);
        const name = /You are (\w+),/.exec(info.userTexts.join('\n'))?.[1] as keyof typeof WORK | undefined;
        return teammate(info, facts, name === undefined ? 0 : WORK[name]);
      },
      { surface: surfaceName },
    );
    // Codex 0.171's v2 default: 4 threads per session, lead included; install plans with 3 under either surface.
    expect(env.installOutput).toContain('codex cap: 3 teammates at once (multi-agent v2 default: 4 threads per session, lead included');

    const run = await env.exec('Use a codex-team team to ship a tiny feature.');
    expect(env.responses.errors).toEqual([]);
    expect(run.timedOut).toBe(false);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('LEAD-FINAL: team finalized with 3 reports');
    expect(run.stderr).toContain('mcp: team/team_start (completed)');
    if (surfaceName === 'v1') expect(run.stderr).toContain('collab: SpawnAgent');
    // The one failed call is the 4th team_spawn, refused by codex-team naming Codex's cap.
    expect(run.stderr.match(/\(failed\)/g)).toHaveLength(1);
    expect(run.stderr).toContain('mcp: team/team_spawn (failed)');
    expect(facts.hintedCap).toBe(3);
    expect(facts.fourth).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { thread_cap: 3, used: 3 } });
    expect(facts.fourth?.message).toContain("Codex's thread cap allows 3 teammates at once (multi-agent v2 default");
    expect(facts.spawnWith[0]).toContain('collaboration (v2): spawn_agent {"task_name": "ada"');

    // Four threads: the root and three sub-agents whose parent is the root.
    const threads = env.responses.threadInfos();
    expect(threads).toHaveLength(4);
    const root = threads.find((thread) => thread.parentThreadId === undefined);
    expect(threads.filter((thread) => thread.parentThreadId === root?.threadId)).toHaveLength(3);

    // A sub-agent's first message is exactly the spawn_agent message (v2 carries it as an agent_message).
    expect(threads.filter((thread) => thread !== root).map((thread) => thread.userTexts[0]).sort()).toEqual(
      [...facts.spawnInstructions].sort(),
    );
    // Every thread gets all our tools in the mcp__team namespace and sees the installed skill;
    // only the root gets Codex's multi-agent tools (v1 max_depth 1; v2 sub-agents get none).
    const ownNamespace = surfaceName === 'v1' ? 'multi_agent_v1' : 'collaboration';
    for (const request of env.responses.requests) {
      const namespaces = new Map(namespacesOf(request.body).map((namespace) => [namespace.name, namespace.tools]));
      expect(namespaces.get('mcp__team')?.sort()).toEqual([...TOOL_NAMES].sort());
      expect(namespaces.has(ownNamespace)).toBe(request.parentThreadId === undefined);
      expect(namespaces.has(surfaceName === 'v1' ? 'collaboration' : 'multi_agent_v1')).toBe(false);
    }
    expect(JSON.stringify(env.responses.requests[0]?.body)).toContain('codex-team: Run a team of Codex agents');

    const { teamId, leadId } = facts;
    if (teamId === undefined || leadId === undefined) throw new Error('team_start did not run');
    const [ada, bob, tess] = (['ada', 'bob', 'tess'] as const).map((name) => facts.agents.get(name));
    const tasks = await tasksOf(env, teamId, leadId);
    expect(tasks.map((task) => [task.title, task.status, task.owner_agent_id])).toEqual([
      ['Design the API', 'done', ada],
      ['Build the API', 'done', bob],
      ['Build the CLI', 'done', bob],
      ['Test the build', 'done', tess],
      ['Review the build', 'done', ada],
    ]);

    const events = await auditOf(env, teamId, (all) => countBy(all)['agent.disconnect'] === 4);
    const counts = countBy(events);
    process.stderr.write(`disconnects recorded at exit: ${counts['agent.disconnect'] ?? 0} of 4\n`);
    expect(counts).toMatchObject({
      'team.start': 1,
      'agent.spawn': 3,
      'agent.join': 3,
      'task.claim': 5,
      'task.progress': 5,
      'artifact.publish': 5,
      'task.complete': 5,
      'message.send': 3,
      'team.finalize': 1,
    });
    expect(events.every((event) => event.decision === 'allow')).toBe(true);
    // v1: close_agent ends each teammate's server; v2 has no close_agent, so codex exec's exit
    // ends every server, the lead's too. Codex both closes stdin and sends SIGTERM, so the reason
    // recorded is whichever the server saw first. Codex SIGKILLs the server some 40 ms later
    // (docs/codex.md): a server the machine's load holds up past that records nothing, which is
    // why recovery's lease, not the disconnect, is what liveness rests on. So each disconnect on
    // record is one of the team's four agents, once; how many made it is printed above.
    const disconnects = events.filter((event) => event.action === 'agent.disconnect');
    expect(disconnects.length).toBeGreaterThan(0);
    expect(new Set(disconnects.map((event) => event.actor_agent_id)).size).toBe(disconnects.length);
    for (const event of disconnects) expect([ada, bob, tess, leadId]).toContain(event.actor_agent_id);
    for (const event of disconnects) expect(['received SIGTERM', 'stdin closed']).toContain(event.reason);
    for (const event of events.filter((candidate) => candidate.action === 'task.complete')) {
      const task = tasks.find((candidate) => candidate.id === event.subject_id);
      expect(event.actor_agent_id).toBe(task?.owner_agent_id);
    }
    expect(events.map((event) => event.seq)).toEqual(events.map((_event, index) => index + 1));
  });

  it('refuses a teammate acting as another agent, and the model sees the error and carries on', async () => {
    const facts = newFacts();
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
      const claim = yield mcpCall('team_task_next', { task_id: keys['mine'] });
      const fence = (claim.json as { claim: { fence: number } }).claim.fence;
      const spawn = TeamSpawnOutputSchema.parse((yield mcpCall('team_spawn', { name: 'wes', role: 'worker' })).json);
      const worker = surface.idOf(yield surface.spawn(spawn.spawn_instruction, 'wes'));
      yield* waitForAll(surface, [worker]);
      yield mcpCall('team_task_complete', { task_id: keys['mine'], fence, result: 'lead work checked' });
      yield mcpCall('team_inbox');
      // A tool error in the lead's own thread: bad input, then the proper call.
      seen['bad input'] = errorOf(yield mcpCall('team_finalize', { summary: 42 }))?.code;
      yield mcpCall('team_finalize', { summary: 'done' });
      yield* letGo(surface, [worker]);
      return 'LEAD-FINAL: guarded team done';
    }
    env = await createCodexTeamEnv((info) => (info.parentThreadId === undefined ? leadWithTask() : intruder(info)), { surface: surfaceName });

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
    const facts = newFacts();
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
      yield mcpCall('team_mode', { mode: 'plan', reason: 'review the design first' });
      const worker = surface.idOf(yield surface.spawn(spawn.spawn_instruction, 'wes'));
      // Wait until the worker reports that plan mode stopped it, then end planning.
      for (let polls = 0; polls < 300; polls += 1) {
        const inbox = InboxOutputSchema.parse((yield mcpCall('team_inbox')).json);
        if (inbox.messages.some((message) => message.body.startsWith('blocked:'))) break;
      }
      yield mcpCall('team_mode', { mode: 'default', reason: 'design approved' });
      yield* waitForAll(surface, [worker]);
      yield mcpCall('team_finalize', { summary: 'built after planning' });
      yield* letGo(surface, [worker]);
      return 'LEAD-FINAL: planned, then built';
    }
    env = await createCodexTeamEnv((info) => (info.parentThreadId === undefined ? planningLead() : waitingWorker(info)), {
      surface: surfaceName,
    });

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

describe('a multi-agent v2 teammate that Codex evicts', () => {
  let env: CodexTeamEnv | undefined;
  afterEach(async () => {
    await env?.dispose();
    env = undefined;
  });

  it('is a disconnect like any other: its claim goes back through recovery and a new teammate completes the task', async () => {
    const surface = leadSurface('v2');
    const seen: { annEnded: boolean; refused?: ReturnType<typeof errorOf>; annState?: string; recovered?: unknown; teamId?: string; leadId?: string } = {
      annEnded: false,
    };
    function* lead(): AgentProgram {
      const started = TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'evictions' })).json);
      seen.teamId = started.team.id;
      seen.leadId = started.agent.id;
      yield mcpCall('team_task_create', { tasks: [{ title: 'Fix the bug', required_role: 'worker' }] });
      const ann = TeamSpawnOutputSchema.parse((yield mcpCall('team_spawn', { name: 'ann', role: 'worker' })).json);
      yield surface.spawn(ann.spawn_instruction, 'ann');
      for (let polls = 0; polls < 300 && !seen.annEnded; polls += 1) yield mcpCall('team_status');
      // Codex's cap (1 teammate here) is full: codex-team refuses a second teammate first.
      seen.refused = errorOf(yield mcpCall('team_spawn', { name: 'bob', role: 'worker' }));
      // Codex needs a slot for another sub-agent, so it evicts the finished ann: her server ends.
      yield collabCall('spawn_agent', { task_name: 'helper', message: 'summarize the repository', fork_turns: 'none' });
      for (let polls = 0; polls < 300; polls += 1) {
        const status = TeamStatusOutputSchema.parse((yield mcpCall('team_status')).json);
        seen.annState = status.agents.find((agent) => agent.name === 'ann')?.state;
        if (seen.annState !== 'active') break;
      }
      seen.recovered = (yield mcpCall('team_recover')).json;
      const bob = TeamSpawnOutputSchema.parse((yield mcpCall('team_spawn', { name: 'bob', role: 'worker' })).json);
      const bobId = surface.idOf(yield surface.spawn(bob.spawn_instruction, 'bob'));
      yield* waitForAll(surface, [bobId]);
      yield mcpCall('team_finalize', { summary: 'fixed after an eviction' });
      return 'LEAD-FINAL: fixed after an eviction';
    }
    function* ann(info: ThreadInfo): AgentProgram {
      yield mcpCall('team_join', { ticket: ticketIn(info.userTexts) });
      yield mcpCall('team_task_next');
      seen.annEnded = true;
      return 'ANN: stopping, still holding the claim';
    }
    function* bob(info: ThreadInfo): AgentProgram {
      yield mcpCall('team_join', { ticket: ticketIn(info.userTexts) });
      for (let polls = 0; polls < 300; polls += 1) {
        const next = TaskNextOutputSchema.parse((yield mcpCall('team_task_next')).json);
        if (next.claim === null) continue;
        yield mcpCall('team_task_complete', { task_id: next.claim.task.id, fence: next.claim.fence, result: 'fixed and tested' });
        return 'BOB-FINAL: fixed';
      }
      return 'BOB-FINAL: nothing came back';
    }
    env = await createCodexTeamEnv(
      (info) => {
        if (info.parentThreadId === undefined) return lead();
        const text = info.userTexts.join('\n');
        if (text.includes('You are ann')) return ann(info);
        if (text.includes('You are bob')) return bob(info);
        return answerOnly('HELPER: done');
      },
      { surface: 'v2', threadsPerSession: 2, serverArgs: ['--grace-ms', '100', '--sweep-ms', '250'] },
    );
    expect(env.installOutput).toContain('codex cap: 1 teammate at once (multi-agent v2 max_concurrent_threads_per_session 2, lead included');
    const run = await env.exec('Use a codex-team team to fix the bug.');
    expect(env.responses.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('LEAD-FINAL: fixed after an eviction');
    expect(seen.refused).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { thread_cap: 1, used: 1 } });
    expect(seen.refused?.message).toContain("Codex's thread cap allows 1 teammate at once");
    expect(seen.annState).toBe('disconnected');

    const { teamId, leadId } = seen;
    if (teamId === undefined || leadId === undefined) throw new Error('team_start did not run');
    const tasks = await tasksOf(env, teamId, leadId);
    const events = await auditOf(env, teamId, () => true);
    const agentOf = (name: string): string | null | undefined =>
      events.find((event) => event.action === 'agent.join' && (event.data['agent'] as { name?: string } | undefined)?.name === name)?.actor_agent_id;
    expect(tasks.map((task) => [task.title, task.status, task.owner_agent_id, task.fence])).toEqual([['Fix the bug', 'done', agentOf('bob'), 2]]);
    // Ann's server saw Codex end it, recorded the disconnect, and recovery handed her claim on.
    const annDisconnect = events.find((event) => event.action === 'agent.disconnect' && event.actor_agent_id === agentOf('ann'));
    expect(['received SIGTERM', 'stdin closed']).toContain(annDisconnect?.reason);
    const requeued = events.filter((event) => event.action === 'task.recover' && event.subject_id === tasks[0]?.id);
    expect(requeued.length).toBeGreaterThan(0);
    expect(requeued[0]?.seq ?? 0).toBeGreaterThan(annDisconnect?.seq ?? Infinity);
  });
});

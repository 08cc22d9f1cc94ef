import { TOOL_CONTRACTS, TOOL_NAMES, type AuthzDecision, type ErrorCode, type TeamId, type ToolName } from '@codex-team/contracts';
import type { Actor } from '@codex-team/store';
import { InProcessTeam, type InProcessSession } from './testing/in-process-team';
import { errorBodyOf } from './testing/tool-caller';

jest.setTimeout(120_000);

/** Codes any tool may answer besides its declared ones (ToolContract.errors). */
const ANY_TOOL: readonly ErrorCode[] = ['INTERNAL', 'BUSY'];
const USAGE = { input_tokens: 120, output_tokens: 30, cached_input_tokens: 20 };

/** One team to call a tool in: its lead, a teammate holding work, an unbound session. */
interface World {
  team: InProcessTeam;
  teamId: TeamId;
  lead: InProcessSession;
  leadActor: Actor;
  mate: InProcessSession;
  mateActor: Actor;
  fresh: InProcessSession;
}

/** One call of a case: who calls with what, and whether it must succeed or with which code it fails. */
interface Call {
  who: 'lead' | 'mate' | 'fresh';
  args: Record<string, unknown>;
  expect: 'ok' | ErrorCode;
}

type Case = (world: World) => Promise<Call>;

let created = 0;
const unique = (prefix: string): string => `${prefix}${(created += 1)}`;

async function task(world: World, extra: Record<string, unknown> = {}): Promise<string> {
  const out = await world.lead.caller.ok('team_task_create', { tasks: [{ title: unique('task-'), ...extra }] });
  return out.ids[0] ?? '';
}

/** A task the teammate holds: its id and fence. */
async function held(world: World, extra: Record<string, unknown> = {}): Promise<{ task_id: string; fence: number }> {
  const taskId = await task(world, extra);
  const claim = (await world.mate.caller.ok('team_task_next', { task_id: taskId })).claim!;
  return { task_id: taskId, fence: claim.fence };
}

/** A child team of the world's team whose lead the world's lead plays; its id and its one ready task. */
async function child(world: World, options: { ticket?: boolean } = {}): Promise<{ id: string; task: string }> {
  const started = await world.team.store.startChild(world.leadActor, {
    tasks: [await task(world)],
    ...(options.ticket === true ? { leadTicketHash: unique('lead-ticket-') } : {}),
  });
  return { id: started.team.id, task: started.task_ids[0] ?? '' };
}

async function artifact(world: World, plan = false): Promise<string> {
  return (await world.mate.caller.ok('team_artifact_publish', { name: unique('notes-'), content: 'x', plan })).artifact.id;
}

const ok = (who: Call['who'], args: Record<string, unknown> = {}): Call => ({ who, args, expect: 'ok' });
const refused = (who: Call['who'], expect: ErrorCode, args: Record<string, unknown> = {}): Call => ({ who, args, expect });

/**
 * For every tool of the catalog: calls that succeed without and with its optional inputs, and calls
 * the tool refuses. A tool missing here, or an optional input no call uses, fails the suite.
 */
const CASES: Record<ToolName, Case[]> = {
  team_start: [
    async () => ok('fresh', { name: unique('team-') }),
    async () => ok('fresh', { name: unique('team-'), objective: 'all of it', max_threads: 2, profile: 'fast', lead_name: 'boss' }),
    async () => refused('fresh', 'NOT_FOUND', { name: unique('team-'), profile: 'turbo' }),
    async () => refused('fresh', 'INVALID_INPUT', { name: unique('team-'), profile: 'fast', max_threads: 6 }),
  ],
  team_status: [
    async () => ok('lead'),
    async () => ok('mate'),
    async (w) => ok('lead', { team: (await child(w)).id }),
    async (w) => refused('mate', 'DENIED', { team: (await child(w)).id }),
    async () => refused('lead', 'NOT_FOUND', { team: 'tm_zzzzzzzz' }),
    async () => refused('fresh', 'NOT_BOUND'),
  ],
  team_finalize: [
    async (w) => (await task(w), refused('lead', 'CONFLICT', { summary: 'too early' })),
    async () => refused('mate', 'DENIED', { summary: 'not mine' }),
    async (w) => ok('lead', { summary: 'cancelled', force: true, team: (await child(w)).id }),
    async () => ok('lead', { summary: 'stopping', force: true }),
  ],
  team_resume: [
    async () => refused('fresh', 'NOT_FOUND', { ticket: `resume_${'a'.repeat(32)}` }),
    // A teammate coming back into a team whose one slot another took meanwhile.
    async (w) => {
      const lead = await w.team.connect();
      const started = await lead.caller.ok('team_start', { name: unique('full-'), max_threads: 1 });
      const ann = await w.team.joinTeammate(lead, 'ann', 'implementer');
      const binding = ann.mate.session.binding;
      if (binding === null) throw new Error('ann is not bound');
      await w.team.store.disconnectAgent(binding, 'gone');
      await w.team.joinTeammate(lead, 'bob', 'implementer');
      expect(started.team.max_threads).toBe(1);
      return refused('fresh', 'LIMIT_EXCEEDED', { ticket: ann.joined.resume_ticket });
    },
  ],
  team_spawn: [
    async () => ok('lead', { name: unique('s-'), role: 'tester' }),
    async () => ok('lead', { name: unique('s-'), role: 'tester', permission_profile: 'observer' }),
    async (w) => {
      const name = unique('s-');
      await w.lead.caller.ok('team_spawn', { name, role: 'tester' });
      return refused('lead', 'CONFLICT', { name, role: 'tester' });
    },
    async () => refused('mate', 'DENIED', { name: unique('s-'), role: 'tester' }),
    // A fresh thread for ann: a new resume ticket; a name the team does not know has none to restart.
    async () => ok('lead', { name: 'ann', role: 'implementer', restart: true }),
    async () => refused('lead', 'NOT_FOUND', { name: unique('nobody-'), role: 'tester', restart: true }),
    async (w) => ok('lead', { name: unique('s-'), role: 'tester', team: (await child(w)).id }),
  ],
  team_join: [
    async (w) => {
      const spawned = await w.lead.caller.ok('team_spawn', { name: unique('j-'), role: 'tester' });
      await (await w.team.connect()).caller.ok('team_join', { ticket: spawned.join_ticket });
      return refused('fresh', 'NOT_FOUND', { ticket: spawned.join_ticket });
    },
  ],
  team_task_create: [
    async () => ok('lead', { tasks: [{ title: 'a' }] }),
    async (w) => ok('lead', { tasks: [{ title: 'in the child' }], team: (await child(w)).id }),
    async () => ok('lead', { tasks: [{ title: 'risky', risk: 'high' }] }),
    async () => refused('lead', 'CYCLE_DETECTED', { tasks: [{ key: 'a', title: 'a', depends_on: ['b'] }, { key: 'b', title: 'b', depends_on: ['a'] }] }),
  ],
  team_task_list: [
    async () => ok('lead'),
    async (w) => ok('lead', { status: ['ready'], owner_agent_id: w.leadActor.agentId, after: await task(w), limit: 5 }),
    async (w) => (await task(w, { required_role: 'implementer' }), ok('mate', { role: 'implementer', ready: true, full: true })),
    async (w) => ok('mate', { task_id: await task(w) }),
    async (w) => ok('lead', { team: (await child(w)).id }),
    async () => refused('lead', 'INVALID_INPUT', { after: 'tk_zzzzzzzz' }),
    async () => refused('lead', 'NOT_FOUND', { task_id: 'tk_zzzzzzzz' }),
  ],
  team_task_next: [
    async (w) => (await task(w), ok('mate')),
    async () => refused('fresh', 'NOT_BOUND'),
    async (w) => ok('mate', { task_id: await task(w) }),
    async () => refused('mate', 'NOT_FOUND', { task_id: 'tk_zzzzzzzz' }),
  ],
  team_task_update: [
    async (w) => ok('mate', { ...(await held(w)), progress: 'halfway' }),
    async (w) => ok('lead', { task_id: await task(w), title: 't', description: 'd', priority: 3, required_role: 'tester' }),
    async (w) => ok('lead', { task_id: await task(w), cancel: true }),
    async (w) => ok('lead', { task_id: (await held(w)).task_id, risk: 'medium' }),
    async (w) => ok('lead', { task_id: (await held(w)).task_id, review: 'approve' }),
    async (w) => refused('mate', 'DENIED', { task_id: (await held(w)).task_id, review: 'approve' }),
    async (w) => refused('mate', 'DENIED', { task_id: await task(w), risk: 'low' }),
    async (w) => {
      const { id, task: theirs } = await child(w);
      return ok('lead', { task_id: theirs, title: 'renamed in the child', team: id });
    },
    async (w) => {
      const claim = await held(w);
      return refused('mate', 'STALE_CLAIM', { ...claim, fence: claim.fence + 1, progress: 'late' });
    },
  ],
  team_task_complete: [
    async (w) => ok('mate', { ...(await held(w)), result: 'done, checked' }),
    async (w) => ok('mate', { ...(await held(w)), result: 'could not', outcome: 'failed', artifact_ids: [await artifact(w)], usage: USAGE }),
    // The review's case: a refused completion with usage leaves one decision, the refusal.
    async (w) => {
      const claim = await held(w);
      return refused('mate', 'STALE_CLAIM', { ...claim, fence: claim.fence + 1, result: 'stale', usage: USAGE });
    },
    // A quality gate of the profile blocks: medium risk needs evidence and a review (one record, the block).
    async (w) => refused('mate', 'HOOK_BLOCKED', { ...(await held(w, { risk: 'medium' })), result: 'no proof', usage: USAGE }),
  ],
  team_task_release: [
    async (w) => ok('mate', { ...(await held(w)), reason: 'blocked' }),
    async (w) => {
      const claim = await held(w);
      return refused('mate', 'STALE_CLAIM', { ...claim, fence: claim.fence + 1, reason: 'stale' });
    },
  ],
  team_send: [
    async () => ok('mate', { to: '*', body: 'hi' }),
    async (w) => ok('mate', { to: w.leadActor.agentId, body: 'about it', artifact_refs: [await artifact(w)], idempotency_key: unique('k-'), ...(await held(w)) }),
    async () => ok('lead', { to: '*', body: 'agreed', consensus: true }),
    async () => refused('mate', 'NOT_FOUND', { to: 'ag_zzzzzzzz', body: 'nobody' }),
    async () => refused('mate', 'DENIED', { to: '*', body: 'we agree', consensus: true }),
    async (w) => ok('lead', { to: '*', body: 'to my child team', team: (await child(w)).id }),
    async (w) => refused('lead', 'DENIED', { to: '*', body: 'to all of them', team: (await child(w, { ticket: true })).id }),
  ],
  team_inbox: [
    async () => ok('lead'),
    async (w) => {
      const sent = await w.mate.caller.ok('team_send', { to: w.leadActor.agentId, body: 'ping' });
      return ok('lead', { ack: [sent.message_id], limit: 5, usage: USAGE });
    },
    async () => refused('lead', 'NOT_FOUND', { ack: ['ms_zzzzzzzz'], usage: USAGE }),
    async (w) => ok('lead', { team: (await child(w)).id }),
  ],
  team_artifact_publish: [
    async () => ok('mate', { name: unique('a-'), content: 'c' }),
    async () => ok('mate', { name: unique('a-'), content: 'c', tests: true }),
    async (w) => ok('mate', { name: unique('a-'), content: 'c', media_type: 'text/markdown', plan: true, ...(await held(w)) }),
    async (w) => {
      const claim = await held(w);
      return refused('mate', 'STALE_CLAIM', { name: unique('a-'), content: 'c', ...claim, fence: claim.fence + 1 });
    },
  ],
  team_artifact_read: [
    async (w) => ok('lead', { artifact_id: await artifact(w) }),
    async (w) => {
      const name = unique('a-');
      await w.mate.caller.ok('team_artifact_publish', { name, content: 'v1' });
      return ok('lead', { name, version: 1, offset: 1 });
    },
    async (w) => refused('lead', 'INVALID_INPUT', { artifact_id: await artifact(w), offset: 5 }),
    async () => refused('lead', 'NOT_FOUND', { name: 'missing' }),
    async (w) => {
      const { id } = await child(w);
      const lead = (await w.team.store.readTeam(id as TeamId)).team.lead_agent_id;
      await w.team.store.publishArtifact({ teamId: id as TeamId, agentId: lead }, { name: 'child-notes', content: 'c', media_type: 'text/plain', plan: false });
      return ok('lead', { name: 'child-notes', team: id });
    },
  ],
  team_artifact_list: [
    async () => ok('lead'),
    async () => ok('lead', { name: 'missing' }),
    async (w) => refused('mate', 'DENIED', { team: (await child(w)).id }),
    async (w) => ok('lead', { team: (await child(w)).id }),
    async () => refused('fresh', 'NOT_BOUND'),
  ],
  team_policy: [
    async () => ok('mate'),
    async () => refused('fresh', 'NOT_BOUND'),
    async () => ok('lead', { profile: 'deep' }),
    async () => refused('lead', 'NOT_FOUND', { profile: 'turbo' }),
    async () => refused('mate', 'DENIED', { profile: 'fast' }),
  ],
  team_run_summary: [
    async () => ok('lead'),
    async () => refused('fresh', 'NOT_BOUND'),
    async () => ok('lead', { log: 'audit' }),
    async () => ok('lead', { after_seq: 1, limit: 5, log: 'decisions' }),
    async () => refused('mate', 'DENIED', { log: 'audit' }),
  ],
  team_mode: [
    async () => ok('lead'),
    async () => refused('mate', 'DENIED'),
    async () => refused('lead', 'INVALID_INPUT', { reason: 'no mode to go with' }),
    async () => ok('lead', { mode: 'plan', reason: 'think first' }),
    async () => ok('lead', { mode: 'delegate', reason: 'briefly', ttl_ms: 60_000 }),
    async () => refused('lead', 'CONFLICT', { mode: 'delegate', reason: 'already' }),
  ],
  team_plan: [
    async (w) => ok('mate', { action: 'submit', artifact_id: await artifact(w, true) }),
    async (w) => {
      const plan = await artifact(w, true);
      await w.mate.caller.ok('team_plan', { action: 'submit', artifact_id: plan });
      return ok('lead', { action: 'approve', artifact_id: plan, reason: 'good' });
    },
    async (w) => {
      const plan = await artifact(w, true);
      await w.mate.caller.ok('team_plan', { action: 'submit', artifact_id: plan });
      return refused('mate', 'CONFLICT', { action: 'submit', artifact_id: plan });
    },
  ],
  team_heartbeat: [
    async () => ok('mate'),
    async (w) => ok('mate', { tasks: [await held(w)] }),
    async (w) => {
      const claim = await held(w);
      return refused('mate', 'STALE_CLAIM', { tasks: [{ ...claim, fence: claim.fence + 1 }] });
    },
  ],
  team_recover: [async () => ok('lead'), async () => refused('mate', 'DENIED')],
  team_checkpoint: [async () => ok('lead'), async () => ok('lead'), async () => refused('mate', 'DENIED')],
  team_brief: [async () => ok('mate'), async () => ok('lead'), async () => refused('fresh', 'NOT_BOUND')],
  team_child: [
    async (w) => ok('lead', { action: 'start', tasks: [await task(w)] }),
    async (w) => {
      const { id, task: theirs } = await child(w);
      return ok('lead', { action: 'start', tasks: [theirs], lead: 'ticket', tokens: 1_000, team: id });
    },
    async (w) => ok('lead', { action: 'takeover', team: (await child(w, { ticket: true })).id }),
    async (w) => refused('lead', 'CONFLICT', { action: 'takeover', team: (await child(w)).id }),
    async (w) => refused('lead', 'CONFLICT', { action: 'start', tasks: [(await held(w)).task_id] }),
    async (w) => refused('lead', 'LIMIT_EXCEEDED', { action: 'start', tasks: [await task(w)], tokens: 999_999_999 }),
    async () => refused('lead', 'NOT_FOUND', { action: 'takeover', team: 'tm_zzzzzzzz' }),
    async () => refused('lead', 'INVALID_INPUT', { action: 'start' }),
    async (w) => refused('mate', 'DENIED', { action: 'start', tasks: [await task(w)] }),
  ],
};

// team_resume is covered with a real ticket below (its case above only refuses): a resume ticket is
// handed out by start and join, so the allowed call needs a session of its own.
const RESUME_OK: Case = async (w) => {
  const session = await w.team.connect();
  const started = await session.caller.ok('team_start', { name: unique('resumed-') });
  await session.close();
  return ok('fresh', { ticket: started.resume_ticket });
};

/** Input fields a call may leave out (optional or defaulted), from the tool's own schema. */
function optionalInputs(tool: ToolName): string[] {
  const schema = TOOL_CONTRACTS[tool].input as unknown as { shape?: Record<string, { safeParse(value: unknown): { success: boolean } }>; def?: { in?: unknown } };
  const shape = schema.shape ?? (schema.def?.in as { shape?: Record<string, { safeParse(value: unknown): { success: boolean } }> } | undefined)?.shape ?? {};
  return Object.entries(shape)
    .filter(([, field]) => field.safeParse(undefined).success)
    .map(([key]) => key);
}

async function allDecisions(team: InProcessTeam): Promise<AuthzDecision[]> {
  const teams = await team.store.listTeams();
  const lists = await Promise.all([...teams.map((t) => team.store.listAuthzDecisions({ teamId: t.id })), team.store.listAuthzDecisions({ teamId: null })]);
  return lists.flat();
}

async function openWorld(): Promise<World> {
  const team = await InProcessTeam.open();
  const { lead, started } = await team.startTeam({ name: unique('world-') });
  const { mate, joined } = await team.joinTeammate(lead, 'ann', 'implementer');
  return {
    team,
    teamId: started.team.id,
    lead,
    leadActor: { teamId: started.team.id, agentId: started.agent.id },
    mate,
    mateActor: { teamId: started.team.id, agentId: joined.agent.id },
    fresh: await team.connect(),
  };
}

describe('one tool call, one decision record with its real outcome, for every tool of the catalog', () => {
  it('has cases for every tool, using every optional input at least once', () => {
    expect(Object.keys(CASES).sort()).toEqual([...TOOL_NAMES].sort());
  });

  it.each(TOOL_NAMES.map((tool) => [tool] as const))('%s', async (tool) => {
    const world = await openWorld();
    try {
      const used = new Set<string>();
      const answered = new Set<string>();
      const cases = tool === 'team_resume' ? [RESUME_OK, ...CASES[tool]] : CASES[tool];
      for (const [index, make] of cases.entries()) {
        const call = await make(world);
        for (const key of Object.keys(call.args)) used.add(key);
        // A fresh session for each unbound call: a session binds once.
        const session = call.who === 'fresh' ? await world.team.connect() : world[call.who];
        const before = new Set((await allDecisions(world.team)).map((d) => d.seq));
        const result = await session.caller.call(tool, call.args);
        const outcome = result.isError === true ? errorBodyOf(tool, result).code : 'ok';
        const added = (await allDecisions(world.team)).filter((d) => !before.has(d.seq));
        const where = `${tool} case ${index} (${JSON.stringify(call.args).slice(0, 120)})`;
        expect({ where, outcome }).toEqual({ where, outcome: call.expect });
        expect({ where, decisions: added.map((d) => [d.tool, d.outcome]) }).toEqual({ where, decisions: [[tool, outcome]] });
        if (outcome !== 'ok') {
          answered.add(outcome);
          expect({ where, declared: [...TOOL_CONTRACTS[tool].errors, ...ANY_TOOL].includes(outcome as ErrorCode) }).toEqual({ where, declared: true });
        }
      }
      expect({ tool, unused: optionalInputs(tool).filter((key) => !used.has(key)) }).toEqual({ tool, unused: [] });
      expect({ tool, refusals: answered.size > 0 }).toEqual({ tool, refusals: true });
    } finally {
      await world.team.close();
    }
  });

  it('charges the usage of a refused completion, and records only the refusal', async () => {
    const world = await openWorld();
    try {
      const claim = await held(world);
      const refusedBody = errorBodyOf(
        'team_task_complete',
        await world.mate.caller.call('team_task_complete', { ...claim, fence: claim.fence + 1, result: 'stale', usage: USAGE }),
      );
      expect(refusedBody.code).toBe('STALE_CLAIM');
      const decisions = await world.team.store.listAuthzDecisions({ teamId: world.teamId });
      const completions = decisions.filter((d) => d.tool === 'team_task_complete');
      expect(completions.map((d) => [d.decision, d.outcome])).toEqual([['allow', 'STALE_CLAIM']]);
      // The tokens were spent: the refused call's transaction charged them, and its record covers that event.
      const events = await world.team.store.listAuditEvents(world.teamId);
      const usage = events.filter((e) => e.action === 'usage.report');
      expect(usage).toHaveLength(1);
      expect(completions[0]?.audit_seqs).toEqual({ first: usage[0]?.seq, last: usage[0]?.seq });
      expect((await world.team.store.readTeam(world.teamId)).used_tokens).toBe(150);
    } finally {
      await world.team.close();
    }
  });
});

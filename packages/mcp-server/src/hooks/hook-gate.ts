import { type HookEventName, type HookInput, type HookSubject, type Profile, type Task, type Team, type TeamRef, type ToolName } from '@codex-team/contracts';
import { HookEngine, HookRegistry, auditedRun, hookBlockError, hookEventName, hookSubjectOfTool, type HookOutcome, type RegisteredHook } from '@codex-team/hooks';
import { notCountedAgainstBusyDeadline, type BoundAgent, type CallAuthorization, type TeamStore } from '@codex-team/store';
import type { Logger } from 'pino';
import { teamArgument } from '../authorize';
import type { PolicyEnv } from '../policy-env';
import { hashTicket } from '../runtime';

/** Who and what a call is about, as its hooks see it. */
interface HookContext {
  subject: HookSubject;
  tool: ToolName;
  team: HookInput['team'];
  profile: Profile | null;
  agent: { id: string; name: string; role: string } | null;
  /** The role matchers test: the agent's, or `lead` for team_start. */
  role: string | null;
  task: Task | null;
  input: Record<string, unknown>;
}

/** What the Post hooks of a call need, kept from its Pre phase. */
export interface PostHooks {
  context: HookContext;
  bound: BoundAgent | null;
}

/** One call as the gate sees it, after validation, authorization and input masking. */
export interface GatedCall {
  tool: ToolName;
  /** The parsed and masked arguments. */
  input: unknown;
  /** The verified caller; null for team_start, team_join and team_resume. */
  bound: BoundAgent | null;
  authorization: CallAuthorization;
}

export interface HookGateOptions {
  registry: HookRegistry;
  engine: HookEngine;
  store: TeamStore;
  policy: PolicyEnv;
  logger: Logger;
  /** Test only (an injected fault, ServerDeps.faults): a block is logged, not enforced. @default false */
  ignoreBlocks?: boolean;
}

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** The task a call's arguments or answer name. */
function taskIdOf(input: Record<string, unknown>): string | null {
  return typeof input['task_id'] === 'string' ? input['task_id'] : null;
}

/** The id of the task an answer names (`task`, or `claim.task`): answers carry short rows, not whole tasks. */
function taskIdOfOutput(output: Record<string, unknown>): string | null {
  const claim = asRecord(output['claim']);
  const id = asRecord(output['task'] ?? claim['task'])['id'];
  return typeof id === 'string' ? id : null;
}

/** The team as hooks see it, from the whole row or the short row an answer carries. */
function hookTeam(team: Team | TeamRef): NonNullable<HookInput['team']> {
  const mode = typeof team.mode === 'string' ? team.mode : team.mode.current;
  return { id: team.id, name: team.name, profile: team.profile, mode, ...(team.parent_team_id === undefined ? {} : { parent_team_id: team.parent_team_id }) };
}

function hookTask(task: Task | null): HookInput['task'] {
  if (task === null) return null;
  const { id, title, status, risk, required_role, owner_agent_id, fence } = task;
  return { id, title, status, risk, required_role, owner_agent_id, fence };
}

/**
 * The lifecycle hooks around one tool call, in mcp-server: the Pre hooks of the call's event run
 * after validation and authorization and outside any transaction, concurrently, while this process
 * keeps answering other calls; a block is recorded (TeamStore.recordHookBlock: the `hook.block`
 * row and the call's one decision record) and answered HOOK_BLOCKED, and nothing else changes.
 * Otherwise the operation runs and its write re-checks state, owner and fence in its own
 * transaction, so a slow hook can only make a call fail, never act on stale state. The Post hooks
 * run after it and never change its outcome. A call with no hook configured for its event reads
 * and spawns nothing.
 */
export class HookGate {
  constructor(private readonly options: HookGateOptions) {}

  /** Runs the Pre hooks of the call's event; rejects with HOOK_BLOCKED (recorded) on a block. */
  async before(call: GatedCall): Promise<PostHooks | null> {
    const subject = hookSubjectOfTool(call.tool, asRecord(call.input));
    if (subject === null) return null;
    const context = await this.contextOf(subject, call);
    if (context === null) return null;
    const pre = hookEventName(subject, 'pre');
    const hooks = this.options.registry.hooksFor(pre, context.profile, context.role);
    if (hooks.length > 0) {
      // The task named is looked up in the caller's own team; a call into another team names none its hooks read.
      if (context.task === null && call.bound !== null && context.team?.id === call.bound.team.id) {
        context.task = await this.taskBefore(call.bound, context.input);
      }
      const outcome = await this.runHooks(pre, hooks, context, null);
      if (outcome.decision === 'block' && this.options.ignoreBlocks === true) {
        this.options.logger.warn({ event: pre, reason: outcome.reason }, 'injected fault: a hook block is ignored');
      } else if (outcome.decision === 'block') {
        await this.options.store.recordHookBlock({
          teamId: context.team?.id ?? null,
          agentId: context.agent?.id ?? null,
          tool: call.tool,
          subjectId: context.task?.id ?? taskIdOf(context.input),
          outcome,
          authorization: call.authorization,
        });
        // recordHookBlock always rejects with the block; were it ever to resolve, the call still stops here.
        throw hookBlockError(outcome, context.task?.id ?? taskIdOf(context.input));
      }
    }
    return { context, bound: call.bound };
  }

  /**
   * Runs the Post hooks (never blocking, never failing the call) and, when team_task_next found
   * nothing, the TeammateIdle hooks, whose block or context is added to the answer's reason so the
   * agent keeps working on what they say. Returns the answer.
   */
  async after(post: PostHooks, output: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { context } = post;
    let answer = output;
    try {
      const after = await this.afterContext(context, output);
      const event = hookEventName(context.subject, 'post');
      const hooks = this.options.registry.hooksFor(event, after.profile, after.role);
      if (hooks.length > 0) await this.runHooks(event, hooks, after, output);
      if (context.tool === 'team_task_next' && output['claim'] === null) answer = await this.teammateIdle(after, output);
    } catch (error) {
      this.options.logger.warn({ tool: context.tool, err: error }, 'post hooks failed; the call stands');
    }
    return answer;
  }

  private async teammateIdle(context: HookContext, output: Record<string, unknown>): Promise<Record<string, unknown>> {
    const pre = this.options.registry.hooksFor('PreTeammateIdle', context.profile, context.role);
    let answer = output;
    if (pre.length > 0) {
      const idle = { ...context, subject: 'TeammateIdle' as const };
      const outcome = await this.runHooks('PreTeammateIdle', pre, idle, output);
      const said = [
        ...(outcome.decision === 'block' ? [`keep working: ${outcome.reason}`] : []),
        ...outcome.runs.filter((run) => run.decision === 'allow' && run.additionalContext !== null).map((run) => `${run.hook}: ${run.additionalContext}`),
      ];
      if (said.length > 0) answer = { ...output, reason: `${String(output['reason'] ?? 'nothing ready')}; ${said.join('; ')}` };
    }
    const post = this.options.registry.hooksFor('PostTeammateIdle', context.profile, context.role);
    if (post.length > 0) await this.runHooks('PostTeammateIdle', post, context, answer);
    return answer;
  }

  private async runHooks(event: HookEventName, hooks: readonly RegisteredHook[], context: HookContext, output: Record<string, unknown> | null): Promise<HookOutcome> {
    const team = context.team;
    const input: HookInput = {
      hook_event_name: event,
      tool: context.tool,
      team,
      agent: context.agent,
      task: hookTask(context.task),
      input: context.input,
      output,
    };
    // A hook's own time is not time spent waiting for the store (see notCountedAgainstBusyDeadline).
    const outcome = await notCountedAgainstBusyDeadline(() => this.options.engine.run(event, hooks, input));
    // Every hook decision is logged with its inputs' identity, the hook that decided and the outcome.
    this.options.logger.info(
      {
        event,
        tool: context.tool,
        team_id: context.team?.id ?? null,
        agent_id: context.agent?.id ?? null,
        task_id: context.task?.id ?? null,
        decision: outcome.decision,
        runs: outcome.runs.map(auditedRun),
      },
      outcome.decision === 'block' ? `hooks blocked ${event}` : `hooks ran for ${event}`,
    );
    return outcome;
  }

  /** The task a Pre hook sees: as stored before the operation (null when the call names none or it is unknown). */
  private async taskBefore(bound: BoundAgent, input: Record<string, unknown>): Promise<Task | null> {
    const taskId = taskIdOf(input);
    if (taskId === null) return null;
    try {
      return await this.options.store.readTask({ teamId: bound.team.id, agentId: bound.agent.id }, taskId);
    } catch {
      // The operation answers an unknown task NOT_FOUND itself.
      return null;
    }
  }

  private profileOf(name: string | undefined): Profile | null {
    try {
      return this.options.policy.profileNamed(name);
    } catch {
      return null;
    }
  }

  /** Who the call is about before it runs; null when no hook of either phase could apply. */
  private async contextOf(subject: HookSubject, call: GatedCall): Promise<HookContext | null> {
    const input = asRecord(call.input);
    const base = { subject, tool: call.tool, task: null, input };
    if (call.bound !== null) {
      const { team, agent } = call.bound;
      const inTeam = teamArgument(input);
      if (inTeam !== null && inTeam !== team.id) return this.contextInTeam(base, call.bound, inTeam);
      const profile = this.profileOf(team.profile);
      // The common case: no hook of this call's events anywhere, so nothing more is done for it.
      if (!this.hasHooksFor(subject, call.tool, profile)) return null;
      return { ...base, team: hookTeam(team), profile, agent: { id: agent.id, name: agent.name, role: agent.role }, role: agent.role };
    }
    if (call.tool === 'team_start') {
      const profile = this.profileOf(typeof input['profile'] === 'string' ? input['profile'] : undefined);
      if (!this.hasHooksFor(subject, call.tool, profile)) return null;
      return { ...base, team: null, profile, agent: null, role: 'lead' };
    }
    // team_join and team_resume: the ticket names the agent, read only when some hook could apply.
    if (!this.mayHaveHooks(subject)) return null;
    const ticket = input['ticket'];
    if (typeof ticket !== 'string') return null;
    const holder = await this.options.store.findTicketHolder(call.tool === 'team_join' ? 'join' : 'resume', hashTicket(ticket));
    if (holder === null) return { ...base, team: null, profile: null, agent: null, role: null };
    const { team, agent } = holder;
    return { ...base, team: hookTeam(team), profile: this.profileOf(team.profile), agent: { id: agent.id, name: agent.name, role: agent.role }, role: agent.role };
  }

  /**
   * A call into another team of the caller's tree (its `team` argument) raises that team's events:
   * the hooks of that team's profile (and of the hooks file) run, and see that team and the agent
   * the call acts as there. A call the tree refuses runs no hook: its operation answers the refusal.
   */
  private async contextInTeam(base: Pick<HookContext, 'subject' | 'tool' | 'task' | 'input'>, bound: BoundAgent, inTeam: string): Promise<HookContext | null> {
    if (!this.mayHaveHooks(base.subject)) return null;
    const scope = await this.options.store.callScope({ teamId: bound.team.id, agentId: bound.agent.id, inTeam }, base.tool);
    if (scope === null) return null;
    const { team, agent } = scope;
    const profile = this.profileOf(team.profile);
    if (!this.hasHooksFor(base.subject, base.tool, profile)) return null;
    return { ...base, team: hookTeam(team), profile, agent: { id: agent.id, name: agent.name, role: agent.role }, role: agent.role };
  }

  /** Whether any hook (of any role) of the call's events could run for a team under `profile`. */
  private hasHooksFor(subject: HookSubject, tool: ToolName, profile: Profile | null): boolean {
    const { registry } = this.options;
    if (registry.hasHooks(hookEventName(subject, 'pre'), profile) || registry.hasHooks(hookEventName(subject, 'post'), profile)) return true;
    return tool === 'team_task_next' && (registry.hasHooks('PreTeammateIdle', profile) || registry.hasHooks('PostTeammateIdle', profile));
  }

  /** Whether the hooks file or any profile of this process has hooks for the subject. */
  private mayHaveHooks(subject: HookSubject): boolean {
    const events = [hookEventName(subject, 'pre'), hookEventName(subject, 'post')];
    const profiles = [null, ...[...this.options.policy.profiles.profiles.values()].map((loaded) => loaded.profile)];
    return profiles.some((profile) => events.some((event) => this.options.registry.hasHooks(event, profile)));
  }

  /**
   * The context of the Post hooks: the team and agent as the answer has them, and the task it names
   * as the store has it after the operation (answers carry short rows, hooks see the whole task).
   */
  private async afterContext(context: HookContext, output: Record<string, unknown>): Promise<HookContext> {
    const teamOut = output['team'] as Team | TeamRef | undefined;
    const team = teamOut === undefined ? context.team : hookTeam(teamOut);
    const agentOut = output['agent'] as { id: string; name: string; role: string } | undefined;
    const agent = agentOut === undefined || context.agent !== null ? context.agent : { id: agentOut.id, name: agentOut.name, role: agentOut.role };
    const taskId = taskIdOfOutput(output) ?? context.task?.id ?? null;
    let task = context.task;
    if (taskId !== null && team !== null && agent !== null) {
      try {
        task = await this.options.store.readTask({ teamId: team.id as Team['id'], agentId: agent.id as Task['created_by'] }, taskId);
      } catch {
        // The task as it was before stands in.
      }
    }
    return {
      ...context,
      team,
      profile: team === null ? context.profile : (this.profileOf(team.profile) ?? context.profile),
      agent,
      role: agent?.role ?? context.role,
      task,
    };
  }
}

/**
 * The hook gate of a server. The one seam between the tool pipeline and the hook engine: a server
 * built without the engine (the hooks benchmark's baseline) replaces this module with one whose
 * factory returns null, and the pipeline then runs exactly as it did before hooks existed.
 */
export function createHookGate(options: HookGateOptions): HookGate | null {
  return new HookGate(options);
}

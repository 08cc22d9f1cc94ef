import type { TicketIssuer } from '@codex-team/contracts';
import {
  TOOL_CONTRACTS,
  TeamError,
  type Clock,
  type ToolContract,
  type ToolInput,
  type ToolName,
  type ToolOutput,
} from '@codex-team/contracts';
import type { CallPermission, PermissionPolicy } from '@codex-team/policy-engine';
import type { RecoveryPolicy, RecoverySweeper } from '@codex-team/recovery';
import { withinOneBusyDeadline, type Actor, type BoundAgent, type CallAuthorization, type TeamStore } from '@codex-team/store';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { advertisedTool } from './advertised-schema';
import {
  AUTHORIZATION_STEPS,
  authorize,
  callUnderAuthorization,
  type AuthorizationOutcome,
  type AuthorizationStep,
  type CallUnderAuthorization,
} from './authorize';
import {
  attributed,
  callAuthorization,
  decisionAfterFailure,
  decisionOf,
  refusalError,
  withDecision,
  type CallDecision,
} from './decision-log';
import { classifyError } from './errors';
import type { HookGate, PostHooks } from './hooks/hook-gate';
import { afterBoundCall, beforeBoundCall } from './liveness';
import type { PolicyEnv } from './policy-env';
import type { SecretGuard } from './secret-guard';
import type { Session } from './session';
import type { StartedFrom } from './started-from';
import { paddedAnswer, type InjectedFaults } from './injected-faults';
import { errorResult, successResult } from './tool-result';

/** What every handler may use: the session's store, tickets, policy, identity, clock and log. */
export interface ToolEnv {
  store: TeamStore;
  tickets: TicketIssuer;
  /** The profiles of this process and the lease override. */
  policy: PolicyEnv;
  /** Masks secrets in every call's arguments before a handler sees them, and in every answer. */
  guard: SecretGuard;
  session: Session;
  clock: Clock;
  logger: Logger;
  /** Heartbeat and recovery numbers of this server. */
  recovery: RecoveryPolicy;
  /** This process's recovery sweeps (team_recover and team_resume run one). */
  sweeper: RecoverySweeper;
  /** The lifecycle hooks around each call; null in a server built without the hook engine. */
  hooks: HookGate | null;
  /** Where teams started through this server say they were started from (ServerDeps.startedFrom); looked up on first use. */
  startedFrom: () => StartedFrom;
}

/** A binding tool's handler also gets its call's allow decision, to record with the binding. */
export interface UnboundToolContext extends ToolEnv {
  authorization: CallAuthorization;
}

/** A handler of a bound tool also gets the verified caller and what its permissions allowed. */
export interface BoundToolContext extends ToolEnv {
  /** The caller, carrying the call's allow decision into the operation's transaction. */
  actor: Actor;
  bound: BoundAgent;
  /** The permission answer; claims read which kinds of task it allows. */
  permission: CallPermission;
}

export type UnboundToolHandler<N extends ToolName> = (
  input: ToolInput<N>,
  context: UnboundToolContext,
) => Promise<ToolOutput<N>>;
export type BoundToolHandler<N extends ToolName> = (
  input: ToolInput<N>,
  context: BoundToolContext,
) => Promise<ToolOutput<N>>;

/** The profile of the team a binding call's answer names (team_start, team_join, team_resume). */
function profileOfAnswer(output: Record<string, unknown>): string | null {
  const team = output['team'];
  const profile = typeof team === 'object' && team !== null ? (team as { profile?: unknown }).profile : undefined;
  return typeof profile === 'string' ? profile : null;
}

// Without a policy nothing can be authorized: an operator must fix the permissions file.
const POLICY_UNAVAILABLE: AuthorizationOutcome = {
  step: 'permission',
  verdict: {
    decision: 'deny',
    rule: 'policy:unavailable',
    reason: 'the server could not load its permissions; it was logged',
    code: 'INTERNAL',
  },
};

type Entry =
  | { contract: ToolContract; bound: false; handler: (input: unknown, context: UnboundToolContext) => Promise<unknown> }
  | { contract: ToolContract; bound: true; handler: (input: unknown, context: BoundToolContext) => Promise<unknown> };

export interface ToolRegistryOptions {
  env: ToolEnv;
  logger: Logger;
  clock: Clock;
  /**
   * The permission policy every bound call is checked against, asked for at each call: the shipped
   * one is read on the first call rather than at startup, which Codex waits for on every thread.
   */
  permissions: () => PermissionPolicy;
  /** @default AUTHORIZATION_STEPS */
  steps?: readonly AuthorizationStep[];
  /** Test only: deliberate faults (ServerDeps.faults). @default none */
  faults?: InjectedFaults;
}

/**
 * The tools of one session and what every call goes through: the authorization steps (identity,
 * input, scope, permission), the handler, a check of its output against the contract, and one
 * decision record per call. An allowed call that changes state records its decision inside the
 * operation's own transaction; every other call (reads, refusals, failures) records it on its own.
 * Every failure becomes an `isError` result with a stable code; nothing a caller sends can make a
 * call throw.
 */
export class ToolRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: ToolRegistryOptions) {}

  /** Registers a tool of audience `unbound` (team_start, team_join, team_resume). */
  registerUnbound<N extends ToolName>(name: N, handler: UnboundToolHandler<N>): void {
    const contract = this.contractFor(name, true);
    // The input was parsed with this tool's own schema before the handler runs.
    this.entries.set(name, { contract, bound: false, handler: (input, context) => handler(input as ToolInput<N>, context) });
  }

  /** Registers a tool that needs a bound session (audience member, holder or lead). */
  registerBound<N extends ToolName>(name: N, handler: BoundToolHandler<N>): void {
    const contract = this.contractFor(name, false);
    this.entries.set(name, {
      contract,
      bound: true,
      handler: (input, context) => handler(input as ToolInput<N>, context),
    });
  }

  /** The tools/list answer, in catalog order. */
  listTools(): Tool[] {
    return [...this.entries.values()].map((entry) => advertisedTool(entry.contract));
  }

  /**
   * Runs one tools/call. Never rejects. Every store call it makes shares one busy deadline
   * (withinOneBusyDeadline), so a locked store is answered BUSY within it, however many
   * transactions the call needed.
   */
  call(name: string, rawArguments: unknown): Promise<CallToolResult> {
    return withinOneBusyDeadline(() => this.callWithinDeadline(name, rawArguments));
  }

  private async callWithinDeadline(name: string, rawArguments: unknown): Promise<CallToolResult> {
    const { env, logger, clock } = this.options;
    const started = clock.now();
    const call = callUnderAuthorization(name, rawArguments ?? {});
    const permissions = this.permissions();
    const authorized =
      permissions === null
        ? POLICY_UNAVAILABLE
        : await authorize(this.options.steps ?? AUTHORIZATION_STEPS, call, { store: env.store, session: env.session, permissions });
    if (authorized.unexpected !== undefined) {
      logger.error({ ...this.who(name), err: authorized.unexpected }, 'authorization failed unexpectedly');
    }
    let decision = decisionOf(call, authorized, env.session);
    let authorization: CallAuthorization | null = null;
    let outcome = 'ok';
    let result: CallToolResult;
    try {
      if (authorized.verdict.decision === 'deny') throw refusalError(decision, authorized.verdict);
      authorization = callAuthorization(decision);
      result = successResult(paddedAnswer(await this.run(call, authorization), this.options.faults));
    } catch (caught) {
      const { error, unexpected } = classifyError(caught);
      if (unexpected) logger.error({ ...this.who(name), err: caught }, 'tool call failed unexpectedly');
      // The operation that refused recorded the decision it reached (a deny for a rule only it could
      // apply: a ticket, the kind of task claimed); a failure before it keeps the allow.
      const recorded = authorization?.recorded?.decision;
      if (recorded !== undefined) decision = recorded;
      else if (decision.decision === 'allow') decision = decisionAfterFailure(decision, error);
      const answered = decision.decision === 'deny' && authorized.verdict.decision === 'allow' ? withDecision(error, decision) : error;
      outcome = answered.code;
      result = errorResult(env.guard.maskError(answered.toBody()));
    }
    const recorded = authorization?.recorded ?? null;
    if (recorded === null) await this.record(decision, outcome);
    else decision = recorded.decision;
    decision = attributed(decision, env.session);
    // Tickets, message bodies and artifact contents are never logged: who, what, which rule decided
    // and how it went.
    logger.info(
      {
        ...this.who(name),
        role: decision.role,
        action: decision.action,
        profile: decision.profile,
        decision: decision.decision,
        rule: decision.rule,
        step: decision.step,
        reason: decision.reason,
        outcome,
        duration_ms: clock.now() - started,
      },
      'tool call',
    );
    return result;
  }

  private async run(call: CallUnderAuthorization, authorization: CallAuthorization): Promise<Record<string, unknown>> {
    const { env } = this.options;
    const entry = this.entries.get(call.tool);
    if (entry === undefined) throw new TeamError('INTERNAL', `tool ${call.tool} has no handler`);
    const { contract } = entry;
    const { guard, hooks } = env;
    const tool = contract.name as ToolName;
    if (!entry.bound) {
      const input = guard.redact(contract, call.input, null);
      const post = hooks === null ? null : await hooks.before({ tool, input, bound: null, authorization });
      const output = this.checkOutput(contract, await entry.handler(input, { ...env, authorization }));
      return this.answerAfterHooks(contract, output, profileOfAnswer(output), post);
    }
    if (call.bound === null || call.actor === null || call.permission === null) {
      throw new TeamError('INTERNAL', `${call.tool} reached its handler unauthorized`);
    }
    const { bound, heartbeat } = await beforeBoundCall(env, call.bound, call.tool);
    // A write renews the heartbeat in its own transaction; a read leaves it to afterBoundCall.
    const renewHeartbeat = heartbeat.action === 'renew' && call.tool !== 'team_heartbeat';
    const input = guard.redact(contract, call.input, bound.team);
    // Pre hooks: after validation and authorization, outside any transaction (see HookGate).
    const post = hooks === null ? null : await hooks.before({ tool, input, bound, authorization });
    const output = this.checkOutput(
      contract,
      await entry.handler(input, {
        ...env,
        actor: { ...call.actor, authorization, ...(renewHeartbeat ? { renewHeartbeat } : {}) },
        bound,
        permission: call.permission,
      }),
    );
    const answer = await this.answerAfterHooks(contract, output, bound.team.profile, post);
    if (authorization.recorded === null) await afterBoundCall(env, bound, heartbeat, call.tool);
    return answer;
  }

  /**
   * The answer as it leaves the server: secrets masked (the Post hooks hear what the agent will),
   * then the Post hooks; an answer they changed (TeammateIdle's word) is checked and masked again.
   */
  private async answerAfterHooks(
    contract: ToolContract,
    output: Record<string, unknown>,
    profile: string | null,
    post: PostHooks | null,
  ): Promise<Record<string, unknown>> {
    const { guard, hooks } = this.options.env;
    const masked = guard.maskAnswer(contract, output, profile);
    if (hooks === null || post === null) return masked;
    const after = await hooks.after(post, masked);
    return after === masked ? masked : guard.maskAnswer(contract, this.checkOutput(contract, after), profile);
  }

  private checkOutput(contract: ToolContract, output: unknown): Record<string, unknown> {
    const checked = contract.output.safeParse(output);
    if (!checked.success) {
      // A client would refuse this result anyway; answering INTERNAL keeps the failure on our side.
      this.options.logger.error({ tool: contract.name, issues: checked.error.issues }, 'tool output broke its contract');
      throw new TeamError('INTERNAL', 'the server produced an output that breaks its contract; it was logged');
    }
    return output as Record<string, unknown>;
  }

  /** The permission policy, or null (logged) when it cannot be loaded: then every call is refused. */
  private permissions(): PermissionPolicy | null {
    try {
      return this.options.permissions();
    } catch (error) {
      this.options.logger.error({ err: error }, 'the permission policy could not be loaded; refusing every call');
      return null;
    }
  }

  /**
   * Records a decision that no operation recorded; evidence lost here is logged, never thrown. An
   * allowed call that changed nothing is queued (group commit, see TeamStore.queueAuthzDecision):
   * on its own it would cost a transaction per read; so is a call answered BUSY.
   */
  private async record(decision: CallDecision, outcome: string): Promise<void> {
    try {
      // A call answered BUSY spent the deadline waiting for the lock: its decision is queued, to be
      // written once the store is free, rather than waited for again.
      if ((decision.decision === 'allow' && outcome === 'ok') || outcome === 'BUSY') {
        this.options.env.store.queueAuthzDecision({ ...decision, outcome });
        return;
      }
      await this.options.env.store.recordAuthzDecision({ ...decision, outcome });
    } catch (error) {
      this.options.logger.error(
        { ...this.who(decision.tool), err: error, rule: decision.rule, decision: decision.decision, outcome },
        'could not record the authorization decision',
      );
    }
  }

  private who(tool: string): { tool: string; agent_id: string | null; team_id: string | null } {
    const binding = this.options.env.session.binding;
    return { tool, agent_id: binding?.agentId ?? null, team_id: binding?.teamId ?? null };
  }

  private contractFor(name: ToolName, unbound: boolean): ToolContract {
    const contract: ToolContract = TOOL_CONTRACTS[name];
    if ((contract.audience === 'unbound') !== unbound) {
      throw new Error(`tool ${name} has audience ${contract.audience}; register it with the matching method`);
    }
    return contract;
  }
}

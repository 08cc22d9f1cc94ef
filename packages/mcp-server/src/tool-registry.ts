import {
  TOOL_CONTRACTS,
  TeamError,
  type Clock,
  type ToolContract,
  type ToolInput,
  type ToolName,
  type ToolOutput,
} from '@codex-team/contracts';
import { heartbeatDecision, type HeartbeatDecision, type RecoveryPolicy, type RecoverySweeper } from '@codex-team/recovery';
import type { Actor, BoundAgent, TeamStore } from '@codex-team/store';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { advertisedTool } from './advertised-schema';
import { classifyError, invalidInput } from './errors';
import type { InputGuard } from './input-guard';
import type { PolicyEnv } from './policy-env';
import type { TicketIssuer } from './runtime';
import type { Session } from './session';
import { errorResult, successResult } from './tool-result';

/** What every handler may use: the session's store, tickets, policy, identity, clock and log. */
export interface ToolEnv {
  store: TeamStore;
  tickets: TicketIssuer;
  /** The profiles of this process and the lease override. */
  policy: PolicyEnv;
  /** Masks secrets in every call's arguments before a handler sees them. */
  guard: InputGuard;
  session: Session;
  clock: Clock;
  logger: Logger;
  /** Heartbeat and recovery numbers of this server. */
  recovery: RecoveryPolicy;
  /** This process's recovery sweeps (team_recover and team_resume run one). */
  sweeper: RecoverySweeper;
}

/** A handler of a bound tool also gets the verified caller: its team, agent and epoch. */
export interface BoundToolContext extends ToolEnv {
  actor: Actor;
  bound: BoundAgent;
}

export type UnboundToolHandler<N extends ToolName> = (input: ToolInput<N>, env: ToolEnv) => Promise<ToolOutput<N>>;
export type BoundToolHandler<N extends ToolName> = (
  input: ToolInput<N>,
  context: BoundToolContext,
) => Promise<ToolOutput<N>>;

type Entry =
  | { contract: ToolContract; bound: false; handler: (input: unknown, env: ToolEnv) => Promise<unknown> }
  | { contract: ToolContract; bound: true; handler: (input: unknown, context: BoundToolContext) => Promise<unknown> };

export interface ToolRegistryOptions {
  env: ToolEnv;
  logger: Logger;
  clock: Clock;
}

/**
 * The tools of one session and the pipeline every call runs: parse the arguments with the
 * contract's zod schema, check the session's identity (and the lead for lead tools), run the
 * handler, check its output against the contract, and shape the result. Every failure becomes an
 * `isError` result with a stable code; nothing a caller sends can make a call throw.
 */
export class ToolRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: ToolRegistryOptions) {}

  /** Registers a tool of audience `unbound` (team_start, team_join, team_resume). */
  registerUnbound<N extends ToolName>(name: N, handler: UnboundToolHandler<N>): void {
    const contract = this.contractFor(name, true);
    // The input was parsed with this tool's own schema before the handler runs.
    this.entries.set(name, { contract, bound: false, handler: (input, env) => handler(input as ToolInput<N>, env) });
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

  /** Runs one tools/call. Never rejects. */
  async call(name: string, rawArguments: unknown): Promise<CallToolResult> {
    const started = this.options.clock.now();
    const entry = this.entries.get(name);
    let outcome = 'ok';
    let result: CallToolResult;
    try {
      if (entry === undefined) throw new TeamError('INVALID_INPUT', `unknown tool ${name}`, { tool: name });
      const output = await this.run(entry, rawArguments ?? {});
      result = successResult(output);
    } catch (caught) {
      const { error, unexpected } = classifyError(caught);
      if (unexpected) {
        this.options.logger.error({ ...this.who(name), err: caught }, 'tool call failed unexpectedly');
      }
      outcome = error.code;
      result = errorResult(error.toBody());
    }
    // Tickets, message bodies and artifact contents are never logged: only who, what and how it went.
    this.options.logger.info({ ...this.who(name), outcome, duration_ms: this.options.clock.now() - started }, 'tool call');
    return result;
  }

  private async run(entry: Entry, rawArguments: unknown): Promise<Record<string, unknown>> {
    const { contract } = entry;
    const parsed = contract.input.safeParse(rawArguments);
    if (!parsed.success) throw invalidInput(contract.name, parsed.error);
    const { guard } = this.options.env;
    if (!entry.bound) {
      return this.checkOutput(contract, await entry.handler(guard.redact(contract, parsed.data, null), this.options.env));
    }
    const { context, heartbeat } = await this.authorize(contract);
    const output = this.checkOutput(
      contract,
      await entry.handler(guard.redact(contract, parsed.data, context.bound.team), context),
    );
    if (heartbeat.action === 'renew' && contract.name !== 'team_heartbeat') await this.renewHeartbeat(context, heartbeat);
    return output;
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

  /**
   * NOT_BOUND unless the session's binding is still current; DENIED early for lead tools. An agent
   * recovery marked lost is reinstated here, before its call runs (taking a thread slot again, or
   * NOT_BOUND when none is free), so a lost agent never acts without a slot.
   */
  private async authorize(contract: ToolContract): Promise<{ context: BoundToolContext; heartbeat: HeartbeatDecision }> {
    const { env } = this.options;
    const binding = env.session.requireBinding();
    let bound = await env.store.verifyBinding(binding);
    if (contract.audience === 'lead' && bound.team.lead_agent_id !== bound.agent.id) {
      throw new TeamError('DENIED', `${contract.name} is for the team's lead; you are ${bound.agent.role}`, {
        agent_id: bound.agent.id,
      });
    }
    const heartbeat = heartbeatDecision(bound.agent, this.options.clock.now(), env.recovery);
    if (heartbeat.action === 'reinstate' && bound.team.state === 'active') {
      const beat = await env.store.heartbeatAgent(binding, { tasks: [], reinstate: true }, { leaseMs: env.recovery.leaseMs });
      this.options.logger.info({ ...this.who(contract.name), rule: heartbeat.rule, outcome: 'active' }, heartbeat.reason);
      bound = { ...bound, agent: { ...bound.agent, state: 'active', last_seen_at: beat.last_seen_at } };
    }
    return { context: { ...env, actor: { teamId: binding.teamId, agentId: binding.agentId }, bound }, heartbeat };
  }

  /**
   * After a successful call, at most once per heartbeatEveryMs: records that the agent is alive.
   * A failure here is logged and never fails the call that already succeeded.
   */
  private async renewHeartbeat(context: BoundToolContext, decision: HeartbeatDecision): Promise<void> {
    const binding = context.session.binding;
    if (binding === null || context.bound.team.state !== 'active') return;
    try {
      // No claims are renewed here, so the lease length is not used.
      await context.store.heartbeatAgent(binding, { tasks: [], reinstate: false }, { leaseMs: context.recovery.leaseMs });
    } catch (error) {
      this.options.logger.warn({ agent_id: binding.agentId, rule: decision.rule, err: error }, 'heartbeat not recorded');
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

import {
  TOOL_CONTRACTS,
  type AuthzStep,
  type ErrorCode,
  type ToolContract,
  type ToolName,
} from '@codex-team/contracts';
import {
  actionsOfCall,
  checkGrant,
  decideModeGate,
  redactSecrets,
  type CallPermission,
  type PermissionPolicy,
} from '@codex-team/policy-engine';
import type { Actor, BoundAgent, TeamStore } from '@codex-team/store';
import { classifyError, invalidInput } from './errors';
import { findInputProblem } from './input-normaliser';
import type { Session } from './session';

/** What is known about one call as the steps run; each step may fill in more of it. */
export interface CallUnderAuthorization {
  /** The tool name as the client sent it (it may name no tool). */
  readonly tool: string;
  readonly contract: ToolContract | null;
  readonly rawArguments: unknown;
  /** input: the arguments parsed with the tool's schema, and the actions they ask for. */
  input: unknown;
  actions: readonly [string, ...string[]] | null;
  /** identity: the verified agent of a bound session (null for start, join and resume). */
  bound: BoundAgent | null;
  /** scope: the agent the call acts for, inside its own team. */
  actor: Actor | null;
  /** permission: the caller's profile and the answer for the asked actions. */
  profile: string | null;
  permission: CallPermission | null;
}

/** What one step says. A deny names the code the call is answered with. */
export type StepVerdict =
  | { decision: 'allow'; rule: string; reason: string; matched?: readonly string[] }
  | {
      decision: 'deny';
      rule: string;
      reason: string;
      matched?: readonly string[];
      code: ErrorCode;
      /** Extra details for the error body (zod issues, grant overreach...). */
      details?: Record<string, unknown>;
    };

export interface AuthorizationEnv {
  store: TeamStore;
  session: Session;
  permissions: PermissionPolicy;
}

/**
 * One named step of the authorization pipeline. It returns a verdict, or null when it has nothing
 * to decide for this call (the permission step for team_join, a mode step in default mode): a null
 * step is not recorded. A step must not write: a refused call changes nothing but its decision.
 */
export interface AuthorizationStep {
  readonly name: AuthzStep;
  run(call: CallUnderAuthorization, env: AuthorizationEnv): Promise<StepVerdict | null> | StepVerdict | null;
}

/** The pipeline's answer: the deciding verdict (the first deny, else the last allow) and its step. */
export interface AuthorizationOutcome {
  step: AuthzStep;
  verdict: StepVerdict;
  /** What a step threw unexpectedly (the call was refused with INTERNAL); the caller logs it. */
  unexpected?: unknown;
}

const isBindingTool = (contract: ToolContract): boolean => contract.audience === 'unbound';

/**
 * Identity, from the session only: an unbound session may call team_start, team_join and
 * team_resume and nothing else; a bound one may call everything but those, once the store confirms
 * its binding is still current (no newer session of the agent took over, the agent is not retired).
 */
export const identityStep: AuthorizationStep = {
  name: 'identity',
  async run(call, { store, session }) {
    if (call.contract === null) return null;
    const binding = session.binding;
    if (isBindingTool(call.contract)) {
      if (binding === null) {
        return { decision: 'allow', rule: 'identity:unbound-may-bind', reason: 'an unbound session may start, join or resume' };
      }
      return {
        decision: 'deny',
        rule: 'identity:already-bound',
        reason: `this session is already bound to agent ${binding.agentId}`,
        code: 'ALREADY_BOUND',
        details: { agent_id: binding.agentId },
      };
    }
    if (binding === null) {
      return {
        decision: 'deny',
        rule: 'identity:unbound',
        reason:
          'this session is not bound to an agent: call team_join with your ticket first (team_start for a new team, team_resume after a restart)',
        code: 'NOT_BOUND',
      };
    }
    try {
      call.bound = await store.verifyBinding(binding);
    } catch (error) {
      const { error: refused } = classifyError(error);
      if (refused.code !== 'NOT_BOUND') throw error;
      return { decision: 'deny', rule: 'identity:binding-ended', reason: refused.toBody().message, code: 'NOT_BOUND', details: refused.details };
    }
    return { decision: 'allow', rule: 'identity:session', reason: `session bound to agent ${binding.agentId}` };
  },
};

/**
 * The arguments must pass the input normaliser (no `__proto__`/`constructor` keys, no lone
 * surrogates) and then match the tool's schema (unknown fields, such as an agent id, are refused).
 */
export const inputStep: AuthorizationStep = {
  name: 'input',
  run(call) {
    if (call.contract === null) {
      return { decision: 'deny', rule: 'input:unknown-tool', reason: `unknown tool ${call.tool}`, code: 'INVALID_INPUT', details: { tool: call.tool } };
    }
    const problem = findInputProblem(call.rawArguments);
    if (problem !== null) {
      return { decision: 'deny', rule: problem.rule, reason: problem.reason, code: 'INVALID_INPUT', details: { field: problem.field } };
    }
    const parsed = call.contract.input.safeParse(call.rawArguments);
    if (!parsed.success) {
      const error = invalidInput(call.contract.name, parsed.error);
      return { decision: 'deny', rule: 'input:schema', reason: error.toBody().message, code: 'INVALID_INPUT', details: error.details };
    }
    call.input = parsed.data;
    call.actions = actionsOfCall(call.contract.name as ToolName, parsed.data);
    return null;
  },
};

/**
 * Scope: a bound call acts for its agent, whatever the arguments say: in the agent's own team, or,
 * when its `team` argument names another team, there as the team tree allows (docs/hierarchy.md).
 * Every id in the arguments, and that team, are then looked up by the store in the operation's own
 * transaction (a check here would be a second, racy lookup), so another team's id is NOT_FOUND and
 * its existence never leaks.
 */
export const scopeStep: AuthorizationStep = {
  name: 'scope',
  run(call) {
    if (call.bound === null) return null;
    const inTeam = teamArgument(call.input);
    call.actor = {
      teamId: call.bound.team.id,
      agentId: call.bound.agent.id,
      ...(inTeam === null || inTeam === call.bound.team.id ? {} : { inTeam }),
    };
    return null;
  },
};

/** A call's `team` argument (the tools that take one, TEAM_SCOPED_TOOLS), or null. */
export function teamArgument(input: unknown): string | null {
  const team = (input as { team?: unknown } | undefined)?.team;
  return typeof team === 'string' ? team : null;
}

/**
 * Permission: the caller's profile (a grant at spawn, else its role's) must allow the action the
 * call asks for; deny beats allow and no match is deny. team_spawn with a grant also needs the
 * granted profile within the caller's own.
 */
export const permissionStep: AuthorizationStep = {
  name: 'permission',
  run(call, { permissions: policy }) {
    if (call.bound === null || call.actions === null || call.contract === null) return null;
    const { agent } = call.bound;
    call.profile = agent.permission_profile ?? policy.profileForRole(agent.role);
    const permission = policy.decideCall(call.profile, call.contract.name, call.actions);
    call.permission = permission;
    if (permission.decision === 'deny') {
      return { ...permission, code: 'DENIED', details: { action: permission.action } };
    }
    if (call.contract.name === 'team_spawn') return spawnCheck(call, policy, permission);
    return { decision: 'allow', rule: permission.rule, reason: permission.reason, matched: permission.matched };
  },
};

/** A teammate's role must have a profile, and a granted profile must be within the caller's own. */
function spawnCheck(call: CallUnderAuthorization, policy: PermissionPolicy, permission: CallPermission): StepVerdict {
  const input = call.input as { role: string; permission_profile?: string };
  if (input.permission_profile !== undefined) {
    const grant = checkGrant(policy, call.profile, input.permission_profile);
    if (grant.decision === 'deny') {
      return { decision: 'deny', rule: grant.rule, reason: grant.reason, code: grant.code ?? 'DENIED', details: { exceeding: grant.exceeding } };
    }
    return { decision: 'allow', rule: permission.rule, reason: `${permission.reason}; ${grant.reason}`, matched: permission.matched };
  }
  if (policy.profileForRole(input.role) === null) {
    return {
      decision: 'deny',
      rule: 'spawn:role-without-profile',
      reason: `role ${input.role} has no permission profile; use a role the permissions name or grant a permission_profile`,
      code: 'INVALID_INPUT',
    };
  }
  return { decision: 'allow', rule: permission.rule, reason: permission.reason, matched: permission.matched };
}

/**
 * Mode: the team's mode (as it applies now: a lapsed temporary mode has already returned) may
 * refuse what permission allowed, never the reverse. It only refuses, so an allowed call keeps the
 * permission rule as its recorded decision; default mode has no gate at all. The store re-checks
 * the same gate inside each gated write, in case the mode changes between here and there.
 */
export const modeStep: AuthorizationStep = {
  name: 'mode',
  run(call) {
    if (call.bound === null || call.contract === null || call.actions === null) return null;
    const { team, agent } = call.bound;
    const mode = team.mode.current;
    if (mode === 'default') return null;
    // A call into another team meets that team's mode, which the store applies in its transaction.
    if (call.actor?.inTeam !== undefined) return null;
    const tool = call.contract.name as ToolName;
    const input = call.input as { role?: unknown; plan?: unknown };
    const decision = decideModeGate(mode, {
      tool,
      actions: call.actions,
      callerIsLead: team.lead_agent_id === agent.id,
      ...(tool === 'team_spawn' ? { spawnRole: String(input.role) } : {}),
      ...(tool === 'team_artifact_publish' ? { publishesPlan: input.plan === true } : {}),
    });
    if (decision.decision === 'allow') return null;
    return {
      decision: 'deny',
      rule: decision.rule,
      reason: decision.reason,
      code: 'DENIED',
      details: { mode, rule: decision.rule, set_by: team.mode.set_by, mode_reason: team.mode.reason, expires_at: team.mode.expires_at },
    };
  },
};

/**
 * The steps every call runs, in order, before its handler. The arguments are checked first (only
 * against the schema: identity never comes from them), then identity, scope and permission. A
 * later step (modes, hooks) goes after `permissionStep`: it may only narrow, never widen, what the
 * steps before it allowed. `modeStep` is that later step for the team's operating mode.
 */
export const AUTHORIZATION_STEPS: readonly AuthorizationStep[] = [inputStep, identityStep, scopeStep, permissionStep, modeStep];

/**
 * Runs the steps until one denies. Never rejects: a step that fails unexpectedly (a busy store while
 * checking the binding) refuses the call with that error's code, since the call could not be
 * authorized.
 */
export async function authorize(
  steps: readonly AuthorizationStep[],
  call: CallUnderAuthorization,
  env: AuthorizationEnv,
): Promise<AuthorizationOutcome> {
  let last: AuthorizationOutcome | null = null;
  for (const step of steps) {
    let verdict: StepVerdict | null;
    try {
      verdict = await step.run(call, env);
    } catch (caught) {
      const { error, unexpected } = classifyError(caught);
      // The error's own details stay in the answer (STORE_MOVED names the file, BUSY how long it waited).
      const failed: StepVerdict = {
        decision: 'deny',
        rule: `${step.name}:failed`,
        reason: error.toBody().message,
        code: error.code,
        ...(error.details === undefined ? {} : { details: error.details }),
      };
      return { step: step.name, verdict: failed, ...(unexpected ? { unexpected: caught } : {}) };
    }
    if (verdict === null) continue;
    last = { step: step.name, verdict };
    if (verdict.decision === 'deny') return last;
  }
  // Every call meets a deciding step (identity or input); were none to decide, nothing is allowed.
  return last ?? { step: 'input', verdict: { decision: 'deny', rule: 'no-step-decided', reason: `nothing authorized ${call.tool}`, code: 'INTERNAL' } };
}

/** Longest unknown tool name kept in decisions, logs and answers. */
const UNKNOWN_TOOL_MAX_CHARS = 64;

/**
 * How an unknown tool name is recorded: anything may arrive there (a pasted secret, megabytes, lone
 * surrogates), so it is masked, made well-formed and cut short before it reaches the decision log.
 */
export function recordedToolName(name: string): string {
  const masked = redactSecrets(name).text.replace(/[\uD800-\uDFFF]/g, '\uFFFD');
  return masked.length <= UNKNOWN_TOOL_MAX_CHARS ? masked : `${masked.slice(0, UNKNOWN_TOOL_MAX_CHARS)}…`;
}

/** A fresh call record for `tool`. */
export function callUnderAuthorization(tool: string, rawArguments: unknown): CallUnderAuthorization {
  const contract = Object.hasOwn(TOOL_CONTRACTS, tool) ? (TOOL_CONTRACTS[tool as ToolName] as ToolContract) : null;
  return {
    tool: contract === null ? recordedToolName(tool) : tool,
    contract,
    rawArguments,
    bound: null,
    input: undefined,
    actions: null,
    actor: null,
    profile: null,
    permission: null,
  };
}

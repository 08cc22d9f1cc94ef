import { TeamError, type ErrorCode } from '@codex-team/contracts';
import { redactSecrets } from '@codex-team/policy-engine';
import type { AuthzDecisionInput, CallAuthorization } from '@codex-team/store';
import type { AuthorizationOutcome, CallUnderAuthorization, StepVerdict } from './authorize';
import type { Session } from './session';

/** The decision of a call as it is recorded and logged (outcome aside). */
export type CallDecision = Omit<AuthzDecisionInput, 'outcome'>;

// The action of a call whose arguments were refused: what it asked for is unknown.
const UNREAD_ACTION = '-';

function actionText(call: CallUnderAuthorization): string {
  if (call.permission !== null) return call.permission.action;
  return call.actions === null ? UNREAD_ACTION : call.actions.join('+');
}

/**
 * The decision record of an authorization outcome, attributed to the session's agent when known.
 * Its reason is masked whatever the team's profile: a refusal may quote what the caller sent, and
 * the decision log is the server's record, not the team's data. (The tool name was masked when the
 * call was read: see recordedToolName.)
 */
export function decisionOf(call: CallUnderAuthorization, outcome: AuthorizationOutcome, session: Session): CallDecision {
  const { verdict } = outcome;
  return {
    teamId: call.bound?.team.id ?? session.binding?.teamId ?? null,
    agentId: call.bound?.agent.id ?? session.binding?.agentId ?? null,
    role: call.bound?.agent.role ?? session.role,
    tool: call.tool,
    action: actionText(call),
    profile: call.profile,
    rule: verdict.rule,
    matched: [...(verdict.matched ?? [])].sort(),
    decision: verdict.decision,
    reason: redactSecrets(verdict.reason).text,
    step: outcome.step,
  };
}

/**
 * The decision with the session's agent filled in where it had none: a start, join or resume that
 * bound the session is attributed to the agent it bound (as its transaction recorded it).
 */
export function attributed(decision: CallDecision, session: Session): CallDecision {
  const binding = session.binding;
  if (decision.agentId !== null || binding === null) return decision;
  return { ...decision, teamId: binding.teamId, agentId: binding.agentId, role: session.role };
}

/** The allow decision an operation carries into its transaction (see CallAuthorization). */
export function callAuthorization(decision: CallDecision): CallAuthorization {
  return { decision, recorded: null };
}

function decisionDetails(decision: CallDecision): Record<string, unknown> {
  return {
    ...(decision.agentId === null ? {} : { agent_id: decision.agentId }),
    tool: decision.tool,
    action: decision.action,
    rule: decision.rule,
    step: decision.step,
    ...(decision.role === null ? {} : { role: decision.role }),
    ...(decision.profile === null ? {} : { profile: decision.profile }),
  };
}

/** The error a refused call is answered with: the verdict's code, reason, rule and the rest. */
export function refusalError(decision: CallDecision, verdict: StepVerdict): TeamError {
  const code: ErrorCode = verdict.decision === 'deny' ? verdict.code : 'INTERNAL';
  return new TeamError(code, verdict.reason, { ...(verdict.decision === 'deny' ? verdict.details : {}), ...decisionDetails(decision) });
}

/** An operation's refusal, answered with the rule that decided it, like a refusal of the steps. */
export function withDecision(error: TeamError, decision: CallDecision): TeamError {
  return new TeamError(error.code, error.toBody().message, { ...error.details, ...decisionDetails(decision) });
}

/**
 * The decision to record for an allowed call that failed before any operation recorded it. The
 * allow stands (the outcome says what went wrong), except for two binding calls of one session
 * that raced (the session lets only the first bind, an identity refusal) and a read the team tree
 * refused (a scope refusal).
 */
export function decisionAfterFailure(decision: CallDecision, error: TeamError): CallDecision {
  if (decision.step === 'identity' && error.code === 'ALREADY_BOUND') {
    return { ...decision, decision: 'deny', rule: 'identity:already-bound', reason: redactSecrets(error.reason).text, matched: [] };
  }
  // A read refused by the team tree (a write records it in its own transaction): the tree's deny.
  if (error.refusal?.kind === 'scope') {
    return { ...decision, decision: 'deny', rule: error.refusal.rule, reason: error.reason, matched: [], step: 'scope' };
  }
  return decision;
}

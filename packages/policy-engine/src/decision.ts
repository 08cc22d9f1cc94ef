import { TeamError, type Decision, type ErrorCode, type RefusalKind } from '@codex-team/contracts';

/**
 * A policy answer as data: what was decided, which rule decided it (a profile field path such as
 * `budget.hard_tokens`), a sentence a model or an operator can act on, and the facts it was decided
 * on. Callers log and audit it.
 */
export interface PolicyDecision {
  decision: Decision;
  rule: string;
  reason: string;
  /** The facts the rule read, for the log. */
  inputs?: Readonly<Record<string, unknown>>;
}

/** An allow answer for `rule`. */
export function allow(rule: string, reason: string, inputs?: Readonly<Record<string, unknown>>): PolicyDecision {
  return inputs === undefined ? { decision: 'allow', rule, reason } : { decision: 'allow', rule, reason, inputs };
}

/** A deny answer for `rule`. */
export function deny(rule: string, reason: string, inputs?: Readonly<Record<string, unknown>>): PolicyDecision {
  return inputs === undefined ? { decision: 'deny', rule, reason } : { decision: 'deny', rule, reason, inputs };
}

/** A deny as the caller is answered: the stable code, the message and the details of the answer. */
export interface PolicyRefusal {
  decision: 'deny';
  rule: string;
  reason: string;
  inputs: Readonly<Record<string, unknown>>;
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

/** What a team rule answers: an allow, or a refusal carrying its answer. */
export type Ruling = (PolicyDecision & { decision: 'allow'; inputs: Readonly<Record<string, unknown>> }) | PolicyRefusal;

/** The TeamError a refusal is answered with, carrying the refusal as typed data. */
export function refusalError(refusal: PolicyRefusal, kind: RefusalKind = 'policy'): TeamError {
  return new TeamError(refusal.code, refusal.message, refusal.details, { kind, rule: refusal.rule, inputs: refusal.inputs });
}

import type { Decision } from '@codex-team/contracts';

/**
 * A policy answer as data: what was decided, which rule decided it (a profile field path such as
 * `budget.hard_tokens`) and a sentence a model or an operator can act on. Callers log and audit it.
 */
export interface PolicyDecision {
  decision: Decision;
  rule: string;
  reason: string;
}

/** An allow answer for `rule`. */
export function allow(rule: string, reason: string): PolicyDecision {
  return { decision: 'allow', rule, reason };
}

/** A deny answer for `rule`. */
export function deny(rule: string, reason: string): PolicyDecision {
  return { decision: 'deny', rule, reason };
}

import type { Agent, AuthzDecision } from '@codex-team/contracts';
import { table } from './render-text';

/** The decision log as a table: who called what, which rule decided, and how the call ended. */
export function renderDecisions(decisions: readonly AuthzDecision[], agents: readonly Agent[]): string {
  if (decisions.length === 0) return 'no decisions\n';
  const names = new Map(agents.map((agent) => [agent.id, agent.name] as const));
  return `${table(
    ['seq', 'at', 'agent', 'role', 'call', 'decision', 'rule', 'outcome'],
    decisions.map((d) => [
      String(d.seq),
      d.at,
      d.agent_id === null ? '(unbound)' : (names.get(d.agent_id) ?? d.agent_id),
      d.role ?? '-',
      `${d.tool}:${d.action}`,
      d.decision,
      d.rule,
      d.outcome,
    ]),
  )}\n`;
}

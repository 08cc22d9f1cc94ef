import type { UsageRecord } from '@codex-team/contracts';

/**
 * Where a team's (or one agent's) tokens come from: measured from Codex's session rollouts, or
 * reported by the agents themselves. Self-reported samples of an agent whose usage is measured
 * charge nothing (or only what was charged before measuring began), so `charged_tokens` never
 * counts a response twice.
 */
export interface UsageView {
  /** Input plus output tokens of the samples read from Codex's rollouts. */
  measured_tokens: number;
  /** Input plus output tokens the agents reported themselves. */
  reported_tokens: number;
  /** What the self-reports charged (0 once an agent's usage is measured). */
  reported_charged_tokens: number;
  /** What the budget was charged: measured plus the self-reports that counted. */
  charged_tokens: number;
}

/** The usage view of `usage`, all of it or one agent's. Pure. */
export function usageView(usage: readonly UsageRecord[], agentId?: string): UsageView {
  const view: UsageView = { measured_tokens: 0, reported_tokens: 0, reported_charged_tokens: 0, charged_tokens: 0 };
  for (const sample of usage) {
    if (agentId !== undefined && sample.agent_id !== agentId) continue;
    const tokens = sample.input_tokens + sample.output_tokens;
    if (sample.source === 'measured') view.measured_tokens += tokens;
    else {
      view.reported_tokens += tokens;
      view.reported_charged_tokens += sample.charged_tokens;
    }
    view.charged_tokens += sample.charged_tokens;
  }
  return view;
}

/** One line saying where the tokens charged came from, for text views. */
export function usageLine(view: UsageView, whose: 'team' | 'agent'): string {
  const rollout = whose === 'agent' ? 'its Codex rollout' : 'Codex rollouts';
  const parts: string[] = [];
  if (view.measured_tokens > 0) parts.push(`${view.measured_tokens} measured from ${rollout}`);
  if (view.reported_tokens > 0) {
    const charged =
      view.measured_tokens === 0
        ? 'self-reported, not measured'
        : view.reported_charged_tokens === 0
          ? 'self-reported, not charged'
          : `self-reported, ${view.reported_charged_tokens} of them charged before measuring began`;
    parts.push(`${view.reported_tokens} ${charged}`);
  }
  return `tokens: ${view.charged_tokens} charged${parts.length === 0 ? '' : `: ${parts.join('; ')}`}`;
}

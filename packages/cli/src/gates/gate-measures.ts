import { z } from 'zod';

// What one scenario of `npm run gates` measured. Quality is pass/fail checks and counts that must
// never drop; cost is figures that may rise only within the scenario profile's tolerance.

/** The cost measures, in the order the printout shows them. */
export const COST_MEASURES = ['model_tokens', 'tool_calls', 'bytes_read', 'agent_time_ms', 'makespan_ratio'] as const;
export type CostMeasure = (typeof COST_MEASURES)[number];

export const CostMeasuresSchema = z.strictObject({
  /** Tokens of every model request and answer, as the scripted endpoint counts them (a token per 4 bytes). */
  model_tokens: z.number().int().min(0),
  /** Tool calls the agents made (codex-team's and Codex's own multi-agent tools). */
  tool_calls: z.number().int().min(0),
  /** Bytes of codex-team answers the agents read (the model-visible tool output). */
  bytes_read: z.number().int().min(0),
  /** Sum over agent threads of the time from their first model request to their last answer. */
  agent_time_ms: z.number().min(0),
  /** The root team's makespan (team.start to team.finalize) over its critical path of measured task work. */
  makespan_ratio: z.number().min(0),
});
export type CostMeasures = z.infer<typeof CostMeasuresSchema>;

export const QualityMeasuresSchema = z.strictObject({
  /** Done tasks whose completion names evidence (artifacts) that resolves to what the store holds. */
  tasks_done_with_evidence: z.number().int().min(0),
  /** Named checks (invariants, the hook and quality rules, the scenario's expectations): all must hold. */
  checks: z.record(z.string(), z.boolean()),
});
export type QualityMeasures = z.infer<typeof QualityMeasuresSchema>;

export const ScenarioMeasuresSchema = z.strictObject({
  quality: QualityMeasuresSchema,
  cost: CostMeasuresSchema,
});
export type ScenarioMeasures = z.infer<typeof ScenarioMeasuresSchema>;

/** A scenario's measures with what explains a failed check (unexpected errors, the run's exit). */
export interface ScenarioOutcome {
  scenario: string;
  profile: string;
  measures: ScenarioMeasures;
  /** Why checks failed, one line each; empty when all held. */
  notes: string[];
  /** Wall time of the scenario (setup, run, read-back), for the printout only. */
  wallMs: number;
  /** Figures shown but not gated (makespan and critical path in ms, requests). */
  extra: Record<string, number>;
}

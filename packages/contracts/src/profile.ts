import { z } from 'zod';
import { RiskTierSchema, type RiskTier } from './entities';
import { HooksConfigSchema } from './hooks';
import { LIMITS } from './limits';

export { RiskTierSchema, type RiskTier };

/**
 * A profile name is also a file name (`profiles/<name>.yaml`), so it is a plain identifier: a path,
 * a dot or a separator in it is refused before anything else is checked.
 */
export const ProfileNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(32, 'must be at most 32 characters')
  .refine((name) => !/[/\\]|\.\./.test(name), {
    message: 'must be a plain name, not a path (no "/", "\\" or "..")',
    abort: true,
  })
  .regex(/^[a-z][a-z0-9-]*$/, 'must be lowercase letters, digits or "-", starting with a letter');
export type ProfileName = z.infer<typeof ProfileNameSchema>;

const count = (min: number, max: number, what: string) =>
  z
    .int('must be a whole number')
    .min(min, min === 0 ? 'must not be negative' : `must be at least ${min}`)
    .max(max, `must be at most ${max} ${what}`);
const tokens = z.int('must be a whole number of tokens').min(0, 'must not be negative');
const millis = (min: number, max: number) =>
  z
    .int('must be a whole number of milliseconds')
    .min(min, `must be at least ${min} ms`)
    .max(max, `must be at most ${max} ms`);

const HOUR_MS = 3_600_000;

export const ThreadLimitsSchema = z
  .strictObject({
    /** Max active teammates of a team started under this profile without an explicit max_threads. */
    default: count(1, LIMITS.maxThreadsHardCap, 'threads (the hard cap of active teammates)'),
    /** No team under this profile may have more active teammates, whatever its max_threads says. */
    hard_cap: count(1, LIMITS.maxThreadsHardCap, 'threads (the hard cap of active teammates)'),
  })
  .refine((t) => t.default <= t.hard_cap, { path: ['default'], message: 'must not exceed threads.hard_cap' });

export const FanoutBandSchema = z
  .strictObject({
    /** While any task is ready, the team is topped up to at least this many teammates. */
    min: count(0, LIMITS.maxThreadsHardCap, 'agents'),
    /** The team never grows past this many teammates (nor past the thread cap). */
    max: count(1, LIMITS.maxThreadsHardCap, 'agents'),
    /** Ready tasks of one role that justify one more agent of that role. */
    tasks_per_agent: z.int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100'),
  })
  .refine((f) => f.min <= f.max, { path: ['min'], message: 'must not exceed fanout.max' });

export const TokenBudgetSchema = z
  .strictObject({
    /** Past this many tokens the team shrinks: fewer new agents are recommended. */
    soft_tokens: tokens,
    /** At this many tokens new spawns and claims are refused. */
    hard_tokens: tokens,
  })
  .refine((b) => b.hard_tokens >= b.soft_tokens, {
    path: ['hard_tokens'],
    message: 'must be at least budget.soft_tokens',
  });

export const IdlePolicySchema = z.strictObject({
  /** A teammate not seen for this long is idle. */
  agent_timeout_ms: millis(10_000, 24 * HOUR_MS),
  /** A team with no activity for this long is idle as a whole. */
  team_timeout_ms: millis(10_000, 7 * 24 * HOUR_MS),
  /** Whether the idle sweep retires idle teammates (freeing their slot) or only reports them. */
  retire_idle_agents: z.boolean('must be true or false'),
});

export const LeasePolicySchema = z
  .strictObject({
    /** How long a claim stays valid without renewal; tens of seconds at least (SQLite lock waits). */
    length_ms: millis(10_000, HOUR_MS),
    /** How often a holder should renew; must be well inside the lease. */
    renew_every_ms: millis(1_000, HOUR_MS),
    /** Claims of one task before an expired lease fails it instead of returning it to the pool. */
    max_attempts: z.int('must be a whole number').min(1, 'must be at least 1').max(20, 'must be at most 20'),
  })
  .refine((l) => l.renew_every_ms < l.length_ms, {
    path: ['renew_every_ms'],
    message: 'must be less than lease.length_ms',
  });

export const MessagePolicySchema = z.strictObject({
  /** Bytes of UTF-8 in one message body; larger content belongs in an artifact. */
  body_max_bytes: z
    .int('must be a whole number of bytes')
    .min(256, 'must be at least 256 bytes')
    .max(LIMITS.messageBodyMaxBytes, `must be at most ${LIMITS.messageBodyMaxBytes} bytes (the contract limit)`),
});

export const QualityRuleSchema = z.strictObject({
  /** Reviews by another agent a task of this tier needs before it counts as done. */
  required_reviews: count(0, 5, 'reviews'),
  /** Whether a completion must point at evidence (an artifact, a test run, a diff). */
  require_evidence: z.boolean('must be true or false'),
  /** Whether a completion must include passing tests. */
  require_tests: z.boolean('must be true or false'),
});
export type QualityRule = z.infer<typeof QualityRuleSchema>;

export const QualityRulesSchema = z
  .strictObject({ low: QualityRuleSchema, medium: QualityRuleSchema, high: QualityRuleSchema })
  .refine((q) => q.medium.required_reviews >= q.low.required_reviews, {
    path: ['medium', 'required_reviews'],
    message: 'must be at least quality.low.required_reviews (a riskier tier never needs fewer reviews)',
  })
  .refine((q) => q.high.required_reviews >= q.medium.required_reviews, {
    path: ['high', 'required_reviews'],
    message: 'must be at least quality.medium.required_reviews (a riskier tier never needs fewer reviews)',
  });

export const GuardrailSwitchesSchema = z.strictObject({
  /** Sweep idle teammates and teams by the idle policy. */
  idle_sweep: z.boolean('must be true or false'),
  /** Tell the lead to finalize, and recommend no spawns, once every task is finished. */
  early_stop: z.boolean('must be true or false'),
  /** Mask secrets (tokens, keys) in message bodies and artifacts before they are stored. */
  redact_secrets: z.boolean('must be true or false'),
});

export const CheckpointPolicySchema = z.strictObject({
  /**
   * The sweep checkpoints a team once this many audit events happened since its latest
   * checkpoint (0: only team_checkpoint does).
   */
  every_events: z.int('must be a whole number').min(0, 'must not be negative').max(1_000_000, 'must be at most 1000000 events'),
});
export type CheckpointPolicy = z.infer<typeof CheckpointPolicySchema>;
/** What a child team that fails or is cancelled does to the tasks its parent delegated to it. */
export const ChildFailureSchema = z.enum(['fail', 'return']);
export type ChildFailure = z.infer<typeof ChildFailureSchema>;

/** Child teams (docs/hierarchy.md): how deep a tree may grow, and what a failed child gives back. */
export const HierarchyPolicySchema = z.strictObject({
  /** Levels of child teams below the root team (a child of the root is at depth 1). */
  max_depth: count(0, LIMITS.maxTreeDepthHardCap, 'levels below the root (the hard cap)'),
  /** fail: a failed or cancelled child fails the delegated tasks; return: they go back to the parent's pool. */
  on_child_failure: ChildFailureSchema,
});

/** What a profile without a `hierarchy` section gets (profiles written before child teams existed). */
export const DEFAULT_HIERARCHY_POLICY = { max_depth: 2, on_child_failure: 'return' } as const;

/**
 * Limits on what one agent of the team may take on, each optional: past one, the agent's claims
 * are blocked (HOOK_BLOCKED, naming the cap). Without `caps` no agent is capped.
 */
export const AgentCapsSchema = z
  .strictObject({
    /** Claims one agent may make over the team's life. */
    claims: count(1, 100_000, 'claims').optional(),
    /** Model turns one agent may report (usage samples it sends). */
    turns: count(1, 1_000_000, 'turns').optional(),
    /** Time since the agent joined after which it takes no new work. */
    wall_time_ms: millis(60_000, 7 * 24 * HOUR_MS).optional(),
  })
  .refine((c) => c.claims !== undefined || c.turns !== undefined || c.wall_time_ms !== undefined, {
    message: 'must set at least one of claims, turns or wall_time_ms',
  });
export type AgentCaps = z.infer<typeof AgentCapsSchema>;

/**
 * A policy profile (`profiles/<name>.yaml`). Every field is required (but `caps`, `hooks`, `checkpoint` and
 * the `hierarchy` section, which older profiles lack) and unknown keys are refused, so a
 * typo never silently falls back to a default. Profiles narrow the contract LIMITS, never widen
 * them: no profile allows more than 6 active teammates or bigger message bodies than the contracts.
 */
export const ProfileSchema = z
  .strictObject({
    name: ProfileNameSchema,
    description: z.string('must be text').min(1, 'must not be empty').max(500, 'must be at most 500 characters'),
    threads: ThreadLimitsSchema,
    fanout: FanoutBandSchema,
    budget: TokenBudgetSchema,
    idle: IdlePolicySchema,
    lease: LeasePolicySchema,
    messages: MessagePolicySchema,
    quality: QualityRulesSchema,
    guardrails: GuardrailSwitchesSchema,
    /**
     * Automatic checkpoints. Optional so that profiles written before checkpoints existed keep
     * loading, with DEFAULTS.checkpointEveryEvents.
     */
    checkpoint: CheckpointPolicySchema.optional(),
    /** Optional so that profiles written before child teams still load: DEFAULT_HIERARCHY_POLICY. */
    hierarchy: HierarchyPolicySchema.default(DEFAULT_HIERARCHY_POLICY),
    /** Per-agent caps on claims, turns and wall time. @default none */
    caps: AgentCapsSchema.optional(),
    /** Lifecycle hooks of teams under this profile (docs/hooks.md). @default none */
    hooks: HooksConfigSchema.optional(),
  })
  .refine((p) => p.fanout.max <= p.threads.hard_cap, {
    path: ['fanout', 'max'],
    message: 'must not exceed threads.hard_cap',
  })
  .refine((p) => p.idle.agent_timeout_ms >= p.lease.length_ms, {
    path: ['idle', 'agent_timeout_ms'],
    message: 'must be at least lease.length_ms (an agent holding a live lease is not idle)',
  })
  .refine((p) => p.idle.team_timeout_ms >= p.idle.agent_timeout_ms, {
    path: ['idle', 'team_timeout_ms'],
    message: 'must be at least idle.agent_timeout_ms',
  });
export type Profile = z.infer<typeof ProfileSchema>;

const reported = (max: number) => tokens.max(max, `must be at most ${max} tokens in one report (LIMITS); report a long task's usage turn by turn`);

/**
 * Token usage reported for one model turn (OpenAI `usage`). Budgets are charged with input plus
 * output tokens; cached input tokens are part of input_tokens and are not charged twice. Each count
 * is bounded (LIMITS.usageInputTokensMax, usageOutputTokensMax): what one call can plausibly cost.
 */
export const UsageSampleSchema = z
  .strictObject({
    input_tokens: reported(LIMITS.usageInputTokensMax),
    output_tokens: reported(LIMITS.usageOutputTokensMax),
    cached_input_tokens: reported(LIMITS.usageInputTokensMax).optional(),
  })
  .refine((sample) => (sample.cached_input_tokens ?? 0) <= sample.input_tokens, {
    path: ['cached_input_tokens'],
    message: 'must not exceed input_tokens (cached input is part of it)',
  });
export type UsageSample = z.infer<typeof UsageSampleSchema>;

import { z } from 'zod';
import { AgentIdSchema, RoleSchema } from '../entities';
import { ProfileNameSchema, ProfileSchema } from '../profile';

/** Where a profile was loaded from: the shipped `profiles/` directory or the user's own. */
export const ProfileOriginSchema = z.enum(['builtin', 'user']);

/** Where the team's token usage stands against its profile's budget. */
export const BudgetStateSchema = z.strictObject({
  state: z.enum(['ok', 'soft_exceeded', 'hard_exceeded']),
  used_tokens: z.number().int(),
  soft_tokens: z.number().int(),
  hard_tokens: z.number().int(),
  remaining_tokens: z.number().int(),
  reason: z.string(),
});

/** The early-stop verdict: once ready, the team should be finalized and refuses new claims. */
export const ReadyToFinalizeSchema = z.strictObject({
  ready: z.boolean(),
  reason: z.string(),
});

/** One role the lead should spawn now, how many, what the role is for, and why. */
export const SpawnHintSchema = z.strictObject({
  role: RoleSchema,
  count: z.number().int().min(1),
  purpose: z.string(),
  reasons: z.array(z.string()),
});

/** Readiness hints for the lead: whom to spawn now, under which cap and budget, and who is idle. */
export const StaffingHintsSchema = z.strictObject({
  spawn: z.array(SpawnHintSchema),
  target_agents: z.number().int(),
  cap: z.number().int(),
  budget: BudgetStateSchema,
  idle_agent_ids: z.array(AgentIdSchema),
  reasons: z.array(z.string()),
});
export type StaffingHints = z.infer<typeof StaffingHintsSchema>;

/**
 * The staffing hints as team_status answers them: whom to spawn now and the one-line conclusion.
 * The reasoning behind it is logged and audited (`policy.fanout`) and shows in team_run_summary.
 */
export const StatusHintsSchema = z.strictObject({
  spawn: z.array(z.strictObject({ role: RoleSchema, count: z.number().int().min(1) })),
  target_agents: z.number().int(),
  cap: z.number().int(),
  budget: BudgetStateSchema.shape.state,
  /** Teammates the idle sweep marked idle; absent when none is. */
  idle_agent_ids: z.array(AgentIdSchema).optional(),
  reason: z.string(),
});
export type StatusHints = z.infer<typeof StatusHintsSchema>;

/** The answer's hints from the full ones: the spawn list, the numbers and the last reason. */
export function statusHints(hints: StaffingHints): StatusHints {
  return {
    spawn: hints.spawn.map(({ role, count }) => ({ role, count })),
    target_agents: hints.target_agents,
    cap: hints.cap,
    budget: hints.budget.state,
    ...(hints.idle_agent_ids.length === 0 ? {} : { idle_agent_ids: hints.idle_agent_ids }),
    reason: hints.reasons[hints.reasons.length - 1] ?? '',
  };
}

/**
 * team_policy: without `profile`, the team's profile in full, the lease of claims made now and
 * every profile available; with `profile` (the lead's), a switch, answered with the new profile,
 * the one before and what the switch changes. One tool for both (schema bytes ride every turn).
 */
export const TeamPolicyInputSchema = z.strictObject({
  profile: ProfileNameSchema.optional().meta({ docs: 'Lead only: switch to this profile (one of `available`); leave it out to read' }),
});
/**
 * A profile as team_policy shows it: its hooks as configured, without their schema (about 9 kB
 * of JSON Schema, one per event, in every tools/list answer); the profile file's reader checks them.
 */
const ProfileViewSchema = ProfileSchema.safeExtend({
  hooks: z.record(z.string(), z.array(z.unknown())).optional().describe('Lifecycle hooks by event (docs/hooks.md)'),
});

export const TeamPolicyOutputSchema = z.strictObject({
  profile: ProfileViewSchema,
  origin: ProfileOriginSchema,
  /** The lease of claims made now: the profile's lease.length_ms unless the server overrides it. */
  lease_ms: z.number().int(),
  /** A read: every profile available. */
  available: z.array(z.strictObject({ name: z.string(), description: z.string(), origin: ProfileOriginSchema })).optional(),
  /** A switch: the profile before. */
  previous_profile: z.string().optional(),
  /** A switch: what it changes, field by field ("lease.length_ms 60000 -> 30000"). */
  changes: z.array(z.string()).optional(),
});

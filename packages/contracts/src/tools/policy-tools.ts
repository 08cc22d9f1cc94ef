import { z } from 'zod';
import { AgentIdSchema, RoleSchema, TeamSchema } from '../entities';
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

/**
 * A profile as team_policy_get shows it: its hooks as configured, without their schema (about 9 kB
 * of JSON Schema, one per event, in every tools/list answer); the profile file's reader checks them.
 */
const ProfileViewSchema = ProfileSchema.safeExtend({
  hooks: z.record(z.string(), z.array(z.unknown())).optional().describe('Lifecycle hooks by event (docs/hooks.md)'),
});

export const TeamPolicyGetInputSchema = z.strictObject({});
export const TeamPolicyGetOutputSchema = z.strictObject({
  profile: ProfileViewSchema,
  origin: ProfileOriginSchema,
  /** The lease of claims made now: the profile's lease.length_ms unless the server overrides it. */
  lease_ms: z.number().int(),
  available: z.array(z.strictObject({ name: z.string(), description: z.string(), origin: ProfileOriginSchema })),
});

export const TeamPolicySetProfileInputSchema = z.strictObject({
  profile: ProfileNameSchema.describe('Name of a profile listed by team_policy_get'),
});
export const TeamPolicySetProfileOutputSchema = z.strictObject({
  team: TeamSchema,
  previous_profile: z.string(),
  /** What the switch changes, field by field ("lease.length_ms 60000 -> 30000"). */
  changes: z.array(z.string()),
});

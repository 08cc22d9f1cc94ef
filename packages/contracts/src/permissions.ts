import { z } from 'zod';
import { AgentIdSchema, DecisionSchema, PermissionProfileNameSchema, TeamIdSchema, TimestampSchema } from './entities';

/**
 * One rule pattern: `*` (every tool), `<tool>` (every action of the tool) or `<tool>:<action>`,
 * for example `team_task_complete:status=done`. Which tools and actions exist is checked against
 * the action table when the file is loaded, not here.
 */
export const PermissionRuleSchema = z
  .string('must be text')
  .max(100, 'must be at most 100 characters')
  .regex(
    /^(\*|[a-z][a-z0-9_]*(:[a-z][a-z0-9_]*(=[a-z0-9_]+)?)?)$/,
    'must be "*", "<tool>" or "<tool>:<action>", for example team_task_complete:status=done',
  );

/** A named set of allow and deny rules. Deny always beats allow; a call no rule allows is denied. */
export const PermissionProfileSchema = z.strictObject({
  description: z.string('must be text').min(1, 'must not be empty').max(300, 'must be at most 300 characters'),
  /** Profiles whose rules this one inherits (their denies included: a deny is never overridden). */
  extends: z.array(PermissionProfileNameSchema).max(8, 'must name at most 8 profiles').default([]),
  allow: z.array(PermissionRuleSchema).max(200, 'must hold at most 200 rules').default([]),
  deny: z.array(PermissionRuleSchema).max(200, 'must hold at most 200 rules').default([]),
});
export type PermissionProfile = z.infer<typeof PermissionProfileSchema>;

/** A role name, or `*` for every role the file does not name (custom roles). */
export const PermissionRoleKeySchema = z
  .string()
  .regex(/^(\*|[a-z][a-z0-9_-]{0,31})$/, 'must be a role name (lowercase) or "*" for every other role');

/**
 * The permissions file (`profiles/permissions/default.yaml`): named profiles and which profile each
 * role gets. Unknown keys are refused so a typo never silently widens or narrows anything.
 */
export const PermissionPolicyFileSchema = z.strictObject({
  profiles: z.record(PermissionProfileNameSchema, PermissionProfileSchema),
  roles: z.record(PermissionRoleKeySchema, PermissionProfileNameSchema),
});
export type PermissionPolicyFile = z.infer<typeof PermissionPolicyFileSchema>;

/**
 * The steps of the server's authorization of one call, in the order they run: `input` checks the
 * arguments against the schema before anything else. The step that refused a call, or the last one
 * that decided, is recorded. `hook`: a lifecycle hook or quality gate blocked the allowed call.
 */
export const AuthzStepSchema = z.enum(['input', 'identity', 'scope', 'permission', 'mode', 'hook']);
export type AuthzStep = z.infer<typeof AuthzStepSchema>;

/**
 * One authorization decision as recorded in the decision log: every tools/call has exactly one,
 * allowed or refused. An allowed call that changed state is recorded in the same transaction as
 * its audit events, which `audit_seqs` names; other calls are recorded on their own.
 */
export const AuthzDecisionSchema = z.strictObject({
  seq: z.number().int().min(1),
  at: TimestampSchema,
  /** null for a session that was not bound to any team. */
  team_id: TeamIdSchema.nullable(),
  agent_id: AgentIdSchema.nullable(),
  role: z.string().nullable(),
  tool: z.string(),
  action: z.string(),
  /** The permission profile that decided, when the permission step ran. */
  profile: z.string().nullable(),
  /** The rule that decided, e.g. `reviewer.deny(team_task_next:unassigned)` or `default-deny`. */
  rule: z.string(),
  /** Every rule that matched, sorted; empty when none did. */
  matched: z.array(z.string()),
  decision: DecisionSchema,
  reason: z.string(),
  step: AuthzStepSchema,
  /** `ok`, or the error code the call was answered with. */
  outcome: z.string(),
  /** First and last audit event seq of the state change this decision allowed, if any. */
  audit_seqs: z.strictObject({ first: z.number().int(), last: z.number().int() }).nullable(),
});
export type AuthzDecision = z.infer<typeof AuthzDecisionSchema>;

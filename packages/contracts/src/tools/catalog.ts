import type { z } from 'zod';
import type { ErrorCode } from '../errors';
import * as artifact from './artifact-tools';
import * as hierarchy from './hierarchy-tools';
import * as message from './message-tools';
import * as mode from './mode-tools';
import * as recovery from './recovery-tools';
import * as observe from './observability-tools';
import * as policy from './policy-tools';
import * as task from './task-tools';
import * as team from './team-tools';

/**
 * Which session a tool is for. `unbound`: only a session not yet bound to an agent (decided by the
 * session alone). Every other tool needs a bound session and the caller's permissions decide
 * (profiles/permissions): `lead` tools are reserved for the lead, so no profile bound to or granted
 * to another role may allow them; `member` and `holder` tools are open to the roles whose profile
 * allows them, `holder` ones also needing the task's claim.
 */
export type ToolAudience = 'unbound' | 'lead' | 'member' | 'holder';

export interface ToolContract<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: string;
  /** One or two sentences the model reads on every turn: keep them short. */
  description: string;
  audience: ToolAudience;
  input: I;
  output: O;
  /** Codes this tool can answer with besides INTERNAL and BUSY, which any tool can. */
  errors: readonly ErrorCode[];
  /**
   * Parts of a `member` tool only the lead may use (an action, or a flag such as `consensus`); a
   * `lead` tool is the lead's as a whole. With `audience`, the one source of what is lead-only.
   */
  leadOnly?: readonly string[];
}

// Any bound call can be refused by the caller's permissions (DENIED, naming the rule).
const BOUND: readonly ErrorCode[] = ['INVALID_INPUT', 'NOT_BOUND', 'DENIED'];
const WRITE: readonly ErrorCode[] = [...BOUND, 'TEAM_FINALIZED'];
// A tool with a `team` argument answers NOT_FOUND for a team the caller's tree does not show it.
const IN_TREE: readonly ErrorCode[] = ['NOT_FOUND'];

function tool<I extends z.ZodType, O extends z.ZodType>(c: ToolContract<I, O>): ToolContract<I, O> {
  return c;
}

export const TOOL_CONTRACTS = {
  team_start: tool({
    name: 'team_start',
    description: 'Start a team and become its lead. Returns a resume ticket.',
    audience: 'unbound',
    input: team.TeamStartInputSchema,
    output: team.TeamStartOutputSchema,
    errors: ['INVALID_INPUT', 'ALREADY_BOUND', 'NOT_FOUND', 'HOOK_BLOCKED'],
  }),
  team_status: tool({
    name: 'team_status',
    description:
      'Any agent. Your team, agents, task counts, unread messages, ready-to-finalize; for the lead, whom to spawn.',
    audience: 'member',
    input: team.TeamStatusInputSchema,
    output: team.TeamStatusOutputSchema,
    errors: [...BOUND, ...IN_TREE],
  }),
  team_finalize: tool({
    name: 'team_finalize',
    description: 'Lead only. Close the team; refuses while tasks are unfinished unless force.',
    audience: 'lead',
    input: team.TeamFinalizeInputSchema,
    output: team.TeamFinalizeOutputSchema,
    errors: [...WRITE, ...IN_TREE, 'CONFLICT', 'HOOK_BLOCKED'],
  }),
  team_resume: tool({
    name: 'team_resume',
    description: 'Re-bind this session to your agent with the resume ticket after a restart; answers your next ticket (the one used stops working).',
    audience: 'unbound',
    input: team.TeamResumeInputSchema,
    output: team.TeamResumeOutputSchema,
    // LIMIT_EXCEEDED: a teammate coming back takes a thread slot again, and none is free.
    errors: ['INVALID_INPUT', 'ALREADY_BOUND', 'NOT_FOUND', 'DENIED', 'LIMIT_EXCEEDED', 'HOOK_BLOCKED'],
  }),
  team_spawn: tool({
    name: 'team_spawn',
    description:
      'Lead only. Register a teammate; pass the returned spawn_instruction to spawn_agent.',
    audience: 'lead',
    input: team.TeamSpawnInputSchema,
    output: team.TeamSpawnOutputSchema,
    errors: [...WRITE, ...IN_TREE, 'CONFLICT', 'LIMIT_EXCEEDED', 'HOOK_BLOCKED'],
  }),
  team_join: tool({
    name: 'team_join',
    description: 'Teammates: bind this session to your agent with the join ticket (once).',
    audience: 'unbound',
    input: team.TeamJoinInputSchema,
    output: team.TeamJoinOutputSchema,
    errors: ['INVALID_INPUT', 'ALREADY_BOUND', 'NOT_FOUND', 'TEAM_FINALIZED', 'LIMIT_EXCEEDED', 'HOOK_BLOCKED'],
  }),
  team_task_create: tool({
    name: 'team_task_create',
    description: 'Any agent. Add tasks (a DAG in one call: depends_on takes ids or keys of this call; risk low/medium/high).',
    audience: 'member',
    input: task.TaskCreateInputSchema,
    output: task.TaskCreateOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'CYCLE_DETECTED', 'CONFLICT', 'HOOK_BLOCKED'],
  }),
  team_task_list: tool({
    name: 'team_task_list',
    description: 'Any agent. List tasks of your team, filtered by status or owner, paged by id.',
    audience: 'member',
    input: task.TaskListInputSchema,
    output: task.TaskListOutputSchema,
    errors: [...BOUND, ...IN_TREE],
  }),
  team_task_next: tool({
    name: 'team_task_next',
    description:
      'Any agent. Claim the best ready task for your role (role-free tasks: not reviewers, planners, researchers). Returns fence and lease.',
    audience: 'member',
    input: task.TaskNextInputSchema,
    output: task.TaskNextOutputSchema,
    errors: [...WRITE, 'CONFLICT', 'LIMIT_EXCEEDED', 'HOOK_BLOCKED'],
  }),
  team_task_claim: tool({
    name: 'team_task_claim',
    description: 'Any agent. Claim one ready task by id, as team_task_next allows. Returns its fence and lease.',
    audience: 'member',
    input: task.TaskClaimInputSchema,
    output: task.TaskClaimOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'CONFLICT', 'LIMIT_EXCEEDED', 'HOOK_BLOCKED'],
  }),
  team_task_update: tool({
    name: 'team_task_update',
    description:
      'Any agent. Holder: report progress with your fence (renews the lease). Lead, planner (creator): edit or cancel a task not in progress. Reviewer: review (approve/reject) a task another holds. Lead: set risk (low/medium/high).',
    audience: 'member',
    input: task.TaskUpdateInputSchema,
    output: task.TaskUpdateOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'CONFLICT', 'STALE_CLAIM'],
    leadOnly: ['risk'],
  }),
  team_task_complete: tool({
    name: 'team_task_complete',
    description:
      'Any agent, as holder: finish your task as done or failed, with evidence. Unblocks dependants. Medium/high risk may need evidence, test artifacts or reviews (HOOK_BLOCKED says which).',
    audience: 'holder',
    input: task.TaskCompleteInputSchema,
    output: task.TaskCompleteOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'STALE_CLAIM', 'HOOK_BLOCKED'],
  }),
  team_task_release: tool({
    name: 'team_task_release',
    description: 'Any agent, as holder: give your task back to the ready pool, with a reason.',
    audience: 'holder',
    input: task.TaskReleaseInputSchema,
    output: task.TaskReleaseOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'STALE_CLAIM', 'HOOK_BLOCKED'],
  }),
  team_send: tool({
    name: 'team_send',
    description: 'Any agent. Message one agent of your team, or "*" for all. Reference artifacts, do not paste them.',
    audience: 'member',
    input: message.SendInputSchema,
    output: message.SendOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'CONFLICT', 'STALE_CLAIM', 'HOOK_BLOCKED'],
    leadOnly: ['consensus'],
  }),
  team_inbox: tool({
    name: 'team_inbox',
    description: 'Any agent. Ack handled message ids, then get your unread messages, oldest first.',
    audience: 'member',
    input: message.InboxInputSchema,
    output: message.InboxOutputSchema,
    errors: [...BOUND, 'NOT_FOUND'],
  }),
  team_artifact_publish: tool({
    name: 'team_artifact_publish',
    description: 'Any agent. Publish text as a new version of a named artifact (sha256, size checked).',
    audience: 'member',
    input: artifact.ArtifactPublishInputSchema,
    output: artifact.ArtifactPublishOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'STALE_CLAIM'],
  }),
  team_artifact_read: tool({
    name: 'team_artifact_read',
    description: 'Any agent. Read an artifact by id, or by name (latest or a given version).',
    audience: 'member',
    input: artifact.ArtifactReadInputSchema,
    output: artifact.ArtifactReadOutputSchema,
    errors: [...BOUND, 'NOT_FOUND'],
  }),
  team_artifact_list: tool({
    name: 'team_artifact_list',
    description: 'Any agent. Latest version of every artifact of your team, or all versions of one name.',
    audience: 'member',
    input: artifact.ArtifactListInputSchema,
    output: artifact.ArtifactListOutputSchema,
    errors: [...BOUND, ...IN_TREE],
  }),
  team_policy_get: tool({
    name: 'team_policy_get',
    description: "Any agent. Your team's policy profile (limits, budget, guardrails) and the profiles available.",
    audience: 'member',
    input: policy.TeamPolicyGetInputSchema,
    output: policy.TeamPolicyGetOutputSchema,
    errors: [...BOUND, 'NOT_FOUND'],
  }),
  team_policy_set_profile: tool({
    name: 'team_policy_set_profile',
    description: 'Lead only. Switch the team to another policy profile; applies to the next decision.',
    audience: 'lead',
    input: policy.TeamPolicySetProfileInputSchema,
    output: policy.TeamPolicySetProfileOutputSchema,
    errors: [...WRITE, 'NOT_FOUND'],
  }),
  team_run_summary: tool({
    name: 'team_run_summary',
    description: 'Any agent. Tasks by state, work per agent and role, usage vs budget, durations, critical path, decisions.',
    audience: 'member',
    input: observe.RunSummaryInputSchema,
    output: observe.RunSummaryOutputSchema,
    errors: [...BOUND, 'NOT_FOUND'],
  }),
  team_replay: tool({
    name: 'team_replay',
    description: "Lead only. The team's audit events in order (secrets masked), or with log \"decisions\" every call's authorization, paged by seq.",
    audience: 'lead',
    input: observe.ReplayInputSchema,
    output: observe.ReplayOutputSchema,
    errors: BOUND,
  }),
  team_mode_get: tool({
    name: 'team_mode_get',
    description: "Lead only. The team's mode (default, delegate, plan), what it refuses, and where it may go next.",
    audience: 'lead',
    input: mode.TeamModeGetInputSchema,
    output: mode.TeamModeGetOutputSchema,
    errors: BOUND,
  }),
  team_mode_set: tool({
    name: 'team_mode_set',
    description: 'Lead only. Set the mode: plan (plan only), delegate (you coordinate only) or default; ttl_ms makes it temporary.',
    audience: 'lead',
    input: mode.TeamModeSetInputSchema,
    output: mode.TeamModeSetOutputSchema,
    errors: [...WRITE, 'CONFLICT', 'DENIED', 'HOOK_BLOCKED'],
  }),
  team_plan: tool({
    name: 'team_plan',
    description: 'Any agent, some actions lead only. Submit your plan artifact for approval; the lead approves or rejects it with a reason.',
    audience: 'member',
    input: mode.TeamPlanInputSchema,
    output: mode.TeamPlanOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'CONFLICT', 'DENIED'],
    leadOnly: ['approve', 'reject'],
  }),
  team_heartbeat: tool({
    name: 'team_heartbeat',
    description: 'Any agent. Say you are alive; renews the leases of the claims you list.',
    audience: 'member',
    input: recovery.HeartbeatInputSchema,
    output: recovery.HeartbeatOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'STALE_CLAIM'],
  }),
  team_recover: tool({
    name: 'team_recover',
    description: 'Lead only. Take back expired claims and free lost teammates\' slots now.',
    audience: 'lead',
    input: recovery.RecoverInputSchema,
    output: recovery.RecoverOutputSchema,
    errors: [...WRITE, 'DENIED'],
  }),
  team_child: tool({
    name: 'team_child',
    description:
      'Lead only. start: a child team takes over your ready tasks; done when it finalizes. lead: self (default; then pass team to other tools to act in it) or ticket (lead_ticket for a new agent). tokens: its budget (default half yours left). team: parent, or takeover\'s child. takeover: lead a child whose lead is lost.',
    audience: 'lead',
    input: hierarchy.TeamChildInputSchema,
    output: hierarchy.TeamChildOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'CONFLICT', 'LIMIT_EXCEEDED'],
  }),
} as const;

export type ToolName = keyof typeof TOOL_CONTRACTS;
export const TOOL_NAMES = Object.keys(TOOL_CONTRACTS) as ToolName[];

/**
 * The tools whose input takes `team` (TeamArgSchema): the only ones that may act in another team of
 * the caller's tree, as docs/hierarchy.md says. Read from the input schemas, the one source.
 */
export const TEAM_SCOPED_TOOLS: readonly ToolName[] = TOOL_NAMES.filter((name) => {
  const shape = (TOOL_CONTRACTS[name].input as unknown as { shape?: Record<string, unknown> }).shape;
  return shape !== undefined && Object.hasOwn(shape, 'team');
});
export type ToolInput<N extends ToolName> = z.infer<(typeof TOOL_CONTRACTS)[N]['input']>;
export type ToolOutput<N extends ToolName> = z.infer<(typeof TOOL_CONTRACTS)[N]['output']>;

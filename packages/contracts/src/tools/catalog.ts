import type { z } from 'zod';
import type { ErrorCode } from '../errors';
import * as artifact from './artifact-tools';
import * as brief from './brief';
import * as checkpoint from './checkpoint-tools';
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
  /**
   * What the model reads on every turn of every agent (Codex sends it with the input schema): a
   * few words. The skill and docs/tools.md carry the rest.
   */
  description: string;
  /** Docs only (docs/tools.md): what the answer holds, and how to get what it leaves out. */
  answer: string;
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
    description: "Start a team; you lead it.",
    answer:
      "The team and you (short rows) and your resume ticket, once: keep it for team_resume.",
    audience: 'unbound',
    input: team.TeamStartInputSchema,
    output: team.TeamStartOutputSchema,
    errors: ['INVALID_INPUT', 'ALREADY_BOUND', 'NOT_FOUND', 'HOOK_BLOCKED'],
  }),
  team_status: tool({
    name: 'team_status',
    description: "Team overview; lead: spawn hints.",
    answer:
      "Short rows of the team, of you and of every agent that is not retired; task counts by status; threads in use; your unread count; whether the team is ready to finalize; for the lead, the staffing hints (roles to spawn, cap, budget state, idle agents and the conclusion; the reasoning is audited as `policy.fanout` and shows in team_run_summary).",
    audience: 'member',
    input: team.TeamStatusInputSchema,
    output: team.TeamStatusOutputSchema,
    errors: [...BOUND, ...IN_TREE],
  }),
  team_finalize: tool({
    name: 'team_finalize',
    description: "Lead: close the team.",
    answer:
      "The team's short row and the ids of the tasks a forced finalize cancelled.",
    audience: 'lead',
    input: team.TeamFinalizeInputSchema,
    output: team.TeamFinalizeOutputSchema,
    errors: [...WRITE, ...IN_TREE, 'CONFLICT', 'HOOK_BLOCKED'],
  }),
  team_resume: tool({
    name: 'team_resume',
    description: "Re-bind with your resume ticket; answers the next one.",
    answer:
      "The team and you (short rows), your next resume ticket (the one used stops working: keep the new one) and your brief, as team_brief gives it.",
    audience: 'unbound',
    input: team.TeamResumeInputSchema,
    output: team.TeamResumeOutputSchema,
    // LIMIT_EXCEEDED: a teammate coming back takes a thread slot again, and none is free.
    errors: ['INVALID_INPUT', 'ALREADY_BOUND', 'NOT_FOUND', 'DENIED', 'LIMIT_EXCEEDED', 'HOOK_BLOCKED'],
  }),
  team_spawn: tool({
    name: 'team_spawn',
    description: "Lead: add or restart a teammate.",
    answer:
      "The teammate's short row, the ticket its thread binds with (a join ticket; with `restart` a new resume ticket), the instruction to paste into spawn_agent, and the spawn_agent call to make under multi-agent v1 and v2.",
    audience: 'lead',
    input: team.TeamSpawnInputSchema,
    output: team.TeamSpawnOutputSchema,
    // NOT_FOUND: restart names no agent of the team (or `team` one outside your tree).
    errors: [...WRITE, ...IN_TREE, 'CONFLICT', 'LIMIT_EXCEEDED', 'HOOK_BLOCKED'],
  }),
  team_join: tool({
    name: 'team_join',
    description: "Bind with your join ticket.",
    answer:
      "The team (short row) and its objective, you (short row), and your resume ticket, once.",
    audience: 'unbound',
    input: team.TeamJoinInputSchema,
    output: team.TeamJoinOutputSchema,
    errors: ['INVALID_INPUT', 'ALREADY_BOUND', 'NOT_FOUND', 'TEAM_FINALIZED', 'LIMIT_EXCEEDED', 'HOOK_BLOCKED'],
  }),
  team_task_create: tool({
    name: 'team_task_create',
    description: "Add tasks; depends_on: ids or keys.",
    answer:
      "The new ids in the order given and the key -> id map; no rows (team_task_list has them).",
    audience: 'member',
    input: task.TaskCreateInputSchema,
    output: task.TaskCreateOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'CYCLE_DETECTED', 'CONFLICT', 'HOOK_BLOCKED'],
  }),
  team_task_list: tool({
    name: 'team_task_list',
    description: "Tasks as short rows.",
    answer:
      "Short rows (id, title, status and, when set, priority, risk, required_role, owner_agent_id, fence while claimed, depends_on, delegated_to), 100 a page by default, and next_after for the next page. `full: true` gives whole rows (20 a page by default) with description, progress and result cut at 1,000 characters, each cut ending with the call that reads it whole; `task_id` gives that one task whole, nothing cut.",
    audience: 'member',
    input: task.TaskListInputSchema,
    output: task.TaskListOutputSchema,
    // NOT_FOUND: task_id names no task of the team (or `team` one outside your tree).
    errors: [...BOUND, ...IN_TREE],
  }),
  team_task_next: tool({
    name: 'team_task_next',
    description: "Claim your next ready task, or task_id.",
    answer:
      "The claim: the work order (id, title, whole description, priority, required role, dependencies, attempts, an earlier holder's progress), its fence and lease expiry; or no claim, why, and `open`: the team's unfinished tasks (0: nothing is left for you, end your turn). With task_id, that task or an error saying why not (NOT_FOUND, CONFLICT for a task not ready or not yours to take, DENIED by your permissions).",
    audience: 'member',
    input: task.TaskNextInputSchema,
    output: task.TaskNextOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'CONFLICT', 'LIMIT_EXCEEDED', 'HOOK_BLOCKED'],
  }),
  team_task_update: tool({
    name: 'team_task_update',
    description: "Holder: progress. Lead: edit, cancel, risk. Others: review.",
    answer:
      "The task's short row and, for progress, the new lease expiry.",
    audience: 'member',
    input: task.TaskUpdateInputSchema,
    output: task.TaskUpdateOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'CONFLICT', 'STALE_CLAIM'],
    leadOnly: ['risk'],
  }),
  team_task_complete: tool({
    name: 'team_task_complete',
    description: "Holder: finish, with evidence.",
    answer:
      "The task's short row and the ids of the tasks it unblocked.",
    audience: 'holder',
    input: task.TaskCompleteInputSchema,
    output: task.TaskCompleteOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'STALE_CLAIM', 'HOOK_BLOCKED'],
  }),
  team_task_release: tool({
    name: 'team_task_release',
    description: "Holder: give a task back.",
    answer:
      "The task's short row.",
    audience: 'holder',
    input: task.TaskReleaseInputSchema,
    output: task.TaskReleaseOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'STALE_CLAIM', 'HOOK_BLOCKED'],
  }),
  team_send: tool({
    name: 'team_send',
    description: "Message an agent or \"*\".",
    answer:
      "The message's id, and whether it was a retry of an earlier send with the same idempotency_key.",
    audience: 'member',
    input: message.SendInputSchema,
    output: message.SendOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'CONFLICT', 'STALE_CLAIM', 'HOOK_BLOCKED'],
    leadOnly: ['consensus'],
  }),
  team_inbox: tool({
    name: 'team_inbox',
    description: "Ack, then read unread messages.",
    answer:
      "Your unread messages whole, oldest first (50 a page by default; `remaining` counts the rest), as short rows: no sender means codex-team itself, `broadcast` one sent to all; and how many ids were acked.",
    audience: 'member',
    input: message.InboxInputSchema,
    output: message.InboxOutputSchema,
    errors: [...BOUND, 'NOT_FOUND'],
  }),
  team_artifact_publish: tool({
    name: 'team_artifact_publish',
    description: "Publish an artifact.",
    answer:
      "The new version's short row (id, name, version, media type, size, task, plan, tests).",
    audience: 'member',
    input: artifact.ArtifactPublishInputSchema,
    output: artifact.ArtifactPublishOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'STALE_CLAIM'],
  }),
  team_artifact_read: tool({
    name: 'team_artifact_read',
    description: "Read an artifact.",
    answer:
      "The version's whole header (sha256 included) and up to 16,000 characters of content from `offset`, with next_offset to read on (null at the end).",
    audience: 'member',
    input: artifact.ArtifactReadInputSchema,
    output: artifact.ArtifactReadOutputSchema,
    errors: [...BOUND, 'NOT_FOUND'],
  }),
  team_artifact_list: tool({
    name: 'team_artifact_list',
    description: "List artifacts.",
    answer:
      "Short rows (id, name, version, media type, size, task, plan, tests); team_artifact_read has the whole header and the content.",
    audience: 'member',
    input: artifact.ArtifactListInputSchema,
    output: artifact.ArtifactListOutputSchema,
    errors: [...BOUND, ...IN_TREE],
  }),
  team_policy: tool({
    name: 'team_policy',
    description: "Policy profile; lead may switch it.",
    answer:
      "The whole profile, where it comes from and the lease of claims made now; when reading, every profile available with its description; after a switch (lead only), the profile before and each field the switch changed.",
    audience: 'member',
    input: policy.TeamPolicyInputSchema,
    output: policy.TeamPolicyOutputSchema,
    errors: [...WRITE, 'NOT_FOUND'],
    leadOnly: ['set'],
  }),
  team_run_summary: tool({
    name: 'team_run_summary',
    description: "Run report; lead: log pages the audit trail.",
    answer:
      "Tasks by status, work per agent and per role, usage against the budget, task durations, the critical path and every policy decision in order. With `log` (lead only): a page of audit events (200 by default, secrets masked) or of every call's authorization decision, and next_after_seq to read on.",
    audience: 'member',
    input: observe.RunSummaryInputSchema,
    output: observe.RunSummaryAnswerSchema,
    errors: [...BOUND, 'NOT_FOUND'],
    leadOnly: ['audit', 'decisions'],
  }),
  team_mode: tool({
    name: 'team_mode',
    description: "Lead: read or set the mode.",
    answer:
      "The mode as it applies now (who set it, why, until when) and what it refuses; when reading, every transition with whether it is allowed and why; after a change, the mode before and the tasks in flight when it changed.",
    audience: 'lead',
    input: mode.TeamModeInputSchema,
    output: mode.TeamModeOutputSchema,
    errors: [...WRITE, 'CONFLICT', 'DENIED', 'HOOK_BLOCKED'],
  }),
  team_plan: tool({
    name: 'team_plan',
    description: "Submit, approve or reject a plan.",
    answer:
      "The plan review as it stands.",
    audience: 'member',
    input: mode.TeamPlanInputSchema,
    output: mode.TeamPlanOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'CONFLICT', 'DENIED'],
    leadOnly: ['approve', 'reject'],
  }),
  team_heartbeat: tool({
    name: 'team_heartbeat',
    description: "Alive; renews the listed claims.",
    answer:
      "When you were last seen, and the renewed leases.",
    audience: 'member',
    input: recovery.HeartbeatInputSchema,
    output: recovery.HeartbeatOutputSchema,
    errors: [...WRITE, 'NOT_FOUND', 'STALE_CLAIM'],
  }),
  team_recover: tool({
    name: 'team_recover',
    description: "Lead: recover expired claims now.",
    answer:
      "What the sweep did, and whether your inbox got a notice of it.",
    audience: 'lead',
    input: recovery.RecoverInputSchema,
    output: recovery.RecoverOutputSchema,
    errors: [...WRITE, 'DENIED'],
  }),
  team_checkpoint: tool({
    name: 'team_checkpoint',
    description: "Lead: checkpoint the team.",
    answer:
      "The checkpoint: its number and format, the last event it covers, the state digest, the sealed archive segment (first and last seq, events, chained sha256) and the id of its compact view (artifact team-checkpoint: open work with owners and fences, done work one line each with artifact ids, recent decisions, unread counts). `created` is false when nothing happened since the latest one, which is answered instead.",
    audience: 'lead',
    input: checkpoint.TeamCheckpointInputSchema,
    output: checkpoint.TeamCheckpointOutputSchema,
    errors: [...WRITE, 'NOT_FOUND'],
  }),
  team_brief: tool({
    name: 'team_brief',
    description: "Your brief after a context reset.",
    answer:
      "You and the team (short rows), the objective, your claims with fences and lease expiries, your unread count with the oldest few quoted (never acked), task counts, the team in a few lines, what to read next as calls, and the last audit seq it covers.",
    audience: 'member',
    input: brief.TeamBriefInputSchema,
    output: brief.TeamBriefOutputSchema,
    errors: BOUND,
  }),
  team_child: tool({
    name: 'team_child',
    description: "Lead: start a child team on ready tasks, or take over a lost one.",
    answer:
      "The child team and its lead (short rows), the parent tasks delegated to it and the child's own task ids; with `lead: \"ticket\"`, the lead ticket, the instruction to paste into spawn_agent and the spawn_agent call to make. With `lead: \"self\"` (the default) you play its lead: pass `team` to the team-scoped tools to act in it.",
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

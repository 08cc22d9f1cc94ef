import { z } from 'zod';
import {
  AgentIdSchema,
  AgentStateSchema,
  ArtifactIdSchema,
  MessageIdSchema,
  RiskTierSchema,
  RoleSchema,
  TaskIdSchema,
  TaskStatusSchema,
  TeamIdSchema,
  TeamModeSchema,
  TeamStateSchema,
  TERMINAL_TASK_STATUSES,
  type Agent,
  type Artifact,
  type Message,
  type Task,
  type Team,
} from '../entities';

// Every answer stays in its reader's context for the rest of the thread, so answers carry what an
// agent acts on and leave out what it can ask for: rows omit empty, null and default fields, and
// whole rows are one call away (see each tool's `answer` in docs/tools.md).

/**
 * An input field meant for programs driving the tools (paging sizes, retry keys, token counts a
 * model cannot know, cosmetic names): the server accepts it, but it is left out of the input
 * schema advertised to the model, where it would cost bytes on every turn of every agent.
 * docs/tools.md lists it, marked "not advertised".
 */
export function programOnly<T extends z.ZodType>(schema: T, docs: string): T {
  return schema.meta({ advertised: false, docs: `Not advertised to the model (for programs): ${docs}` });
}

/** The team as answers show it; team_status and team_policy have the rest. */
export const TeamRefSchema = z.strictObject({
  id: TeamIdSchema,
  name: z.string(),
  state: TeamStateSchema,
  lead_agent_id: AgentIdSchema,
  max_threads: z.number().int(),
  profile: z.string(),
  /** The mode as it applies now (team_mode has who set it, why and until when). */
  mode: TeamModeSchema,
  /** A child team only: the team it works for, and the token budget carved from it. */
  parent_team_id: TeamIdSchema.optional(),
  budget_tokens: z.number().int().optional(),
  /** Tokens its finished child teams used; absent while 0. */
  rolled_up_tokens: z.number().int().optional(),
});
export type TeamRef = z.infer<typeof TeamRefSchema>;

/** An agent as answers show it. */
export const AgentRefSchema = z.strictObject({
  id: AgentIdSchema,
  name: z.string(),
  role: RoleSchema,
  state: AgentStateSchema,
  /** Only when the lead granted a permission profile other than the role's. */
  permission_profile: z.string().optional(),
  /** A child team's lead played by another team's agent: that agent. */
  principal_agent_id: AgentIdSchema.optional(),
});
export type AgentRef = z.infer<typeof AgentRefSchema>;

/**
 * One short row per task: what lists and task changes answer. Left out when empty or default:
 * priority 0, risk low, no required role, no owner, no dependencies, not delegated; fence only
 * while a claim holds it;
 * priority and dependencies once the task is finished (done, failed, cancelled), when they no
 * longer decide anything. `team_task_list {full: true}` gives whole rows, `{task_id}` one task
 * with every text uncut.
 */
export const TaskRowSchema = z.strictObject({
  id: TaskIdSchema,
  title: z.string(),
  status: TaskStatusSchema,
  priority: z.number().int().optional(),
  risk: RiskTierSchema.optional(),
  required_role: RoleSchema.optional(),
  owner_agent_id: AgentIdSchema.optional(),
  fence: z.number().int().optional(),
  depends_on: z.array(TaskIdSchema).optional(),
  /** The child team that holds the task until it finishes. */
  delegated_to: TeamIdSchema.optional(),
});
export type TaskRow = z.infer<typeof TaskRowSchema>;

/** The task a claim gives its holder: the whole work order, without bookkeeping. */
export const ClaimedTaskSchema = z.strictObject({
  id: TaskIdSchema,
  title: z.string(),
  description: z.string(),
  priority: z.number().int(),
  required_role: RoleSchema.nullable(),
  /** Only when not low: completing it may need evidence, test artifacts or reviews. */
  risk: RiskTierSchema.optional(),
  depends_on: z.array(TaskIdSchema),
  /** Claims of this task so far, this one included. */
  attempts: z.number().int(),
  /** What an earlier holder reported before the task came back to the pool. */
  progress: z.string().optional(),
});
export type ClaimedTask = z.infer<typeof ClaimedTaskSchema>;

/**
 * A message as the inbox shows it. No `from_agent_id`: codex-team itself sent it (a recovery
 * notice), or the operator did (`sender_kind: operator`, from the shell). `broadcast`: sent to
 * every agent, not to you alone.
 */
export const MessageRowSchema = z.strictObject({
  id: MessageIdSchema,
  from_agent_id: AgentIdSchema.optional(),
  sender_kind: z.literal('operator').optional(),
  broadcast: z.literal(true).optional(),
  body: z.string(),
  artifact_refs: z.array(ArtifactIdSchema).optional(),
  task_id: TaskIdSchema.optional(),
  created_at: z.string(),
});
export type MessageRow = z.infer<typeof MessageRowSchema>;

/** An artifact version as lists show it; team_artifact_read gives the whole header and the content. */
export const ArtifactRowSchema = z.strictObject({
  id: ArtifactIdSchema,
  name: z.string(),
  version: z.number().int(),
  media_type: z.string(),
  size_bytes: z.number().int(),
  task_id: TaskIdSchema.optional(),
  plan: z.literal(true).optional(),
  tests: z.literal(true).optional(),
});
export type ArtifactRow = z.infer<typeof ArtifactRowSchema>;

export function teamRef(team: Team): TeamRef {
  return {
    id: team.id,
    name: team.name,
    state: team.state,
    lead_agent_id: team.lead_agent_id,
    max_threads: team.max_threads,
    profile: team.profile,
    mode: team.mode.current,
    ...(team.parent_team_id === undefined ? {} : { parent_team_id: team.parent_team_id }),
    ...(team.budget_tokens === undefined ? {} : { budget_tokens: team.budget_tokens }),
    ...(team.rolled_up_tokens === undefined ? {} : { rolled_up_tokens: team.rolled_up_tokens }),
  };
}

export function agentRef(agent: Agent): AgentRef {
  return {
    id: agent.id,
    name: agent.name,
    role: agent.role,
    state: agent.state,
    ...(agent.permission_profile === undefined ? {} : { permission_profile: agent.permission_profile }),
    ...(agent.principal_agent_id === undefined ? {} : { principal_agent_id: agent.principal_agent_id }),
  };
}

export function taskRow(task: Task): TaskRow {
  const open = !TERMINAL_TASK_STATUSES.includes(task.status);
  return {
    id: task.id,
    title: task.title,
    status: task.status,
    ...(task.priority === 0 || !open ? {} : { priority: task.priority }),
    ...(task.risk === 'low' ? {} : { risk: task.risk }),
    ...(task.required_role === null ? {} : { required_role: task.required_role }),
    ...(task.owner_agent_id === null ? {} : { owner_agent_id: task.owner_agent_id }),
    ...(task.status === 'in_progress' ? { fence: task.fence } : {}),
    ...(task.depends_on.length === 0 || !open ? {} : { depends_on: task.depends_on }),
    ...(task.delegated_to === undefined ? {} : { delegated_to: task.delegated_to }),
  };
}

export function claimedTask(task: Task): ClaimedTask {
  return {
    id: task.id,
    title: task.title,
    description: task.description,
    priority: task.priority,
    required_role: task.required_role,
    ...(task.risk === 'low' ? {} : { risk: task.risk }),
    depends_on: task.depends_on,
    attempts: task.attempts,
    ...(task.progress === null ? {} : { progress: task.progress }),
  };
}

export function messageRow(message: Message): MessageRow {
  return {
    id: message.id,
    ...(message.from_agent_id === null ? {} : { from_agent_id: message.from_agent_id }),
    ...(message.sender_kind === undefined ? {} : { sender_kind: message.sender_kind }),
    ...(message.to_agent_id === null ? { broadcast: true as const } : {}),
    body: message.body,
    ...(message.artifact_refs.length === 0 ? {} : { artifact_refs: message.artifact_refs }),
    ...(message.task_id === null ? {} : { task_id: message.task_id }),
    created_at: message.created_at,
  };
}

export function artifactRow(artifact: Artifact): ArtifactRow {
  return {
    id: artifact.id,
    name: artifact.name,
    version: artifact.version,
    media_type: artifact.media_type,
    size_bytes: artifact.size_bytes,
    ...(artifact.task_id === null ? {} : { task_id: artifact.task_id }),
    ...(artifact.plan ? { plan: true as const } : {}),
    ...(artifact.tests ? { tests: true as const } : {}),
  };
}

/**
 * `text` cut to `max` characters (never inside a surrogate pair), ending with how much was left
 * out and where to read it whole: `… [+1234 chars: <where>]`. Shorter texts come back unchanged.
 */
export function cutText(text: string, max: number, where: string): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}… [+${text.length - end} chars: ${where}]`;
}

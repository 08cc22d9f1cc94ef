import type { ToolInput, ToolName } from '@codex-team/contracts';

/** The actions of one tool and how a call maps to them. */
export interface ToolActions<N extends ToolName = ToolName> {
  /**
   * `session`: decided by the session alone (an unbound session may start, join or resume; nothing
   * else may). `permission`: decided by the caller's permission profile.
   */
  gate: 'session' | 'permission';
  /** Every action of the tool with what it means, in documentation order. */
  actions: Readonly<Record<string, string>>;
  /**
   * The actions a call asks for, read from its parsed input. A call that could do several things
   * maps to the most privileged one its input asks for. Claims list the kinds of task they may
   * take: the call is allowed when any of them is, and the store applies the allowed ones inside
   * its transaction, where the task is known.
   */
  of(input: ToolInput<N>): readonly [string, ...string[]];
}

type ActionTable = { readonly [N in ToolName]: ToolActions<N> };

const CLAIM_ACTIONS = {
  own_role: 'claim a task whose required_role is your role',
  unassigned: 'claim a task that names no required_role (implementation work)',
} as const;
const CLAIM_KINDS = ['own_role', 'unassigned'] as const;

/**
 * The one table of actions: every catalog tool is here (the type requires it), and the permission
 * files, the resolver, the generated docs/permissions.md and the matrix test all read it.
 */
export const TOOL_ACTIONS: ActionTable = {
  team_start: { gate: 'session', actions: { start: 'start a team and become its lead' }, of: () => ['start'] },
  team_status: { gate: 'permission', actions: { read: 'read the team, its agents and counts' }, of: () => ['read'] },
  team_finalize: {
    gate: 'permission',
    actions: { finalize: 'close a team whose tasks are all finished', force: 'close it, cancelling unfinished tasks' },
    of: (input) => [input.force ? 'force' : 'finalize'],
  },
  team_resume: { gate: 'session', actions: { resume: 're-bind a restarted session' }, of: () => ['resume'] },
  team_spawn: {
    gate: 'permission',
    actions: {
      spawn: "register a teammate with its role's profile",
      grant: 'register a teammate with another permission profile (within your own)',
      restart: 'give an existing teammate a new resume ticket, to go on in a fresh thread',
    },
    of: (input) => [input.restart === true ? 'restart' : input.permission_profile === undefined ? 'spawn' : 'grant'],
  },
  team_join: { gate: 'session', actions: { join: 'bind a session with a join ticket' }, of: () => ['join'] },
  team_task_create: { gate: 'permission', actions: { create: 'add tasks and dependencies' }, of: () => ['create'] },
  team_task_list: { gate: 'permission', actions: { read: 'list the tasks of the team' }, of: () => ['read'] },
  team_task_next: { gate: 'permission', actions: CLAIM_ACTIONS, of: () => CLAIM_KINDS },
  team_task_update: {
    gate: 'permission',
    actions: {
      progress: 'report progress on a task you hold (renews the lease)',
      edit: 'edit a task not in progress (its creator or the lead)',
      'status=cancelled': 'cancel a task not in progress (its creator or the lead)',
      risk: "set an unfinished task's risk tier (lead only)",
      review: 'approve or reject a task in progress that another agent holds (one vote per claim)',
    },
    of: (input) => {
      if (input.cancel === true) return ['status=cancelled'];
      if (input.risk !== undefined) return ['risk'];
      const edits = [input.title, input.description, input.priority, input.required_role];
      if (edits.some((field) => field !== undefined)) return ['edit'];
      return [input.review === undefined ? 'progress' : 'review'];
    },
  },
  team_task_complete: {
    gate: 'permission',
    actions: { 'status=done': 'finish a task you hold as done', 'status=failed': 'finish a task you hold as failed' },
    of: (input) => [`status=${input.outcome}`],
  },
  team_task_release: { gate: 'permission', actions: { release: 'give a task you hold back' }, of: () => ['release'] },
  team_send: {
    gate: 'permission',
    actions: { direct: 'message one agent', broadcast: 'message every other agent ("*")' },
    of: (input) => [input.to === '*' ? 'broadcast' : 'direct'],
  },
  team_inbox: {
    gate: 'permission',
    actions: { read: 'read your unread messages', ack: 'ack messages you handled' },
    of: (input) => [input.ack.length > 0 ? 'ack' : 'read'],
  },
  team_artifact_publish: {
    gate: 'permission',
    actions: { publish: 'publish a new artifact version' },
    of: () => ['publish'],
  },
  team_artifact_read: { gate: 'permission', actions: { read: 'read an artifact' }, of: () => ['read'] },
  team_artifact_list: { gate: 'permission', actions: { read: 'list artifacts' }, of: () => ['read'] },
  team_policy: {
    gate: 'permission',
    actions: { read: "read the team's policy profile", set: "switch the team's policy profile (the lead's)" },
    of: (input) => [input.profile === undefined ? 'read' : 'set'],
  },
  team_run_summary: {
    gate: 'permission',
    actions: {
      read: "read the team's run summary",
      audit: "read the team's audit trail (the lead's)",
      decisions: "read every call's authorization decision (the lead's)",
    },
    of: (input) => [input.log ?? 'read'],
  },
  team_mode: {
    gate: 'permission',
    actions: { read: "read the team's mode and its gates", set: "change the team's mode" },
    of: (input) => [input.mode === undefined ? 'read' : 'set'],
  },
  team_plan: {
    gate: 'permission',
    actions: {
      submit: 'submit your plan artifact for approval',
      approve: 'approve a submitted plan',
      reject: 'reject a submitted plan',
    },
    of: (input) => [input.action],
  },
  team_heartbeat: {
    gate: 'permission',
    actions: { heartbeat: 'say you are alive and renew the leases of claims you hold' },
    of: () => ['heartbeat'],
  },
  team_recover: { gate: 'permission', actions: { recover: 'take back expired claims and free lost teammates now' }, of: () => ['recover'] },
  team_checkpoint: {
    gate: 'permission',
    actions: { checkpoint: "checkpoint the team's state and archive the events before it" },
    of: () => ['checkpoint'],
  },
  team_brief: { gate: 'permission', actions: { read: 'read your own brief (claims, unread, team state)' }, of: () => ['read'] },
  team_child: {
    gate: 'permission',
    actions: {
      start: 'start a child team that takes over some ready tasks',
      takeover: 'become the lead of a child team whose lead is lost',
    },
    of: (input) => [input.action],
  },
};

/** The actions a parsed call of `tool` asks for. */
export function actionsOfCall(tool: ToolName, input: unknown): readonly [string, ...string[]] {
  return (TOOL_ACTIONS[tool].of as (parsed: unknown) => readonly [string, ...string[]])(input);
}

import type { ToolName } from '@codex-team/contracts';

/**
 * For every tool that needs a bound session: arguments that pass its input schema, so a refusal
 * is about identity, never about the input.
 */
export const VALID_BOUND_CALLS: ReadonlyArray<[ToolName, Record<string, unknown>]> = [
  ['team_status', {}],
  ['team_finalize', {}],
  ['team_spawn', { name: 'x', role: 'implementer' }],
  ['team_task_create', { tasks: [{ title: 't' }] }],
  ['team_task_list', {}],
  ['team_task_next', {}],
  ['team_task_update', { task_id: 'tk_aaaaaaaa', progress: 'p' }],
  ['team_task_complete', { task_id: 'tk_aaaaaaaa', fence: 1, result: 'r' }],
  ['team_task_release', { task_id: 'tk_aaaaaaaa', fence: 1, reason: 'r' }],
  ['team_send', { to: '*', body: 'hi' }],
  ['team_inbox', {}],
  ['team_artifact_publish', { name: 'a', content: 'c' }],
  ['team_artifact_read', { name: 'a' }],
  ['team_artifact_list', {}],
  ['team_policy', {}],
  ['team_run_summary', {}],
  ['team_mode', {}],
  ['team_plan', { action: 'submit', artifact_id: 'af_aaaaaaaa' }],
  ['team_heartbeat', { tasks: [{ task_id: 'tk_aaaaaaaa', fence: 1 }] }],
  ['team_recover', {}],
  ['team_checkpoint', {}],
  ['team_brief', {}],
  ['team_child', { action: 'start', tasks: ['tk_aaaaaaaa'] }],
];

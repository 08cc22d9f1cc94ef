import { ARTIFACT_READ_CHARS, DEFAULTS, TeamError, claimedTask, cutText, type Task, type ToolOutput } from '@codex-team/contracts';
import type { TaskClaim } from '@codex-team/store';

// How answers are cut down to what the reader acts on (see each tool's `answer` in the catalog).
// Rows come from contracts (taskRow, messageRow...); what needs more than a row lives here.

/** A claim as team_task_next answers it: the work order, the fence, the lease. */
export function claimAnswer(claim: TaskClaim): NonNullable<ToolOutput<'team_task_next'>['claim']> {
  return { task: claimedTask(claim.task), fence: claim.fence, lease_expires_at: claim.lease_expires_at };
}

/**
 * A whole task row as a list shows it (`full: true`): description, progress and result cut at
 * DEFAULTS.listTextMaxChars, each cut ending with the call that reads the task whole.
 */
export function fullTaskRow(task: Task): Task {
  const where = `team_task_list {"task_id":"${task.id}"}`;
  const max = DEFAULTS.listTextMaxChars;
  return {
    ...task,
    description: cutText(task.description, max, where),
    progress: task.progress === null ? null : cutText(task.progress, max, where),
    result: task.result === null ? null : cutText(task.result, max, where),
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * One page of an artifact's content from `offset` (characters): at most ARTIFACT_READ_CHARS, never
 * ending inside a surrogate pair, and where the next page starts (null at the end). INVALID_INPUT
 * for an offset past the end.
 */
export function contentPage(content: string, offset: number): { content: string; next_offset: number | null } {
  if (offset > content.length) {
    throw new TeamError('INVALID_INPUT', `offset ${offset} is past the end of the content (${content.length} characters)`, {
      offset,
      length: content.length,
    });
  }
  let end = Math.min(content.length, offset + ARTIFACT_READ_CHARS);
  if (end < content.length && end > offset + 1 && isHighSurrogate(content.charCodeAt(end - 1))) end -= 1;
  return { content: content.slice(offset, end), next_offset: end < content.length ? end : null };
}

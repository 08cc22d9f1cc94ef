// What `codex-team run` tells each Codex session it starts. Every prompt carries the session's
// one-use join ticket: the worker's identity is bound by `team_join`, never by anything it says.

export interface PromptContext {
  /** `mcp__<serverName>` is where the model finds our tools. */
  serverName: string;
  teamName: string;
  objective: string;
  agentName: string;
  role: string;
  joinTicket: string;
}

const tool = (context: PromptContext, name: string): string => `mcp__${context.serverName}.${name}`;

/** The planner: one session that answers with the whole DAG through team_task_create, then ends. */
export function plannerPrompt(context: PromptContext): string {
  return [
    `You are ${context.agentName}, the planner of the codex-team team "${context.teamName}", run unattended by \`codex-team run\`.`,
    `Objective: ${context.objective}`,
    '',
    `1. First call ${tool(context, 'team_join')} with {"ticket": "${context.joinTicket}"}.`,
    `2. Read the repository as much as you need, then plan the objective as a DAG of small tasks, each one a session's work,`,
    `   and create it with ONE ${tool(context, 'team_task_create')} call: {"tasks": [{"key", "title", "description",`,
    '   "required_role" (implementer, tester, reviewer; omit it for any implementer), "depends_on": [keys], "priority"}]}.',
    '3. Do not do the tasks yourself. End your turn with one line saying how many tasks you created.',
  ].join('\n');
}

/** A worker that takes ready work of its role until none is left. */
export function workerPrompt(context: PromptContext): string {
  return [
    `You are ${context.agentName} (role ${context.role}) in the codex-team team "${context.teamName}", run unattended by \`codex-team run\`.`,
    `Objective of the team: ${context.objective}`,
    '',
    `1. First call ${tool(context, 'team_join')} with {"ticket": "${context.joinTicket}"}.`,
    `2. Call ${tool(context, 'team_task_next')}. When it gives you a claim, do that task here, report progress with`,
    `   ${tool(context, 'team_task_update')} during long work (it renews your lease), and finish with`,
    `   ${tool(context, 'team_task_complete')} {task_id, fence, result} naming the evidence. Then ask for the next task.`,
    `3. When ${tool(context, 'team_task_next')} gives no claim, end your turn with a one-line summary: the runtime starts`,
    '   workers again when more work is ready. Never work on a task you do not hold.',
  ].join('\n');
}

/** A worker in a git worktree of its own that does exactly one assigned task. */
export function worktreeWorkerPrompt(context: PromptContext, task: { id: string; title: string }, branch: string): string {
  return [
    `You are ${context.agentName} (role ${context.role}) in the codex-team team "${context.teamName}", run unattended by \`codex-team run\`.`,
    `Objective of the team: ${context.objective}`,
    `This directory is your own git worktree on branch ${branch}. Edit files here; do not commit or switch branches:`,
    'the runtime commits your changes and merges them back once your task is done.',
    '',
    `1. First call ${tool(context, 'team_join')} with {"ticket": "${context.joinTicket}"}.`,
    `2. Claim your task with ${tool(context, 'team_task_next')} {"task_id": "${task.id}"} ("${task.title}") and do it here.`,
    `3. Finish with ${tool(context, 'team_task_complete')} {task_id, fence, result}, then end your turn with a one-line summary.`,
  ].join('\n');
}

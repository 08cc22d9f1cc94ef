import { HOOK_SUBJECTS, type HookEventName, type HookPhase, type HookSubject, type ToolName } from '@codex-team/contracts';

/** What one subject of hook events is about, for the engine and docs/hooks.md. */
export interface HookSubjectInfo {
  subject: HookSubject;
  /** The tools whose calls raise it (none: the recovery sweep raises it). */
  tools: readonly ToolName[];
  /** Only the calls whose input has this field raise it (a tool that reads and writes: the writes). */
  onlyWith?: string;
  /** When its Pre event runs and what a block does. */
  pre: string;
  /** When its Post event runs. */
  post: string;
}

/** Every subject, in HOOK_SUBJECTS order: the one table of when events fire. */
export const HOOK_SUBJECT_INFO: Readonly<Record<HookSubject, HookSubjectInfo>> = {
  TeamStart: {
    subject: 'TeamStart',
    tools: ['team_start'],
    pre: 'before a team is made; a block makes no team (team is null, the hooks of the profile asked for apply)',
    post: 'after the team is made and the caller bound as its lead',
  },
  TeamFinalize: {
    subject: 'TeamFinalize',
    tools: ['team_finalize'],
    pre: 'before the lead closes the team; a block keeps it open',
    post: 'after the team is finalized',
  },
  TeamResume: {
    subject: 'TeamResume',
    tools: ['team_resume'],
    pre: 'before a restarted session re-binds with its resume ticket; a block leaves it unbound',
    post: 'after the session is bound again',
  },
  AgentSpawn: {
    subject: 'AgentSpawn',
    tools: ['team_spawn'],
    pre: 'before the lead registers a teammate; a block registers nobody',
    post: 'after the teammate is registered (its join ticket masked)',
  },
  AgentJoin: {
    subject: 'AgentJoin',
    tools: ['team_join'],
    pre: 'before a teammate binds with its join ticket; a block leaves the ticket unused',
    post: 'after the teammate is bound',
  },
  TaskCreate: {
    subject: 'TaskCreate',
    tools: ['team_task_create'],
    pre: 'before a batch of tasks is added; a block adds none',
    post: 'after the tasks are added',
  },
  TaskClaim: {
    subject: 'TaskClaim',
    tools: ['team_task_next'],
    pre: 'before a claim (task is null unless task_id names it: without, team_task_next picks the task in its transaction); a block claims nothing',
    post: 'after a task is claimed',
  },
  TaskComplete: {
    subject: 'TaskComplete',
    tools: ['team_task_complete'],
    pre: 'before the holder finishes its task; a block leaves the claim held, so it can fix what is missing and retry within its lease',
    post: 'after the task is done or failed',
  },
  TaskRelease: {
    subject: 'TaskRelease',
    tools: ['team_task_release'],
    pre: 'before the holder gives its task back; a block keeps the claim',
    post: 'after the task is back in the ready pool',
  },
  MessageSend: {
    subject: 'MessageSend',
    tools: ['team_send'],
    pre: 'before a message is stored; a block sends nothing',
    post: 'after the message is stored',
  },
  ModeChange: {
    subject: 'ModeChange',
    tools: ['team_mode'],
    onlyWith: 'mode',
    pre: 'before the lead changes the team mode (a read raises nothing); a block keeps the mode',
    post: 'after the mode changed',
  },
  RecoveryAction: {
    subject: 'RecoveryAction',
    tools: [],
    pre: 'before a recovery sweep applies a step (a reclaim, a lost or retired teammate, an idle team finalized, a mode lapse); a block skips that step for this sweep (the next sweep asks again)',
    post: 'after the step was applied',
  },
  TeammateIdle: {
    subject: 'TeammateIdle',
    tools: ['team_task_next'],
    pre: 'when team_task_next finds nothing for the agent; a block does not refuse the call: its reason is added to the answer, so the agent keeps working on what the hook says',
    post: 'after the agent was told nothing is ready',
  },
};

/** The event name of a subject in a phase. */
export function hookEventName(subject: HookSubject, phase: HookPhase): HookEventName {
  return `${phase === 'pre' ? 'Pre' : 'Post'}${subject}`;
}

/** The phase of an event name. */
export function phaseOf(event: HookEventName): HookPhase {
  return event.startsWith('Pre') ? 'pre' : 'post';
}

const SUBJECT_OF_TOOL = new Map<string, HookSubject>();
for (const subject of HOOK_SUBJECTS) {
  for (const tool of HOOK_SUBJECT_INFO[subject].tools) {
    // team_task_next raises TaskClaim around the claim; TeammateIdle only when nothing was claimed.
    if (subject !== 'TeammateIdle') SUBJECT_OF_TOOL.set(tool, subject);
  }
}

/** The subject a call of `tool` with `input` raises around its operation, or null for calls without hooks. */
export function hookSubjectOfTool(tool: string, input: Readonly<Record<string, unknown>>): HookSubject | null {
  const subject = SUBJECT_OF_TOOL.get(tool);
  if (subject === undefined) return null;
  const only = HOOK_SUBJECT_INFO[subject].onlyWith;
  return only === undefined || input[only] !== undefined ? subject : null;
}

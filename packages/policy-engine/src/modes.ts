import type { TeamMode, ToolName } from '@codex-team/contracts';
import { allow, deny, type PolicyDecision } from './decision';

/**
 * Roles plan mode may still spawn: they plan, research and review. Every other role (implementer,
 * tester, or a role the catalog does not know) counts as execution and waits for another mode.
 */
export const PLANNING_ROLES: readonly string[] = ['planner', 'researcher', 'reviewer'];

/** What the mode gate knows about one call: facts read from its parsed input and the caller. */
export interface ModeCallFacts {
  tool: ToolName;
  /** The actions the call asks for (the permission action table). */
  actions: readonly string[];
  callerIsLead: boolean;
  /** team_spawn: the role of the teammate to be. */
  spawnRole?: string;
  /** team_artifact_publish: whether the artifact is a plan. */
  publishesPlan?: boolean;
}

/** One gate of a mode: a rule that refuses some calls while the mode holds. */
export interface ModeGate {
  rule: string;
  mode: TeamMode;
  /** What it refuses, in a few words (documentation and team_mode). */
  refuses: string;
  reason: string;
  applies(facts: ModeCallFacts): boolean;
}

const isClaim = (facts: ModeCallFacts): boolean => facts.tool === 'team_task_next';

/**
 * Every gate of every mode. A gate only ever refuses: a mode narrows what permissions allow and
 * never widens it, and default mode has no gate at all. Order does not matter (the first gate that
 * applies is reported; any that applies refuses).
 */
export const MODE_GATES: readonly ModeGate[] = [
  {
    rule: 'mode.plan:no-claims',
    mode: 'plan',
    refuses: 'team_task_next (claims)',
    reason: 'the team is in plan mode: tasks are planned, not started, until the lead changes the mode',
    applies: isClaim,
  },
  {
    rule: 'mode.plan:no-completions',
    mode: 'plan',
    refuses: 'team_task_complete',
    reason: 'the team is in plan mode: no task is finished while planning; report progress or release it',
    applies: (facts) => facts.tool === 'team_task_complete',
  },
  {
    rule: 'mode.plan:no-execution-spawn',
    mode: 'plan',
    refuses: `team_spawn of roles other than ${PLANNING_ROLES.join(', ')}`,
    reason: `the team is in plan mode: only planning roles (${PLANNING_ROLES.join(', ')}) may be spawned`,
    applies: (facts) => facts.tool === 'team_spawn' && !PLANNING_ROLES.includes(facts.spawnRole ?? ''),
  },
  {
    rule: 'mode.plan:plans-only',
    mode: 'plan',
    refuses: 'team_artifact_publish without plan: true',
    reason: 'the team is in plan mode: only plan artifacts (plan: true) may be published',
    applies: (facts) => facts.tool === 'team_artifact_publish' && facts.publishesPlan !== true,
  },
  {
    rule: 'mode.delegate:lead-coordinates',
    mode: 'delegate',
    refuses: "the lead's claims (team_task_next), team_task_complete and progress reports",
    reason: 'the team is in delegate mode: the lead coordinates (spawn, message, review, finalize) and leaves the work to teammates',
    applies: (facts) =>
      facts.callerIsLead &&
      (isClaim(facts) ||
        facts.tool === 'team_task_complete' ||
        (facts.tool === 'team_task_update' && facts.actions.includes('progress'))),
  },
];

/** The gates of one mode. */
export function gatesOf(mode: TeamMode): ModeGate[] {
  return MODE_GATES.filter((gate) => gate.mode === mode);
}

/** Whether `mode` lets this call through; a deny names the gate. */
export function decideModeGate(mode: TeamMode, facts: ModeCallFacts): PolicyDecision {
  const gate = gatesOf(mode).find((candidate) => candidate.applies(facts));
  if (gate === undefined) return allow(`mode.${mode}:open`, `${mode} mode does not restrict ${facts.tool}`);
  return deny(gate.rule, gate.reason);
}

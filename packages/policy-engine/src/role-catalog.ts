import { LEAD_ROLE, type Role } from '@codex-team/contracts';

/** The roles codex-team knows by name. Teams may use other roles; they are treated as workers. */
export const KNOWN_ROLES = ['lead', 'planner', 'implementer', 'reviewer', 'tester', 'researcher'] as const;
export type KnownRole = (typeof KNOWN_ROLES)[number];

export interface RoleInfo {
  /** What an agent of this role is for, in one sentence the lead can paste into a spawn message. */
  purpose: string;
  /** Whether it takes implementation work, including tasks that name no required role. */
  claims_implementation_work: boolean;
  /** Whether the lead spawns it with team_spawn (the lead itself is bound by team_start). */
  spawnable: boolean;
}

/** Role -> what it is for. Fanout staffs role-free tasks with agents that claim implementation work. */
export const ROLE_CATALOG: Readonly<Record<KnownRole, RoleInfo>> = {
  lead: {
    purpose:
      'Turns the objective into a task DAG, spawns and steers teammates, merges results and finalizes the team.',
    claims_implementation_work: false,
    spawnable: false,
  },
  planner: {
    purpose: 'Breaks an objective or a large task into smaller tasks with dependencies and acceptance criteria.',
    claims_implementation_work: false,
    spawnable: true,
  },
  implementer: {
    purpose: 'Changes code or documents to complete a task and reports evidence; takes tasks that name no role.',
    claims_implementation_work: true,
    spawnable: true,
  },
  reviewer: {
    purpose: "Reviews finished work against its task and its risk tier's quality rules; approves or sends it back.",
    claims_implementation_work: false,
    spawnable: true,
  },
  tester: {
    purpose: 'Writes and runs tests, reproduces bugs and publishes the results as evidence.',
    claims_implementation_work: false,
    spawnable: true,
  },
  researcher: {
    purpose: 'Reads code, documents and references to answer questions; publishes findings as artifacts.',
    claims_implementation_work: false,
    spawnable: true,
  },
};

/** The role spawned for ready tasks that name no required role. */
export const DEFAULT_WORK_ROLE: KnownRole = 'implementer';

/** True for the six catalog roles. */
export function isKnownRole(role: string): role is KnownRole {
  return (KNOWN_ROLES as readonly string[]).includes(role);
}

/**
 * What `role` is for. A role outside the catalog is a custom worker role: spawnable, and it may take
 * implementation work, since only the team that named it knows better.
 */
export function describeRole(role: Role): RoleInfo {
  if (isKnownRole(role)) return ROLE_CATALOG[role];
  return {
    purpose: `Custom role "${role}": does the tasks that require it.`,
    claims_implementation_work: true,
    spawnable: role !== LEAD_ROLE,
  };
}

import { TEAM_SCOPED_TOOLS, type ToolName } from '@codex-team/contracts';
import type { PolicyRefusal, Ruling } from '@codex-team/policy-engine';
import type { Relation } from './relation';

/** Whether the caller leads its own team, which decides what it may do in the others of its tree. */
export type Standing = 'lead' | 'member';

/**
 * What a tool may do in another team for a caller of some relation. `steer`: act with that team's
 * lead's rights; `read`: read all of it; `to-lead`: message that team's lead only (direct, no
 * consensus, about no task); `delegated`: only the tasks that team delegated to the caller's team;
 * `shared`: only the artifacts of those tasks (shared down with them).
 */
export type Access = 'steer' | 'read' | 'to-lead' | 'delegated' | 'shared';

export type AccessMap = Readonly<Partial<Record<ToolName, Access>>>;

/** One row of the declared table: what a caller of this relation may do, as lead and as member. */
export interface RelationRule {
  relation: Relation;
  /** Who the caller is to the target team, for the docs. */
  means: string;
  /**
   * false: the target team stays hidden: every call naming it is answered NOT_FOUND exactly like an
   * id that does not exist. true: what the row does not allow is DENIED.
   */
  visible: boolean;
  /** `own` (self only): whatever the caller's permissions allow in its own team. */
  lead: 'own' | AccessMap;
  member: 'own' | AccessMap;
}

const DELEGATED_VIEW: AccessMap = { team_task_list: 'delegated', team_artifact_read: 'shared', team_artifact_list: 'shared' };

/**
 * THE table of the tree: every answer to a call that names another team comes from here. The
 * visibility matrix test and docs/hierarchy.md are generated from it. A lead that plays a child
 * team's lead (it started the child to lead it itself, or took it over) acts there as `self`.
 */
export const TREE_ACCESS: readonly RelationRule[] = [
  {
    relation: 'self',
    means: 'the target is your own team (or a child team whose lead you play)',
    visible: true,
    lead: 'own',
    member: 'own',
  },
  {
    relation: 'parent',
    means: 'your team is an ancestor of the target (its parent, or higher up)',
    visible: true,
    lead: {
      team_status: 'read',
      team_task_list: 'read',
      team_task_create: 'steer',
      team_task_update: 'steer',
      team_spawn: 'steer',
      team_send: 'to-lead',
      team_finalize: 'steer',
      team_artifact_read: 'read',
      team_artifact_list: 'read',
      team_child: 'steer',
    },
    member: {},
  },
  {
    relation: 'child',
    means: 'your team is a descendant of the target (its child, or lower down)',
    visible: true,
    lead: { ...DELEGATED_VIEW, team_send: 'to-lead' },
    member: DELEGATED_VIEW,
  },
  { relation: 'sibling', means: 'the target has the same parent as your team', visible: false, lead: {}, member: {} },
  {
    relation: 'cousin',
    means: "any other team of your tree (a sibling's child, your parent's sibling...)",
    visible: false,
    lead: {},
    member: {},
  },
  { relation: 'unrelated', means: 'the target is in another tree', visible: false, lead: {}, member: {} },
];

/** The row of a relation. */
export function relationRule(relation: Relation): RelationRule {
  const rule = TREE_ACCESS.find((row) => row.relation === relation);
  if (rule === undefined) throw new Error(`no tree rule for relation ${relation}`);
  return rule;
}

/**
 * What `tool` may do for a caller of this relation and standing: `own` in its own team (its
 * permissions decide), an Access, or null when the table allows nothing. Tools without a `team`
 * argument never act in another team. Pure.
 */
export function treeAccess(relation: Relation, standing: Standing, tool: ToolName): 'own' | Access | null {
  const row = relationRule(relation);
  const map = row[standing];
  if (map === 'own') return 'own';
  if (!TEAM_SCOPED_TOOLS.includes(tool)) return null;
  return map[tool] ?? null;
}

/** The rule every hidden team (and every unknown id) is refused by: the two must not differ. */
export const NOT_IN_TREE_RULE = 'hierarchy:not-in-tree';

/** What a call into another team is decided on. */
export interface ScopeFacts {
  tool: ToolName;
  relation: Exclude<Relation, 'self'>;
  standing: Standing;
  /** The team id as the caller gave it. */
  targetId: string;
}

export type ScopeRuling = (Extract<Ruling, { decision: 'allow' }> & { access: Access }) | PolicyRefusal;

/** NOT_FOUND for a team the caller may not know of, worded exactly like an id that does not exist. */
export function notInTreeRefusal(targetId: string, inputs: Readonly<Record<string, unknown>> = {}): PolicyRefusal {
  const message = `no team ${targetId} in your team tree`;
  return { decision: 'deny', rule: NOT_IN_TREE_RULE, reason: message, inputs, code: 'NOT_FOUND', message, details: { team: targetId } };
}

/**
 * Whether a call of `tool` may act in the target team (TREE_ACCESS). A hidden team is NOT_FOUND
 * (NOT_IN_TREE_RULE, so a sibling cannot be told from a team that does not exist); a visible team
 * refuses what its row does not allow with DENIED. Pure.
 */
export function scopeRuling(facts: ScopeFacts): ScopeRuling {
  const inputs = { tool: facts.tool, relation: facts.relation, standing: facts.standing, team: facts.targetId };
  const row = relationRule(facts.relation);
  if (!row.visible) return notInTreeRefusal(facts.targetId, inputs);
  const access = treeAccess(facts.relation, facts.standing, facts.tool);
  const rule = `hierarchy:${facts.relation}.${facts.standing}`;
  if (access === null || access === 'own') {
    const reason =
      `a ${facts.standing === 'lead' ? 'lead' : 'teammate'} of a ${facts.relation === 'parent' ? 'parent (ancestor)' : 'child (descendant)'} ` +
      `team may not call ${facts.tool} in team ${facts.targetId} (docs/hierarchy.md)`;
    return { decision: 'deny', rule, reason, inputs, code: 'DENIED', message: reason, details: { team: facts.targetId, relation: facts.relation } };
  }
  return { decision: 'allow', rule: `${rule}(${facts.tool}:${access})`, reason: `${facts.relation} ${facts.standing} may ${access}`, inputs, access };
}

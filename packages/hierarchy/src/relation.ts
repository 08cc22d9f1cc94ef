/**
 * How the caller's team stands to the team a call acts in. `parent`: the caller's team is an
 * ancestor of the target (its parent, or further up); `child`: a descendant of it; `sibling`: both
 * have the same parent; `cousin`: any other team of the same tree (a sibling's child, a parent's
 * sibling...); `unrelated`: another tree.
 */
export const RELATIONS = ['self', 'parent', 'child', 'sibling', 'cousin', 'unrelated'] as const;
export type Relation = (typeof RELATIONS)[number];

/** A team's line of descent: its own id first, then its parent's, up to its root's. */
export type Lineage = readonly string[];

/** The relation of a caller whose team has lineage `caller` to the team of lineage `target`. Pure. */
export function relationOf(caller: Lineage, target: Lineage): Relation {
  const own = caller[0];
  const other = target[0];
  if (own === undefined || other === undefined) throw new Error('a lineage starts with the team itself');
  if (own === other) return 'self';
  if (target.includes(own)) return 'parent';
  if (caller.includes(other)) return 'child';
  if (caller[caller.length - 1] !== target[target.length - 1]) return 'unrelated';
  if (caller[1] !== undefined && caller[1] === target[1]) return 'sibling';
  return 'cousin';
}

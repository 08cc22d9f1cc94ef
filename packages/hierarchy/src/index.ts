// Public API of @codex-team/hierarchy: the team tree's rules, pure. The store applies them inside
// its transactions; docs/hierarchy.md and the visibility matrix test are generated from TREE_ACCESS.
export { RELATIONS, relationOf } from './relation';
export type { Lineage, Relation } from './relation';
export { NOT_IN_TREE_RULE, TREE_ACCESS, notInTreeRefusal, relationRule, scopeRuling, treeAccess } from './tree-access';
export type { Access, RelationRule, ScopeFacts, ScopeRuling, Standing } from './tree-access';
export { carveRuling, depthRuling, maxDepthOf, teamBudget, threadSlotRuling, treeThreadCap } from './tree-limits';
export type { BudgetFacts, OuterThreadCap, TeamBudget, ThreadFacts, TreeThreads } from './tree-limits';
export { childOutcome, rollUpRuling } from './roll-up';
export type { ChildEndFacts, ChildOutcome, ClosedBy, RollUp } from './roll-up';
export { childLine, leadHealth, parentLine, treeLines } from './tree-view';
export type { TreeNode } from './tree-view';
export { ACCESS_MEANING, matrixColumns, renderHierarchyReference } from './render-hierarchy';

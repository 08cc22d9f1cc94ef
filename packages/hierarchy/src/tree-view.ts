import type { AgentState, TaskStatus } from '@codex-team/contracts';
import type { ChildOutcome } from './roll-up';

/** One team of a tree as the status views show it. */
export interface TreeNode {
  id: string;
  name: string;
  state: 'active' | 'finalized';
  parentTeamId: string | null;
  depth: number;
  lead: { name: string; state: AgentState; /** The agent that plays this lead, if any. */ playedBy: string | null };
  tasksByStatus: Record<TaskStatus, number>;
  /** Invited or active teammates (the lead excluded). */
  teammates: number;
  usedTokens: number;
  /** The carved budget of a child; null for a root. */
  budgetTokens: number | null;
  rolledUpTokens: number;
  /** How a finished child ended; null while it runs (and for a root). */
  outcome: ChildOutcome | null;
}

/** Whether the team's lead can act: active, or played by another agent. Pure. */
export function leadHealth(node: TreeNode): string {
  if (node.state === 'finalized') return `finalized${node.outcome === null ? '' : ` (${node.outcome})`}`;
  if (node.lead.playedBy !== null) return `lead played by ${node.lead.playedBy}`;
  if (node.lead.state === 'active') return `lead ${node.lead.name} active`;
  if (node.lead.state === 'invited') return `lead ${node.lead.name} not joined yet`;
  return `LEAD LOST (${node.lead.name} ${node.lead.state}): take it over or cancel it`;
}

/** A child team in one line: progress, budget and health. Pure. */
export function childLine(node: TreeNode): string {
  const counts = node.tasksByStatus;
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const spent = node.usedTokens + node.rolledUpTokens;
  const budget = node.budgetTokens === null ? `${spent} tokens` : `${spent}/${node.budgetTokens} tokens`;
  return (
    `${node.id} ${node.name}: ${counts.done}/${total} done, ${counts.in_progress} in progress, ${counts.failed} failed; ` +
    `budget ${budget}; ${leadHealth(node)}, ${node.teammates} teammates`
  );
}

/** What a child team sees of its parent: who it works for and the briefs delegated to it. Pure. */
export function parentLine(
  parent: { id: string; name: string; lead_agent_id: string },
  briefs: readonly { id: string; title: string }[],
): string {
  const list = briefs.map((task) => `${task.id} "${task.title}"`).join(', ');
  return `child of ${parent.id} ${parent.name} (lead ${parent.lead_agent_id}); delegated: ${list === '' ? 'none left' : list}`;
}

/** Every team of a tree, indented under its parent, in creation order within a parent. Pure. */
export function treeLines(nodes: readonly TreeNode[]): string[] {
  const children = new Map<string | null, TreeNode[]>();
  for (const node of nodes) children.set(node.parentTeamId, [...(children.get(node.parentTeamId) ?? []), node]);
  const known = new Set(nodes.map((node) => node.id));
  const lines: string[] = [];
  const visit = (node: TreeNode, indent: string): void => {
    lines.push(`${indent}${childLine(node)}`);
    for (const child of children.get(node.id) ?? []) visit(child, `${indent}  `);
  };
  for (const node of nodes) if (node.parentTeamId === null || !known.has(node.parentTeamId)) visit(node, '');
  return lines;
}

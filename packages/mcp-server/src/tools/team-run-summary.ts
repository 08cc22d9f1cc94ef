import type { AuditEvent, TeamId } from '@codex-team/contracts';
import { redactDeep } from '@codex-team/policy-engine';
import type { TeamStore } from '@codex-team/store';
import { teamBudget, treeLines, type TreeNode } from '@codex-team/hierarchy';
import { runSummary } from '@codex-team/scheduler';
import type { ToolRegistry } from '../tool-registry';

const PAGE = 5_000;
const DEFAULT_LOG_PAGE = 200;

/** Every audit event of a team, page by page. */
export async function allAuditEvents(store: TeamStore, teamId: TeamId): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for (;;) {
    const page = await store.listAuditEvents(teamId, { afterSeq: events.at(-1)?.seq ?? 0, limit: PAGE });
    events.push(...page);
    if (page.length < PAGE) return events;
  }
}

/** The teams below `teamId` in a tree, each listed after its parent. */
export function descendantsOf(tree: readonly TreeNode[], teamId: string): TreeNode[] {
  const below = new Set([teamId]);
  const out: TreeNode[] = [];
  for (const node of tree) {
    if (node.parentTeamId !== null && below.has(node.parentTeamId)) {
      below.add(node.id);
      out.push(node);
    }
  }
  return out;
}

/**
 * team_run_summary. Without `log`: tasks by state, work per agent and role, usage against the
 * budget, durations, the critical path and the decisions taken, measured from the store and its
 * audit trail, and one line per team below it in the tree. With `log` (the lead's; the permission
 * step refuses it to others): the team's audit events in commit order, or with "decisions" the
 * authorization decision of every call of the team, paged by seq, secrets masked on the way out
 * whatever the profile let into the store.
 */
export function registerTeamRunSummary(registry: ToolRegistry): void {
  registry.registerBound('team_run_summary', async (input, { store, actor, bound, policy, clock }) => {
    if (input.log !== undefined) {
      const limit = input.limit ?? DEFAULT_LOG_PAGE;
      if (input.log === 'decisions') {
        const page = await store.listAuthzDecisions({ teamId: actor.teamId, afterSeq: input.after_seq ?? 0, limit: limit + 1 });
        const decisions = redactDeep(page.slice(0, limit)).value;
        return { log: { events: [], decisions, next_after_seq: page.length > limit ? (decisions.at(-1)?.seq ?? null) : null } };
      }
      const page = await store.listAuditEvents(actor.teamId, { afterSeq: input.after_seq ?? 0, limit: limit + 1 });
      const events = redactDeep(page.slice(0, limit)).value;
      return { log: { events, next_after_seq: page.length > limit ? (events.at(-1)?.seq ?? null) : null } };
    }
    const snapshot = await store.readTeam(actor.teamId);
    const events = await allAuditEvents(store, actor.teamId);
    const tree = await store.readTree(actor.teamId);
    const below = descendantsOf(tree, actor.teamId);
    const me = tree.find((node) => node.id === actor.teamId);
    // The budget as the tree holds the team to it: a child's carve, its running children's set aside.
    const budget = teamBudget(policy.profileOf(bound.team), {
      budgetTokens: me?.budgetTokens ?? null,
      usedTokens: snapshot.used_tokens,
      rolledUpTokens: me?.rolledUpTokens ?? 0,
      reservedTokens: below.filter((node) => node.parentTeamId === actor.teamId && node.state === 'active').reduce((sum, node) => sum + (node.budgetTokens ?? 0), 0),
    });
    const summary = runSummary({ ...snapshot, used_tokens: budget.committedTokens }, events, budget.profile, clock.now());
    return below.length === 0 ? summary : { ...summary, children: treeLines(below) };
  });
}

import { TaskStatusSchema, type Agent, type AuditEvent, type Task, type TaskStatus, type Team, type TeamModeState } from '@codex-team/contracts';
import { DEFAULT_RECOVERY_POLICY, teamCondition, type TeamCondition } from '@codex-team/recovery';
import { teamBudget, treeLines, treeThreadCap, type TeamBudget } from '@codex-team/hierarchy';
import { budgetState, redactDeep } from '@codex-team/policy-engine';
import { budgetView, readyToFinalize, remainingCriticalPath, teamHints, type BudgetView, type ReadyToFinalize, type StaffingHintsView } from '@codex-team/scheduler';
import type { TeamView } from './team-source';
import { usageView, type UsageView } from './usage-view';

/** What `codex-team status` shows, as JSON and as text. */
export interface StatusModel {
  team: TeamView['snapshot']['team'];
  /** active, orphaned (active, its lead lost: no spawn advice), finalized or cancelled (teamCondition). */
  condition: TeamCondition;
  agents: (Agent & { idle_since: string | null; holding: string[] })[];
  tasks_by_status: Record<TaskStatus, number>;
  ready_to_finalize: ReadyToFinalize | null;
  budget: BudgetView | null;
  /** Where the team's own tokens came from: measured from Codex's rollouts or self-reported. */
  usage: UsageView;
  hints: StaffingHintsView | null;
  /** The longest chain of unfinished tasks (their ids), one unit per task. */
  remaining_critical_path: string[];
  /** The same chain by task title. */
  remaining_critical_path_titles: string[];
  consensus_at: string | null;
  /** Set when this machine has no profile of the team's name: policy views are unavailable. */
  profile_missing: string | null;
  /** Every team of the team's tree, one line each, indented under its parent; empty for a lone team. */
  tree: string[];
}

/**
 * The budget the team is held to in its tree (a child's carve; its running children's carves set
 * aside; its finished children's use charged), with its profile; null without the profile.
 */
export function treeBudget(view: TeamView): TeamBudget | null {
  if (view.profile === null) return null;
  const id = view.snapshot.team.id;
  const me = view.tree.find((node) => node.id === id);
  const reserved = view.tree.filter((node) => node.parentTeamId === id && node.state === 'active').reduce((sum, node) => sum + (node.budgetTokens ?? 0), 0);
  return teamBudget(view.profile, {
    budgetTokens: me?.budgetTokens ?? null,
    usedTokens: view.snapshot.used_tokens,
    rolledUpTokens: me?.rolledUpTokens ?? 0,
    reservedTokens: reserved,
  });
}

/** The tree's lines for a team of a tree, the team's own marked; empty for a lone team. */
export function treeView(view: TeamView): string[] {
  if (view.tree.length < 2) return [];
  const own = `${view.snapshot.team.id} `;
  return treeLines(view.tree).map((line) => (line.trimStart().startsWith(own) ? `${line}  <- this team` : line));
}

export function countByStatus(tasks: readonly Task[]): Record<TaskStatus, number> {
  const counts = Object.fromEntries(TaskStatusSchema.options.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const task of tasks) counts[task.status] += 1;
  return counts;
}

/**
 * The team's condition by recovery's one rule for a lost lead (teamCondition), with the default
 * grace period: how every operator view labels it.
 */
export function conditionOf(team: Team, agents: readonly Agent[], now: number): TeamCondition {
  const lead = agents.find((agent) => agent.id === team.lead_agent_id);
  const facts =
    lead === undefined
      ? undefined
      : {
          state: lead.state,
          lastSeenAt: lead.last_seen_at === null ? null : Date.parse(lead.last_seen_at),
          createdAt: Date.parse(lead.created_at),
          principalAgentId: lead.principal_agent_id ?? null,
        };
  return teamCondition(team, facts, now, DEFAULT_RECOVERY_POLICY.graceMs);
}

export function statusModel(view: TeamView): StatusModel {
  const { snapshot, profile } = view;
  const holding = new Map<string, string[]>();
  for (const task of snapshot.tasks) {
    if (task.status === 'in_progress' && task.owner_agent_id !== null) {
      holding.set(task.owner_agent_id, [...(holding.get(task.owner_agent_id) ?? []), task.id]);
    }
  }
  const condition = conditionOf(snapshot.team, snapshot.agents, view.now);
  const active = snapshot.team.state === 'active';
  const budget = treeBudget(view);
  const used = { ...snapshot, used_tokens: budget?.committedTokens ?? snapshot.used_tokens };
  const criticalPath = remainingCriticalPath(snapshot.tasks).path;
  const titles = new Map(snapshot.tasks.map((task) => [task.id, task.title] as const));
  return {
    team: snapshot.team,
    condition,
    agents: snapshot.agents.map((agent) => ({ ...agent, idle_since: snapshot.idle_since[agent.id] ?? null, holding: holding.get(agent.id) ?? [] })),
    tasks_by_status: countByStatus(snapshot.tasks),
    ready_to_finalize: profile === null ? null : active ? readyToFinalize(snapshot, profile) : { ready: false, reason: 'the team is finalized' },
    budget: budget === null ? null : budgetView(budgetState(budget.profile, budget.committedTokens)),
    usage: usageView(snapshot.usage),
    // Capped by what the tree leaves the team, like the lead's team_status (Codex's cap is the server's).
    // An orphaned team has no lead to spawn for: no advice.
    hints: budget === null || condition !== 'active' ? null : teamHints(used, budget.profile, treeThreadCap(view.threads)),
    remaining_critical_path: criticalPath,
    remaining_critical_path_titles: criticalPath.map((id) => titles.get(id) ?? id),
    consensus_at: snapshot.consensus_at,
    profile_missing: profile === null ? snapshot.team.profile : null,
    tree: treeView(view),
  };
}

/** Audit events safe to print: secrets masked whatever the team's profile let into the store. */
export function printableEvents(events: readonly AuditEvent[]): AuditEvent[] {
  return redactDeep([...events]).value;
}

/** The team's mode in one line: which, until when and back to what, who set it and why. */
export function describeMode(mode: TeamModeState): string {
  if (mode.current === 'default' && mode.set_by === null) return 'mode default';
  const until = mode.expires_at === null ? '' : ` until ${mode.expires_at}, then ${mode.returns_to ?? 'default'}`;
  const by = mode.set_by === null ? '' : ` set by ${mode.set_by}`;
  return `mode ${mode.current}${until}${by}${mode.reason === '' ? '' : `: ${mode.reason}`}`;
}

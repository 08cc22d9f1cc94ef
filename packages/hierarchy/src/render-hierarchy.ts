import { LIMITS, TEAM_SCOPED_TOOLS, TOOL_NAMES } from '@codex-team/contracts';
import type { Relation } from './relation';
import { NOT_IN_TREE_RULE, TREE_ACCESS, treeAccess, type Access, type Standing } from './tree-access';

/** What each Access lets a call do, as the docs say it. */
export const ACCESS_MEANING: Readonly<Record<Access, string>> = {
  steer: "with that team's lead's rights",
  read: 'reads all of it',
  'to-lead': "to that team's lead only (direct; no broadcast, consensus or task)",
  delegated: 'only the tasks that team delegated to yours (their briefs)',
  shared: 'only the artifacts of those delegated tasks (shared down with them)',
};

/** The columns of the matrix: every relation other than self, as lead and as teammate. */
export function matrixColumns(): { relation: Exclude<Relation, 'self'>; standing: Standing; label: string }[] {
  return TREE_ACCESS.filter((row) => row.relation !== 'self').flatMap((row) =>
    (['lead', 'member'] as const).map((standing) => ({
      relation: row.relation as Exclude<Relation, 'self'>,
      standing,
      label: `${row.relation} ${standing === 'lead' ? 'lead' : 'teammate'}`,
    })),
  );
}

function cellOf(relation: Exclude<Relation, 'self'>, standing: Standing, tool: (typeof TOOL_NAMES)[number]): string {
  const row = TREE_ACCESS.find((candidate) => candidate.relation === relation);
  const access = treeAccess(relation, standing, tool);
  if (access !== null && access !== 'own') return access;
  return row?.visible === true ? 'DENIED' : 'NOT_FOUND';
}

/** `docs/hierarchy.md`, generated from TREE_ACCESS (the table the visibility matrix test checks). */
export function renderHierarchyReference(): string {
  const columns = matrixColumns();
  const own = TOOL_NAMES.filter((tool) => !TEAM_SCOPED_TOOLS.includes(tool));
  const lines = [
    '# Child teams',
    '',
    '<!-- Generated from TREE_ACCESS (packages/hierarchy) by `npm run generate`; do not edit by hand. -->',
    '',
    'A lead can start a **child team** for part of its work with `team_child` (action `start`): the',
    'ready tasks it names are **delegated** to the child, which holds them until it finalizes. The',
    "child's lead is the parent's lead itself (`lead: \"self\"`, one lead running several teams) or",
    'whoever joins with the one-use `lead_ticket` (`lead: "ticket"`). Teams nest into a **tree**; the',
    'rules below hold across the whole tree and are checked inside the store\'s transaction, like the',
    'thread cap and the budget.',
    '',
    '## Acting in another team',
    '',
    `A session is bound to one agent. The tools with a \`team\` argument (${TEAM_SCOPED_TOOLS.map((tool) => `\`${tool}\``).join(', ')})`,
    'act in the team it names, as the table allows the relation of your team to that one; without it',
    'they act in your own team. Every other tool acts in your own team only. Identity never comes from',
    'arguments: you act as yourself (or as the child lead you play), never for another agent.',
    '',
    '| relation | who you are to the target | hidden? | a lead may | a teammate may |',
    '|---|---|---|---|---|',
  ];
  for (const row of TREE_ACCESS) {
    const describe = (map: typeof row.lead): string => {
      if (map === 'own') return 'every tool its permissions allow';
      const entries = Object.entries(map);
      return entries.length === 0 ? 'nothing' : entries.map(([tool, access]) => `\`${tool}\` (${access})`).join(', ');
    };
    lines.push(`| ${row.relation} | ${row.means} | ${row.visible ? 'no' : 'yes'} | ${describe(row.lead)} | ${describe(row.member)} |`);
  }
  lines.push(
    '',
    'A lead that plays a child team\'s lead (it started the child with `lead: "self"`, or took it over)',
    'is **self** there: it acts as that lead. A hidden team is answered `NOT_FOUND` exactly like an id',
    `that does not exist (rule \`${NOT_IN_TREE_RULE}\`), so nothing about it leaks; in a visible team a`,
    'call the table does not allow is `DENIED` by the rule `hierarchy:<relation>.<lead|member>`. Your',
    'permissions (docs/permissions.md) are checked first and may refuse more. Every refusal is',
    'recorded in the decision log like any other.',
    '',
    '### What each access means',
    '',
    ...Object.entries(ACCESS_MEANING).map(([access, meaning]) => `- **${access}**: ${meaning}.`),
    '',
    '### Every tool, by relation',
    '',
    `| tool | ${columns.map((column) => column.label).join(' | ')} |`,
    `|---|${columns.map(() => '---').join('|')}|`,
  );
  for (const tool of TEAM_SCOPED_TOOLS) {
    lines.push(`| \`${tool}\` | ${columns.map((column) => cellOf(column.relation, column.standing, tool)).join(' | ')} |`);
  }
  lines.push(
    '',
    `Acting in your own team only (a \`team\` argument is refused as \`INVALID_INPUT\`): ${own.map((tool) => `\`${tool}\``).join(', ')}.`,
    '',
    '## Limits across the tree',
    '',
    "- **Threads.** Active agents of the whole tree never exceed the root team's cap (its",
    '  `max_threads`, within the profile\'s `threads.hard_cap`; the root lead excluded, every other',
    '  Codex thread counted, a child lead played by an ancestor\'s lead not counted twice). Each team',
    '  keeps its own `max_threads` too. Checked in the same transaction as every spawn, join and resume.',
    "  A lead's `team_status` hints count the tree's other threads too (and Codex's cap, which counts",
    '  every thread of the tree): they never recommend a spawn the tree would refuse.',
    "- **Budget.** A child's token budget (`tokens`, default half of what its parent has left) is",
    '  carved from what its parent has left and set aside while it runs; when it finishes the carve is',
    '  refunded and what it really used is charged to the parent. A child is refused new spawns and',
    '  claims at its carved budget, like a team at its profile\'s `budget.hard_tokens`.',
    `- **Depth.** A child of the root is at depth 1; the profile's \`hierarchy.max_depth\` (default 2, hard cap ${LIMITS.maxTreeDepthHardCap}) bounds it.`,
    '- **Finalize.** Finalizing a team with live children is refused (`CONFLICT`, rule',
    '  `hierarchy.live_children`) unless forced; a forced finalize cascades: every live descendant is',
    '  cancelled first, deepest first, each rolling up into its parent.',
    '',
    '## Delegation and roll-up',
    '',
    "A delegated task stays `in_progress` in the parent, held by the child (`delegated_to`), with no",
    "owner and no lease: nobody in the parent can complete or release it. The child gets one task from",
    "each delegated task's brief. When the child finalizes, the delegated tasks are **done** with the",
    "child's summary as their result and its artifacts as evidence, when the child finished its work",
    '(some task done, none failed, nothing left open). When it failed or was cancelled they **fail** or',
    "go **back to the parent's pool**, as the parent's profile says (`hierarchy.on_child_failure`).",
    "The parent's `team_status` shows one line per child (progress, budget, health); `team_run_summary`,",
    '`codex-team status`, `watch`, `replay` and `report` show the tree.',
    '',
    "Each brief keeps its delegated task's risk tier, so the quality gates of that tier apply to the",
    "child's work; a call into a child team raises the child's hook events, gated by the child's hooks",
    '([hooks.md](hooks.md), "Hooks in a team tree").',
    '',
    '## A lost child lead',
    '',
    'A child lead that goes silent or whose session ends is handled by the recovery sweep like any',
    'teammate (its slot is freed, its claims go back), but its team stays intact: the sweep sends the',
    "parent's lead one notice. The parent's lead then takes it over (`team_child` `takeover`: it plays",
    "the child's lead from then on, the lost session can no longer resume) or cancels it",
    '(`team_finalize` with `team` and `force`). A team whose lead the lost agent played (a child it',
    'started with `lead: "self"`) can be taken over the same way by any lead above it.',
    '',
    '## Running a child team from Codex',
    '',
    'Which way applies depends on who may spawn (`codex-team doctor` says which):',
    '',
    '- **Multi-agent v1 with `[agents] max_depth = 2` or more**: a sub-agent gets `spawn_agent`. The',
    '  lead calls `team_child` (`start`, `lead: "ticket"`) and passes `spawn_instruction` to',
    "  `spawn_agent`; the new sub-agent joins as the child's lead and spawns the child's teammates itself",
    '  (`team_spawn`, then `spawn_agent` with each instruction). It finalizes the child when the work is',
    "  done, and the parent's delegated tasks roll up.",
    '- **Multi-agent v2** (or v1 with `max_depth = 1`): only the root spawns. The lead starts the child',
    "  the same way and spawns its lead; then it spawns the child's teammates for it:",
    "  `team_spawn` with `team` set to the child, then `spawn_agent` with each instruction. The child's",
    '  lead runs and finalizes its team as above.',
    '- **One lead, several teams**: `lead: "self"` needs no new thread: the lead acts in the child by',
    '  giving `team` to the tools above (`team_spawn`, `team_task_create`, `team_status`, `team_inbox`,',
    '  `team_finalize`...).',
    '',
  );
  return `${lines.join('\n')}\n`;
}

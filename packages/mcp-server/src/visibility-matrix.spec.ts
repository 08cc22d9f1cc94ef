import { TEAM_SCOPED_TOOLS, TOOL_CONTRACTS, TOOL_NAMES, type TeamId, type ToolName } from '@codex-team/contracts';
import { NOT_IN_TREE_RULE, TREE_ACCESS, matrixColumns, treeAccess, type Relation, type Standing } from '@codex-team/hierarchy';
import { TOOL_ACTIONS, actionsOfCall } from '@codex-team/policy-engine';
import type { Actor } from '@codex-team/store';
import { digestDatabase } from '@codex-team/store/testing';
import { AUTHORIZATION_STEPS, scopeStep, type AuthorizationStep } from './authorize';
import { shippedPermissionPolicy } from './shipped-permissions';
import { InProcessTeam, type InProcessSession } from './testing/in-process-team';
import { actorOf, prepareCall, tidy, type CaseWorld } from './testing/permission-cases';
import { errorBodyOf, textOf } from './testing/tool-caller';
import { VALID_BOUND_CALLS } from './testing/valid-calls';

jest.setTimeout(300_000);

// The visibility matrix: relation x standing x every tool, each cell's answer derived from the one
// declared table (TREE_ACCESS, which also generates docs/hierarchy.md) and checked over MCP on a
// real tree: the call's outcome, its one decision record and, for a refusal, an unchanged store.

const policy = shippedPermissionPolicy();
let names = 0;
const unique = (prefix: string): string => `${prefix}${(names += 1)}`;

/**
 * A tree in one store: root R (lead P, teammate MR) with children C1 (its lead L1 joined with the
 * lead ticket, teammate M1) and C2 (played by P), C2's child G (played by P), and an unrelated team
 * U. R's task `a` is delegated to C1 with an artifact tied to it (shared down); R also has a secret.
 */
interface Tree {
  team: InProcessTeam;
  ids: { R: string; C1: string; C2: string; G: string; U: string };
  sessions: { P: InProcessSession; MR: InProcessSession; L1: InProcessSession; M1: InProcessSession };
  /** The store-level actor of each team's lead, to prepare what a cell needs. */
  leads: Record<'R' | 'C1' | 'C2' | 'G' | 'U', Actor>;
  members: { MR: Actor; L1: Actor; M1: Actor };
  shared: string;
}

async function buildTree(team: InProcessTeam): Promise<Tree> {
  const { lead: P, started } = await team.startTeam({ name: unique('root-') });
  const R = started.team.id;
  const rLead = actorOf(R, started.agent.id);
  const mr = await team.joinTeammate(P, 'mr', 'implementer');
  const created = await P.caller.ok('team_task_create', { tasks: [{ title: 'for c1' }, { title: 'for c2' }] });
  const [a, b] = created.ids;
  const shared = await P.caller.ok('team_artifact_publish', { name: 'brief.md', content: 'what c1 needs', task_id: a });
  await P.caller.ok('team_artifact_publish', { name: 'secret.md', content: 'not for children' });
  const c1 = await P.caller.ok('team_child', { action: 'start', tasks: [a], lead: 'ticket' });
  const L1 = await team.connect();
  const l1 = await L1.caller.ok('team_join', { ticket: c1.lead_ticket });
  const m1 = await team.joinTeammate(L1, 'm1', 'implementer');
  const c2 = await P.caller.ok('team_child', { action: 'start', tasks: [b] });
  const g = await P.caller.ok('team_child', { action: 'start', tasks: c2.task_ids, team: c2.team.id });
  const { lead: Q, started: other } = await team.startTeam({ name: unique('other-') });
  await Q.caller.ok('team_status');
  return {
    team,
    ids: { R, C1: c1.team.id, C2: c2.team.id, G: g.team.id, U: other.team.id },
    sessions: { P, MR: mr.mate, L1, M1: m1.mate },
    leads: {
      R: rLead,
      C1: actorOf(c1.team.id, l1.agent.id),
      C2: actorOf(c2.team.id, c2.lead.id),
      G: actorOf(g.team.id, g.lead.id),
      U: actorOf(other.team.id, other.agent.id),
    },
    members: { MR: actorOf(R, mr.joined.agent.id), L1: actorOf(c1.team.id, l1.agent.id), M1: actorOf(c1.team.id, m1.joined.agent.id) },
    shared: shared.artifact.id,
  };
}

/** One column: who calls, as which standing and role, into which team, in which relation. */
interface Column {
  label: string;
  relation: Relation;
  standing: Standing;
  caller: keyof Tree['sessions'];
  role: string;
  target: keyof Tree['ids'];
  /** The caller's own team (the decision log it is recorded in). */
  home: keyof Tree['ids'];
  /** The caller plays the target's lead: self, through the team argument. */
  played?: boolean;
}

/** Each relation of the table, as lead and as teammate, plus a lead playing a child's lead (self). */
function columns(): Column[] {
  const who: Record<Exclude<Relation, 'self'>, { target: keyof Tree['ids']; lead: keyof Tree['sessions']; member: keyof Tree['sessions'] }> = {
    parent: { target: 'C1', lead: 'P', member: 'MR' },
    child: { target: 'R', lead: 'L1', member: 'M1' },
    sibling: { target: 'C2', lead: 'L1', member: 'M1' },
    cousin: { target: 'G', lead: 'L1', member: 'M1' },
    unrelated: { target: 'U', lead: 'L1', member: 'M1' },
  };
  const home = (caller: keyof Tree['sessions']): keyof Tree['ids'] => (caller === 'P' || caller === 'MR' ? 'R' : 'C1');
  return [
    { label: 'self lead', relation: 'self', standing: 'lead', caller: 'L1', role: 'lead', target: 'C1', home: 'C1' },
    { label: 'self teammate', relation: 'self', standing: 'member', caller: 'M1', role: 'implementer', target: 'C1', home: 'C1' },
    { label: 'self (a played child lead)', relation: 'self', standing: 'lead', caller: 'P', role: 'lead', target: 'C2', home: 'R', played: true },
    ...matrixColumns().map(({ relation, standing, label }) => {
      const row = who[relation];
      const caller = standing === 'lead' ? row.lead : row.member;
      return { label, relation, standing, caller, role: standing === 'lead' ? 'lead' : 'implementer', target: row.target, home: home(caller) };
    }),
  ];
}

/** What the table says a cell answers: ok, or the code and the rule of its refusal. */
type Expected = { outcome: 'ok' } | { outcome: 'refused'; code: string; rule: string };

function expectedOf(column: Column, tool: ToolName, action: string): Expected {
  const session = TOOL_ACTIONS[tool].gate === 'session';
  const viaTeam = column.relation !== 'self' || column.played === true;
  // A tool without a team argument cannot name another team: its input is refused first.
  if (viaTeam && !TEAM_SCOPED_TOOLS.includes(tool)) return { outcome: 'refused', code: 'INVALID_INPUT', rule: 'input:schema' };
  if (session) return { outcome: 'refused', code: 'ALREADY_BOUND', rule: 'identity:already-bound' };
  const permission = policy.decide(policy.profileForRole(column.role), tool, action);
  if (permission.decision === 'deny') return { outcome: 'refused', code: 'DENIED', rule: permission.rule };
  const access = treeAccess(column.relation, column.standing, tool);
  if (access !== null) return { outcome: 'ok' };
  const row = TREE_ACCESS.find((candidate) => candidate.relation === column.relation);
  return row?.visible === true
    ? { outcome: 'refused', code: 'DENIED', rule: `hierarchy:${column.relation}.${column.standing}` }
    : { outcome: 'refused', code: 'NOT_FOUND', rule: NOT_IN_TREE_RULE };
}

/** Arguments for a call into another team that succeeds when the table allows it. */
async function crossCall(tree: Tree, column: Column, tool: ToolName): Promise<Record<string, unknown>> {
  const { store } = tree.team;
  const lead = tree.leads[column.target];
  const team = tree.ids[column.target];
  const readyTask = async (): Promise<string> =>
    (await store.createTasks(lead, { tasks: [{ title: unique('t-'), description: '', priority: 0, depends_on: [] }] })).tasks[0]?.id ?? '';
  switch (tool) {
    case 'team_task_create':
      return { team, tasks: [{ title: unique('new-') }] };
    case 'team_task_update':
      return { team, task_id: await readyTask(), title: 'edited from elsewhere' };
    case 'team_spawn':
      return { team, name: unique('mate-'), role: 'tester' };
    case 'team_send':
      // A played lead is that team's lead: it talks to all of it, not to itself.
      return column.played === true ? { team, to: '*', body: 'hello all' } : { team, to: lead.agentId, body: 'hello from elsewhere' };
    case 'team_finalize':
      return { team, summary: 'stopped from elsewhere', force: true };
    case 'team_artifact_read': {
      if (column.target === 'R') return { team, artifact_id: tree.shared };
      const artifact = await store.publishArtifact(lead, { name: unique('notes-'), content: 'notes', media_type: 'text/plain', plan: false });
      return { team, artifact_id: artifact.id };
    }
    case 'team_child':
      return { team, action: 'start', tasks: [await readyTask()] };
    default:
      if (!TEAM_SCOPED_TOOLS.includes(tool)) return { ...(VALID_BOUND_CALLS.find(([name]) => name === tool)?.[1] ?? {}), team };
      return { team };
  }
}

/**
 * The action a cell calls: the tool's first (what a call without optional inputs asks for), but a
 * forced finalize, which also ends a team with work open (or child teams) and is called in every
 * column with a team argument.
 */
function firstAction(tool: ToolName): string {
  return tool === 'team_finalize' ? 'force' : (Object.keys(TOOL_ACTIONS[tool].actions)[0] ?? '');
}

/** What the table's narrower accesses promise of an allowed answer. */
function checkAccess(tree: Tree, column: Column, tool: ToolName, structured: unknown): string | null {
  const access = treeAccess(column.relation, column.standing, tool);
  const out = structured as { tasks?: { delegated_to?: string }[]; artifacts?: { task_id: string | null; id: string }[]; artifact?: { id: string } };
  if (access === 'delegated') {
    const tasks = out.tasks ?? [];
    if (tasks.length === 0 || tasks.some((task) => task.delegated_to !== tree.ids[column.home])) return 'showed tasks not delegated to the caller';
  }
  if (access === 'shared' && tool === 'team_artifact_list') {
    const ids = (out.artifacts ?? []).map((artifact) => artifact.id);
    if (JSON.stringify(ids) !== JSON.stringify([tree.shared])) return `listed ${ids.join(', ')} instead of only the shared artifact`;
  }
  return null;
}

async function runCell(tree: Tree, column: Column, tool: ToolName): Promise<string | null> {
  const where = `${column.label} -> ${column.target} ${tool}`;
  const session = tree.sessions[column.caller];
  const action = firstAction(tool);
  let args: Record<string, unknown>;
  if (column.relation === 'self' && column.played !== true) {
    const world: CaseWorld = {
      store: tree.team.store,
      lead: tree.leads.C1,
      me: column.caller === 'L1' ? tree.members.L1 : tree.members.M1,
      myRole: column.role,
      peer: tree.members.M1,
    };
    if (column.caller === 'M1') world.peer = tree.members.L1;
    await tidy(world);
    const sessionArgs = tool === 'team_start' ? { name: 'again' } : { ticket: `join_${'a'.repeat(32)}` };
    args = TOOL_ACTIONS[tool].gate === 'session' ? sessionArgs : (await prepareCall(world, tool, action)).args;
  } else {
    args = await crossCall(tree, column, tool);
  }
  // The permission the call meets is the one of the action its arguments ask for.
  const parsed = TOOL_CONTRACTS[tool].input.safeParse(args);
  const expected = expectedOf(column, tool, parsed.success ? (actionsOfCall(tool, parsed.data)[0] ?? action) : action);
  const home = tree.ids[column.home] as TeamId;
  const before = JSON.stringify(digestDatabase(tree.team.dbPath));
  const seen = (await tree.team.store.listAuthzDecisions({ teamId: home })).length;
  const result = await session.caller.call(tool, args);
  const recorded = (await tree.team.store.listAuthzDecisions({ teamId: home })).slice(seen);
  const decision = recorded[0];
  if (recorded.length !== 1 || decision === undefined) return `${where}: ${recorded.length} decisions recorded, not 1`;
  if (expected.outcome === 'ok') {
    if (result.isError === true) return `${where}: the table allows it, but it was answered ${textOf(result).slice(0, 300)}`;
    if (decision.decision !== 'allow' || decision.outcome !== 'ok') return `${where}: recorded ${decision.decision}/${decision.outcome}`;
    return checkAccess(tree, column, tool, result.structuredContent);
  }
  if (result.isError !== true) return `${where}: the table refuses it (${expected.rule}), but it succeeded`;
  if (JSON.stringify(digestDatabase(tree.team.dbPath)) !== before) return `${where}: refused, but the store changed`;
  const body = errorBodyOf(tool, result);
  if (body.code !== expected.code) return `${where}: expected ${expected.code} by ${expected.rule}, got ${body.code}: ${body.message}`;
  if (expected.code !== 'INVALID_INPUT' && (decision.decision !== 'deny' || decision.rule !== expected.rule)) {
    return `${where}: recorded ${decision.decision} by ${decision.rule}, expected deny by ${expected.rule}`;
  }
  return null;
}

/**
 * Every tool: team_child first (a cell switching the team's profile must not change its depth
 * limit first), finalize last (it ends the team it acts in).
 */
const TOOLS: ToolName[] = ['team_child', ...TOOL_NAMES.filter((tool) => tool !== 'team_finalize' && tool !== 'team_child'), 'team_finalize'];

describe('visibility matrix: relation x standing x every tool, as TREE_ACCESS declares, over MCP', () => {
  it('covers every relation of the table, as lead and as teammate, and every tool', () => {
    const cols = columns();
    expect(new Set(cols.map((column) => column.relation))).toEqual(new Set(TREE_ACCESS.map((row) => row.relation)));
    for (const row of TREE_ACCESS) {
      expect(cols.filter((column) => column.relation === row.relation).map((column) => column.standing).sort()).toEqual(
        row.relation === 'self' ? ['lead', 'lead', 'member'] : ['lead', 'member'],
      );
    }
    expect(new Set(TOOLS)).toEqual(new Set(TOOL_NAMES));
  });

  it.each(columns().map((column) => [column.label, column] as const))('%s behaves exactly as the table says', async (_label, column) => {
    const team = await InProcessTeam.open();
    try {
      const tree = await buildTree(team);
      const mismatches: string[] = [];
      for (const tool of TOOLS) {
        const mismatch = await runCell(tree, column, tool);
        if (mismatch !== null) mismatches.push(mismatch);
      }
      expect(mismatches).toEqual([]);
    } finally {
      await team.close();
    }
  });

  it('catches a server whose scope step drops the team argument of the tools other than team_child (they act in the own team)', async () => {
    const ignoring: AuthorizationStep = {
      name: 'scope',
      run(call, env) {
        const verdict = scopeStep.run(call, env);
        if (call.actor !== null && call.tool !== 'team_child') call.actor = { teamId: call.actor.teamId, agentId: call.actor.agentId };
        return verdict;
      },
    };
    const team = await InProcessTeam.open({ authorizationSteps: AUTHORIZATION_STEPS.map((step) => (step === scopeStep ? ignoring : step)) });
    try {
      const tree = await buildTree(team);
      const cell = (label: string, tool: ToolName) => runCell(tree, columns().find((column) => column.label === label) as Column, tool);
      const caught = [await cell('sibling lead', 'team_status'), await cell('parent teammate', 'team_task_list'), await cell('child lead', 'team_task_list')];
      expect(caught.every((mismatch) => mismatch !== null)).toBe(true);
    } finally {
      await team.close();
    }
  });
});

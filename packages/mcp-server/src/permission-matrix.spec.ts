import { TOOL_NAMES, type ToolName } from '@codex-team/contracts';
import { PERMISSION_KEYS, TOOL_ACTIONS, permissionColumns, type PermissionColumn } from '@codex-team/policy-engine';
import { digestDatabase } from '@codex-team/store/testing';
import { AUTHORIZATION_STEPS, permissionStep, type AuthorizationStep } from './authorize';
import { shippedPermissionPolicy } from './shipped-permissions';
import { InProcessTeam, type InProcessSession } from './testing/in-process-team';
import { prepareCall, tidy, worldFor, type CaseWorld } from './testing/permission-cases';
import { errorBodyOf, textOf } from './testing/tool-caller';

jest.setTimeout(120_000);

const policy = shippedPermissionPolicy();
const columns = permissionColumns(policy);

/** Arguments of the session-gated tools; a bound session is refused before they are read. */
const SESSION_CALLS: Record<string, Record<string, unknown>> = {
  team_start: { name: 'again' },
  team_join: { ticket: `join_${'a'.repeat(32)}` },
  team_resume: { ticket: `resume_${'a'.repeat(32)}` },
};

function claimedTaskId(structured: unknown): string | null {
  const claim = (structured as { claim?: { task: { id: string } } | null } | undefined)?.claim;
  return claim?.task.id ?? null;
}

interface Cell {
  team: InProcessTeam;
  column: PermissionColumn;
  world: CaseWorld;
  me: InProcessSession;
}

/**
 * Runs one cell: `column`'s agent calls `tool` with `action`, prepared so the call succeeds when
 * allowed. Returns null when behaviour matches the table, else what differed.
 */
async function runCell({ team, column, world, me }: Cell, tool: ToolName, action: string): Promise<string | null> {
  await tidy(world);
  const where = `${column.label} ${tool}:${action}`;
  const session = TOOL_ACTIONS[tool].gate === 'session';
  const prepared = session ? { args: SESSION_CALLS[tool] ?? {} } : await prepareCall(world, tool, action);
  const expected = session
    ? { decision: 'deny' as const, rule: 'identity:already-bound', code: 'ALREADY_BOUND' }
    : { ...policy.decide(column.profile, tool, action), code: 'DENIED' };
  const before = JSON.stringify(digestDatabase(team.dbPath));
  const seen = (await team.store.listAuthzDecisions({ teamId: world.lead.teamId })).length;
  const result = await me.caller.call(tool, prepared.args);
  const changed = JSON.stringify(digestDatabase(team.dbPath)) !== before;
  const recorded = (await team.store.listAuthzDecisions({ teamId: world.lead.teamId })).slice(seen);
  const decision = recorded[0];
  if (recorded.length !== 1 || decision === undefined) return `${where}: ${recorded.length} decisions recorded, not 1`;
  if (decision.agent_id !== world.me.agentId || decision.tool !== tool) return `${where}: decision recorded for ${decision.agent_id} ${decision.tool}`;

  if (expected.decision === 'allow') {
    if (result.isError === true) return `${where}: ${expected.rule} allows it, but it was answered ${textOf(result)}`;
    if (prepared.claimable !== undefined && tool === 'team_task_next' && claimedTaskId(result.structuredContent) !== prepared.claimable) {
      return `${where}: allowed, but the prepared task was not claimed`;
    }
    if (decision.decision !== 'allow' || decision.outcome !== 'ok') return `${where}: recorded ${decision.decision}/${decision.outcome}`;
    return null;
  }
  if (changed) return `${where}: ${expected.rule} denies it, but the store changed`;
  if (tool === 'team_task_next' && result.isError !== true) {
    // The agent may claim other kinds of task: the call is allowed, the denied kind is not taken.
    if (claimedTaskId(result.structuredContent) !== null) return `${where}: denied kind, but a task was claimed`;
    if (decision.action.split('+').includes(action)) return `${where}: recorded ${decision.action} as allowed`;
    return null;
  }
  if (result.isError !== true) return `${where}: ${expected.rule} denies it, but it succeeded`;
  const body = errorBodyOf(tool, result);
  const rule = body.details?.['rule'];
  if (body.code !== expected.code || (tool !== 'team_task_next' && rule !== expected.rule)) {
    return `${where}: expected ${expected.code} by ${expected.rule}, got ${body.code} by ${String(rule)}`;
  }
  if (decision.decision !== 'deny' || (tool !== 'team_task_next' && decision.rule !== expected.rule)) {
    return `${where}: recorded ${decision.decision} by ${decision.rule}`;
  }
  return null;
}

/** Every cell of a column: every tool, and every action of the permission-gated ones. */
function cellsOf(): { tool: ToolName; action: string }[] {
  const sessionTools = TOOL_NAMES.filter((tool) => TOOL_ACTIONS[tool].gate === 'session').map((tool) => ({
    tool,
    action: Object.keys(TOOL_ACTIONS[tool].actions)[0] ?? '',
  }));
  return [...PERMISSION_KEYS, ...sessionTools];
}

describe('permission matrix: every role and grant x every tool x every action, over MCP', () => {
  it('covers every catalog tool', () => {
    expect(new Set(cellsOf().map((cell) => cell.tool))).toEqual(new Set(TOOL_NAMES));
    expect(columns.map((column) => column.label)).toEqual(
      expect.arrayContaining(['lead', 'planner', 'implementer', 'reviewer', 'tester', 'researcher', 'other roles', 'grant: observer']),
    );
  });

  it.each(columns.map((column) => [column.label, column] as const))('%s behaves exactly as the table says', async (_label, column) => {
    const team = await InProcessTeam.open();
    try {
      const shared: Cell = { team, column, ...(await worldFor(team, column)) };
      const mismatches: string[] = [];
      for (const { tool, action } of cellsOf()) {
        // Finalizing ends a team: those cells get a team of their own.
        const cell = tool === 'team_finalize' ? { team, column, ...(await worldFor(team, column)) } : shared;
        const mismatch = await runCell(cell, tool, action);
        if (mismatch !== null) mismatches.push(mismatch);
      }
      expect(mismatches).toEqual([]);
    } finally {
      await team.close();
    }
  });

  it('catches a server whose permission step decides but does not enforce', async () => {
    const notEnforcing: AuthorizationStep = {
      name: 'permission',
      async run(call, env) {
        const verdict = await permissionStep.run(call, env);
        if (call.permission !== null && call.actions !== null) {
          call.permission = { ...call.permission, decision: 'allow', allowed: call.actions };
        }
        return verdict === null ? null : { decision: 'allow', rule: verdict.rule, reason: 'not enforced' };
      },
    };
    const steps = AUTHORIZATION_STEPS.map((step) => (step === permissionStep ? notEnforcing : step));
    const team = await InProcessTeam.open({ authorizationSteps: steps });
    try {
      const cellOf = async (on: InProcessTeam, label: string): Promise<Cell> => {
        const column = columns.find((candidate) => candidate.label === label) as PermissionColumn;
        return { team: on, column, ...(await worldFor(on, column)) };
      };
      const caught = [
        await runCell(await cellOf(team, 'reviewer'), 'team_task_next', 'unassigned'),
        await runCell(await cellOf(team, 'implementer'), 'team_task_update', 'edit'),
        await runCell(await cellOf(team, 'researcher'), 'team_task_update', 'status=cancelled'),
        await runCell(await cellOf(team, 'grant: observer'), 'team_artifact_publish', 'publish'),
      ];
      expect(caught.every((mismatch) => mismatch !== null)).toBe(true);
      // The same cells pass against the real pipeline, so it is the broken step that was caught.
      const real = await InProcessTeam.open();
      try {
        expect(await runCell(await cellOf(real, 'reviewer'), 'team_task_next', 'unassigned')).toBeNull();
        expect(await runCell(await cellOf(real, 'implementer'), 'team_task_update', 'edit')).toBeNull();
      } finally {
        await real.close();
      }
    } finally {
      await team.close();
    }
  });
});

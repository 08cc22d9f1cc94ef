import { TeamModeSchema, type TeamMode, type ToolName } from '@codex-team/contracts';
import { PERMISSION_KEYS, decideModeGate, permissionColumns, type PermissionColumn } from '@codex-team/policy-engine';
import type { Actor, TeamStore } from '@codex-team/store';
import { digestDatabase, forceTeamMode } from '@codex-team/store/testing';
import { AUTHORIZATION_STEPS, modeStep } from './authorize';
import { shippedPermissionPolicy } from './shipped-permissions';
import { InProcessTeam, type InProcessSession } from './testing/in-process-team';
import { prepareCall, tidy, worldFor, type CaseWorld } from './testing/permission-cases';
import { errorBodyOf, textOf } from './testing/tool-caller';

jest.setTimeout(180_000);

const permissions = shippedPermissionPolicy();
const columns = permissionColumns(permissions);
const GATED_MODES = TeamModeSchema.options.filter((mode) => mode !== 'default');

/** Store operations that re-check the team's mode inside their transaction. */
const GATED_OPERATIONS = ['claimTask', 'claimNextTask', 'completeTask', 'updateTask', 'spawnAgent', 'publishArtifact'] as const;

interface MatrixTeam {
  team: InProcessTeam;
}

/**
 * A matrix team. `storeGates: false` is the broken store of the check at the end, which lost its
 * in-transaction re-check: each gated operation runs as if the team were in default mode.
 */
async function openMatrixTeam(options: { modeStep?: boolean; storeGates?: boolean } = {}): Promise<MatrixTeam> {
  let path = '';
  const ungated = (real: TeamStore): TeamStore =>
    new Proxy(real, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function' || !(GATED_OPERATIONS as readonly PropertyKey[]).includes(key)) return value;
        return async (actor: Actor, ...rest: unknown[]) => {
          const mode = await target.readMode(actor);
          forceTeamMode(path, actor.teamId, 'default', 'broken store: no re-check');
          try {
            return await (value as (...args: unknown[]) => Promise<unknown>).call(target, actor, ...rest);
          } finally {
            forceTeamMode(path, actor.teamId, mode.current, mode.reason ?? '');
          }
        };
      },
    });
  const team = await InProcessTeam.open({
    ...(options.storeGates === false ? { wrapStore: ungated } : {}),
    ...(options.modeStep === false ? { authorizationSteps: AUTHORIZATION_STEPS.filter((step) => step !== modeStep) } : {}),
  });
  path = team.dbPath;
  return { team };
}

interface Cell {
  matrix: MatrixTeam;
  column: PermissionColumn;
  world: CaseWorld;
  me: InProcessSession;
}

/**
 * The arguments of a cell in `mode`: prepared as for the permission matrix in default mode (tasks
 * claimed, plans published), then the team put straight into `mode`, past the transition table
 * (delegate refuses a lead holding work, which some cells prepare on purpose).
 */
async function prepareInMode(cell: Cell, mode: TeamMode, tool: ToolName, action: string) {
  const { dbPath } = cell.matrix.team;
  const teamId = cell.world.lead.teamId;
  forceTeamMode(dbPath, teamId, 'default', 'matrix: prepare');
  await tidy(cell.world);
  const prepared = await prepareCall(cell.world, tool, action);
  forceTeamMode(dbPath, teamId, mode, `matrix: ${mode}`);
  // Setting the mode the team is in is refused; from a gated mode the lead goes back to default.
  return tool === 'team_mode' ? { mode: 'default', reason: 'matrix: leave' } : prepared.args;
}

/**
 * One cell: `column`'s agent calls `tool:action` with the team in `mode`. Where permission allows
 * the call, the mode gate of the policy engine says whether it goes through; where permission
 * refuses it, the mode must not let it through. Returns null when the server agrees, else how not.
 */
async function runModeCell(cell: Cell, mode: TeamMode, tool: ToolName, action: string): Promise<string | null> {
  const where = `${mode} ${cell.column.label} ${tool}:${action}`;
  const args = await prepareInMode(cell, mode, tool, action);
  const permitted = permissions.decide(cell.column.profile, tool, action).decision === 'allow';
  const gate = decideModeGate(mode, {
    tool,
    actions: [action],
    callerIsLead: cell.column.role === 'lead',
    ...(tool === 'team_spawn' ? { spawnRole: String(args['role']) } : {}),
    ...(tool === 'team_artifact_publish' ? { publishesPlan: args['plan'] === true } : {}),
  });
  const before = JSON.stringify(digestDatabase(cell.matrix.team.dbPath));
  const result = await cell.me.caller.call(tool, args);
  const changed = JSON.stringify(digestDatabase(cell.matrix.team.dbPath)) !== before;
  const claimed = (result.structuredContent as { claim?: unknown } | undefined)?.claim;
  const refused = result.isError === true || (tool === 'team_task_next' && claimed === null);

  if (!permitted) return refused ? null : `${where}: permission refuses it, but the mode let it through`;
  if (gate.decision === 'allow') {
    return result.isError === true ? `${where}: ${mode} mode allows it, but it was answered ${textOf(result)}` : null;
  }
  if (result.isError !== true) return `${where}: ${gate.rule} refuses it, but it succeeded`;
  if (changed) return `${where}: refused, but the store changed`;
  const body = errorBodyOf(tool, result);
  if (body.code !== 'DENIED' || body.details?.['rule'] !== gate.rule || body.details['mode'] !== mode) {
    return `${where}: expected DENIED by ${gate.rule} in ${mode} mode, got ${body.code} ${JSON.stringify(body.details)}`;
  }
  return null;
}

async function cellIn(matrix: MatrixTeam, label: string): Promise<Cell> {
  const column = columns.find((candidate) => candidate.label === label) as PermissionColumn;
  return { matrix, column, ...(await worldFor(matrix.team, column)) };
}

describe('mode matrix: every gated mode x every role and grant x every tool and action, over MCP', () => {
  const cases = GATED_MODES.flatMap((mode) => columns.map((column) => [mode, column.label, column] as const));

  it.each(cases)('in %s mode, %s gets exactly what its permissions and the mode allow', async (mode, _label, column) => {
    const matrix = await openMatrixTeam();
    try {
      const shared: Cell = { matrix, column, ...(await worldFor(matrix.team, column)) };
      const mismatches: string[] = [];
      for (const { tool, action } of PERMISSION_KEYS) {
        const cell = tool === 'team_finalize' ? { matrix, column, ...(await worldFor(matrix.team, column)) } : shared;
        const mismatch = await runModeCell(cell, mode, tool, action);
        if (mismatch !== null) mismatches.push(mismatch);
      }
      expect(mismatches).toEqual([]);
    } finally {
      await matrix.team.close();
    }
  });

  it('lets plans be published in plan mode, and names the mode, its setter and reason when refusing', async () => {
    const matrix = await openMatrixTeam();
    try {
      const cell = await cellIn(matrix, 'planner');
      await prepareInMode(cell, 'plan', 'team_artifact_publish', 'publish');
      const plan = await cell.me.caller.ok('team_artifact_publish', { name: 'plan.md', content: '# plan', plan: true });
      expect(plan.artifact.plan).toBe(true);
      const refused = await cell.me.caller.fails('team_artifact_publish', { name: 'notes.md', content: 'x' });
      expect(refused).toMatchObject({ code: 'DENIED', details: { mode: 'plan', rule: 'mode.plan:plans-only', mode_reason: 'matrix: plan' } });
      expect(refused.message).toContain('plan mode');
    } finally {
      await matrix.team.close();
    }
  });

  it('refuses in the store what slipped past a pipeline without the mode step, the race a mode change opens', async () => {
    const matrix = await openMatrixTeam({ modeStep: false });
    try {
      const cell = await cellIn(matrix, 'implementer');
      const args = await prepareInMode(cell, 'plan', 'team_task_next', 'own_role');
      const refused = await cell.me.caller.fails('team_task_next', args);
      expect(refused).toMatchObject({ code: 'DENIED', details: { rule: 'mode.plan:no-claims', mode: 'plan' } });
    } finally {
      await matrix.team.close();
    }
  });

  it('catches a server that neither gates calls by mode nor re-checks the mode in the store', async () => {
    const broken = await openMatrixTeam({ modeStep: false, storeGates: false });
    const real = await openMatrixTeam();
    try {
      const probes: [TeamMode, string, ToolName, string][] = [
        ['plan', 'implementer', 'team_task_next', 'own_role'],
        ['plan', 'tester', 'team_task_complete', 'status=done'],
        ['plan', 'lead', 'team_spawn', 'spawn'],
        ['delegate', 'lead', 'team_task_next', 'own_role'],
      ];
      for (const [mode, label, tool, action] of probes) {
        expect(await runModeCell(await cellIn(broken, label), mode, tool, action)).not.toBeNull();
        expect(await runModeCell(await cellIn(real, label), mode, tool, action)).toBeNull();
      }
    } finally {
      await broken.team.close();
      await real.team.close();
    }
  });
});

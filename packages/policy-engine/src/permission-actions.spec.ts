import { TOOL_CONTRACTS, TOOL_NAMES, type ToolName } from '@codex-team/contracts';
import { TOOL_ACTIONS, actionsOfCall } from './permission-actions';

/** A call's actions, from arguments parsed by the tool's own schema (defaults applied). */
function actions(tool: ToolName, args: Record<string, unknown>): readonly string[] {
  return actionsOfCall(tool, TOOL_CONTRACTS[tool].input.parse(args));
}

const TASK = 'tk_aaaaaaaa';

describe('the action table', () => {
  it('has an entry for every catalog tool, so a new tool cannot ship without permissions', () => {
    expect(Object.keys(TOOL_ACTIONS).sort()).toEqual([...TOOL_NAMES].sort());
    for (const tool of TOOL_NAMES) expect(Object.keys(TOOL_ACTIONS[tool].actions).length).toBeGreaterThan(0);
  });

  it('leaves exactly the tools of unbound sessions to the session', () => {
    const bySession = TOOL_NAMES.filter((tool) => TOOL_ACTIONS[tool].gate === 'session');
    expect(bySession).toEqual(TOOL_NAMES.filter((tool) => TOOL_CONTRACTS[tool].audience === 'unbound'));
  });

  it('maps each call to the most privileged action its input asks for', () => {
    expect(actions('team_task_update', { task_id: TASK, fence: 1, progress: 'half' })).toEqual(['progress']);
    expect(actions('team_task_update', { task_id: TASK, title: 'x' })).toEqual(['edit']);
    expect(actions('team_task_update', { task_id: TASK, required_role: null })).toEqual(['edit']);
    expect(actions('team_task_update', { task_id: TASK, progress: 'p', priority: 3 })).toEqual(['edit']);
    expect(actions('team_task_update', { task_id: TASK, title: 'x', cancel: true })).toEqual(['status=cancelled']);
    expect(actions('team_task_complete', { task_id: TASK, fence: 1, result: 'r' })).toEqual(['status=done']);
    expect(actions('team_task_complete', { task_id: TASK, fence: 1, result: 'r', outcome: 'failed' })).toEqual(['status=failed']);
    expect(actions('team_send', { to: '*', body: 'b' })).toEqual(['broadcast']);
    expect(actions('team_send', { to: 'ag_aaaaaaaa', body: 'b' })).toEqual(['direct']);
    expect(actions('team_inbox', {})).toEqual(['read']);
    expect(actions('team_inbox', { ack: ['ms_aaaaaaaa'] })).toEqual(['ack']);
    expect(actions('team_finalize', {})).toEqual(['finalize']);
    expect(actions('team_finalize', { force: true })).toEqual(['force']);
    expect(actions('team_spawn', { name: 'a', role: 'tester' })).toEqual(['spawn']);
    expect(actions('team_spawn', { name: 'a', role: 'tester', permission_profile: 'observer' })).toEqual(['grant']);
    expect(actions('team_task_next', {})).toEqual(['own_role', 'unassigned']);
    expect(actions('team_task_next', { task_id: TASK })).toEqual(['own_role', 'unassigned']);
  });

  it('only ever answers with actions the table declares', () => {
    const samples: [ToolName, Record<string, unknown>][] = [
      ['team_status', {}],
      ['team_task_create', { tasks: [{ title: 't' }] }],
      ['team_task_list', {}],
      ['team_task_release', { task_id: TASK, fence: 1, reason: 'r' }],
      ['team_artifact_publish', { name: 'a', content: 'c' }],
      ['team_artifact_read', { name: 'a' }],
      ['team_artifact_list', {}],
      ['team_start', { name: 'x' }],
      ['team_join', { ticket: 't' }],
      ['team_resume', { ticket: 't' }],
    ];
    for (const [tool, args] of samples) {
      for (const action of actions(tool, args)) expect(Object.keys(TOOL_ACTIONS[tool].actions)).toContain(action);
    }
  });
});

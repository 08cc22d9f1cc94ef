import { TOOL_NAMES, TeamModeSchema, type ToolName } from '@codex-team/contracts';
import { MODE_GATES, PLANNING_ROLES, decideModeGate, gatesOf, type ModeCallFacts } from './modes';

const call = (tool: ToolName, extra: Partial<ModeCallFacts> = {}): ModeCallFacts => ({
  tool,
  actions: [],
  callerIsLead: false,
  ...extra,
});

describe('mode gates', () => {
  it('lets every call of every caller through in default mode', () => {
    for (const tool of TOOL_NAMES) {
      for (const callerIsLead of [true, false]) {
        const decision = decideModeGate('default', call(tool, { callerIsLead, actions: ['progress'], spawnRole: 'implementer' }));
        expect({ tool, callerIsLead, decision: decision.decision }).toEqual({ tool, callerIsLead, decision: 'allow' });
      }
    }
    expect(gatesOf('default')).toEqual([]);
  });

  it('refuses claims, completions, execution spawns and non-plan artifacts to everyone in plan mode', () => {
    for (const callerIsLead of [true, false]) {
      expect(decideModeGate('plan', call('team_task_next', { callerIsLead })).rule).toBe('mode.plan:no-claims');
      expect(decideModeGate('plan', call('team_task_next', { callerIsLead })).rule).toBe('mode.plan:no-claims');
      expect(decideModeGate('plan', call('team_task_complete', { callerIsLead })).rule).toBe('mode.plan:no-completions');
      expect(decideModeGate('plan', call('team_artifact_publish', { callerIsLead, publishesPlan: false })).rule).toBe('mode.plan:plans-only');
    }
    expect(decideModeGate('plan', call('team_spawn', { callerIsLead: true, spawnRole: 'implementer' })).rule).toBe('mode.plan:no-execution-spawn');
    expect(decideModeGate('plan', call('team_spawn', { callerIsLead: true, spawnRole: 'my-custom-role' })).decision).toBe('deny');
  });

  it('keeps planning open in plan mode: tasks, messages, plans, planning roles, progress and release', () => {
    const open: ModeCallFacts[] = [
      call('team_task_create'),
      call('team_task_update', { actions: ['edit'] }),
      call('team_task_update', { actions: ['progress'] }),
      call('team_task_release'),
      call('team_send'),
      call('team_inbox'),
      call('team_status'),
      call('team_artifact_publish', { publishesPlan: true }),
      ...PLANNING_ROLES.map((spawnRole) => call('team_spawn', { callerIsLead: true, spawnRole })),
    ];
    for (const facts of open) expect({ facts, decision: decideModeGate('plan', facts).decision }).toEqual({ facts, decision: 'allow' });
  });

  it('in delegate mode refuses the lead its own claims, completions and progress, and nothing to teammates', () => {
    for (const tool of ['team_task_next', 'team_task_complete'] as const) {
      expect(decideModeGate('delegate', call(tool, { callerIsLead: true })).rule).toBe('mode.delegate:lead-coordinates');
      expect(decideModeGate('delegate', call(tool, { callerIsLead: false })).decision).toBe('allow');
    }
    expect(decideModeGate('delegate', call('team_task_update', { callerIsLead: true, actions: ['progress'] })).decision).toBe('deny');
    expect(decideModeGate('delegate', call('team_task_update', { callerIsLead: true, actions: ['edit'] })).decision).toBe('allow');
    for (const tool of ['team_spawn', 'team_send', 'team_finalize', 'team_artifact_publish', 'team_task_create'] as const) {
      expect(decideModeGate('delegate', call(tool, { callerIsLead: true, spawnRole: 'implementer' })).decision).toBe('allow');
    }
  });

  it('names every gate after its own mode, so a gate never leaks into another mode', () => {
    for (const gate of MODE_GATES) expect(gate.rule.startsWith(`mode.${gate.mode}:`)).toBe(true);
    expect(new Set(MODE_GATES.map((gate) => gate.rule)).size).toBe(MODE_GATES.length);
    for (const mode of TeamModeSchema.options) for (const gate of gatesOf(mode)) expect(gate.mode).toBe(mode);
  });
});

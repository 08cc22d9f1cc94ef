import { hookSubjectOfTool } from './events';

describe('the events a tool call raises', () => {
  it('raises TaskClaim for every claim, by team_task_next alone or with task_id', () => {
    expect(hookSubjectOfTool('team_task_next', {})).toBe('TaskClaim');
    expect(hookSubjectOfTool('team_task_next', { task_id: 'tk_aaaaaaaa' })).toBe('TaskClaim');
  });

  it('raises ModeChange only for a team_mode call that sets a mode, never for a read', () => {
    expect(hookSubjectOfTool('team_mode', { mode: 'plan', reason: 'think first' })).toBe('ModeChange');
    expect(hookSubjectOfTool('team_mode', {})).toBeNull();
  });

  it('raises nothing for tools without events', () => {
    expect(hookSubjectOfTool('team_status', {})).toBeNull();
    expect(hookSubjectOfTool('team_checkpoint', {})).toBeNull();
  });
});

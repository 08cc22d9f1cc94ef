import type { AuditEvent } from '@codex-team/contracts';
import { workIntervals } from './run-summary';

// Pure: work intervals from an audit trail. The run summaries over a real store are the store's
// spec (packages/store/src/run-summary.spec.ts).
describe('workIntervals', () => {
  const event = (seq: number, second: number, action: string, actor: string | null, subject: string): AuditEvent => ({
    seq,
    team_id: 'tm_t',
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
    actor_agent_id: actor,
    action,
    subject_id: subject,
    decision: 'allow',
    reason: '',
    data: {},
  });
  const t0 = Date.UTC(2026, 0, 1);

  it('ends a claim where recovery took it back, not at the end of the run', () => {
    const intervals = workIntervals(
      [event(1, 1, 'task.claim', 'ag_gone', 'tk_a'), event(2, 30, 'task.recover', null, 'tk_a'), event(3, 31, 'task.claim', 'ag_next', 'tk_a'), event(4, 40, 'task.complete', 'ag_next', 'tk_a')],
      t0 + 60_000,
    );
    expect(intervals).toEqual([
      { taskId: 'tk_a', agentId: 'ag_gone', from: t0 + 1_000, to: t0 + 30_000, outcome: 'recovered' },
      { taskId: 'tk_a', agentId: 'ag_next', from: t0 + 31_000, to: t0 + 40_000, outcome: 'done' },
    ]);
  });
});

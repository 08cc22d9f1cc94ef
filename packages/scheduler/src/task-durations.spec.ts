import { thrownCode } from '@codex-team/contracts/testing';
import { expectedDurationMs, learnDurations } from './task-durations';

describe('learnDurations', () => {
  it('expects the prior before any task has finished', () => {
    const model = learnDurations([], 600_000);
    expect(model).toEqual({ by_role: {}, overall_ms: null, prior_ms: 600_000 });
    expect(expectedDurationMs(model, 'tester')).toBe(600_000);
  });

  it("learns each role's mean, and falls back to the mean of all for a role not seen yet", () => {
    const model = learnDurations(
      [
        { required_role: 'tester', duration_ms: 100 },
        { required_role: 'tester', duration_ms: 300 },
        { required_role: null, duration_ms: 500 },
      ],
      600_000,
    );
    expect(model.by_role).toEqual({ '*': { mean_ms: 500, samples: 1 }, tester: { mean_ms: 200, samples: 2 } });
    expect(expectedDurationMs(model, 'tester')).toBe(200);
    expect(expectedDurationMs(model, null)).toBe(500);
    expect(expectedDurationMs(model, 'reviewer')).toBe(300);
  });

  it('refuses negative durations and a prior that is not positive', () => {
    expect(thrownCode(() => learnDurations([{ required_role: null, duration_ms: -1 }], 1))).toBe('INVALID_INPUT');
    expect(thrownCode(() => learnDurations([], 0))).toBe('INVALID_INPUT');
  });
});

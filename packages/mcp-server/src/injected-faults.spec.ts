import { InjectedFaultsError, injectedFaultsFromEnv, injectedFaultsWarning, paddedAnswer } from './injected-faults';

describe('injected faults (CODEX_TEAM_TEST_FAULTS)', () => {
  it('are none unless the variable names them', () => {
    expect(injectedFaultsFromEnv({})).toBeUndefined();
    expect(injectedFaultsFromEnv({ CODEX_TEAM_TEST_FAULTS: ' ' })).toBeUndefined();
    expect(paddedAnswer({ ok: true }, undefined)).toEqual({ ok: true });
  });

  it('reads padding and ignored hook blocks, and pads an answer by exactly the bytes asked', () => {
    const faults = injectedFaultsFromEnv({ CODEX_TEAM_TEST_FAULTS: 'pad-answers=2048, ignore-hook-blocks' });
    expect(faults).toEqual({ padAnswerBytes: 2048, ignoreHookBlocks: true });
    const plain = JSON.stringify({ ok: true });
    expect(JSON.stringify(paddedAnswer({ ok: true }, faults)).length - plain.length).toBe(2048 + ',"padding":""'.length);
  });

  it('refuses a fault it does not know rather than run without it', () => {
    expect(() => injectedFaultsFromEnv({ CODEX_TEAM_TEST_FAULTS: 'pad-answers=lots' })).toThrow(InjectedFaultsError);
    expect(() => injectedFaultsFromEnv({ CODEX_TEAM_TEST_FAULTS: 'slow' })).toThrow(/unknown fault "slow"/);
  });

  it('are announced as test-only, naming each fault that is on', () => {
    const both = injectedFaultsWarning({ padAnswerBytes: 2048, ignoreHookBlocks: true });
    expect(both).toMatch(/^TEST ONLY: CODEX_TEAM_TEST_FAULTS injects faults/);
    expect(both).toContain('pad-answers=2048');
    expect(both).toContain('ignore-hook-blocks');
    expect(injectedFaultsWarning({ padAnswerBytes: 0, ignoreHookBlocks: true })).not.toContain('pad-answers');
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIMITS, isTeamError } from '@codex-team/contracts';
import { usageRateRuling } from './team-rules';
import { assertBudgetAllows, budgetGate, budgetState, chargeUsage, decideUsageRate, tokensOf } from './budget';
import { parseProfile } from './parse-profile';

const fast = parseProfile(readFileSync(join(__dirname, '../../../profiles/fast.yaml'), 'utf8'), 'fast.yaml');
const { soft_tokens: soft, hard_tokens: hard } = fast.budget; // 1M and 2M

describe('budgets', () => {
  it('is ok below soft, soft_exceeded from soft on, hard_exceeded from hard on', () => {
    expect(budgetState(fast, soft - 1)).toMatchObject({ state: 'ok', remaining_tokens: hard - soft + 1 });
    expect(budgetState(fast, soft)).toMatchObject({ state: 'soft_exceeded', remaining_tokens: hard - soft });
    expect(budgetState(fast, hard)).toMatchObject({ state: 'hard_exceeded', remaining_tokens: 0 });
    expect(budgetState(fast, hard * 2)).toMatchObject({ state: 'hard_exceeded', remaining_tokens: 0 });
    expect(budgetState(fast, hard).reason).toBe(
      'hard budget reached: 2000000 of 2000000 tokens used (profile fast); no new spawns or claims',
    );
  });

  it('charges input plus output tokens and reports the line a sample crosses', () => {
    expect(tokensOf({ input_tokens: 1_000, cached_input_tokens: 800, output_tokens: 200 })).toBe(1_200);
    const first = chargeUsage(fast, soft - 100, { input_tokens: 50, output_tokens: 49 });
    expect(first).toMatchObject({ charged_tokens: 99, used_tokens: soft - 1, crossed: null });
    expect(chargeUsage(fast, soft - 1, { input_tokens: 1, output_tokens: 0 }).crossed).toBe('soft');
    expect(chargeUsage(fast, soft, { input_tokens: hard, output_tokens: 0 })).toMatchObject({
      crossed: 'hard',
      budget: { state: 'hard_exceeded' },
    });
    expect(chargeUsage(fast, 0, { input_tokens: hard, output_tokens: 0 }).crossed).toBe('hard');
  });

  it('refuses malformed usage samples and negative totals', () => {
    for (const run of [
      () => tokensOf({ input_tokens: -1, output_tokens: 0 }),
      () => tokensOf({ input_tokens: 1.5, output_tokens: 0 }),
      () => budgetState(fast, -1),
      () => budgetState(fast, Number.NaN),
    ]) {
      let code: string | undefined;
      try {
        run();
      } catch (error) {
        code = isTeamError(error) ? error.code : 'other';
      }
      expect(code).toBe('INVALID_INPUT');
    }
  });

  it('allows spawns and claims until the hard budget, then denies them as data', () => {
    expect(budgetGate(fast, soft - 1, 'spawn')).toMatchObject({ decision: 'allow', rule: 'budget' });
    expect(budgetGate(fast, soft, 'claim')).toMatchObject({ decision: 'allow', rule: 'budget.soft_tokens' });
    expect(budgetGate(fast, hard, 'claim')).toEqual({
      decision: 'deny',
      rule: 'budget.hard_tokens',
      reason: 'no new claim: hard budget reached: 2000000 of 2000000 tokens used (profile fast); no new spawns or claims',
    });
  });

  it('stops new spawns and claims at the hard budget with a clear LIMIT_EXCEEDED error', () => {
    expect(assertBudgetAllows(fast, hard - 1, 'spawn').decision).toBe('allow');
    let error: unknown;
    try {
      assertBudgetAllows(fast, hard + 5, 'spawn');
    } catch (caught) {
      error = caught;
    }
    expect(isTeamError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { rule: 'budget.hard_tokens', action: 'spawn', used_tokens: hard + 5, hard_tokens: hard },
    });
    expect((error as Error).message).toMatch(
      /^LIMIT_EXCEEDED: token budget exhausted: 2000005 of 2000000 tokens used \(profile fast, budget.hard_tokens\); no new spawn\./,
    );
  });
});

describe('decideUsageRate', () => {
  const max = LIMITS.usageTokensPerAgentMinuteMax;

  it('allows an agent up to the per-minute bound and refuses the report that would pass it', () => {
    expect(decideUsageRate({ recentTokens: max - 1_000, sample: { input_tokens: 900, output_tokens: 100 } })).toMatchObject({
      decision: 'allow',
      rule: 'usage.per_minute',
    });
    const refused = decideUsageRate({ recentTokens: max - 1_000, sample: { input_tokens: 900, output_tokens: 101 } });
    expect(refused).toMatchObject({ decision: 'deny', rule: 'usage.per_minute' });
    expect(refused.reason).toContain(`${max} tokens a minute`);
  });

  it('throws INVALID_INPUT on an implausible sample', () => {
    expect(() => decideUsageRate({ recentTokens: 0, sample: { input_tokens: 2_147_483_648, output_tokens: 0 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

describe('tokensOf', () => {
  it('refuses a sample past what one call could cost, so one report cannot charge more', () => {
    expect(tokensOf({ input_tokens: LIMITS.usageInputTokensMax, output_tokens: LIMITS.usageOutputTokensMax })).toBe(
      LIMITS.usageInputTokensMax + LIMITS.usageOutputTokensMax,
    );
    expect(() => tokensOf({ input_tokens: LIMITS.usageInputTokensMax + 1, output_tokens: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => tokensOf({ input_tokens: 5, output_tokens: 0, cached_input_tokens: 6 })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('usageRateRuling', () => {
  const max = LIMITS.usageTokensPerAgentMinuteMax;

  it('answers a refusal as LIMIT_EXCEEDED with the rule and the figures, and an allow with its inputs', () => {
    expect(usageRateRuling({ recentTokens: max, sample: { input_tokens: 1, output_tokens: 0 } })).toMatchObject({
      decision: 'deny',
      rule: 'usage.per_minute',
      code: 'LIMIT_EXCEEDED',
      details: { rule: 'usage.per_minute', tokens: 1, recent_tokens: max, max },
      inputs: { tokens: 1, recent_tokens: max, max, window_ms: 60_000 },
    });
    expect(usageRateRuling({ recentTokens: 0, sample: { input_tokens: LIMITS.usageInputTokensMax, output_tokens: 0 } })).toMatchObject({
      decision: 'allow',
      rule: 'usage.per_minute',
    });
  });
});

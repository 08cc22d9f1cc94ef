import { effectiveThreadCap } from './thread-cap';

const profile = { name: 'default', threads: { default: 4, hard_cap: 6 } };
const codexV2 = { teammates: 3, from: 'multi-agent v2 max_concurrent_threads_per_session 4, lead included' };

describe('effectiveThreadCap', () => {
  it("is Codex's cap when it is the smallest, and says where it came from", () => {
    const cap = effectiveThreadCap({ profile, maxThreads: 6, codex: codexV2 });
    expect(cap).toMatchObject({ cap: 3, binding: 'codex' });
    expect(cap.reason).toBe(
      "Codex's thread cap allows 3 teammates at once (multi-agent v2 max_concurrent_threads_per_session 4, lead included)",
    );
    expect(cap.parts.map((part) => [part.binding, part.limit])).toEqual([
      ['codex', 3],
      ['profile', 6],
      ['team', 6],
      ['absolute', 6],
    ]);
  });

  it("names Codex's cap on a tie, so the lead knows raising max_threads would not help", () => {
    expect(effectiveThreadCap({ profile, maxThreads: 3, codex: codexV2 }).binding).toBe('codex');
  });

  it('is the team max_threads or the profile cap when those are smaller', () => {
    expect(effectiveThreadCap({ profile, maxThreads: 2, codex: codexV2 })).toMatchObject({ cap: 2, binding: 'team' });
    const narrow = { name: 'fast', threads: { default: 2, hard_cap: 2 } };
    expect(effectiveThreadCap({ profile: narrow, maxThreads: 6, codex: codexV2 })).toMatchObject({
      cap: 2,
      binding: 'profile',
      reason: 'profile fast threads.hard_cap allows 2 teammates at once',
    });
  });

  it('without a Codex cap is min(profile, max_threads, 6), as before', () => {
    expect(effectiveThreadCap({ profile, maxThreads: 6 })).toMatchObject({ cap: 6, binding: 'profile' });
    expect(effectiveThreadCap({ profile, maxThreads: 6 }).parts).toHaveLength(3);
  });

  it('never exceeds the absolute limit of 6, whatever Codex allows', () => {
    const wide = { name: 'wide', threads: { default: 6, hard_cap: 99 } };
    expect(effectiveThreadCap({ profile: wide, maxThreads: 99, codex: { teammates: 11, from: '[agents] max_threads 11' } })).toMatchObject({
      cap: 6,
      binding: 'absolute',
    });
  });

  it('refuses a negative or fractional limit', () => {
    expect(() => effectiveThreadCap({ profile, maxThreads: 6, codex: { teammates: -1, from: 'x' } })).toThrow(/^INVALID_INPUT: codex teammates/);
    expect(() => effectiveThreadCap({ profile, maxThreads: 1.5 })).toThrow(/^INVALID_INPUT: max_threads/);
  });
});

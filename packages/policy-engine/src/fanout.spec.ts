import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProfileSchema, isTeamError, type Profile } from '@codex-team/contracts';
import fc from 'fast-check';
import { ANY_ROLE, recommendFanout, type FanoutInput, type FanoutRecommendation } from './fanout';
import { parseProfile } from './parse-profile';

const profilesDir = join(__dirname, '../../../profiles');
const shipped = (name: string): Profile => parseProfile(readFileSync(join(profilesDir, `${name}.yaml`), 'utf8'), `${name}.yaml`);
const normal = shipped('default'); // tasks_per_agent 2, band 1..6, soft 8M, hard 16M
const deep = shipped('deep'); // tasks_per_agent 1, band 2..6

const spawned = (r: FanoutRecommendation): number => r.spawn.reduce((n, s) => n + s.count, 0);
const spawnOf = (r: FanoutRecommendation): Record<string, number> =>
  Object.fromEntries(r.spawn.map((s) => [s.role, s.count]));
const base = (over: Partial<FanoutInput>): FanoutInput => ({
  profile: normal,
  maxThreads: 6,
  readyByRole: {},
  activeByRole: {},
  usedTokens: 0,
  ...over,
});

describe('recommendFanout', () => {
  it('staffs ready work by role at tasks_per_agent, with reasons', () => {
    const r = recommendFanout(base({ readyByRole: { implementer: 5, reviewer: 1 } }));
    expect(spawnOf(r)).toEqual({ implementer: 3, reviewer: 1 });
    expect(r.cap).toBe(6);
    expect(r.target_agents).toBe(4);
    expect(r.spawn[0]?.reasons[0]).toBe(
      '5 ready implementer tasks want 3 agents (fanout.tasks_per_agent 2); 0 covered by idle implementers, 3 more wanted',
    );
    expect(r.reasons[0]).toBe(
      'cap 6 = min(profile default threads.hard_cap 6, team max_threads 6, absolute limit 6)',
    );
    expect(r.reasons.at(-1)).toBe('spawn 4 agents for a team of 4');
  });

  it('counts idle agents of the role first and leaves busy ones out', () => {
    const r = recommendFanout(
      base({ readyByRole: { implementer: 4 }, activeByRole: { implementer: 2 }, busyByRole: { implementer: 1 } }),
    );
    expect(spawnOf(r)).toEqual({ implementer: 1 });
    expect(r.active_agents).toBe(2);
  });

  it('lets idle workers take tasks that name no role, then asks for implementers', () => {
    const covered = recommendFanout(base({ readyByRole: { [ANY_ROLE]: 2 }, activeByRole: { implementer: 1 } }));
    expect(covered.spawn).toEqual([]);
    expect(covered.reasons.at(-1)).toBe('spawn nobody: the ready work is covered by idle teammates');
    const reviewersDoNotCount = recommendFanout(base({ readyByRole: { [ANY_ROLE]: 2 }, activeByRole: { reviewer: 2 } }));
    expect(spawnOf(reviewersDoNotCount)).toEqual({ implementer: 1 });
  });

  it('never spawns or counts the lead', () => {
    const r = recommendFanout(base({ readyByRole: { lead: 3 }, activeByRole: { lead: 1 } }));
    expect(r.spawn).toEqual([]);
    expect(r.active_agents).toBe(0);
    expect(r.reasons).toContain('3 ready lead tasks left to the lead itself');
  });

  it('caps the team at the smallest of profile cap, max_threads, thread cap and 6', () => {
    const r = recommendFanout(base({ profile: deep, maxThreads: 4, threadCap: 3, readyByRole: { tester: 9 } }));
    expect(r.cap).toBe(3);
    expect(spawnOf(r)).toEqual({ tester: 3 });
    expect(r.reasons.at(-1)).toBe('spawn 3 agents for a team of 3; 6 more would be useful but the ceiling is 3');
    expect(r.spawn[0]?.reasons).toContain('limited to 3 by room for 3 under the ceiling of 3');
  });

  it('tops the team up to fanout.min while work is ready, but not past one agent per task', () => {
    const one = recommendFanout(base({ profile: deep, readyByRole: { implementer: 1 } }));
    expect(spawnOf(one)).toEqual({ implementer: 1 });
    const lumpy = { ...deep, fanout: { ...deep.fanout, tasks_per_agent: 3 } };
    const three = recommendFanout(base({ profile: lumpy, readyByRole: { implementer: 3 } }));
    expect(spawnOf(three)).toEqual({ implementer: 2 });
    expect(three.spawn[0]?.reasons).toContain('fanout.min 2: topping the team up while work is ready');
  });

  it('shrinks through the soft-to-hard margin and stops at the hard budget', () => {
    const at = (usedTokens: number) => recommendFanout(base({ profile: deep, usedTokens, readyByRole: { implementer: 9 } }));
    const { soft_tokens: soft, hard_tokens: hard } = deep.budget;
    expect(spawned(at(soft - 1))).toBe(6);
    expect(spawned(at(soft + (hard - soft) / 2))).toBe(3);
    expect(spawned(at(hard - 1))).toBe(1);
    const stopped = at(hard);
    expect(stopped.spawn).toEqual([]);
    expect(stopped.target_agents).toBe(0);
    expect(stopped.budget.state).toBe('hard_exceeded');
    expect(stopped.reasons.at(-1)).toBe('spawn nobody: the hard budget is reached');
  });

  it('says why nothing is spawned when no task is ready', () => {
    const r = recommendFanout(base({ activeByRole: { implementer: 2 } }));
    expect(r.spawn).toEqual([]);
    expect(r.reasons.at(-1)).toBe('spawn nobody: no task is ready');
  });

  it('refuses negative or fractional counts', () => {
    for (const bad of [{ readyByRole: { implementer: -1 } }, { maxThreads: 2.5 }, { usedTokens: -1 }]) {
      let code: string | undefined;
      try {
        recommendFanout(base(bad));
      } catch (error) {
        code = isTeamError(error) ? error.code : 'other';
      }
      expect(code).toBe('INVALID_INPUT');
    }
  });
});

// ---- properties ---------------------------------------------------------------------------------

/** A fraction in [0, max] in thousandths (fc.double spreads over bit patterns, mostly near 0). */
const share = (max = 1) => fc.integer({ min: 0, max: max * 1_000 }).map((n) => n / 1_000);

const ROLES = ['implementer', 'reviewer', 'tester', 'researcher', 'custom', 'lead', ANY_ROLE] as const;

const profileArb: fc.Arbitrary<Profile> = fc
  .record({
    hardCap: fc.integer({ min: 1, max: 6 }),
    maxFrac: share(),
    minFrac: share(),
    tpa: fc.integer({ min: 1, max: 4 }),
    soft: fc.integer({ min: 0, max: 1_000 }),
    margin: fc.integer({ min: 0, max: 1_000 }),
  })
  .map(({ hardCap, maxFrac, minFrac, tpa, soft, margin }) => {
    const max = 1 + Math.floor(maxFrac * (hardCap - 1));
    const min = Math.floor(minFrac * max);
    return ProfileSchema.parse({
      ...normal,
      threads: { default: hardCap, hard_cap: hardCap },
      fanout: { min, max, tasks_per_agent: tpa },
      budget: { soft_tokens: soft, hard_tokens: soft + margin },
    });
  });

const countsArb = (max: number) =>
  fc.dictionary(fc.constantFrom(...ROLES), fc.integer({ min: 0, max }), { maxKeys: ROLES.length });

const inputArb: fc.Arbitrary<FanoutInput> = fc
  .record({
    profile: profileArb,
    maxThreads: fc.integer({ min: 1, max: 6 }),
    threadCap: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
    readyByRole: countsArb(8),
    activeByRole: countsArb(4),
    busyShare: share(),
    usedShare: share(1.3),
  })
  .map(({ busyShare, usedShare, threadCap, ...rest }) => ({
    ...rest,
    ...(threadCap === undefined ? {} : { threadCap }),
    busyByRole: Object.fromEntries(Object.entries(rest.activeByRole).map(([r, n]) => [r, Math.floor(n * busyShare)])),
    usedTokens: Math.floor(usedShare * rest.profile.budget.hard_tokens),
  }));

const activeTotal = (i: FanoutInput): number =>
  Object.entries(i.activeByRole).reduce((n, [role, c]) => (role === 'lead' ? n : n + c), 0);

describe('recommendFanout properties', () => {
  const runs = { numRuns: 2_000, seed: 20_261_101 };

  it('never lets the team pass min(profile cap, max_threads, thread cap, 6)', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const r = recommendFanout(i);
        const cap = Math.min(i.profile.threads.hard_cap, i.maxThreads, i.threadCap ?? 6, 6);
        expect(r.cap).toBe(cap);
        expect(r.target_agents).toBeLessThanOrEqual(cap);
        expect(spawned(r)).toBeLessThanOrEqual(Math.max(0, cap - activeTotal(i)));
        expect(spawned(r)).toBeLessThanOrEqual(Math.max(0, i.profile.fanout.max - activeTotal(i)));
      }),
      runs,
    );
  });

  it('never spawns less when more work is ready', () => {
    fc.assert(
      fc.property(inputArb, fc.constantFrom(...ROLES), fc.integer({ min: 1, max: 4 }), (i, role, more) => {
        const before = recommendFanout(i);
        const after = recommendFanout({ ...i, readyByRole: { ...i.readyByRole, [role]: (i.readyByRole[role] ?? 0) + more } });
        expect(spawned(after)).toBeGreaterThanOrEqual(spawned(before));
        expect(after.target_agents).toBeGreaterThanOrEqual(before.target_agents);
      }),
      runs,
    );
  });

  it('never spawns less when more work is ready, over an exhaustive grid of small teams', () => {
    for (const shippedProfile of [normal, deep, shipped('fast')]) {
      for (const tpa of [1, 2, 3, 4]) {
        const profile = { ...shippedProfile, fanout: { ...shippedProfile.fanout, tasks_per_agent: tpa } };
        for (let impl = 0; impl <= 3; impl += 1) {
          for (let busy = 0; busy <= impl; busy += 1) {
            for (let any = 0; any <= 3; any += 1) {
              let previous = -1;
              for (let ready = 0; ready <= 10; ready += 1) {
                const r = recommendFanout(
                  base({
                    profile,
                    readyByRole: { implementer: ready, [ANY_ROLE]: any },
                    activeByRole: { implementer: impl, reviewer: 1 },
                    busyByRole: { implementer: busy },
                  }),
                );
                expect({ tpa, impl, busy, any, ready, n: spawned(r) >= previous }).toEqual({ tpa, impl, busy, any, ready, n: true });
                previous = spawned(r);
              }
            }
          }
        }
      }
    }
  });

  it('never spawns more when more budget is used, and spawns nobody at the hard budget', () => {
    fc.assert(
      fc.property(inputArb, share(1.2), (i, extraShare) => {
        // A step of up to 1.2 soft-to-hard margins, so most pairs land inside the shrinking zone.
        const extra = Math.floor(extraShare * (i.profile.budget.hard_tokens - i.profile.budget.soft_tokens + 1));
        const before = recommendFanout(i);
        const after = recommendFanout({ ...i, usedTokens: i.usedTokens + extra });
        expect(spawned(after)).toBeLessThanOrEqual(spawned(before));
        expect(after.target_agents).toBeLessThanOrEqual(before.target_agents);
        const hard = recommendFanout({ ...i, usedTokens: i.profile.budget.hard_tokens + extra });
        expect(hard.spawn).toEqual([]);
        expect(hard.target_agents).toBe(0);
      }),
      runs,
    );
  });

  it('gives reasons for every recommendation and spawns only positive counts of real roles', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const r = recommendFanout(i);
        expect(r.reasons.length).toBeGreaterThan(0);
        for (const s of r.spawn) {
          expect(s.count).toBeGreaterThan(0);
          expect(s.reasons.length).toBeGreaterThan(0);
          expect(['lead', ANY_ROLE]).not.toContain(s.role);
        }
        expect(recommendFanout(i)).toEqual(r);
      }),
      runs,
    );
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS, LIMITS, isTeamError, type TeamError } from '@codex-team/contracts';
import { findBuiltinProfilesDir, loadProfiles, resolveProfile } from './load-profiles';
import { qualityRuleFor } from './quality';

const builtinDir = join(__dirname, '../../../profiles');
const defaultText = readFileSync(join(builtinDir, 'default.yaml'), 'utf8');

function caught(fn: () => unknown): TeamError {
  try {
    fn();
  } catch (error) {
    if (isTeamError(error)) return error;
    throw error;
  }
  throw new Error('expected a TeamError');
}

describe('loadProfiles', () => {
  let userDir: string;
  beforeEach(() => {
    userDir = mkdtempSync(join(tmpdir(), 'codex-team-profiles-'));
  });
  afterEach(() => {
    rmSync(userDir, { recursive: true, force: true });
  });

  it('loads the three shipped profiles, in name order', () => {
    const profiles = loadProfiles({ builtinDir });
    expect([...profiles.keys()]).toEqual(['deep', 'default', 'fast']);
    for (const loaded of profiles.values()) expect(loaded.origin).toBe('builtin');
  });

  it('keeps the original behaviour in the default profile', () => {
    const profile = resolveProfile(DEFAULTS.profile, loadProfiles({ builtinDir }));
    expect(profile.lease.length_ms).toBe(DEFAULTS.leaseMs);
    expect(profile.threads).toEqual({ default: DEFAULTS.maxThreads, hard_cap: LIMITS.maxThreadsHardCap });
    expect(profile.messages.body_max_bytes).toBe(LIMITS.messageBodyMaxBytes);
  });

  it('ships distinct profiles: fast is smaller and quicker, deep is bigger and stricter', () => {
    const profiles = loadProfiles({ builtinDir });
    const [fast, normal, deep] = (['fast', 'default', 'deep'] as const).map((n) => resolveProfile(n, profiles));
    if (!fast || !normal || !deep) throw new Error('missing profile');
    expect(fast.lease.length_ms).toBeGreaterThanOrEqual(10_000);
    expect(fast.lease.length_ms).toBeLessThan(normal.lease.length_ms);
    expect(deep.lease.length_ms).toBeGreaterThan(normal.lease.length_ms);
    expect(fast.budget.hard_tokens).toBeLessThan(normal.budget.hard_tokens);
    expect(deep.budget.hard_tokens).toBeGreaterThan(normal.budget.hard_tokens);
    for (const tier of ['low', 'medium', 'high'] as const) {
      expect(qualityRuleFor(fast, tier).required_reviews).toBeLessThanOrEqual(qualityRuleFor(normal, tier).required_reviews);
      expect(qualityRuleFor(deep, tier).required_reviews).toBeGreaterThan(qualityRuleFor(normal, tier).required_reviews);
    }
    expect(qualityRuleFor(deep, 'high')).toEqual({
      tier: 'high',
      rule: 'quality.high',
      required_reviews: 3,
      require_evidence: true,
      require_tests: true,
    });
  });

  it("adds the user's own profiles beside the built-in ones", () => {
    writeFileSync(join(userDir, 'nightly.yaml'), defaultText.replace('name: default', 'name: nightly'));
    writeFileSync(join(userDir, 'notes.txt'), 'not a profile');
    const profiles = loadProfiles({ builtinDir, userDir });
    expect([...profiles.keys()]).toEqual(['deep', 'default', 'fast', 'nightly']);
    expect(profiles.get('nightly')).toMatchObject({ origin: 'user', path: join(userDir, 'nightly.yaml') });
    expect(resolveProfile('nightly', profiles).name).toBe('nightly');
  });

  it('refuses a user profile that would shadow a built-in one', () => {
    writeFileSync(join(userDir, 'fast.yaml'), defaultText.replace('name: default', 'name: fast'));
    const error = caught(() => loadProfiles({ builtinDir, userDir }));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('built-in profiles cannot be replaced');
    expect(error.message).toContain('my-fast');
  });

  it('refuses the same profile name twice in one directory', () => {
    writeFileSync(join(userDir, 'twice.yaml'), defaultText.replace('name: default', 'name: twice'));
    writeFileSync(join(userDir, 'twice.yml'), defaultText.replace('name: default', 'name: twice'));
    expect(caught(() => loadProfiles({ builtinDir, userDir })).code).toBe('CONFLICT');
  });

  it('refuses an invalid user profile with its file, field and reason', () => {
    writeFileSync(join(userDir, 'wide.yaml'), defaultText.replace('name: default', 'name: wide').replace('hard_cap: 6', 'hard_cap: 8'));
    const error = caught(() => loadProfiles({ builtinDir, userDir }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details).toMatchObject({
      source: join(userDir, 'wide.yaml'),
      problems: [{ field: 'threads.hard_cap', reason: 'must be at most 6 threads (the hard cap of active teammates)' }],
    });
  });

  it('treats a missing user directory as none, and a missing built-in directory as an error', () => {
    expect([...loadProfiles({ builtinDir, userDir: join(userDir, 'absent') }).keys()]).toHaveLength(3);
    expect(caught(() => loadProfiles({ builtinDir: join(userDir, 'absent') })).code).toBe('NOT_FOUND');
    expect(caught(() => loadProfiles({ builtinDir: userDir })).message).toContain('has no default.yaml');
  });

  it('finds the shipped profiles directory from a package directory', () => {
    expect(findBuiltinProfilesDir(__dirname)).toBe(builtinDir.replace(/\/$/, ''));
    expect(caught(() => findBuiltinProfilesDir(userDir)).code).toBe('NOT_FOUND');
  });
});

describe('resolveProfile', () => {
  const profiles = loadProfiles({ builtinDir });

  it('answers an unknown name with NOT_FOUND and the known names', () => {
    const error = caught(() => resolveProfile('turbo', profiles));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('NOT_FOUND: unknown profile "turbo"; known profiles: deep, default, fast');
    expect(error.details).toEqual({ name: 'turbo', known: ['deep', 'default', 'fast'] });
  });

  it('refuses a path as a profile name before looking it up', () => {
    const error = caught(() => resolveProfile('../../etc/passwd', profiles));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details).toEqual({
      problems: [{ field: 'profile', reason: 'must be a plain name, not a path (no "/", "\\" or "..")' }],
    });
  });
});

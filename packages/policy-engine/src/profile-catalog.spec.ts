import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { isTeamError, type TeamError } from '@codex-team/contracts';
import { loadProfiles } from './load-profiles';
import { ProfileCatalog, defaultUserProfilesDir } from './profile-catalog';
import { profileChanges } from './profile-diff';

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

describe('ProfileCatalog', () => {
  let userDir: string;
  beforeEach(() => {
    userDir = mkdtempSync(join(tmpdir(), 'codex-team-catalog-'));
  });
  afterEach(() => rmSync(userDir, { recursive: true, force: true }));

  it('finds built-in and user profiles with their origin', () => {
    writeFileSync(join(userDir, 'nightly.yaml'), defaultText.replace('name: default', 'name: nightly'));
    const catalog = ProfileCatalog.load({ builtinDir, userDir });
    expect(catalog.find('fast')).toMatchObject({ origin: 'builtin', profile: { name: 'fast' } });
    expect(catalog.find('nightly')).toMatchObject({ origin: 'user', path: join(userDir, 'nightly.yaml') });
    expect([...catalog.profiles.keys()]).toEqual(['deep', 'default', 'fast', 'nightly']);
  });

  it('crosses to another thread as plain data: a loaded one rereads the same directories, a fixed one keeps its set', () => {
    writeFileSync(join(userDir, 'nightly.yaml'), defaultText.replace('name: default', 'name: nightly'));
    // What another thread receives: the structured clone a MessagePort makes.
    const { port1, port2 } = new MessageChannel();
    const across = (catalog: ProfileCatalog): ProfileCatalog => {
      port1.postMessage(catalog.portable());
      return ProfileCatalog.fromPortable(receiveMessageOnPort(port2)?.message as ReturnType<ProfileCatalog['portable']>).catalog;
    };
    const loaded = across(ProfileCatalog.load({ builtinDir, userDir }));
    expect([...loaded.profiles.keys()]).toEqual(['deep', 'default', 'fast', 'nightly']);
    writeFileSync(join(userDir, 'late.yaml'), defaultText.replace('name: default', 'name: late'));
    expect(loaded.find('late').profile.name).toBe('late');
    const fixed = across(ProfileCatalog.of(loadProfiles({ builtinDir })));
    expect([...fixed.profiles.keys()]).toEqual(['deep', 'default', 'fast']);
    expect(fixed.find('fast').profile).toEqual(ProfileCatalog.load({ builtinDir }).find('fast').profile);
    port1.close();
  });

  it('re-reads its directories on a miss, so a profile added while servers run is usable at once', () => {
    const catalog = ProfileCatalog.load({ builtinDir, userDir });
    expect(caught(() => catalog.find('late')).code).toBe('NOT_FOUND');
    writeFileSync(join(userDir, 'late.yaml'), defaultText.replace('name: default', 'name: late'));
    expect(catalog.find('late').profile.name).toBe('late');
  });

  it('keeps what it had when a reload fails, and says why the profile is missing', () => {
    const catalog = ProfileCatalog.load({ builtinDir, userDir });
    writeFileSync(join(userDir, 'broken.yaml'), 'name: broken\nthreads: 7\n');
    const error = caught(() => catalog.find('broken'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.details?.['cause']).toContain('threads');
    expect(catalog.find('default').profile.name).toBe('default');
  });

  it('starts with the built-in profiles when the user directory is broken, and heals once it is fixed', () => {
    writeFileSync(join(userDir, 'wide.yaml'), defaultText.replace('name: default', 'name: wide').replace('hard_cap: 6', 'hard_cap: 9'));
    const { catalog, error } = ProfileCatalog.loadOrBuiltin({ builtinDir, userDir });
    expect(error?.code).toBe('INVALID_INPUT');
    expect(error?.message).toContain('threads.hard_cap');
    expect([...catalog.profiles.keys()]).toEqual(['deep', 'default', 'fast']);
    expect(caught(() => catalog.find('wide')).code).toBe('NOT_FOUND');
    writeFileSync(join(userDir, 'wide.yaml'), defaultText.replace('name: default', 'name: wide'));
    expect(catalog.find('wide').origin).toBe('user');
    expect(ProfileCatalog.loadOrBuiltin({ builtinDir, userDir }).error).toBeNull();
  });

  it('refuses a path as a name, and never reloads a fixed set', () => {
    const fixed = ProfileCatalog.of(loadProfiles({ builtinDir }));
    expect(caught(() => fixed.find('../default')).code).toBe('INVALID_INPUT');
    expect(caught(() => fixed.find('nightly')).message).toContain('known profiles: deep, default, fast');
  });

  it('defaults the user directory to $CODEX_TEAM_HOME/profiles, else ~/.codex-team/profiles', () => {
    expect(defaultUserProfilesDir({ CODEX_TEAM_HOME: '/srv/team' }, '/home/me')).toBe(join('/srv/team', 'profiles'));
    expect(defaultUserProfilesDir({}, '/home/me')).toBe(join('/home/me', '.codex-team', 'profiles'));
  });
});

describe('profileChanges', () => {
  const profiles = loadProfiles({ builtinDir });
  const get = (name: string) => {
    const loaded = profiles.get(name);
    if (loaded === undefined) throw new Error(`no ${name}`);
    return loaded.profile;
  };

  it('lists every changed field with old and new values, and nothing for the same profile', () => {
    const changes = profileChanges(get('default'), get('fast'));
    expect(changes).toContain('threads.hard_cap 6 -> 4');
    expect(changes).toContain('lease.length_ms 60000 -> 30000');
    expect(changes).toContain('idle.retire_idle_agents false -> true');
    expect(changes.some((line) => line.startsWith('name') || line.startsWith('description'))).toBe(false);
    expect(profileChanges(get('deep'), get('deep'))).toEqual([]);
  });

  it('names optional sections gained and lost (caps, hooks)', () => {
    const capped = { ...get('default'), caps: { claims: 5 } };
    expect(profileChanges(get('default'), capped)).toEqual(['caps.claims unset -> 5']);
    expect(profileChanges(capped, get('default'))).toEqual(['caps.claims 5 -> unset']);
  });
});

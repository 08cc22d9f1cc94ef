import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codexHookHash, findInstalledHooks, hookCommandLine, hookTrust, installHooks, shellWord } from './codex-hooks';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-hooks-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const command = (arg: string, name = 'team'): string =>
  hookCommandLine({ nodePath: '/usr/bin/node', cliBin: '/h/.codex-team/versions/v/codex-team.cjs', arg, dbPath: '/h/my store/team.db', logPath: '/h/hooks.log', serverName: name });

describe('Codex hook trust as codex-team reads it', () => {
  it('quotes what sh -c would split, and nothing else', () => {
    expect(shellWord('/usr/bin/node')).toBe('/usr/bin/node');
    expect(shellWord('/h/my store/team.db')).toBe("'/h/my store/team.db'");
    expect(shellWord("it's")).toBe("'it'\\''s'");
    expect(command('stop')).toBe("/usr/bin/node /h/.codex-team/versions/v/codex-team.cjs hook stop --db '/h/my store/team.db' --log /h/hooks.log --name team");
  });

  it("hashes a hook's canonical identity the way Codex does (keys sorted, compact JSON, sha256)", () => {
    const hook = { type: 'command' as const, command: 'echo hi', timeout: 5 };
    // Changes with the command, the timeout, the event and the matcher.
    expect(codexHookHash('stop', { ...hook, timeout: 6 })).not.toBe(codexHookHash('stop', hook));
    expect(codexHookHash('subagent_stop', hook)).not.toBe(codexHookHash('stop', hook));
    expect(codexHookHash('stop', hook, '.*')).not.toBe(codexHookHash('stop', hook));
    // The value a probe script computed and real `codex exec` 0.171 accepted as trusted (docs/codex.md);
    // the e2e suite checks our hash against Codex on every run (codex-hooks.int.spec.ts).
    expect(codexHookHash('stop', hook)).toBe('sha256:bfacd2ac32f50a02273be5e5139bce873be2be18aed3f7228a6c4b3c28b1beb1');
  });

  it("keys each of our hooks by its position after the user's hooks, and reads trust, modification and disabling", () => {
    const path = join(dir, 'hooks.json');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, JSON.stringify({ hooks: { Stop: [{ hooks: [{ type: 'command', command: 'say done' }] }] } }));
    installHooks(path, 'team', { Stop: command('stop'), SubagentStop: command('subagent-stop') });
    const hooks = findInstalledHooks(path, 'team');
    expect(hooks.map((hook) => [hook.event, hook.key])).toEqual([
      ['Stop', `${path}:stop:1:0`],
      ['SubagentStop', `${path}:subagent_stop:0:0`],
    ]);
    const stop = hooks[0]!;
    expect(stop.hash).toBe(codexHookHash('stop', { type: 'command', command: command('stop'), timeout: 5 }));
    const state = (entry: Record<string, unknown>): Record<string, unknown> => ({ hooks: { state: { [stop.key]: entry } } });
    expect(hookTrust({}, stop)).toBe('untrusted');
    expect(hookTrust(state({ trusted_hash: stop.hash }), stop)).toBe('trusted');
    expect(hookTrust(state({ trusted_hash: 'sha256:00' }), stop)).toBe('modified');
    expect(hookTrust(state({ trusted_hash: stop.hash, enabled: false }), stop)).toBe('disabled');
    expect(findInstalledHooks(path, 'crew')).toEqual([]);
  });
});

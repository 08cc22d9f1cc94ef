import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isTeamError, type HooksConfig, type Profile } from '@codex-team/contracts';
import { parseProfile } from '@codex-team/policy-engine';
import { parseHooksFile } from './hooks-file';
import { HookRegistry } from './registry';

const base = parseProfile(readFileSync(join(resolve(__dirname, '../../../profiles'), 'default.yaml'), 'utf8'), 'default.yaml');
const withHooks = (hooks: HooksConfig): Profile => ({ ...base, name: 'hooked', hooks });

const FILE: HooksConfig = {
  PreTaskComplete: [
    { hooks: [{ type: 'command', command: 'true', name: 'everyone' }] },
    { matcher: 'implementer|tester', hooks: [{ type: 'command', command: './lint.sh', timeout: 5, on_failure: 'allow' }] },
  ],
};

describe('the hook registry', () => {
  const registry = new HookRegistry({ config: FILE, dir: '/srv/hooks' });

  it('matches a group by the whole role name; no matcher matches every role', () => {
    expect(registry.hooksFor('PreTaskComplete', base, 'implementer').map((hook) => hook.id)).toEqual([
      'hooks-file:everyone',
      'hooks-file:PreTaskComplete[1].hooks[0]',
    ]);
    expect(registry.hooksFor('PreTaskComplete', base, 'reviewer').map((hook) => hook.id)).toEqual(['hooks-file:everyone']);
    // Anchored: "tester" does not match "contester".
    expect(registry.hooksFor('PreTaskComplete', base, 'contester').map((hook) => hook.id)).toEqual(['hooks-file:everyone']);
    expect(registry.hooksFor('PreTaskComplete', base, null).map((hook) => hook.id)).toEqual(['hooks-file:everyone']);
  });

  it('applies defaults: 30 s timeout, fail closed; the file directory as working directory', () => {
    expect(registry.hooksFor('PreTaskComplete', base, 'tester')).toEqual([
      { id: 'hooks-file:everyone', event: 'PreTaskComplete', command: 'true', timeoutMs: 30_000, onFailure: 'block', cwd: '/srv/hooks' },
      { id: 'hooks-file:PreTaskComplete[1].hooks[0]', event: 'PreTaskComplete', command: './lint.sh', timeoutMs: 5_000, onFailure: 'allow', cwd: '/srv/hooks' },
    ]);
  });

  it("adds the team profile's hooks to the file's, each with an id of its source", () => {
    const profile = withHooks({ PreTaskComplete: [{ matcher: '*', hooks: [{ type: 'command', command: 'exit 2' }] }] });
    expect(registry.hooksFor('PreTaskComplete', profile, 'lead').map((hook) => [hook.id, hook.cwd])).toEqual([
      ['hooks-file:everyone', '/srv/hooks'],
      ['profile:hooked:PreTaskComplete[0].hooks[0]', null],
    ]);
    expect(registry.hasHooks('PostTaskComplete', profile)).toBe(false);
    expect(registry.hasHooks('PreTaskComplete', null)).toBe(true);
    expect(new HookRegistry().hasHooks('PreTaskComplete', base)).toBe(false);
  });
});

describe('the hooks file', () => {
  it("reads Codex's hooks.json shape in JSON", () => {
    const text = JSON.stringify({ hooks: { PreTaskClaim: [{ matcher: 'builder', hooks: [{ type: 'command', command: 'echo hi', timeout: 600 }] }] } });
    expect(parseHooksFile(text, 'hooks.json')).toEqual({ PreTaskClaim: [{ matcher: 'builder', hooks: [{ type: 'command', command: 'echo hi', timeout: 600 }] }] });
  });

  it('reads YAML too', () => {
    expect(parseHooksFile('hooks:\n  PostMessageSend:\n    - hooks: [{ type: command, command: ./log.sh }]\n', 'hooks.yaml')).toEqual({
      PostMessageSend: [{ hooks: [{ type: 'command', command: './log.sh' }] }],
    });
  });

  it('refuses unknown events, bad matchers, long timeouts and unknown handler types, listing every problem', () => {
    const text = JSON.stringify({
      hooks: {
        PreToolUse: [],
        PreTaskComplete: [{ matcher: '(', hooks: [{ type: 'command', command: 'x', timeout: 601 }, { type: 'prompt', command: 'x' }] }],
      },
    });
    let refused: unknown;
    try {
      parseHooksFile(text, 'hooks.json');
    } catch (error) {
      refused = error;
    }
    expect(isTeamError(refused) && refused.code).toBe('INVALID_INPUT');
    const fields = isTeamError(refused) ? (refused.details?.['problems'] as { field: string }[]).map((p) => p.field).sort() : [];
    expect(fields).toEqual(['hooks.PreTaskComplete[0].hooks[0].timeout', 'hooks.PreTaskComplete[0].hooks[1].type', 'hooks.PreTaskComplete[0].matcher', 'hooks.PreToolUse']);
  });
});

import type { HookInput } from '@codex-team/contracts';
import type { CommandResult, HookCommand, HookCommandRunner } from './command-verdict';
import { HookEngine } from './engine';
import type { RegisteredHook } from './registry';

const hook = (id: string, command: string): RegisteredHook => ({ id, event: 'PreTaskComplete', command, timeoutMs: 1_000, onFailure: 'block', cwd: null });

const INPUT: HookInput = {
  hook_event_name: 'PreTaskComplete',
  tool: 'team_task_complete',
  team: { id: 'tm_aaaaaaaa', name: 'alpha', profile: 'default', mode: 'default' },
  agent: { id: 'ag_aaaaaaaa', name: 'ann', role: 'implementer' },
  task: null,
  input: { result: 'done; key sk-proj-abcdefghijklmnopqrstuvwxyz123456', ticket: `join_${'a'.repeat(32)}` },
  output: null,
};

/** A runner whose commands finish when the test says so, recording what each was given. */
class ControlledRunner implements HookCommandRunner {
  readonly started: HookCommand[] = [];
  private readonly finishers = new Map<string, (result: CommandResult) => void>();

  run(command: HookCommand): Promise<CommandResult> {
    this.started.push(command);
    return new Promise((resolve) => this.finishers.set(command.command, resolve));
  }

  finish(command: string, exitCode: number, stderr = ''): void {
    this.finishers.get(command)?.({ exitCode, signal: null, stdout: '', stderr, timedOut: false, spawnError: null, durationMs: 5 });
  }
}

describe('the hook engine', () => {
  it('starts every matching hook before any has answered, and combines them once all have', async () => {
    const runner = new ControlledRunner();
    const engine = new HookEngine({ runner, cwd: '/work' });
    const pending = engine.run('PreTaskComplete', [hook('a', 'slow'), hook('b', 'fast')], INPUT);
    await Promise.resolve();
    expect(runner.started.map((command) => command.command)).toEqual(['slow', 'fast']);
    runner.finish('fast', 2, 'fast says no');
    runner.finish('slow', 0);
    const outcome = await pending;
    expect(outcome.decision).toBe('block');
    expect(outcome.reason).toBe('b: fast says no');
    expect(runner.started.map((command) => [command.cwd, command.timeoutMs])).toEqual([
      ['/work', 1_000],
      ['/work', 1_000],
    ]);
  });

  it('masks secrets and tickets in what hooks read on stdin', async () => {
    const runner = new ControlledRunner();
    const pending = new HookEngine({ runner, cwd: '/work' }).run('PreTaskComplete', [hook('a', 'read')], INPUT);
    await Promise.resolve();
    runner.finish('read', 0);
    await pending;
    const stdin = runner.started[0]?.stdin ?? '';
    expect(JSON.parse(stdin)).toMatchObject({ hook_event_name: 'PreTaskComplete', agent: { role: 'implementer' } });
    expect(stdin).not.toContain('sk-proj-');
    expect(stdin).not.toContain('join_aaaa');
    expect(stdin).toContain('[REDACTED:openai-key]');
    expect(stdin).toContain('[REDACTED:ticket]');
  });

  it('treats a runner that throws as a failed hook, which fails closed', async () => {
    const engine = new HookEngine({ runner: { run: () => Promise.reject(new Error('no processes left')) }, cwd: '/work' });
    const outcome = await engine.run('PreTaskComplete', [hook('a', 'x')], INPUT);
    expect(outcome).toMatchObject({ decision: 'block', runs: [{ failure: 'spawn' }] });
  });

  it('with no hooks, allows without running anything', async () => {
    const runner = new ControlledRunner();
    expect((await new HookEngine({ runner, cwd: '/' }).run('PreTaskComplete', [], INPUT)).decision).toBe('allow');
    expect(runner.started).toEqual([]);
  });
});

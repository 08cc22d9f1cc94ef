import { commandHookRun, type CommandResult } from './command-verdict';
import type { RegisteredHook } from './registry';

const hook = (onFailure: 'block' | 'allow' = 'block'): RegisteredHook => ({
  id: 'hooks-file:check',
  event: 'PreTaskComplete',
  command: './check.sh',
  timeoutMs: 2_000,
  onFailure,
  cwd: null,
});

const result = (over: Partial<CommandResult>): CommandResult => ({
  exitCode: 0,
  signal: null,
  stdout: '',
  stderr: '',
  timedOut: false,
  spawnError: null,
  durationMs: 12,
  ...over,
});

describe('the command hook contract', () => {
  it('exit 0 with nothing on stdout allows', () => {
    expect(commandHookRun(hook(), 'pre', result({}))).toMatchObject({ decision: 'allow', failure: null, exitStatus: 0, durationMs: 12 });
  });

  it('exit 2 blocks with stderr as the reason', () => {
    const run = commandHookRun(hook(), 'pre', result({ exitCode: 2, stderr: '  lint failed: 3 errors\n' }));
    expect(run).toMatchObject({ decision: 'block', reason: 'lint failed: 3 errors', failure: null, exitStatus: 2 });
  });

  it('exit 2 with an empty stderr still blocks, and says so', () => {
    expect(commandHookRun(hook(), 'pre', result({ exitCode: 2 })).reason).toBe('blocked (exit 2) without a reason on stderr');
  });

  it('JSON on stdout answers: block with its reason and additional context', () => {
    const stdout = JSON.stringify({ decision: 'block', reason: 'no changelog entry', additional_context: 'add one to CHANGELOG.md' });
    expect(commandHookRun(hook(), 'pre', result({ stdout }))).toMatchObject({
      decision: 'block',
      reason: 'no changelog entry',
      additionalContext: 'add one to CHANGELOG.md',
    });
  });

  it('JSON allow (or approve, or no decision) allows, keeping its context', () => {
    for (const answer of [{ decision: 'allow' }, { decision: 'approve' }, { additional_context: 'fyi' }]) {
      expect(commandHookRun(hook(), 'pre', result({ stdout: JSON.stringify(answer) })).decision).toBe('allow');
    }
    expect(commandHookRun(hook(), 'pre', result({ stdout: '{"additional_context":"fyi"}' })).additionalContext).toBe('fyi');
  });

  it('garbage on stdout is a failure, which blocks a Pre event by default', () => {
    const run = commandHookRun(hook(), 'pre', result({ stdout: 'ok!' }));
    expect(run).toMatchObject({ decision: 'block', failure: 'bad-output' });
    expect(run.reason).toContain('neither empty nor the JSON answer');
  });

  it('JSON of the wrong shape is a failure too', () => {
    expect(commandHookRun(hook(), 'pre', result({ stdout: '{"decision":"maybe"}' })).failure).toBe('bad-output');
    expect(commandHookRun(hook(), 'pre', result({ stdout: '[1,2]' })).failure).toBe('bad-output');
  });

  it('another exit status is a failure naming it and the first line of stderr', () => {
    const run = commandHookRun(hook(), 'pre', result({ exitCode: 1, stderr: '\nTraceback: boom\nmore' }));
    expect(run).toMatchObject({ decision: 'block', failure: 'exit', exitStatus: 1 });
    expect(run.reason).toContain('exited with status 1: Traceback: boom');
  });

  it('a timeout fails closed, saying its process group was killed', () => {
    const run = commandHookRun(hook(), 'pre', result({ exitCode: null, signal: 'SIGKILL', timedOut: true }));
    expect(run).toMatchObject({ decision: 'block', failure: 'timeout', exitStatus: 'SIGKILL' });
    expect(run.reason).toContain('timed out after 2 s; its process group was killed');
  });

  it('a crash by a signal, or a hook that cannot start, fails closed', () => {
    expect(commandHookRun(hook(), 'pre', result({ exitCode: null, signal: 'SIGSEGV' }))).toMatchObject({ decision: 'block', failure: 'signal' });
    expect(commandHookRun(hook(), 'pre', result({ exitCode: null, spawnError: 'spawn /bin/sh ENOENT' }))).toMatchObject({ decision: 'block', failure: 'spawn' });
  });

  it('on_failure: allow lets a failed hook through, and says so', () => {
    const run = commandHookRun(hook('allow'), 'pre', result({ exitCode: null, signal: 'SIGKILL', timedOut: true }));
    expect(run).toMatchObject({ decision: 'allow', failure: 'timeout' });
    expect(run.reason).toContain('on_failure: allow');
  });

  it('never blocks a Post event, neither by a failure nor by exit 2', () => {
    expect(commandHookRun(hook(), 'post', result({ exitCode: 1 }))).toMatchObject({ decision: 'allow', failure: 'exit' });
    expect(commandHookRun(hook(), 'post', result({ exitCode: 2, stderr: 'no' }))).toMatchObject({ decision: 'allow', failure: null });
  });

  it('keeps a digest of what the hook wrote, and masks secrets in what it says', () => {
    const run = commandHookRun(hook(), 'pre', result({ exitCode: 2, stderr: 'token sk-proj-abcdefghijklmnopqrstuvwxyz123456 is wrong' }));
    expect(run.reason).toBe('token [REDACTED:openai-key] is wrong');
    expect(run.outputSha256).toMatch(/^[a-f0-9]{64}$/);
    expect(commandHookRun(hook(), 'pre', result({ exitCode: 2, stderr: 'other' })).outputSha256).not.toBe(run.outputSha256);
  });
});

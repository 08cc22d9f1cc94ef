import type { HookEventName, HookInput } from '@codex-team/contracts';
import { redactDeep } from '@codex-team/policy-engine';
import { commandHookRun, type CommandResult, type HookCommandRunner } from './command-verdict';
import { phaseOf } from './events';
import { combineHookRuns, type HookOutcome, type HookRun } from './hook-run';
import type { RegisteredHook } from './registry';

export interface HookEngineOptions {
  /** Runs one command (mcp-server's process runner; tests inject their own). */
  runner: HookCommandRunner;
  /** The server's working directory, where hooks without a directory of their own run. */
  cwd: string;
}

/**
 * The event document a command hook reads on stdin: secrets and tickets masked with the one
 * redaction engine of the policy engine, whatever the team's redact_secrets switch says (a hook is
 * another program: it never sees a credential).
 */
export function hookStdin(input: HookInput): string {
  return JSON.stringify(redactDeep(input).value);
}

/**
 * Runs the hooks of one event. Every matching hook runs at once (none waits for another, none sees
 * another's verdict), each with its own timeout; the verdicts combine with deny beating allow,
 * independently of order. Never rejects: a runner failure is that hook's failure.
 */
export class HookEngine {
  constructor(private readonly options: HookEngineOptions) {}

  async run(event: HookEventName, hooks: readonly RegisteredHook[], input: HookInput): Promise<HookOutcome> {
    if (hooks.length === 0) return combineHookRuns(event, []);
    const stdin = hookStdin(input);
    const phase = phaseOf(event);
    const runs = await Promise.all(hooks.map((hook): Promise<HookRun> => this.runOne(hook, stdin).then((result) => commandHookRun(hook, phase, result))));
    return combineHookRuns(event, runs);
  }

  private async runOne(hook: RegisteredHook, stdin: string): Promise<CommandResult> {
    try {
      return await this.options.runner.run({ command: hook.command, cwd: hook.cwd ?? this.options.cwd, stdin, timeoutMs: hook.timeoutMs });
    } catch (error) {
      return { exitCode: null, signal: null, stdout: '', stderr: '', timedOut: false, spawnError: String(error), durationMs: 0 };
    }
  }
}

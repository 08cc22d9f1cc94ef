/**
 * Deliberate faults a test of the quality gates injects into a real server process, to show that
 * the gates catch a costlier or a worse build (packages/cli/src/gates). Only the environment
 * variable CODEX_TEAM_TEST_FAULTS turns one on, in a test's own Codex config; a server started
 * without it (every user's) has none.
 */
export interface InjectedFaults {
  /** Every successful answer carries this many more bytes (a `padding` field): a costlier build. */
  padAnswerBytes: number;
  /** A Pre hook's block is logged but not enforced: the call goes on as if allowed. A worse build. */
  ignoreHookBlocks: boolean;
}

/** The variable a test sets in `[mcp_servers.<name>.env]`, e.g. `pad-answers=2048,ignore-hook-blocks`. */
export const TEST_FAULTS_ENV = 'CODEX_TEAM_TEST_FAULTS';

/** A fault list the server cannot read; the binary refuses to start on it rather than guess. */
export class InjectedFaultsError extends Error {
  override readonly name = 'InjectedFaultsError';
}

/** The faults named in the environment; undefined when the variable is unset or empty (the normal case). */
export function injectedFaultsFromEnv(env: Readonly<Record<string, string | undefined>>): InjectedFaults | undefined {
  const text = env[TEST_FAULTS_ENV]?.trim();
  if (text === undefined || text === '') return undefined;
  const faults: InjectedFaults = { padAnswerBytes: 0, ignoreHookBlocks: false };
  for (const item of text.split(',').map((part) => part.trim())) {
    const pad = /^pad-answers=(\d{1,7})$/.exec(item);
    if (pad !== null) faults.padAnswerBytes = Number(pad[1]);
    else if (item === 'ignore-hook-blocks') faults.ignoreHookBlocks = true;
    else throw new InjectedFaultsError(`${TEST_FAULTS_ENV}: unknown fault "${item}" (pad-answers=N, ignore-hook-blocks)`);
  }
  return faults;
}

/**
 * The line a server with injected faults says at start-up, on stderr and in its log (warn): the
 * faults weaken what the server promises (ignore-hook-blocks lets a blocked call through), so a
 * server that has them never runs quietly.
 */
export function injectedFaultsWarning(faults: InjectedFaults): string {
  const named = [
    ...(faults.padAnswerBytes === 0 ? [] : [`pad-answers=${faults.padAnswerBytes} (every answer ${faults.padAnswerBytes} bytes larger)`]),
    ...(faults.ignoreHookBlocks ? ['ignore-hook-blocks (a hook that blocks a call does not stop it)'] : []),
  ];
  return `TEST ONLY: ${TEST_FAULTS_ENV} injects faults into this server: ${named.length === 0 ? 'none that change anything' : named.join(', ')}; unset it outside a test of the quality gates`;
}

/** The answer with the padding a fault asks for. */
export function paddedAnswer(output: Record<string, unknown>, faults: InjectedFaults | undefined): Record<string, unknown> {
  if (faults === undefined || faults.padAnswerBytes === 0) return output;
  return { ...output, padding: 'x'.repeat(faults.padAnswerBytes) };
}

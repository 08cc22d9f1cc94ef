import { systemClock } from '@codex-team/contracts';
import { redactStoreLocation } from '@codex-team/store';
import { resolveStoreLocation } from '../codex/codex-paths';
import { HOOK_EVENTS, answerCodexHook, appendHookLog, type HookAnswer, type HookEventArg } from '../hook/codex-hook';
import { UsageError } from '../errors';
import { stringOption, type Command } from './command';

/** Codex waits for the hook; past this the hook lets the agent stop and logs why. */
export const HOOK_DEADLINE_MS = 900;

function isHookEvent(name: string | undefined): name is HookEventArg {
  return name !== undefined && Object.hasOwn(HOOK_EVENTS, name);
}

/**
 * `codex-team hook <event>`: the command `codex-team install --hooks` registers as Codex's Stop
 * and SubagentStop hooks. Reads Codex's JSON from stdin, answers `{"decision":"block","reason"}`
 * to keep an agent working, or nothing to let it stop. Always exits 0 within a second: whatever
 * goes wrong (no store, a locked store, no agent for that Codex thread) lets the agent stop, and
 * the reason goes to the log.
 */
export const hookCommand: Command = {
  name: 'hook',
  summary: 'Answer a Codex Stop or SubagentStop hook (installed by `codex-team install --hooks`)',
  synopsis: '<stop|subagent-stop> [--db PATH] [--log FILE] [--name NAME]',
  details: [
    'stop            the lead: not while its team has unfinished work and live teammates',
    'subagent-stop   a teammate: not while it holds a live claim or has unread messages from its lead',
    '--db PATH       the store of the installed server (default: ~/.codex-team/team.db)',
    '--log FILE      append one JSON line per decision (default: stderr)',
    '--name NAME     the codex-team install the hook belongs to (uninstall finds its hooks by it)',
    "Reads Codex's hook JSON on stdin; exits 0 and lets the agent stop on any failure (logged).",
  ],
  options: {
    db: { type: 'string' },
    log: { type: 'string' },
    name: { type: 'string' },
  },
  allowPositionals: true,
  async run(args, io) {
    const started = Date.now();
    const event = args.positionals[0];
    if (!isHookEvent(event) || args.positionals.length !== 1) {
      throw new UsageError(`give one event: ${Object.keys(HOOK_EVENTS).join(' or ')}`);
    }
    // A PostgreSQL URL is answered (fail open, logged) by answerCodexHook: a hook never exits 2 here, which Codex reads as a block.
    const dbPath = resolveStoreLocation(stringOption(args.values, 'db'), io);
    const stdin = io.readStdin === undefined ? '' : await io.readStdin();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<HookAnswer>((resolve) => {
      timer = setTimeout(
        () => resolve({ stdout: '', log: { event: HOOK_EVENTS[event], db: redactStoreLocation(dbPath), decision: 'allow', rule: 'hook.fail_open', reason: `no answer within ${HOOK_DEADLINE_MS} ms` } }),
        HOOK_DEADLINE_MS,
      );
    });
    const answer = await Promise.race([answerCodexHook(event, stdin, { dbPath, clock: systemClock }), deadline]);
    clearTimeout(timer);
    io.stdout.write(answer.stdout);
    const line = { time: new Date().toISOString(), ...answer.log, duration_ms: Date.now() - started };
    const logPath = stringOption(args.values, 'log');
    if (logPath === undefined || !appendHookLog(logPath, line)) io.stderr.write(`${JSON.stringify(line)}\n`);
    return 0;
  },
};

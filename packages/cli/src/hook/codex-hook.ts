import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { RandomIdGenerator, type Clock } from '@codex-team/contracts';
import { decideStop, type StopVerdict } from '@codex-team/policy-engine';
import { isPostgresUrl, openSqliteTeamStore, redactStoreLocation } from '@codex-team/store';
import { z } from 'zod';

/** The Codex hook events `codex-team hook` serves, by the name its command line uses. */
export const HOOK_EVENTS = { stop: 'Stop', 'subagent-stop': 'SubagentStop' } as const;
export type HookEventArg = keyof typeof HOOK_EVENTS;

/**
 * What Codex (0.171) writes to a Stop / SubagentStop hook's stdin, as far as we read it (verified
 * with a logging hook; docs/codex.md). `session_id` is the root thread's id in every event; a
 * sub-agent's events add `agent_id`, its own thread id: the id its MCP server saw as `_meta.threadId`.
 */
export const CodexHookInputSchema = z.looseObject({
  session_id: z.string().min(1).max(200),
  agent_id: z.string().min(1).max(200).optional(),
  hook_event_name: z.string().max(100).optional(),
  stop_hook_active: z.boolean().optional(),
  cwd: z.string().optional(),
});
export type CodexHookInput = z.infer<typeof CodexHookInputSchema>;

/** What the hook answers: Codex's JSON on stdout (block), or nothing (let the agent stop). */
export interface HookAnswer {
  /** The stdout text: `{"decision":"block","reason":...}` or '' to let the agent stop. */
  stdout: string;
  /** The log line: what was decided, by which rule, for whom, and why; or why the hook failed open. */
  log: Record<string, unknown>;
}

export interface HookOptions {
  /** The store the installed server uses (`--db` of the hook command): a file, or a PostgreSQL URL it does not read. */
  dbPath: string;
  clock: Clock;
  /**
   * How long SQLite may block for a lock in one attempt (the store waits 500 ms in all); Codex waits
   * for the hook, so it stays short.
   * @default 250
   */
  busyTimeoutMs?: number;
}

const allowOpen = (log: Record<string, unknown>, reason: string): HookAnswer => ({
  stdout: '',
  log: { ...log, decision: 'allow', rule: 'hook.fail_open', reason },
});

function answerOf(verdict: StopVerdict): string {
  return verdict.decision === 'block' ? `${JSON.stringify({ decision: 'block', reason: verdict.reason })}\n` : '';
}

/**
 * Answers one Codex Stop / SubagentStop hook call: finds the agent bound to the hook's Codex
 * thread (`agent_id` for a sub-agent, else `session_id`), reads its team and applies `decideStop`.
 * Fails open on everything it cannot know: unreadable input, no store, no agent bound to that
 * thread (a Codex session that runs no team), a store it cannot open or read. Never throws.
 */
export async function answerCodexHook(event: HookEventArg, stdin: string, options: HookOptions): Promise<HookAnswer> {
  const log: Record<string, unknown> = { event: HOOK_EVENTS[event], db: redactStoreLocation(options.dbPath) };
  let input: CodexHookInput;
  try {
    input = CodexHookInputSchema.parse(JSON.parse(stdin));
  } catch (error) {
    return allowOpen(log, `unreadable hook input: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const thread = input.agent_id ?? input.session_id;
  log['codex_thread'] = thread;
  // Codex waits for the hook, which answers within a second from a local file; it does not reach out to a database server.
  if (isPostgresUrl(options.dbPath)) return allowOpen(log, 'the hooks read SQLite store files only, not a PostgreSQL store');
  if (!existsSync(options.dbPath)) return allowOpen(log, 'no store yet: no team has run here');
  let store;
  try {
    store = await openSqliteTeamStore({
      path: options.dbPath,
      clock: options.clock,
      ids: new RandomIdGenerator(),
      busyTimeoutMs: options.busyTimeoutMs ?? 250,
      busyRetry: { deadlineMs: 500, baseDelayMs: 20, maxDelayMs: 100 },
    });
  } catch (error) {
    return allowOpen(log, `store unavailable: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  try {
    const bound = await store.findAgentByCodexThread(thread);
    if (bound === null) return allowOpen(log, 'no codex-team agent is bound to this Codex thread');
    const snapshot = await store.readTeam(bound.teamId);
    const verdict = decideStop({
      now: options.clock.now(),
      stopHookActive: input.stop_hook_active === true,
      team: snapshot.team,
      agentId: bound.agentId,
      agents: snapshot.agents,
      tasks: snapshot.tasks,
      messages: snapshot.messages,
      acks: snapshot.acks,
    });
    return {
      stdout: answerOf(verdict),
      log: { ...log, team_id: bound.teamId, agent_id: bound.agentId, decision: verdict.decision, rule: verdict.rule, reason: verdict.reason },
    };
  } catch (error) {
    return allowOpen(log, `store read failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** Appends one JSON line to the hook log; a log that cannot be written is not the hook's failure. */
export function appendHookLog(path: string, line: Record<string, unknown>): boolean {
  try {
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, `${JSON.stringify(line)}\n`);
    return true;
  } catch {
    return false;
  }
}

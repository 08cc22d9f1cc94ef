import pino, { type Logger } from 'pino';

/** Levels `--log-level` accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * A JSON logger on stderr (file descriptor 2): in stdio mode stdout is the protocol. Writes are
 * synchronous so the last lines before an exit are not lost.
 */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ level, base: { pid: process.pid, name: 'codex-team-mcp' } }, pino.destination({ dest: 2, sync: true }));
}

import { redactDeep, redactSecrets } from '@codex-team/policy-engine';
import pino, { type Logger, type LoggerOptions } from 'pino';

/** Levels `--log-level` accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Keys whose values are credentials of codex-team itself; never logged, whatever they look like. */
const TICKET_PATHS = ['ticket', 'join_ticket', 'resume_ticket', '*.ticket', '*.join_ticket', '*.resume_ticket'];

function redactValue(value: unknown): unknown {
  // Errors go through the err serializer below, which redacts what it extracts from them.
  if (value instanceof Error) return value;
  return redactDeep(value).value;
}

/**
 * The logger settings of every codex-team-mcp logger: JSON, and secrets masked by the one
 * redactor of the policy engine in every logged field, error and message, so a secret that reaches
 * a log line (an error message quoting input, say) never reaches stderr.
 */
export function loggerOptions(level: LogLevel = 'info'): LoggerOptions {
  return {
    level,
    base: { pid: process.pid, name: 'codex-team-mcp' },
    redact: { paths: TICKET_PATHS, censor: '[REDACTED:ticket]' },
    formatters: {
      log: (object) => Object.fromEntries(Object.entries(object).map(([key, value]) => [key, redactValue(value)])),
    },
    serializers: {
      err: (error: Error) => redactDeep(pino.stdSerializers.err(error)).value,
    },
    hooks: {
      logMethod(args, method) {
        const redacted: unknown[] = args.map((arg: unknown) => (typeof arg === 'string' ? redactSecrets(arg).text : arg));
        // Without a message pino takes the error's own message, past this hook: supply it masked.
        const [first, second] = redacted;
        const error = first instanceof Error ? first : (first as { err?: unknown } | null)?.err;
        if (error instanceof Error && typeof second !== 'string') {
          redacted.splice(1, 0, redactSecrets(error.message).text);
        }
        method.apply(this, redacted as Parameters<typeof method>);
      },
    },
  };
}

/**
 * A JSON logger on stderr (file descriptor 2): in stdio mode stdout is the protocol. Writes are
 * synchronous so the last lines before an exit are not lost.
 */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino(loggerOptions(level), pino.destination({ dest: 2, sync: true }));
}

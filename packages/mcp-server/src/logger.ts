import { redactDeep, redactSecrets } from '@codex-team/policy-engine';
import { renameSync, statSync } from 'node:fs';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

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

/** Past this size a log file is moved to `PATH.1` (replacing the generation before) when a server opens it. */
export const LOG_FILE_ROTATE_BYTES = 10 * 1024 * 1024;

/**
 * The log file of `--log-file`, appended to by every server process of an install: each line is
 * one synchronous write to a file opened for appending, so the lines of concurrent servers never
 * interleave. Opened past LOG_FILE_ROTATE_BYTES, the file first becomes `PATH.1`, so the logs of a
 * long-lived install stay at most about two generations. Throws when the file cannot be opened.
 */
function openLogFile(path: string): DestinationStream {
  const size = statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  if (size >= LOG_FILE_ROTATE_BYTES) renameSync(path, `${path}.1`);
  return pino.destination({ dest: path, append: true, sync: true, mkdir: true });
}

/**
 * A JSON logger on stderr (file descriptor 2): in stdio mode stdout is the protocol. Writes are
 * synchronous so the last lines before an exit are not lost. With `logFile` the same lines are also
 * appended there (Codex keeps no server's stderr); a log file that cannot be opened must not cost
 * an agent its tools, so the logger keeps stderr only and says why there, once.
 */
export function createLogger(level: LogLevel = 'info', logFile?: string): Logger {
  const stderr = pino.destination({ dest: 2, sync: true });
  if (logFile === undefined) return pino(loggerOptions(level), stderr);
  let file: DestinationStream;
  try {
    file = openLogFile(logFile);
  } catch (error) {
    const logger = pino(loggerOptions(level), stderr);
    logger.warn({ log_file: logFile, cause: (error as { code?: unknown }).code ?? String(error) }, `the log file ${logFile} cannot be written; logging to stderr only`);
    return logger;
  }
  return pino(
    loggerOptions(level),
    pino.multistream([
      { level, stream: stderr },
      { level, stream: file },
    ]),
  );
}

import { fileErrorReason, isTeamError, type ErrorCode } from '@codex-team/contracts';

/**
 * Exit statuses of `codex-team`: 0 success, 1 the command failed (its stable code on stderr),
 * 2 the command line was wrong, 130 interrupted (128 + SIGINT, as shells report it), 143
 * terminated (128 + SIGTERM). `watch` adds the codes of WATCH_EXIT for how the team ended.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130, terminated: 143 } as const;

/** The stable codes the CLI prints: the contracts' codes plus its own two. */
export type CliErrorCode = ErrorCode | 'USAGE' | 'INTERRUPTED';

/** A command line the CLI cannot act on: a missing argument, an unknown flag, a bad value. Exit 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One error, as the CLI reports it: a code, one line, an exit status. */
export interface CliFailure {
  code: CliErrorCode;
  message: string;
  exit: number;
}

function isUsageError(error: unknown): error is UsageError {
  return error instanceof Error && error.name === 'UsageError';
}

/** A Node system error (`fs`, `net`): it has a string `code` like EACCES and usually a path. */
function systemError(error: unknown): { code: string; syscall?: string; path?: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, syscall, path } = error as { code?: unknown; syscall?: unknown; path?: unknown };
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return undefined;
  return { code, ...(typeof syscall === 'string' ? { syscall } : {}), ...(typeof path === 'string' ? { path } : {}) };
}

const SYSCALL_WORDS: Readonly<Record<string, string>> = {
  open: 'open',
  read: 'read',
  write: 'write',
  mkdir: 'create the folder',
  rename: 'replace',
  unlink: 'remove',
  rmdir: 'remove the folder',
  scandir: 'list',
  stat: 'look at',
  lstat: 'look at',
  access: 'access',
  listen: 'listen on',
  bind: 'listen on',
};

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * The one line and exit status for anything a command threw: TeamErrors keep their code (exit 1),
 * usage errors are USAGE (exit 2), file system errors become FILE_ACCESS naming the path and the
 * cause, anything else is INTERNAL with its first line only. Never a stack trace.
 */
export function describeFailure(error: unknown): CliFailure {
  if (isUsageError(error)) return { code: 'USAGE', message: oneLine(error.message), exit: EXIT.usage };
  if (isTeamError(error)) return { code: error.code, message: oneLine(error.message.slice(error.code.length + 2)), exit: EXIT.failure };
  const system = systemError(error);
  if (system !== undefined) {
    const doing = SYSCALL_WORDS[system.syscall ?? ''] ?? system.syscall ?? 'use';
    const message = system.path === undefined ? `cannot ${doing}: ${fileErrorReason(error)}` : `cannot ${doing} ${system.path}: ${fileErrorReason(error)}`;
    return { code: 'FILE_ACCESS', message, exit: EXIT.failure };
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: 'INTERNAL', message: `${oneLine(text.split('\n')[0] ?? text)} (run with CODEX_TEAM_DEBUG=1 for details)`, exit: EXIT.failure };
}

import { TeamError, isTeamError } from '@codex-team/contracts';
import type { z } from 'zod';

/** At most this many zod issues are returned; the first ones are enough to fix a call. */
const MAX_ISSUES = 20;

/** INVALID_INPUT carrying each zod issue as `{ path, message }` (path dotted, '' for the whole input). */
export function invalidInput(toolName: string, error: z.ZodError): TeamError {
  const issues = error.issues.slice(0, MAX_ISSUES).map((issue) => ({
    path: issue.path.map((part) => String(part)).join('.'),
    message: issue.message,
  }));
  // The first issue rides in the message too: a one-line error (an operator's, say) names what to fix.
  const first = issues[0];
  const named = first === undefined ? '' : `: ${first.path === '' ? 'the input' : first.path}: ${first.message}${error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : ''}`;
  return new TeamError('INVALID_INPUT', `arguments do not match the ${toolName} input schema${named}`, {
    issues,
    ...(error.issues.length > MAX_ISSUES ? { more_issues: error.issues.length - MAX_ISSUES } : {}),
  });
}

/**
 * What a caller is told about a failure. TeamErrors keep their code (the store answers a busy
 * database as BUSY itself); anything else is INTERNAL and `unexpected` (the caller logs it).
 */
export function classifyError(error: unknown): { error: TeamError; unexpected: boolean } {
  if (isTeamError(error)) return { error, unexpected: false };
  return { error: new TeamError('INTERNAL', 'unexpected server error; it was logged'), unexpected: true };
}

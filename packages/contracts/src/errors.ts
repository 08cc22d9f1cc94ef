import { z } from 'zod';

/**
 * Stable error codes. Clients (and the model) branch on these strings, so a code is never renamed
 * or reused for a different meaning once shipped.
 */
export const ErrorCodeSchema = z.enum([
  /** The input does not match the tool's schema or a documented limit. */
  'INVALID_INPUT',
  /** The id does not exist in the caller's scope (other teams' ids are reported the same way). */
  'NOT_FOUND',
  /** The request contradicts the current state (illegal transition, duplicate, not ready). */
  'CONFLICT',
  /** The caller no longer holds the claim: wrong owner, old fence, or expired lease. */
  'STALE_CLAIM',
  /** The caller is bound but not allowed to do this. */
  'DENIED',
  /** A count limit (threads, batch size, the token budget) would be exceeded. */
  'LIMIT_EXCEEDED',
  /** The session is not bound to an agent yet (call team_start, team_join or team_resume). */
  'NOT_BOUND',
  /** The session is already bound to an agent. */
  'ALREADY_BOUND',
  /** The team is finalized and accepts no further changes. */
  'TEAM_FINALIZED',
  /** A body or artifact is larger than allowed. */
  'PAYLOAD_TOO_LARGE',
  /** The dependencies given would form a cycle. */
  'CYCLE_DETECTED',
  /**
   * The store stayed locked by other writers past the per-call deadline (about 20 s, well inside a
   * client's tool timeout); the call changed nothing. Try again.
   */
  'BUSY',
  /** The database was written by a newer (or different) schema than this code knows. */
  'SCHEMA_MISMATCH',
  /**
   * The file is not a codex-team store: a directory, not a SQLite database, or another
   * application's database; or a PostgreSQL database that holds no codex-team store (an operator's
   * verb never makes one). It is left exactly as it was.
   */
  'NOT_A_STORE',
  /**
   * A file or folder could not be read, written or created (a missing folder, permissions, a
   * read-only or special file system), or a PostgreSQL database could not be reached (no server,
   * a wrong name, password or database); the message names the path or the database (its password
   * masked) and the reason.
   */
  'FILE_ACCESS',
  /**
   * The store file this server opened is no longer the store at its path (it was deleted or
   * replaced while the server ran). The call changed nothing; the server answers every later call
   * the same way: restart the session to open the store now at the path.
   */
  'STORE_MOVED',
  /** The disk (or file system) holding the store is full. The call changed nothing; free space and retry. */
  'STORAGE_FULL',
  /** An unexpected failure; logged with context on the server. */
  'INTERNAL',
  /**
   * A lifecycle hook or a quality gate of the team's profile blocked the call; nothing changed but
   * the block's audit row. The message says what is missing; a blocked completion keeps its claim.
   */
  'HOOK_BLOCKED',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** The error document every tool returns inside an `isError` result. */
export const ErrorBodySchema = z.strictObject({
  code: ErrorCodeSchema,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/**
 * Which decision a refusal overturns, for the one decision record of the call: `policy`, a team
 * policy rule (budget, early stop, mode, message size; also audited as `policy.deny`);
 * `permission`, the caller's permissions for what the operation found (the kind of task claimed);
 * `identity`, a ticket the store does not accept; `lead`, a lead-only operation; `scope`, a call into
 * another team that the team tree does not allow (docs/hierarchy.md); `hook`, a lifecycle hook or
 * quality gate (also audited as `hook.block`).
 */
export type RefusalKind = 'policy' | 'permission' | 'identity' | 'lead' | 'scope' | 'hook';

/** A rule's refusal as data: which rule refused, on which inputs; the code and reason are the error's. */
export interface Refusal {
  kind: RefusalKind;
  /** A profile field path (`budget.hard_tokens`), a permission rule id, `identity:ticket`... */
  rule: string;
  /** The facts the rule decided on, for the log. */
  inputs: Readonly<Record<string, unknown>>;
  /** permission: the action refused and the ids of every rule that matched it. */
  action?: string;
  matched?: readonly string[];
}

/**
 * The one error type of codex-team: a stable code, a human message and optional context. A refusal
 * by a rule also carries it as typed data (`refusal`), so no layer re-reads it from `details`.
 */
export class TeamError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly refusal: Refusal | null;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, refusal: Refusal | null = null) {
    super(`${code}: ${message}`);
    this.name = 'TeamError';
    this.code = code;
    this.details = details;
    this.refusal = refusal;
  }

  /** The message without the code prefix. */
  get reason(): string {
    return this.message.slice(this.code.length + 2);
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, message: this.reason };
    if (this.details !== undefined) body.details = this.details;
    return body;
  }
}

/** True when `value` is a TeamError, also across duplicated module instances. */
export function isTeamError(value: unknown): value is TeamError {
  return (
    value instanceof TeamError ||
    (value instanceof Error &&
      value.name === 'TeamError' &&
      ErrorCodeSchema.safeParse((value as { code?: unknown }).code).success)
  );
}

/** Plain words for the system errors a file operation meets, by Node's `code`. */
const FILE_ERROR_REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  EEXIST: 'it already exists',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  EBUSY: 'the file is busy',
  EIO: 'input/output error',
};

/**
 * The system's reason for a failed file operation in plain words with its code, e.g.
 * `permission denied (EACCES)`; the error's own message for anything else.
 */
export function fileErrorReason(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string') return `${FILE_ERROR_REASONS[code] ?? 'failed'} (${code})`;
  return error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error);
}

/** A FILE_ACCESS error for one path: `cannot <doing> <path>: <reason>`. */
export function fileAccessError(doing: string, path: string, error: unknown): TeamError {
  return new TeamError('FILE_ACCESS', `cannot ${doing} ${path}: ${fileErrorReason(error)}`, { path });
}

import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import { TeamError, fileErrorReason, isTeamError } from '@codex-team/contracts';
import { isBusyError, storeErrorCode } from './busy-error';
import { translateStoreError } from './transaction';

/** Why SQLite could not open or write `path`, found by asking the file system what it allows. */
function accessReason(path: string, writing: boolean, error: unknown): string {
  const mode = writing ? constants.W_OK : constants.R_OK;
  for (const target of writing ? [dirname(path), path] : [path]) {
    try {
      accessSync(target, mode);
    } catch (denied) {
      if ((denied as { code?: unknown }).code === 'ENOENT') continue;
      return `${target === path ? 'the file' : `its folder ${target}`} is not ${writing ? 'writable' : 'readable'}: ${fileErrorReason(denied)}`;
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return `${message} (${storeErrorCode(error) ?? 'unknown'})`;
}

/**
 * The typed error for a failure to open a store: a schema mismatch is told with the file's path;
 * other TeamErrors and busy errors pass unchanged; a full disk is STORAGE_FULL (translateStoreError); a
 * file SQLite cannot read as a database is NOT_A_STORE; a file or folder it may not open, read or
 * write is FILE_ACCESS naming the path and the cause. Anything else passes unchanged.
 */
export function openFailure(path: string, error: unknown, doing: 'open' | 'read'): unknown {
  if (isTeamError(error) && error.code === 'SCHEMA_MISMATCH' && !error.message.includes(path)) {
    return new TeamError('SCHEMA_MISMATCH', `${path}: ${error.message.slice(error.code.length + 2)}`, error.details);
  }
  if (isTeamError(error) || isBusyError(error)) return error;
  const translated = translateStoreError(error);
  if (isTeamError(translated)) return translated;
  const code = storeErrorCode(error) ?? '';
  if (code === 'SQLITE_NOTADB') {
    return new TeamError('NOT_A_STORE', `${path} is not a SQLite database, so not a codex-team store; it was left as it was`, { path });
  }
  if (/^SQLITE_(CANTOPEN|READONLY|PERM|IOERR|AUTH)/.test(code) || /^E[A-Z]+$/.test(code)) {
    return new TeamError('FILE_ACCESS', `cannot ${doing} the store ${path}: ${accessReason(path, doing === 'open', error)}`, { path });
  }
  return error;
}

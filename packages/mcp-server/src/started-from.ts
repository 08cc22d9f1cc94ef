import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Where a team was started from: a working directory and the git repository it lies in. */
export interface StartedFrom {
  cwd: string;
  /** The repository's top folder (the one holding `.git`, a folder or a worktree's file); null outside one. */
  repo: string | null;
}

/** `dir` (made absolute) and the nearest folder at or above it that holds `.git`. */
export function startedFromDir(dir: string): StartedFrom {
  const cwd = resolve(dir);
  for (let at = cwd; ; at = dirname(at)) {
    try {
      statSync(join(at, '.git'));
      return { cwd, repo: at };
    } catch {
      // not here: look one folder up
    }
    if (dirname(at) === at) return { cwd, repo: null };
  }
}

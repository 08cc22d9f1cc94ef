import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TeamError } from '@codex-team/contracts';

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

function git(cwd: string, args: readonly string[], identity: readonly string[] = []): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile('git', [...identity, ...args], { cwd, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function gitOk(cwd: string, args: readonly string[], identity: readonly string[] = []): Promise<string> {
  const result = await git(cwd, args, identity);
  if (result.code !== 0) throw new TeamError('INTERNAL', `git ${args.join(' ')} failed in ${cwd}: ${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout.trim();
}

/** The result of merging a worker's branch back: merged, or the files that conflict (nothing changed). */
export type MergeOutcome = { merged: true; commit: string } | { merged: false; files: string[] };

/** A repository `GitWorktrees.inspect` found fit for worktrees: its main working tree, branch and commit identity. */
export interface WorktreeBase {
  repo: string;
  base: string;
  identity: readonly string[];
}

/**
 * The repository side of `codex-team run --worktrees`, with real git: one worktree and branch per
 * worker, made from the base branch as it is when the worker starts (every dependency already
 * merged), merged back with a merge commit, never forced: a conflict is aborted and reported with
 * the conflicting files, leaving the base branch as it was.
 */
export class GitWorktrees {
  private constructor(
    /** The repository's main working tree, on the base branch. */
    readonly repo: string,
    /** The branch work is merged into. */
    readonly base: string,
    private readonly root: string,
    private readonly prefix: string,
    private readonly identity: readonly string[],
  ) {}

  /**
   * Checks DIR's repository before anything is created; INVALID_INPUT when it is not a clean git
   * work tree on a branch.
   */
  static async inspect(repo: string): Promise<WorktreeBase> {
    const top = await git(repo, ['rev-parse', '--show-toplevel']);
    if (top.code !== 0) {
      const said = top.stderr.trim().split('\n')[0] ?? '';
      throw new TeamError('INVALID_INPUT', `--worktrees needs a git repository: ${repo} is not one${said === '' ? '' : ` (${said})`}`);
    }
    const toplevel = top.stdout.trim();
    const branch = await git(toplevel, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
    if (branch.code !== 0) throw new TeamError('INVALID_INPUT', `--worktrees needs ${toplevel} on a branch (HEAD is detached)`);
    const dirty = await gitOk(toplevel, ['status', '--porcelain', '--untracked-files=no']);
    if (dirty !== '') throw new TeamError('INVALID_INPUT', `--worktrees merges into ${toplevel}: commit or stash its changes first (${dirty.split('\n').length} changed file(s))`);
    const email = await git(toplevel, ['config', 'user.email']);
    // Commits need an author: the repository's own, else a codex-team one for these commits only.
    const identity = email.code === 0 && email.stdout.trim() !== '' ? [] : ['-c', 'user.name=codex-team run', '-c', 'user.email=codex-team-run@localhost'];
    return { repo: toplevel, base: branch.stdout.trim(), identity };
  }

  /**
   * The team's worktrees over a repository `inspect` checked. They go under `root` (outside the
   * repository: Codex's sandbox keeps `.git` folders read-only).
   */
  static forTeam(checked: WorktreeBase, teamId: string, root: string): GitWorktrees {
    const tag = teamId.replace(/^tm_/, '').slice(0, 12);
    return new GitWorktrees(checked.repo, checked.base, root, `codex-team/${tag}`, checked.identity);
  }

  /** The branch of a worker, by its agent name. */
  branchOf(agentName: string): string {
    return `${this.prefix}/${agentName}`;
  }

  private pathOf(agentName: string): string {
    return join(this.root, agentName);
  }

  /** A new worktree for the worker on its own branch, made from the base branch as it is now. */
  async add(agentName: string): Promise<string> {
    mkdirSync(this.root, { recursive: true });
    const path = this.pathOf(agentName);
    await gitOk(this.repo, ['worktree', 'add', '-b', this.branchOf(agentName), path, this.base]);
    return path;
  }

  /**
   * A worktree to resolve a conflict in: a new branch from the conflicting one with the base merged
   * into it, conflict markers and all (not committed), for the worker to resolve.
   */
  async addForConflict(agentName: string, conflicting: string): Promise<string> {
    mkdirSync(this.root, { recursive: true });
    const path = this.pathOf(agentName);
    await gitOk(this.repo, ['worktree', 'add', '-b', this.branchOf(agentName), path, conflicting]);
    await git(path, ['merge', '--no-ff', '--no-commit', this.base], this.identity);
    return path;
  }

  /** Whether the worker's worktree is still there (its work not committed and removed yet). */
  hasWorktree(agentName: string): boolean {
    return existsSync(this.pathOf(agentName));
  }

  /** Commits everything in a worker's worktree (finishing a merge in progress); false when nothing changed. */
  async commitAll(agentName: string, message: string): Promise<boolean> {
    const path = this.pathOf(agentName);
    await gitOk(path, ['add', '-A']);
    const merging = (await git(path, ['rev-parse', '-q', '--verify', 'MERGE_HEAD'])).code === 0;
    const staged = (await git(path, ['diff', '--cached', '--quiet'])).code !== 0;
    if (!staged && !merging) return false;
    await gitOk(path, ['commit', '--no-verify', '-m', message], this.identity);
    return true;
  }

  /** Whether the branch exists and is not merged into the base yet. */
  async pending(branch: string): Promise<boolean> {
    if ((await git(this.repo, ['rev-parse', '-q', '--verify', `refs/heads/${branch}`])).code !== 0) return false;
    return (await git(this.repo, ['merge-base', '--is-ancestor', branch, this.base])).code !== 0;
  }

  /** Merges a branch into the base branch in the main working tree; on conflict aborts and names the files. */
  async merge(branch: string, message: string): Promise<MergeOutcome> {
    const result = await git(this.repo, ['merge', '--no-ff', '-m', message, branch], this.identity);
    if (result.code === 0) return { merged: true, commit: await gitOk(this.repo, ['rev-parse', 'HEAD']) };
    const unmerged = await git(this.repo, ['diff', '--name-only', '--diff-filter=U']);
    const files = unmerged.stdout.split('\n').map((line) => line.trim()).filter((line) => line !== '');
    await git(this.repo, ['merge', '--abort']);
    if (files.length === 0) throw new TeamError('INTERNAL', `git merge ${branch} failed without a conflict: ${result.stderr.trim() || result.stdout.trim()}`);
    return { merged: false, files };
  }

  /** Removes a worker's worktree (its branch stays until it is merged or resolved). */
  async remove(agentName: string): Promise<void> {
    await git(this.repo, ['worktree', 'remove', '--force', this.pathOf(agentName)]);
  }

  /** Deletes a branch that is merged or superseded by its conflict's resolution. */
  async deleteBranch(branch: string): Promise<void> {
    await git(this.repo, ['branch', '-D', branch]);
  }
}

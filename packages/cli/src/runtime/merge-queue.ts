import type { Task } from '@codex-team/contracts';
import type { TeamClient } from '../mcp/team-client';
import type { GitWorktrees } from './git-worktrees';
import type { TeamState } from './runtime-state';

/** The line of a conflict task's description that names the branch it resolves. */
const CONFLICT_MARKER = 'codex-team-conflict-branch: ';

/** The branch a conflict task resolves, or null for any other task. */
export function conflictBranchOf(task: Pick<Task, 'description'>): string | null {
  const line = task.description.split('\n').find((candidate) => candidate.startsWith(CONFLICT_MARKER));
  return line === undefined ? null : line.slice(CONFLICT_MARKER.length).trim();
}

/** What one pass of the merge queue did. */
export interface MergePass {
  merged: { task: Task; branch: string; commit: string }[];
  conflicts: { task: Task; branch: string; files: string[]; conflictTaskId: string }[];
  /** Finished work not merged yet (waiting for its worker to end, or for a dependency's merge). */
  waiting: number;
  /** Done tasks whose work is in the base branch (or had none): their dependants may start. */
  landed: Set<string>;
}

/**
 * Merges the branches of finished tasks into the base branch in dependency order: tasks in the
 * order they were completed (a dependency completes before its dependants can start), and a task
 * only once every dependency's branch is merged. A branch is merged only after its worker ended,
 * so nothing is committed under a running worker. A conflict is aborted (the base stays as it was)
 * and becomes a task for the team naming the conflicting files; its resolution's branch carries
 * the conflicting one, so merging it lands both.
 */
export async function mergeFinishedWork(state: TeamState, git: GitWorktrees, lead: TeamClient, liveAgentIds: ReadonlySet<string>): Promise<MergePass> {
  const pass: MergePass = { merged: [], conflicts: [], waiting: 0, landed: new Set() };
  const { tasks, agents } = state.snapshot;
  const nameOf = new Map(agents.map((agent) => [agent.id, agent.name] as const));
  const byId = new Map(tasks.map((task) => [task.id, task] as const));
  const resolving = new Set(tasks.flatMap((task) => {
    const branch = conflictBranchOf(task);
    return branch === null ? [] : [branch];
  }));
  const branchOfTask = (task: Task): string | null => {
    const owner = task.owner_agent_id === null ? undefined : nameOf.get(task.owner_agent_id);
    return owner === undefined ? null : git.branchOf(owner);
  };
  /** Whether a done task's work is in the base branch (or has none). */
  const landed = new Map<string, boolean>();
  const done = tasks.filter((task) => task.status === 'done').sort((a, b) => (a.completed_at ?? '').localeCompare(b.completed_at ?? ''));
  for (const task of done) {
    const branch = branchOfTask(task);
    const ownerName = nameOf.get(task.owner_agent_id ?? '') ?? '';
    if (branch !== null && liveAgentIds.has(task.owner_agent_id ?? '')) {
      // Its worker has not ended yet: nothing is committed under a running worker.
      landed.set(task.id, false);
      pass.waiting += 1;
      continue;
    }
    if (branch !== null && git.hasWorktree(ownerName)) {
      await git.commitAll(ownerName, `codex-team: ${task.title} (${task.id})`);
      await git.remove(ownerName);
    }
    const pending = branch !== null && (await git.pending(branch));
    if (!pending || branch === null) {
      // Nothing to merge (no change, or merged already): its branch, if any, has served.
      if (branch !== null) await git.deleteBranch(branch);
      landed.set(task.id, true);
      continue;
    }
    landed.set(task.id, false);
    if (resolving.has(branch)) continue; // its conflict task carries it
    const depsLanded = task.depends_on.every((dep) => byId.get(dep)?.status !== 'done' || landed.get(dep) === true);
    if (!depsLanded) {
      pass.waiting += 1;
      continue;
    }
    const outcome = await git.merge(branch, `codex-team: merge ${task.title} (${task.id}, ${branch})`);
    if (outcome.merged) {
      landed.set(task.id, true);
      pass.merged.push({ task, branch, commit: outcome.commit });
      const resolved = conflictBranchOf(task);
      await git.deleteBranch(branch);
      if (resolved !== null) await git.deleteBranch(resolved);
      continue;
    }
    const created = await lead.call('team_task_create', {
      tasks: [
        {
          title: `Resolve merge conflict: ${task.title}`.slice(0, 200),
          description: [
            `Merging ${branch} (task ${task.id}, "${task.title}") into ${git.base} conflicts in: ${outcome.files.join(', ')}.`,
            `Your worktree has ${git.base} merged into that branch with the conflict markers in place: keep both changes`,
            'where they agree, decide where they do not, remove every marker, and complete the task saying what you chose.',
            `${CONFLICT_MARKER}${branch}`,
          ].join('\n'),
          ...(task.required_role === null ? {} : { required_role: task.required_role }),
          priority: 10,
        },
      ],
    });
    const conflictTaskId = created.ids[0] ?? '';
    resolving.add(branch);
    pass.conflicts.push({ task, branch, files: outcome.files, conflictTaskId });
  }
  for (const [id, done] of landed) if (done) pass.landed.add(id);
  return pass;
}

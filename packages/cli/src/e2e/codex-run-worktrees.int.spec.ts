import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClaimedTask } from '@codex-team/contracts';
import { createCodexTeamEnv, type CodexTeamEnv } from '../testing/codex-team-env';
import { auditOfTeam, scriptedWorktreeWorker, shell, startRun, tasksOfTeam, type RunHandle } from '../testing/runtime-run';
import type { ToolCall, ToolResult } from '../testing/scripted-responses';

// `codex-team run --worktrees` on a real git repository with real codex exec workers: each worker
// edits files in its own worktree and branch, the runtime merges finished work back into the base
// branch in dependency order, and a conflict becomes a task for the team naming the files.

jest.setTimeout(120_000);

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@localhost', ...args], { cwd, encoding: 'utf8' }).trim();
}

/** A repository in the env's workspace on branch main with the given files committed. */
function initRepo(env: CodexTeamEnv, files: Record<string, string>): string {
  const repo = env.workspace;
  git(repo, 'init', '-q', '-b', 'main');
  for (const [name, content] of Object.entries(files)) writeFileSync(join(repo, name), content);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'start');
  return repo;
}

function writeDag(env: CodexTeamEnv, lines: string[]): string {
  const path = join(env.root, 'dag.yaml');
  writeFileSync(path, ['tasks:', ...lines, ''].join('\n'));
  return path;
}

function outcomeOf(run: RunHandle): { teamId: string; status: string; merges: number; conflicts: { files: string[]; branch: string }[] } {
  const outcome = run.outcome()?.['outcome'] as ReturnType<typeof outcomeOf> | undefined;
  if (outcome === undefined) throw new Error(`the run printed no outcome; stderr: ${run.stderr().slice(-3_000)}`);
  return outcome;
}

/** The work of a task: its title says which file gets which line; a check task reads files back. */
function* edit(task: ClaimedTask): Generator<ToolCall, string, ToolResult> {
  const write = /^Write "(.*)" to (\S+)$/.exec(task.title);
  if (write !== null) {
    yield shell(`printf '%s\\n' '${write[1] ?? ''}' > ${write[2] ?? ''}`);
    return `wrote ${write[2] ?? ''}`;
  }
  if (task.title.startsWith('Resolve merge conflict')) {
    const seen = yield shell('cat shared.txt');
    yield shell(`printf 'left and right\\n' > shared.txt`);
    return `resolved shared.txt; it read: ${seen.text}`;
  }
  const read = yield shell('cat a.txt b.txt');
  return `read: ${read.text}`;
}

describe('codex-team run --worktrees (real git, real codex exec workers)', () => {
  let env: CodexTeamEnv | undefined;
  afterEach(async () => {
    await env?.dispose();
    env = undefined;
  });

  it('lands two workers\' edits of different files, and a dependant sees both', async () => {
    env = await createCodexTeamEnv((info) => scriptedWorktreeWorker(info, edit));
    const repo = initRepo(env, { 'a.txt': 'a0\n', 'b.txt': 'b0\n' });
    const dag = writeDag(env, [
      '  - {key: a, title: Write "a1" to a.txt}',
      '  - {key: b, title: Write "b1" to b.txt}',
      '  - {key: check, title: Check both files, depends_on: [a, b]}',
    ]);
    const run = startRun(env, ['Edit two files', '--dag', dag, '--worktrees', '--repo', repo]);
    const { code } = await run.exited;
    if (code !== 0) process.stderr.write(`run failed:\n${run.stderr()}\n${JSON.stringify(run.events, null, 1)}\n`);
    expect(code).toBe(0);
    expect(env.responses.errors).toEqual([]);
    const outcome = outcomeOf(run);
    expect(outcome).toMatchObject({ status: 'done', merges: 2, conflicts: [] });
    // Both edits are on main, each by a merge of its worker's branch; nothing is left behind.
    expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe('a1\n');
    expect(readFileSync(join(repo, 'b.txt'), 'utf8')).toBe('b1\n');
    expect(git(repo, 'log', '--merges', '--format=%s').split('\n')).toHaveLength(2);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(git(repo, 'worktree', 'list').split('\n')).toHaveLength(1);
    expect(git(repo, 'branch', '--format=%(refname:short)')).toBe('main');
    // The check task's worktree was made after both merges: it read both edits.
    const tasks = await tasksOfTeam(env, outcome.teamId);
    expect(tasks.find((task) => task.title === 'Check both files')?.result).toMatch(/a1\s+b1/);
  });

  it('turns two edits of the same line into a conflict task naming the file, never a silent overwrite', async () => {
    env = await createCodexTeamEnv((info) => scriptedWorktreeWorker(info, edit));
    const repo = initRepo(env, { 'shared.txt': 'base\n' });
    const dag = writeDag(env, ['  - {key: left, title: Write "left" to shared.txt}', '  - {key: right, title: Write "right" to shared.txt}']);
    const run = startRun(env, ['Edit one line twice', '--dag', dag, '--worktrees', '--repo', repo]);
    const conflict = await run.waitFor((event) => event.kind === 'conflict');
    // At the conflict, main holds the first merge only: the second edit did not overwrite it.
    const atConflict = readFileSync(join(repo, 'shared.txt'), 'utf8');
    const { code } = await run.exited;
    if (code !== 0) process.stderr.write(`run failed:\n${run.stderr()}\n${JSON.stringify(run.events, null, 1)}\n`);
    expect(code).toBe(0);
    expect(env.responses.errors).toEqual([]);
    expect(['left\n', 'right\n']).toContain(atConflict);
    expect(conflict.detail).toContain('conflicts in shared.txt');
    const outcome = outcomeOf(run);
    expect(outcome.conflicts).toEqual([expect.objectContaining({ files: ['shared.txt'] })]);
    const tasks = await tasksOfTeam(env, outcome.teamId);
    const resolve = tasks.find((task) => task.title.startsWith('Resolve merge conflict'));
    expect(resolve?.description).toContain('conflicts in: shared.txt');
    expect(resolve?.status).toBe('done');
    // Its worker found the conflict markers in its worktree, and its resolution landed on main.
    expect(resolve?.result).toMatch(/<<<<<<<[\s\S]*=======[\s\S]*>>>>>>>/);
    expect(readFileSync(join(repo, 'shared.txt'), 'utf8')).toBe('left and right\n');
    expect(git(repo, 'branch', '--format=%(refname:short)')).toBe('main');
    // The conflict task was created by the lead (the runtime), after the first merge.
    const events = await auditOfTeam(env, outcome.teamId);
    const created = events.filter((event) => event.action === 'task.create');
    expect(created.map((event) => event.subject_id)).toEqual([...tasks.map((task) => task.id)]);
    expect(created[2]?.actor_agent_id).toBe(events.find((event) => event.action === 'team.start')?.actor_agent_id);
  });
});

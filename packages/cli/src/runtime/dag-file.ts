import { readFileSync } from 'node:fs';
import { TOOL_CONTRACTS, TeamError, fileAccessError, fileErrorReason, type ToolInput } from '@codex-team/contracts';
import { parse as parseYaml } from 'yaml';

/**
 * Reads a task DAG for `codex-team run --dag FILE`: YAML or JSON (JSON is YAML too), either
 * `{tasks: [...]}` or the list alone, checked against team_task_create's input contract (keys,
 * dependencies, roles, limits) before anything is created. INVALID_INPUT names the first problem.
 */
export function readDagFile(path: string): ToolInput<'team_task_create'> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new TeamError('NOT_FOUND', `cannot read the DAG file ${path}: ${fileErrorReason(error)}`);
    throw fileAccessError('read the DAG file', path, error);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    // The parser's first line ends with a ':' that leads into its code frame, which a one-line error leaves out.
    const said = ((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '').replace(/:\s*$/, '');
    throw new TeamError('INVALID_INPUT', `the DAG file ${path} is neither YAML nor JSON: ${said}`);
  }
  const input = Array.isArray(doc) ? { tasks: doc } : doc;
  const parsed = TOOL_CONTRACTS.team_task_create.input.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
    throw new TeamError('INVALID_INPUT', `the DAG file ${path} is not a valid task DAG${where}: ${issue?.message ?? parsed.error.message}`);
  }
  const keys = new Set(parsed.data.tasks.flatMap((task) => (task.key === undefined ? [] : [task.key])));
  for (const task of parsed.data.tasks) {
    for (const dep of task.depends_on ?? []) {
      // Ids of tasks already in the store are allowed by the tool; a file names its own keys.
      if (!keys.has(dep)) throw new TeamError('INVALID_INPUT', `the DAG file ${path}: task "${task.title}" depends on "${dep}", which no task of the file has as its key`);
    }
  }
  return parsed.data;
}

import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TERMINAL_TASK_STATUSES, TeamError, isRunSummary, type TaskRow, type ToolOutput } from '@codex-team/contracts';
import type { OutputSink } from '../cli-io';
import { TeamClient } from '../mcp/team-client';
import { DEMO_OBJECTIVE, DEMO_TASKS, type DemoTeammate } from './demo-plan';
import { LiveView } from './live-view';
import type { TeammateOrder, TeammateReport } from './teammate-process';

/** The teammate entry point, built beside this file. */
const TEAMMATE_SCRIPT = join(__dirname, 'teammate-process.js');
const TEAMMATE_EXIT_GRACE_MS = 15_000;

export interface DemoOptions {
  dbPath: string;
  teammates: readonly DemoTeammate[];
  /** Simulated work per task, from..to milliseconds. */
  workMs: [number, number];
  /** How often the view refreshes and idle teammates look for work. */
  refreshMs: number;
  /** Give up (and fail) when the DAG is not done by then. */
  timeoutMs: number;
  out: OutputSink;
  interactive: boolean;
  /** Aborted when the user interrupts: the demo stops its agents and throws. */
  signal?: AbortSignal;
}

export interface DemoAgentOutcome {
  name: string;
  role: string;
  agent_id: string;
  server_pid: number;
  tasks_done: number;
}

/**
 * What the demo did, measured from the store through the lead's session; `demo --json` prints
 * it, so its keys are snake_case like every JSON the CLI prints.
 */
export interface DemoOutcome {
  db_path: string;
  team_id: string;
  finalized: boolean;
  tasks_total: number;
  tasks_done: number;
  artifacts: number;
  messages_to_lead: number;
  elapsed_ms: number;
  lead_agent_id: string;
  lead_server_pid: number;
  teammates: DemoAgentOutcome[];
  /** Titles of the chain of dependent tasks that bounded the run, and its measured work. */
  critical_path: { titles: string[]; duration_ms: number };
  /** Claim-to-finish times of the finished tasks. */
  task_ms: { mean: number; max: number };
  /** Orchestration decisions the server recorded (fanout, budget, early stop...). */
  decisions: number;
}

interface Teammate {
  spec: DemoTeammate;
  child: ChildProcess;
  joined: Promise<{ agentId: string; serverPid: number }>;
  exited: Promise<number | null>;
  failure: string | null;
}

function startTeammate(spec: DemoTeammate, order: TeammateOrder): Teammate {
  const child = fork(TEAMMATE_SCRIPT, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const teammate: Teammate = {
    spec,
    child,
    failure: null,
    joined: new Promise((resolve, reject) => {
      child.on('message', (raw: unknown) => {
        const message = raw as TeammateReport;
        if (message.type === 'joined') resolve({ agentId: message.agentId, serverPid: message.serverPid });
        if (message.type === 'failed') {
          teammate.failure = message.message;
          reject(new TeamError('INTERNAL', `teammate ${spec.name} failed: ${message.message}`));
        }
      });
      child.once('exit', (code) => reject(new TeamError('INTERNAL', `teammate ${spec.name} exited with ${String(code)} before joining`)));
    }),
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  // A teammate that fails after joining is reported at the end; this keeps it from being unhandled.
  teammate.joined.catch(() => undefined);
  child.send(order);
  return teammate;
}

/** Ends the demo when the user interrupted it (the CLI reports that as INTERRUPTED, exit 130). */
function stopIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new Error('interrupted');
}

/** Every task of the team as short rows, page by page (what the lead reads to draw its view). */
async function allTasks(lead: TeamClient): Promise<TaskRow[]> {
  const tasks: TaskRow[] = [];
  let after: string | undefined;
  for (;;) {
    const page: ToolOutput<'team_task_list'> = await lead.call('team_task_list', after === undefined ? {} : { after });
    // Without `full` or `task_id` every row is a short one.
    tasks.push(...(page.tasks as TaskRow[]));
    if (page.next_after === null) return tasks;
    after = page.next_after;
  }
}

async function drainInbox(lead: TeamClient): Promise<number> {
  let read = 0;
  let ack: string[] = [];
  for (;;) {
    const page = await lead.call('team_inbox', { ack });
    read += page.messages.length;
    ack = page.messages.map((message) => message.id);
    if (page.messages.length === 0) return read;
  }
}

/**
 * Runs a whole team the way the skill tells Codex to: the lead (this process, with its own
 * codex-team-mcp) starts a team, plans the DAG, spawns teammates (each its own process with its own
 * codex-team-mcp), watches the store until the DAG is done, reads its inbox and finalizes.
 */
export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  const started = Date.now();
  const lead = await TeamClient.start({ dbPath: options.dbPath, clientName: 'codex-team-demo-lead' });
  const teammates: Teammate[] = [];
  try {
    const team = await lead.call('team_start', { name: 'demo', objective: DEMO_OBJECTIVE, max_threads: options.teammates.length });
    await lead.call('team_task_create', {
      tasks: DEMO_TASKS.map((task) => ({
        key: task.key,
        title: task.title,
        priority: task.priority,
        depends_on: task.after,
        ...(task.role === null ? {} : { required_role: task.role }),
      })),
    });
    for (const spec of options.teammates) {
      stopIfInterrupted(options.signal);
      const spawned = await lead.call('team_spawn', { name: spec.name, role: spec.role });
      teammates.push(
        startTeammate(spec, {
          dbPath: options.dbPath,
          ticket: spawned.join_ticket,
          leadId: team.agent.id,
          workMs: options.workMs,
          pollMs: options.refreshMs,
        }),
      );
    }
    const joined = await Promise.all(teammates.map((teammate) => teammate.joined));

    const view = new LiveView(options.out, options.interactive);
    // Short rows carry no completion time: the view orders "recently done" by when the lead saw it.
    const seenDone = new Map<string, string>();
    let tasks: TaskRow[] = [];
    for (;;) {
      stopIfInterrupted(options.signal);
      const status = await lead.call('team_status', {});
      tasks = await allTasks(lead);
      for (const task of tasks) if (task.status === 'done' && !seenDone.has(task.id)) seenDone.set(task.id, new Date().toISOString());
      const shown = tasks.map((task) => ({ ...task, completed_at: seenDone.get(task.id) ?? null }));
      view.draw({ objective: DEMO_OBJECTIVE, teamId: team.team.id, elapsedMs: Date.now() - started, agents: status.agents, tasks: shown });
      if (tasks.every((task) => TERMINAL_TASK_STATUSES.includes(task.status))) break;
      const failed = teammates.find((teammate) => teammate.failure !== null);
      if (failed !== undefined) throw new TeamError('INTERNAL', `teammate ${failed.spec.name} failed: ${failed.failure ?? ''}`);
      if (Date.now() - started > options.timeoutMs) {
        throw new TeamError('INTERNAL', `the demo DAG was not done after ${options.timeoutMs} ms`);
      }
      await sleep(options.refreshMs, undefined, { signal: options.signal }).catch(() => undefined);
    }
    stopIfInterrupted(options.signal);

    const messagesToLead = await drainInbox(lead);
    const summary = await lead.call('team_run_summary', {});
    if (!isRunSummary(summary)) throw new TeamError('INTERNAL', 'team_run_summary answered a log page to a call without log');
    const titleOf = new Map(tasks.map((task) => [task.id, task.title]));
    const artifacts = (await lead.call('team_artifact_list', {})).artifacts.length;
    const tasksDone = tasks.filter((task) => task.status === 'done').length;
    const finalized = await lead.call('team_finalize', {
      summary: `${tasksDone} of ${tasks.length} tasks done by ${teammates.length} teammates; ${artifacts} artifacts`,
    });
    // Teammates leave on their own once the team is finalized; a straggler is stopped below.
    await Promise.race([Promise.all(teammates.map((teammate) => teammate.exited)), sleep(TEAMMATE_EXIT_GRACE_MS, undefined, { ref: false })]);
    return {
      db_path: options.dbPath,
      team_id: team.team.id,
      finalized: finalized.team.state === 'finalized',
      tasks_total: tasks.length,
      tasks_done: tasksDone,
      artifacts,
      messages_to_lead: messagesToLead,
      elapsed_ms: Date.now() - started,
      lead_agent_id: team.agent.id,
      lead_server_pid: lead.serverPid,
      teammates: teammates.map((teammate, index) => {
        const agent = joined[index];
        return {
          name: teammate.spec.name,
          role: teammate.spec.role,
          agent_id: agent?.agentId ?? '',
          server_pid: agent?.serverPid ?? 0,
          tasks_done: tasks.filter((task) => task.status === 'done' && task.owner_agent_id === agent?.agentId).length,
        };
      }),
      critical_path: {
        titles: summary.critical_path.task_ids.map((id) => titleOf.get(id) ?? id),
        duration_ms: summary.critical_path.duration_ms,
      },
      task_ms: { mean: summary.task_durations.mean_ms, max: summary.task_durations.max_ms },
      decisions: summary.decisions.length,
    };
  } finally {
    for (const teammate of teammates) if (teammate.child.exitCode === null) teammate.child.kill('SIGTERM');
    await lead.close();
  }
}

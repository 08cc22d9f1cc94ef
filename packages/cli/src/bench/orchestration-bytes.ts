import { join } from 'node:path';
import { TeamError } from '@codex-team/contracts';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { mcpServerBinPath } from '../codex/package-assets';
import { DEMO_OBJECTIVE, DEMO_PACE, DEMO_TASKS, DEMO_TEAMMATES, demoTaskByTitle } from '../demo/demo-plan';
import { benchGoal, type BenchContext, type BenchGoal, type BenchMeasurement, type BenchReport, type Benchmark } from './benchmark';
import { measureCodexToolSurface, type ServerUnderTest } from './codex-surface';
import { connectServer } from './mcp-client';

/** The cut the token economy promised: orchestration bytes per completed task at most half the baseline's. */
const CUT_GOAL = 0.5;
/** Rounds before the run is called stuck. */
const MAX_ROUNDS = 200;
/**
 * Looks per round: the demo's lead redraws its view (team_status and the task list) and an idle
 * teammate looks for work (team_task_next, then team_status) every refresh, while a busy teammate
 * spends a task's work on one task; a round is one average task's work.
 */
export const LOOKS_PER_ROUND = Math.max(1, Math.round((DEMO_PACE.workMs[0] + DEMO_PACE.workMs[1]) / 2 / DEMO_PACE.refreshMs));

type Json = Record<string, unknown>;

/** What one agent read: every tool answer as the model gets it (the text Codex forwards), and its calls. */
interface AgentMeter {
  calls: number;
  answerBytes: number;
  byTool: Map<string, { calls: number; bytes: number }>;
}

/** An agent's MCP session whose every answer is counted as the model would read it. */
class MeteredAgent {
  readonly meter: AgentMeter = { calls: 0, answerBytes: 0, byTool: new Map() };

  constructor(
    readonly name: string,
    private readonly client: Client,
  ) {}

  /** One tool call; its JSON answer. Throws on an error answer (the harness makes none on purpose). */
  async call(tool: string, args: Json = {}): Promise<Json> {
    const result = (await this.client.callTool({ name: tool, arguments: args }, CallToolResultSchema, { timeout: 120_000 })) as CallToolResult;
    const first = result.content[0];
    const text = first !== undefined && first.type === 'text' ? first.text : '';
    const bytes = Buffer.byteLength(text);
    this.meter.calls += 1;
    this.meter.answerBytes += bytes;
    const entry = this.meter.byTool.get(tool) ?? { calls: 0, bytes: 0 };
    this.meter.byTool.set(tool, { calls: entry.calls + 1, bytes: entry.bytes + bytes });
    if (result.isError === true) throw new TeamError('INTERNAL', `${this.name}: ${tool} failed: ${text.slice(0, 300)}`);
    return JSON.parse(text) as Json;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

const objectAt = (value: Json, key: string): Json => (value[key] ?? {}) as Json;
const listAt = (value: Json, key: string): Json[] => (Array.isArray(value[key]) ? (value[key] as Json[]) : []);

/** A teammate of the demo, one turn at a time: join, then per turn one task's whole work, or a look at the team. */
class DemoTeammate {
  done = false;

  constructor(
    readonly agent: MeteredAgent,
    private readonly leadId: string,
  ) {}

  /**
   * One round: claim and finish a task (read its input, report progress, publish, complete, tell
   * the lead); or, with nothing to claim, look again every refresh of the round, and stop when
   * nothing is left.
   */
  async turn(looks = LOOKS_PER_ROUND): Promise<void> {
    let claim: Json | null = null;
    for (let look = 0; look < looks && claim === null && !this.done; look += 1) {
      const next = await this.agent.call('team_task_next');
      claim = next['claim'] as Json | null;
      if (claim !== null) break;
      // A server whose answer says how many tasks are open spares the agent a second read; with one
      // that does not (the baseline), the agent asks team_status, as the demo's teammate did then.
      if (typeof next['open'] === 'number') {
        if (next['open'] === 0) this.done = true;
        continue;
      }
      const status = await this.agent.call('team_status');
      const counts = objectAt(status, 'tasks_by_status') as Record<string, number>;
      const open = (counts['blocked'] ?? 0) + (counts['ready'] ?? 0) + (counts['in_progress'] ?? 0);
      if (objectAt(status, 'team')['state'] !== 'active' || open === 0) this.done = true;
    }
    if (claim === null) return;
    const task = objectAt(claim, 'task');
    const taskId = String(task['id']);
    const title = String(task['title']);
    const fence = Number(claim['fence']);
    const plan = demoTaskByTitle(title);
    let read = '';
    if (plan?.reads !== undefined) {
      const input = await this.agent.call('team_artifact_read', { name: plan.reads });
      read = ` after reading ${String(objectAt(input, 'artifact')['name'])}`;
    }
    await this.agent.call('team_task_update', { task_id: taskId, fence, progress: 'halfway' });
    const artifactIds: string[] = [];
    if (plan?.publishes !== undefined) {
      const published = await this.agent.call('team_artifact_publish', {
        name: plan.publishes.name,
        media_type: plan.publishes.mediaType,
        content: `# ${title}\n\nProduced by the demo teammate${read}.\n`,
        task_id: taskId,
        fence,
      });
      artifactIds.push(String(objectAt(published, 'artifact')['id']));
    }
    await this.agent.call('team_task_complete', { task_id: taskId, fence, result: `${title}: done${read}`, artifact_ids: artifactIds });
    await this.agent.call('team_send', { to: this.leadId, body: `done: ${title}`, artifact_refs: artifactIds, idempotency_key: `done-${taskId}-${fence}` });
  }
}

/** Every task of the team as the lead reads it for its view: every page of team_task_list. */
async function allTasks(lead: MeteredAgent): Promise<Json[]> {
  const tasks: Json[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await lead.call('team_task_list', after === null ? {} : { after });
    tasks.push(...listAt(page, 'tasks'));
    after = (page['next_after'] as string | null) ?? null;
    if (after === null) return tasks;
  }
}

/** What one run of the demo's team through one server cost in what the agents read. */
interface RunCost {
  server: string;
  tasksDone: number;
  calls: number;
  turns: number;
  answerBytes: number;
  schemaBytes: number;
  orchestrationBytes: number;
  byTool: Map<string, { calls: number; bytes: number }>;
}

/**
 * The demo's team run (its DAG, its four teammates, what each does and its pace), in lockstep so
 * that two servers get the same work in the same order: each round (one task's work) the lead
 * redraws its view LOOKS_PER_ROUND times (team_status and the task list, as the demo's live view
 * does), a busy teammate works one task and an idle one looks for work as often, making the calls
 * that server's answers need (team_task_next, and team_status when the answer does not say what is
 * left). Every agent is its own
 * codex-team-mcp process over stdio. Once every task is finished each teammate looks once more
 * and stops; the lead reads its inbox (acking), the run summary and the artifacts, and finalizes.
 */
async function runDemoTeam(server: ServerUnderTest, dbPath: string): Promise<Omit<RunCost, 'schemaBytes' | 'orchestrationBytes' | 'server'>> {
  const connect = async (name: string) => new MeteredAgent(name, (await connectServer([...server.args, '--db', dbPath, '--log-level', 'warn', '--sweep-ms', '0'])).client);
  const lead = await connect('lead');
  const teammates: DemoTeammate[] = [];
  try {
    const started = await lead.call('team_start', { name: 'demo', objective: DEMO_OBJECTIVE, max_threads: DEMO_TEAMMATES.length });
    const leadId = String(objectAt(started, 'agent')['id']);
    await lead.call('team_task_create', {
      tasks: DEMO_TASKS.map((task) => ({
        key: task.key,
        title: task.title,
        priority: task.priority,
        depends_on: task.after,
        ...(task.role === null ? {} : { required_role: task.role }),
      })),
    });
    for (const spec of DEMO_TEAMMATES) {
      const spawned = await lead.call('team_spawn', { name: spec.name, role: spec.role });
      const agent = await connect(spec.name);
      await agent.call('team_join', { ticket: spawned['join_ticket'] });
      teammates.push(new DemoTeammate(agent, leadId));
    }
    let tasks: Json[] = [];
    for (let round = 0; ; round += 1) {
      if (round >= MAX_ROUNDS) throw new TeamError('INTERNAL', `the demo DAG was not done after ${MAX_ROUNDS} rounds on ${server.label}`);
      let finished = false;
      for (let look = 0; look < LOOKS_PER_ROUND && !finished; look += 1) {
        await lead.call('team_status');
        tasks = await allTasks(lead);
        finished = tasks.every((task) => ['done', 'failed', 'cancelled'].includes(String(task['status'])));
      }
      if (finished) break;
      for (const teammate of teammates) if (!teammate.done) await teammate.turn();
    }
    // Every teammate sees nothing left and ends its turn, as the demo's teammates do.
    for (const teammate of teammates) if (!teammate.done) await teammate.turn(1);
    for (let ack: string[] = []; ; ) {
      const page = await lead.call('team_inbox', { ack });
      ack = listAt(page, 'messages').map((message) => String(message['id']));
      if (ack.length === 0) break;
    }
    await lead.call('team_run_summary');
    await lead.call('team_artifact_list');
    await lead.call('team_finalize', { summary: 'demo done' });
    const agents = [lead, ...teammates.map((teammate) => teammate.agent)];
    const byTool = new Map<string, { calls: number; bytes: number }>();
    for (const agent of agents) {
      for (const [tool, entry] of agent.meter.byTool) {
        const sum = byTool.get(tool) ?? { calls: 0, bytes: 0 };
        byTool.set(tool, { calls: sum.calls + entry.calls, bytes: sum.bytes + entry.bytes });
      }
    }
    const calls = agents.reduce((sum, agent) => sum + agent.meter.calls, 0);
    return {
      tasksDone: tasks.filter((task) => task['status'] === 'done').length,
      calls,
      // Each call is one model turn that then reads the answer; each agent's final answer is one more.
      turns: calls + agents.length,
      answerBytes: agents.reduce((sum, agent) => sum + agent.meter.answerBytes, 0),
      byTool,
    };
  } finally {
    for (const teammate of teammates) await teammate.agent.close();
    await lead.close();
  }
}

async function measureServer(server: ServerUnderTest, context: BenchContext): Promise<RunCost> {
  const surface = await measureCodexToolSurface(server, context.workDir);
  const run = await runDemoTeam(server, join(context.workDir, `${server.label.replace(/[^a-z0-9]+/gi, '-')}.db`));
  const orchestrationBytes = run.answerBytes + surface.bytes * run.turns;
  context.progress(
    `${server.label}: ${run.tasksDone} tasks done, ${run.calls} calls, ${run.answerBytes} answer bytes, ${surface.bytes} schema bytes x ${run.turns} turns`,
  );
  return { server: server.label, ...run, schemaBytes: surface.bytes, orchestrationBytes };
}

function figures(cost: RunCost): BenchMeasurement[] {
  const per = (value: number) => value / Math.max(1, cost.tasksDone);
  const label = cost.server;
  return [
    { name: `${label}: orchestration bytes per completed task`, value: per(cost.orchestrationBytes), unit: 'bytes' },
    { name: `${label}: tool answers read per completed task`, value: per(cost.answerBytes), unit: 'bytes' },
    { name: `${label}: tool schemas per completed task (schema bytes x model turns)`, value: per(cost.schemaBytes * cost.turns), unit: 'bytes' },
    { name: `${label}: tasks completed`, value: cost.tasksDone, unit: 'tasks' },
    { name: `${label}: tool calls`, value: cost.calls, unit: 'calls' },
    { name: `${label}: model turns`, value: cost.turns, unit: 'turns' },
    { name: `${label}: schema bytes per turn`, value: cost.schemaBytes, unit: 'bytes' },
    ...[...cost.byTool.entries()]
      .sort(([, a], [, b]) => b.bytes - a.bytes)
      .map(([tool, entry]) => ({ name: `${label}: ${tool} answers (${entry.calls} calls)`, value: entry.bytes, unit: 'bytes' })),
  ];
}

async function run(context: BenchContext): Promise<BenchReport> {
  const ours = await measureServer({ label: 'this build', args: [mcpServerBinPath()] }, context);
  const measurements = figures(ours);
  const goals: BenchGoal[] = [];
  if (context.baselineServer !== undefined) {
    const baseline = await measureServer({ label: 'baseline', args: [context.baselineServer] }, context);
    measurements.push(...figures(baseline));
    const ratio = ours.orchestrationBytes / Math.max(1, ours.tasksDone) / (baseline.orchestrationBytes / Math.max(1, baseline.tasksDone));
    measurements.push({ name: 'orchestration bytes per completed task: this build / baseline', value: ratio, unit: 'ratio' });
    goals.push(benchGoal('orchestration bytes per completed task cut against the baseline', 1 - ratio, 'at_least', CUT_GOAL, 'fraction'));
  } else {
    context.progress('no --baseline-server: figures only (the cut against a baseline build needs one)');
  }
  return { benchmark: 'orchestration-bytes', measurements, goals };
}

/**
 * Orchestration bytes per completed task in the demo's team run: every tool answer the agents read
 * (the text Codex hands the model) plus the tool schemas Codex sends on every model turn (measured
 * through a real codex exec) times the turns. With --baseline-server the same run against another
 * build, and the goal: at least half cut.
 */
export const orchestrationBytesBenchmark: Benchmark = {
  name: 'orchestration-bytes',
  summary: "bytes agents read per completed task in the demo's team run (answers + schemas x turns); with a baseline build, the cut",
  run,
};

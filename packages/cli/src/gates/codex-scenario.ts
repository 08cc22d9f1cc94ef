import { execFileSync } from 'node:child_process';
import type { AuditEvent, AuthzDecision, TeamId, TeamSnapshot } from '@codex-team/contracts';
import { builtCliBin, createCodexTeamEnv, type CodexTeamEnv, type CodexTeamEnvOptions, type Surface } from '../testing/codex-team-env';
import type { CodexRunResult } from '../testing/codex-exec';
import { errorOf } from '../testing/program-helpers';
import type { AgentProgram, Hold, ThreadInfo, ToolResult } from '../testing/scripted-responses';
import { HOLD, CONTINUE } from '../testing/scripted-responses';
import type { CostMeasures, ScenarioOutcome } from './gate-measures';
import type { Scenario, ScenarioContext } from './scenario';
import { serverProcessesOf } from './server-processes';

// A scenario run through the real Codex CLI with a scripted model (the e2e harness): the root
// thread plays the lead, sub-agents play teammates, each with its own real codex-team-mcp process
// over one store file. Scripts wait for each other off the model (Hold), never by polling a tool,
// so tool calls, bytes and tokens are the same from run to run; only the times vary.

/** The store as it is after a run: every team of the tree, its events, and every call's decision. */
export interface ReadBack {
  rootTeamId: TeamId;
  teams: TeamSnapshot[];
  events: Map<string, AuditEvent[]>;
  /** Every authorization decision of the run, bound or not. */
  decisions: AuthzDecision[];
  /** Error codes the agents' codex-team calls were answered with, in order. */
  errorCodes: string[];
}

/** What a scenario's scripts share: their own facts, and waits that cost the model nothing. */
export class World<F> {
  env: CodexTeamEnv | undefined;
  constructor(readonly facts: F) {}

  /** Holds until `test` is true (checked every 50 ms), failing the thread after `timeoutMs`. */
  until(label: string, test: () => boolean, timeoutMs = 60_000): Hold {
    return { hold: () => poll(label, async () => test(), timeoutMs, 50) };
  }

  /** Holds until `test` holds of the store (read every 200 ms). */
  untilStore(label: string, test: (store: Awaited<ReturnType<CodexTeamEnv['openStore']>>) => Promise<boolean>, timeoutMs = 60_000): Hold {
    return {
      hold: () =>
        poll(
          label,
          async () => {
            const store = await this.environment().openStore();
            try {
              return await test(store);
            } finally {
              await store.close();
            }
          },
          timeoutMs,
          200,
        ),
    };
  }

  /** Holds until `count` sub-agent threads have given their final answer. */
  untilTeammatesFinished(count: number, timeoutMs = 90_000): Hold {
    return this.until(`${count} teammates finished`, () => this.finishedTeammates() >= count, timeoutMs);
  }

  finishedTeammates(): number {
    const env = this.environment();
    const answers = env.responses.finalAnswers();
    return env.responses.threadInfos().filter((thread) => thread.parentThreadId !== undefined && answers.has(thread.threadId)).length;
  }

  /** SIGKILLs the codex-team-mcp process that started last (the newest teammate's); returns its pid. */
  killNewestServer(): number {
    const servers = serverProcessesOf(this.environment().dbPath);
    const newest = servers[servers.length - 1];
    if (newest === undefined || servers.length < 2) throw new Error(`expected a teammate's server beside the lead's, found ${servers.length}`);
    process.kill(newest.pid, 'SIGKILL');
    return newest.pid;
  }

  private environment(): CodexTeamEnv {
    if (this.env === undefined) throw new Error('the scenario environment is not ready');
    return this.env;
  }
}

async function poll(label: string, test: () => Promise<boolean>, timeoutMs: number, everyMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await test()) return true;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface CodexScenarioDefinition<F> {
  name: string;
  summary: string;
  /** @default 'scripted-codex' */
  profile?: string;
  surface: Surface;
  prompt: string;
  env?: Omit<CodexTeamEnvOptions, 'surface' | 'serverEnv'>;
  /** Files the run needs (e.g. a hooks file): more env options, and how to remove them after. */
  prepare?(): { env: Omit<CodexTeamEnvOptions, 'surface' | 'serverEnv'>; dispose(): void };
  /** The lead's final answer must contain this. */
  leadFinal: string;
  /** Error codes the scripts provoke on purpose, with how often; any other error is a quality failure. */
  expectedErrors: Readonly<Record<string, number>>;
  facts(): F;
  /** The program of a thread (the root is the lead). */
  program(thread: ThreadInfo, world: World<F>): AgentProgram;
  /** The scenario's own quality checks (`expect.*`), read from its facts and the store. */
  expectations(world: World<F>, read: ReadBack): Record<string, boolean>;
  /** @default 120000 */
  timeoutMs?: number;
}

/** Builds the Scenario of a definition. */
export function codexScenario<F>(definition: CodexScenarioDefinition<F>): Scenario {
  const profile = definition.profile ?? 'scripted-codex';
  return { name: definition.name, summary: definition.summary, profile, run: (context) => runCodexScenario(definition, profile, context) };
}

async function runCodexScenario<F>(definition: CodexScenarioDefinition<F>, profile: string, context: ScenarioContext): Promise<ScenarioOutcome> {
  const started = Date.now();
  const world = new World(definition.facts());
  const prepared = definition.prepare?.();
  let env: CodexTeamEnv;
  try {
    env = await createCodexTeamEnv((thread) => readingPastPadding(definition.program(thread, world)), {
      surface: definition.surface,
      ...definition.env,
      ...prepared?.env,
      ...(context.faults === undefined ? {} : { serverEnv: { CODEX_TEAM_TEST_FAULTS: context.faults } }),
    });
  } catch (error) {
    prepared?.dispose();
    throw error;
  }
  world.env = env;
  try {
    const run = await env.exec(definition.prompt, { timeoutMs: definition.timeoutMs ?? 120_000, extraArgs: [] });
    const read = await readBack(env);
    const { checks, notes } = qualityChecks(definition, world, env, run, read);
    const cost = costOf(env, read);
    return {
      scenario: definition.name,
      profile,
      measures: { quality: { tasks_done_with_evidence: tasksDoneWithEvidence(read), checks }, cost: cost.measures },
      notes,
      wallMs: Date.now() - started,
      extra: cost.extra,
    };
  } finally {
    await env.dispose();
    prepared?.dispose();
  }
}

/**
 * A model reads past a field it does not know; the scripts parse answers with the contracts'
 * strict schemas, so a `padding` field (the injected pad-answers fault) is dropped from the JSON
 * they parse. It stays in the text, which is what bytes and tokens are counted from.
 */
function* readingPastPadding(program: AgentProgram): AgentProgram {
  let input: ToolResult | undefined;
  for (;;) {
    const step = program.next(input as ToolResult);
    if (step.done === true) return step.value;
    const result: ToolResult = yield step.value;
    const json = result.json;
    if (typeof json === 'object' && json !== null && !Array.isArray(json) && 'padding' in json) {
      const { padding: _padding, ...rest } = json as Record<string, unknown>;
      input = { ...result, json: rest };
    } else {
      input = result;
    }
  }
}

export async function readBack(env: CodexTeamEnv): Promise<ReadBack> {
  // The servers record disconnects as Codex ends them; let the last ones land (bounded).
  await new Promise((resolve) => setTimeout(resolve, 500));
  const store = await env.openStore();
  try {
    const all = await store.listTeams();
    const root = all.find((team) => team.parent_team_id === undefined || team.parent_team_id === null);
    if (root === undefined) throw new Error('the run started no team');
    const teams: TeamSnapshot[] = [];
    const events = new Map<string, AuditEvent[]>();
    const decisions: AuthzDecision[] = await store.listAuthzDecisions({ teamId: null, limit: 100_000 });
    for (const team of all) {
      teams.push(await store.readTeam(team.id));
      events.set(team.id, await store.listAuditEvents(team.id));
      decisions.push(...(await store.listAuthzDecisions({ teamId: team.id, limit: 100_000 })));
    }
    const errorCodes = env.responses.transcript.flatMap((entry) => {
      if (entry.result.call.namespace !== 'mcp__team') return [];
      const error = errorOf(entry.result);
      return error === undefined ? [] : [error.code];
    });
    return { rootTeamId: root.id, teams, events, decisions, errorCodes };
  } finally {
    await store.close();
  }
}

/** Done tasks whose completion (or child team's roll-up) names artifacts that all resolve, at least one. */
export function tasksDoneWithEvidence(read: ReadBack): number {
  const artifacts = new Set(read.teams.flatMap((team) => team.artifacts.map((artifact) => artifact.id)));
  let count = 0;
  for (const team of read.teams) {
    const events = read.events.get(team.team.id) ?? [];
    for (const task of team.tasks.filter((candidate) => candidate.status === 'done')) {
      const evidence = events
        .filter((event) => event.subject_id === task.id && (event.action === 'task.complete' || event.action === 'team.rollup'))
        .flatMap((event) => {
          const data = event.data as { artifact_ids?: unknown; child?: { artifact_ids?: unknown } };
          const ids = event.action === 'team.rollup' ? data.child?.artifact_ids : data.artifact_ids;
          return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
        });
      if (evidence.length > 0 && evidence.every((id) => artifacts.has(id))) count += 1;
    }
  }
  return count;
}

function countOf(items: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

/** The most teammates live at once across the tree (joined, not yet gone), root lead excluded. */
function peakLiveTeammates(read: ReadBack): number {
  const rootLead = read.teams.find((team) => team.team.id === read.rootTeamId)?.team.lead_agent_id;
  const timeline = [...read.events.values()]
    .flat()
    .filter((event) => event.actor_agent_id !== rootLead || event.action !== 'agent.join')
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq));
  const live = new Set<string>();
  let peak = 0;
  for (const event of timeline) {
    const agent = event.action === 'agent.join' ? event.actor_agent_id : event.subject_id ?? event.actor_agent_id;
    if (agent === null || agent === rootLead) continue;
    if (event.action === 'agent.join') live.add(agent);
    if (['agent.disconnect', 'agent.lost', 'agent.retire'].includes(event.action)) live.delete(event.action === 'agent.disconnect' ? (event.actor_agent_id ?? agent) : agent);
    peak = Math.max(peak, live.size);
  }
  return peak;
}

function replayMatches(env: CodexTeamEnv, teamId: string): boolean {
  try {
    const out = execFileSync(process.execPath, [builtCliBin(), 'replay', teamId, '--db', env.dbPath, '--verify', '--json'], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: env.homeDir },
      encoding: 'utf8',
    });
    return (JSON.parse(out) as { ok?: unknown }).ok === true;
  } catch {
    return false;
  }
}

/** Records `text` as a note when a check fails; returns the check. */
export type Note = (held: boolean, text: string) => boolean;

/** A note-taker and the notes it took. */
export function noteTaker(): { note: Note; notes: string[] } {
  const notes: string[] = [];
  return {
    notes,
    note: (held, text) => {
      if (!held) notes.push(text);
      return held;
    },
  };
}

/**
 * The invariants every store-backed scenario holds: the cap, single completion, one decision
 * record per agent call (of `decisions`, by default all of them), replay equality; and no tool
 * error beyond those the script provokes.
 */
export function invariantChecks(
  env: CodexTeamEnv,
  read: ReadBack,
  note: Note,
  options: { expectedErrors: Readonly<Record<string, number>>; decisions?: readonly AuthzDecision[] },
): Record<string, boolean> {
  const checks: Record<string, boolean> = {};
  const root = read.teams.find((team) => team.team.id === read.rootTeamId);
  const cap = Math.min(6, root?.team.max_threads ?? 6);
  const peak = peakLiveTeammates(read);
  checks['invariant.cap'] = note(peak <= cap, `${peak} teammates live at once, cap ${cap}`);

  const completions = [...read.events.values()].flat().filter((event) => event.action === 'task.complete');
  const perTask = countOf(completions.map((event) => event.subject_id ?? ''));
  const owners = new Map(read.teams.flatMap((team) => team.tasks.map((task) => [task.id, task.owner_agent_id] as const)));
  const twice = [...perTask].filter(([, count]) => count > 1).map(([task]) => task);
  const byOther = completions.filter((event) => owners.get(event.subject_id ?? '') !== event.actor_agent_id);
  checks['invariant.single_completion'] = note(twice.length === 0 && byOther.length === 0, `completed twice: ${twice.join(', ') || 'none'}; by a non-holder: ${byOther.length}`);

  const calls = env.responses.transcript.filter((entry) => entry.result.call.namespace === 'mcp__team').map((entry) => entry.result.call.name);
  const callCounts = countOf(calls);
  const decisionCounts = countOf((options.decisions ?? read.decisions).map((decision) => decision.tool));
  const tools = new Set([...callCounts.keys(), ...decisionCounts.keys()]);
  const mismatched = [...tools].filter((tool) => (callCounts.get(tool) ?? 0) !== (decisionCounts.get(tool) ?? 0));
  checks['invariant.audit_one_to_one'] = note(
    mismatched.length === 0,
    `calls vs decision records differ for ${mismatched.map((tool) => `${tool} ${callCounts.get(tool) ?? 0}/${decisionCounts.get(tool) ?? 0}`).join(', ')}`,
  );

  const unequal = read.teams.filter((team) => !replayMatches(env, team.team.id)).map((team) => team.team.name);
  checks['invariant.replay_equal'] = note(unequal.length === 0, `replay --verify differs for ${unequal.join(', ')}`);

  const expected = new Map(Object.entries(options.expectedErrors));
  const seen = countOf(read.errorCodes);
  const unexpected = [...seen].filter(([code, count]) => count > (expected.get(code) ?? 0)).map(([code, count]) => `${code} x${count}`);
  const missing = [...expected].filter(([code, count]) => (seen.get(code) ?? 0) < count).map(([code, count]) => `${code} x${count}`);
  checks['errors.none_unexpected'] = note(unexpected.length === 0, `unexpected tool errors: ${unexpected.join(', ')}`);
  checks['errors.as_scripted'] = note(missing.length === 0, `errors the script provokes that never came: ${missing.join(', ')}`);
  return checks;
}

function qualityChecks<F>(
  definition: CodexScenarioDefinition<F>,
  world: World<F>,
  env: CodexTeamEnv,
  run: CodexRunResult,
  read: ReadBack,
): { checks: Record<string, boolean>; notes: string[] } {
  const { note, notes } = noteTaker();
  const checks: Record<string, boolean> = {};
  checks['run.completed'] = note(
    run.exitCode === 0 && !run.timedOut && env.responses.errors.length === 0 && run.stdout.includes(definition.leadFinal),
    `codex exec exit ${String(run.exitCode)}${run.timedOut ? ' (timed out)' : ''}; script errors: ${env.responses.errors.join(' | ').slice(0, 600) || 'none'}; lead said: ${run.stdout.trim().slice(-200)}`,
  );
  Object.assign(checks, invariantChecks(env, read, note, { expectedErrors: definition.expectedErrors }));
  for (const [name, held] of Object.entries(definition.expectations(world, read))) {
    checks[`expect.${name}`] = note(held, `expectation ${name} failed`);
  }
  return { checks, notes };
}

/** The cost measures of a run: the scripted endpoint's tokens, the agents' tool calls and bytes read, agent-time, makespan over critical path. */
export function costOf(env: CodexTeamEnv, read: ReadBack): { measures: CostMeasures; extra: Record<string, number> } {
  const requests = env.responses.requests;
  const tokens = requests.reduce((sum, request) => sum + request.inputTokens + request.outputTokens, 0);
  const results = env.responses.transcript.filter((entry) => entry.result.call.name !== HOLD && entry.result.call.name !== CONTINUE);
  const bytesRead = results
    .filter((entry) => entry.result.call.namespace === 'mcp__team')
    .reduce((sum, entry) => sum + Buffer.byteLength(entry.result.text, 'utf8'), 0);
  const spans = new Map<string, { first: number; last: number }>();
  for (const request of requests) {
    const span = spans.get(request.threadId) ?? { first: request.receivedAt, last: request.receivedAt };
    span.last = Math.max(span.last, request.answeredAt ?? request.receivedAt);
    spans.set(request.threadId, span);
  }
  const agentTime = [...spans.values()].reduce((sum, span) => sum + (span.last - span.first), 0);
  const { makespan, criticalPath } = makespanAndCriticalPath(read);
  return {
    measures: {
      model_tokens: tokens,
      tool_calls: results.length,
      bytes_read: bytesRead,
      agent_time_ms: agentTime,
      makespan_ratio: criticalPath > 0 ? Math.round((makespan / criticalPath) * 100) / 100 : 0,
    },
    extra: { makespan_ms: makespan, critical_path_ms: criticalPath, requests: requests.length },
  };
}

/**
 * The root team's makespan (team.start to team.finalize) and its critical path: the longest chain
 * of dependent tasks, each weighing its measured work (first claim, or delegation, to its end).
 */
function makespanAndCriticalPath(read: ReadBack): { makespan: number; criticalPath: number } {
  const events = read.events.get(read.rootTeamId) ?? [];
  const at = (event: AuditEvent | undefined): number | undefined => (event === undefined ? undefined : Date.parse(event.at));
  const start = at(events.find((event) => event.action === 'team.start'));
  const end = at([...events].reverse().find((event) => event.action === 'team.finalize'));
  const makespan = start !== undefined && end !== undefined ? end - start : 0;
  const root = read.teams.find((team) => team.team.id === read.rootTeamId);
  const work = new Map<string, number>();
  for (const task of root?.tasks ?? []) {
    // A delegated task's work is its child team's, from the delegation to the roll-up (both name the child).
    const subject = task.delegated_to ?? task.id;
    const mine = events.filter((event) => event.subject_id === subject);
    const begun = at(mine.find((event) => event.action === 'task.claim' || event.action === 'team.delegate'));
    const ended = at([...mine].reverse().find((event) => event.action === 'task.complete' || event.action === 'team.rollup'));
    work.set(task.id, begun !== undefined && ended !== undefined ? Math.max(0, ended - begun) : 0);
  }
  const longest = new Map<string, number>();
  const chain = (taskId: string): number => {
    const known = longest.get(taskId);
    if (known !== undefined) return known;
    const task = root?.tasks.find((candidate) => candidate.id === taskId);
    const before = Math.max(0, ...(task?.depends_on ?? []).map(chain));
    const total = before + (work.get(taskId) ?? 0);
    longest.set(taskId, total);
    return total;
  };
  const criticalPath = Math.max(0, ...(root?.tasks ?? []).map((task) => chain(task.id)));
  return { makespan, criticalPath };
}

import { join } from 'node:path';
import { TERMINAL_TASK_STATUSES, isTeamError, type AuditEvent, type Profile, type Task } from '@codex-team/contracts';
import { treeThreadCap } from '@codex-team/hierarchy';
import { threadCapOf, type CodexThreadCap } from '@codex-team/policy-engine';
import { RECOVERY_RULES, rebalanceSettingsOf, runRecoverySweep, type RecoveryPolicy, type RetireRequest } from '@codex-team/recovery';
import type { RebalanceDecision, RetireDirective, SpawnDirective } from '@codex-team/scheduler';
import type { SqliteTeamStore } from '@codex-team/store';
import type { TeamClient } from '../mcp/team-client';
import type { GitWorktrees } from './git-worktrees';
import { conflictBranchOf, mergeFinishedWork } from './merge-queue';
import { claimsOf, readTeamState, type TeamState, type WorkerRecord } from './runtime-state';
import type { WorkerExit, WorkerLauncher } from './worker-process';
import { plannerPrompt, workerPrompt, worktreeWorkerPrompt, type PromptContext } from './worker-prompt';

/** The rules the runtime's own steps record (beside the rebalancing controller's and recovery's). */
export const RUNTIME_RULES = {
  exited: 'runtime.worker_exited',
  hung: 'runtime.worker_hung',
  sessionEnded: 'runtime.session_ended',
  retiredElsewhere: 'runtime.retired_elsewhere',
  interrupted: 'runtime.interrupted',
} as const;

/** One thing the runtime did or saw, for the live view, the log and the summary. */
export interface RuntimeEvent {
  at: number;
  kind: 'decision' | 'adopt' | 'plan' | 'launch' | 'exit' | 'stop' | 'retire' | 'reclaim' | 'merge' | 'conflict' | 'refused';
  agent?: string;
  role?: string;
  pid?: number;
  task?: string;
  rule?: string;
  detail: string;
  /** For a reclaim: ms from the worker's exit to its task back in the pool. */
  ms?: number;
}

/**
 * Counts the workers that hold a slot under the caps. The default counts every worker until its
 * process has ended AND its agent is retired: a slot frees only when both are gone.
 */
export type LiveCounter = (workers: readonly WorkerRecord[], state: TeamState) => number;

export const countHeldSlots: LiveCounter = (workers) => workers.filter((worker) => !worker.retired || (worker.process?.alive() ?? false)).length;

export interface SupervisorOptions {
  teamId: string;
  /** The runtime's own store handle: reads, and the retirements of workers that ended. */
  store: SqliteTeamStore;
  /** The lead's MCP session (bound by team_start or team_resume): spawns, tasks, finalize. */
  lead: TeamClient;
  launcher: WorkerLauncher;
  /** Recovery's numbers, and the rebalancing controller's settings the team's servers use too (rebalanceSettingsOf). */
  recovery: RecoveryPolicy;
  profile(name: string): Profile;
  codexCap: CodexThreadCap | undefined;
  serverName: string;
  /** `--max-workers`: the machine's guard on live workers. */
  maxWorkers: number;
  /** How often the runtime reads the store; a worker's exit wakes it at once. */
  tickMs: number;
  /** Where workers work without --worktrees (and where the planner reads). */
  workdir: string;
  logDir: string;
  worktrees: GitWorktrees | null;
  /** Whether the DAG was given (--dag): no planner runs. A team with no task is planned otherwise (a resumed one too). */
  dagGiven: boolean;
  /** How long a worker told to stop (SIGTERM) has before SIGKILL. */
  stopGraceMs: number;
  signal?: AbortSignal;
  onEvent(event: RuntimeEvent): void;
  onTick?(state: TeamState, workers: readonly WorkerRecord[], decision: RebalanceDecision | null): void;
  /** @default countHeldSlots */
  countLive?: LiveCounter;
  /** Planner sessions tried before the run gives up. @default 2 */
  plannerAttempts?: number;
}

export type RunStatus = 'done' | 'incomplete' | 'interrupted' | 'planning_failed';

/** What a run did, measured. */
export interface RunOutcome {
  teamId: string;
  status: RunStatus;
  reason: string;
  tasks: { total: number; done: number; failed: number; cancelled: number; open: number };
  launched: number;
  adopted: number;
  exits: number;
  hungStops: number;
  /** Workers ended because the rebalancing controller retired them. */
  retiredByPolicy: number;
  /** The most workers that held a slot at once. */
  maxLive: number;
  reclaims: { agent: string; tasks: string[]; exitToReclaimMs: number }[];
  merges: number;
  conflicts: { task: string; branch: string; files: string[] }[];
  elapsedMs: number;
}

/** How the store retired an agent, as its `agent.retire` event says. */
interface StoreRetirement {
  rule: string;
  reason: string;
  /** Retired by a retire directive of a recorded rebalancing decision (the event names the decision). */
  byDirective: boolean;
}

function storeRetirementOf(event: AuditEvent): StoreRetirement {
  const rule = event.data['rule'];
  return {
    rule: typeof rule === 'string' ? rule : RUNTIME_RULES.retiredElsewhere,
    reason: event.reason,
    byDirective: typeof event.data['decision_seq'] === 'number',
  };
}

const describeExit = (exit: WorkerExit): string =>
  exit.signal !== null ? `its codex exec was ended by ${exit.signal}` : `its codex exec exited with code ${String(exit.code)}`;

/**
 * The managed runtime's loop: each tick reads the team from the store, retires workers whose
 * process ended (their claims go back at once), stops hung ones, merges finished work, takes the
 * team's rebalancing decision (the store's, scheduler's decideRebalance: the one scaling rule the
 * server's lead hints follow too) and carries it out: a worker launched per spawn directive whose
 * task is ready, within the caps; a worker ended per retire directive.
 * It holds nothing the store does not: a runtime started later with --resume picks the team up.
 */
export class Supervisor {
  private readonly workers: WorkerRecord[] = [];
  private afterSeq = 0;
  private nameSeq = 0;
  private wake: (() => void) | null = null;
  /** The last decision acted on, for the log (a change is announced) and the end of the run. */
  private previous: RebalanceDecision | null = null;
  private readonly countLive: LiveCounter;
  private readonly outcome: Omit<RunOutcome, 'status' | 'reason' | 'tasks' | 'elapsedMs'>;
  private readonly started = Date.now();
  /** Agents that claimed a task at least once (from the audit trail). */
  private readonly claimed = new Set<string>();
  /** Agents retired in the store, with the rule that retired them (from the audit trail). */
  private readonly retirements = new Map<string, StoreRetirement>();
  /** Worker sessions in a row that ended without ever claiming a task. */
  private emptySessions = 0;
  /** With --worktrees: done tasks whose work is on the base branch, as of this tick's merge pass. */
  private landed = new Set<string>();

  constructor(private readonly options: SupervisorOptions) {
    this.countLive = options.countLive ?? countHeldSlots;
    this.outcome = {
      teamId: options.teamId,
      launched: 0,
      adopted: 0,
      exits: 0,
      hungStops: 0,
      retiredByPolicy: 0,
      maxLive: 0,
      reclaims: [],
      merges: 0,
      conflicts: [],
    };
  }

  private emit(event: Omit<RuntimeEvent, 'at'>): void {
    this.options.onEvent({ at: Date.now(), ...event });
  }

  /** Reads the team; the audit cursor moves past the events returned. */
  private async read(): Promise<TeamState> {
    const state = await readTeamState(this.options.store, this.options.teamId, this.options.profile, this.afterSeq, () => Date.now());
    this.afterSeq = state.newEvents.at(-1)?.seq ?? this.afterSeq;
    for (const event of state.newEvents) {
      if (event.action === 'task.claim' && event.actor_agent_id !== null) this.claimed.add(event.actor_agent_id);
      if (event.action === 'agent.retire' && event.subject_id !== null) this.retirements.set(event.subject_id, storeRetirementOf(event));
    }
    return state;
  }

  /** Reads again within a tick, keeping the tick's earlier new events. */
  private async reread(state: TeamState): Promise<TeamState> {
    const again = await this.read();
    return { ...again, newEvents: [...state.newEvents, ...again.newEvents] };
  }

  /** Runs the team until every task is done, nothing can progress, or the signal aborts. */
  async run(): Promise<RunOutcome> {
    let state = await this.read();
    this.adopt(state);
    this.options.onTick?.(state, this.workers, null);
    const abort = (): void => this.wake?.();
    this.options.signal?.addEventListener('abort', abort);
    try {
      for (;;) {
        if (this.options.signal?.aborted === true) return await this.interrupt();
        state = await this.read();
        if (state.snapshot.team.state !== 'active') return await this.finish(state, 'incomplete', 'the team was finalized outside this run');
        state = await this.retireEnded(state);
        this.watch(state);
        let waitingMerges = 0;
        if (this.options.worktrees !== null) waitingMerges = await this.merge(state);
        let decision: RebalanceDecision | null = null;
        const planning = !this.options.dagGiven && state.snapshot.tasks.length === 0;
        if (planning) {
          const failed = await this.plan(state);
          if (failed !== null) return await this.finish(state, 'planning_failed', failed);
        } else {
          decision = await this.decide(state);
          this.obey(state, decision);
          await this.launchWanted(state, decision);
          this.previous = decision;
        }
        this.outcome.maxLive = Math.max(this.outcome.maxLive, this.countLive(this.workers, state));
        this.options.onTick?.(state, this.workers, decision);
        const end = planning ? null : this.endOf(state, waitingMerges);
        if (end !== null) return await this.finish(state, end.status, end.reason);
        await this.sleep();
      }
    } finally {
      this.options.signal?.removeEventListener('abort', abort);
    }
  }

  /** Workers still working: not told to stop, not ended. */
  private active(): WorkerRecord[] {
    return this.workers.filter((worker) => worker.stopping === null && worker.exit === null && !worker.retired);
  }

  private liveAgentIds(): Set<string> {
    return new Set(this.workers.filter((worker) => !worker.retired || (worker.process?.alive() ?? false)).map((worker) => worker.agentId));
  }

  /** min(the team's thread cap with Codex's, what its team tree leaves it, --max-workers). */
  private capOf(state: TeamState): number {
    const team = threadCapOf(state.profile, state.snapshot.team.max_threads, this.options.codexCap).cap;
    const tree = treeThreadCap(state.threads, this.options.codexCap);
    return Math.min(team, tree?.teammates ?? team, this.options.maxWorkers);
  }

  /** Teammates an earlier runtime started: watched through the store from now on. */
  private adopt(state: TeamState): void {
    const lead = state.snapshot.team.lead_agent_id;
    for (const agent of state.snapshot.agents) {
      if (agent.id === lead || (agent.state !== 'active' && agent.state !== 'invited' && agent.state !== 'disconnected')) continue;
      this.workers.push({
        agentId: agent.id,
        name: agent.name,
        role: agent.role,
        kind: agent.role === 'planner' ? 'planner' : 'worker',
        process: null,
        launchedAt: Date.parse(agent.created_at),
        stopping: null,
        taskId: null,
        exit: null,
        retired: false,
      });
      this.outcome.adopted += 1;
      this.emit({ kind: 'adopt', agent: agent.name, role: agent.role, detail: `${agent.name} (${agent.state}) was started by an earlier runtime: watched through the store` });
    }
    this.nameSeq = state.snapshot.agents.length;
  }

  /** Retires every worker whose process ended, in one sweep that also hands their claims on. */
  private async retireEnded(state: TeamState): Promise<TeamState> {
    const agents = new Map(state.snapshot.agents.map((agent) => [agent.id, agent] as const));
    const requests: RetireRequest[] = [];
    for (const worker of this.workers) {
      if (worker.retired || worker.exit === null) continue;
      if (agents.get(worker.agentId)?.state === 'retired') {
        worker.retired = true;
        continue;
      }
      requests.push({ agentId: worker.agentId, rule: worker.exit.rule, reason: worker.exit.reason });
    }
    if (requests.length === 0) return state;
    const report = await runRecoverySweep(this.options.store, this.options.recovery, { teamId: state.snapshot.team.id }, undefined, undefined, { retire: requests });
    const byAgent = new Map(this.workers.map((worker) => [worker.agentId, worker] as const));
    const reclaimed = new Map<string, string[]>();
    for (const { step, outcome } of report.applied) {
      if (step.kind === 'retire_agent') {
        const worker = byAgent.get(step.agentId);
        if (worker !== undefined) worker.retired = true;
        if (worker?.kind === 'worker' && worker.process !== null) this.emptySessions = this.claimed.has(worker.agentId) ? 0 : this.emptySessions + 1;
        this.emit({ kind: 'retire', agent: worker?.name ?? step.agentId, rule: step.rule, detail: step.reason });
      }
      if (step.kind === 'reclaim_task') {
        reclaimed.set(step.expect.ownerAgentId, [...(reclaimed.get(step.expect.ownerAgentId) ?? []), step.taskId]);
        this.emit({ kind: 'reclaim', task: step.taskId, rule: step.rule, detail: `${step.reason} -> ${outcome}` });
      }
    }
    for (const [agentId, taskIds] of reclaimed) {
      const worker = byAgent.get(agentId);
      if (worker?.exit === null || worker === undefined) continue;
      const ms = report.now - worker.exit.at;
      this.outcome.reclaims.push({ agent: worker.name, tasks: taskIds, exitToReclaimMs: ms });
      this.emit({ kind: 'reclaim', agent: worker.name, detail: `${taskIds.length} task(s) of ${worker.name} back ${ms} ms after its exit`, ms });
    }
    const ownWorktrees = this.options.worktrees;
    if (ownWorktrees !== null) {
      // A worktree worker that ended without finishing its task leaves nothing to merge.
      for (const worker of this.workers) {
        if (!worker.retired || worker.taskId === null || worker.process === null) continue;
        const task = state.snapshot.tasks.find((candidate) => candidate.id === worker.taskId);
        if (task?.owner_agent_id === worker.agentId && task.status === 'done') continue;
        worker.taskId = null;
        await ownWorktrees.remove(worker.name);
        await ownWorktrees.deleteBranch(ownWorktrees.branchOf(worker.name));
      }
    }
    return report.applied.length > 0 ? this.reread(state) : state;
  }

  /** Liveness from the store: hung holders, sessions that ended, agents retired elsewhere. */
  private watch(state: TeamState): void {
    const agents = new Map(state.snapshot.agents.map((agent) => [agent.id, agent] as const));
    const lostByLease = new Set(
      state.newEvents
        .filter((event) => event.action === 'task.recover' && event.data['rule'] === RECOVERY_RULES.leaseExpired)
        .map((event) => (event.data['taken_from'] as { agent_id?: string } | undefined)?.agent_id),
    );
    for (const worker of this.workers) {
      // A worker already told to stop ends by itself, or by SIGKILL after the grace.
      if (worker.exit !== null || worker.retired || worker.stopping !== null) continue;
      const agent = agents.get(worker.agentId);
      const expired = claimsOf(state, worker.agentId).find((claim) => claim.leaseExpiresAt !== null && claim.leaseExpiresAt <= state.now);
      if (expired !== undefined || lostByLease.has(worker.agentId)) {
        const what = expired === undefined ? 'its claim was taken back when its lease passed' : `its lease on "${expired.title}" passed`;
        this.outcome.hungStops += 1;
        // SIGTERM (with SIGCONT, for a stopped process) lets codex end the commands it runs in its
        // sandbox, which live in sessions of their own; SIGKILL follows after the grace.
        worker.process?.signal('SIGCONT');
        this.end(worker, 'SIGTERM', RUNTIME_RULES.hung, `${worker.name} stopped answering: ${what}; stopped and replaced`);
        continue;
      }
      if (agent?.state === 'retired') {
        // Its own server may carry out the controller's retire directive first (the answer of the
        // worker's team_task_next): the stop then names that directive's rule, as ours would.
        const retirement = this.retirements.get(worker.agentId);
        if (retirement?.byDirective === true) this.outcome.retiredByPolicy += 1;
        const reason =
          retirement === undefined
            ? `${worker.name} was retired in the store (recovery or another runtime)`
            : `${worker.name} was retired in the store: ${retirement.reason}`;
        this.end(worker, 'SIGTERM', retirement?.rule ?? RUNTIME_RULES.retiredElsewhere, reason);
        continue;
      }
      const silentMs = state.now - Date.parse(agent?.last_seen_at ?? agent?.created_at ?? new Date(state.now).toISOString());
      if (agent?.state === 'disconnected' && (worker.process === null || silentMs > this.options.stopGraceMs)) {
        this.end(worker, 'SIGTERM', RUNTIME_RULES.sessionEnded, `${worker.name}'s MCP session ended (recorded disconnect): a disconnect at once`);
      }
    }
  }

  /**
   * Ends a worker for a reason: its process group gets `signal` (SIGTERM, then SIGKILL after the
   * grace), and once it has exited it is retired with this rule. (Commands codex runs in its
   * sandbox are in sessions of their own: codex ends them on SIGTERM, not on SIGKILL.) An adopted worker has no process
   * here: it is retired at once, and its session is refused from its next call on.
   */
  private end(worker: WorkerRecord, signal: NodeJS.Signals, rule: string, reason: string): void {
    if (worker.process === null) {
      worker.exit = { at: Date.now(), rule, reason };
      this.emit({ kind: 'stop', agent: worker.name, rule, detail: reason });
      return;
    }
    if (worker.stopping !== null && signal !== 'SIGKILL') return;
    worker.stopping ??= { rule, reason };
    this.emit({ kind: 'stop', agent: worker.name, pid: worker.process.pid, rule, detail: `${reason} (${signal})` });
    const process = worker.process;
    process.signal(signal);
    if (signal !== 'SIGKILL') {
      setTimeout(() => {
        if (process.alive()) process.signal('SIGKILL');
      }, this.options.stopGraceMs).unref();
    }
  }

  /**
   * The team's rebalancing decision now, as the server takes it (TeamStore.rebalance: recorded in
   * the audit trail as `rebalance.decide` when it changed, with the settings the team's servers
   * use). A change of directives is announced: each directive with its rule and reason, and what
   * the decision read.
   */
  private async decide(state: TeamState): Promise<RebalanceDecision> {
    const outcome = await this.options.store.rebalance(state.snapshot.team.id, {
      notify: false,
      actorAgentId: state.snapshot.team.lead_agent_id,
      settings: rebalanceSettingsOf(this.options.recovery),
    });
    const decision = outcome.decision;
    if (decision.key !== this.previous?.key) {
      const { tasks, agents } = decision.facts;
      const inputs =
        `inputs: ${tasks.ready} ready, ${tasks.in_progress} in progress, ${tasks.blocked} blocked; ` +
        `${agents.starting} starting, ${agents.busy} busy, ${agents.idle} idle; cap ${decision.cap}, ceiling ${decision.ceiling}, --max-workers ${this.options.maxWorkers}`;
      const directives: { rule: string; what: string; reason: string }[] = [
        ...decision.spawn.map((d) => ({ rule: d.rule, what: `spawn ${d.count} ${d.role}`, reason: d.reason })),
        ...decision.retire.map((d) => ({ rule: d.rule, what: `retire ${this.nameOf(d.agent_id)}`, reason: d.reason })),
      ];
      if (directives.length === 0) this.emit({ kind: 'decision', rule: 'rebalance.decide', detail: `no directives; ${inputs}; ${decision.reasons.join('; ')}` });
      for (const d of directives) this.emit({ kind: 'decision', rule: d.rule, detail: `${d.what} (${d.rule}): ${d.reason}; ${inputs}` });
    }
    return decision;
  }

  private nameOf(agentId: string): string {
    return this.workers.find((worker) => worker.agentId === agentId)?.name ?? agentId;
  }

  /**
   * Ends the workers the decision retires (their process first; the retirement, with the
   * directive's rule and reason, once it has exited). A worker that holds a claim by now has
   * taken work since the decision's read, so it is left to the next decision.
   */
  private obey(state: TeamState, decision: RebalanceDecision): void {
    for (const order of decision.retire) {
      const worker = this.workers.find((candidate) => candidate.agentId === order.agent_id && candidate.exit === null && !candidate.retired);
      if (worker === undefined || worker.stopping !== null || claimsOf(state, worker.agentId).length > 0) continue;
      this.outcome.retiredByPolicy += 1;
      this.end(worker, 'SIGTERM', order.rule, this.retireReason(order));
    }
  }

  private retireReason(order: RetireDirective): string {
    return `${this.nameOf(order.agent_id)} retired by the rebalancing controller: ${order.reason}`;
  }

  private async merge(state: TeamState): Promise<number> {
    const git = this.options.worktrees;
    if (git === null) return 0;
    const pass = await mergeFinishedWork(state, git, this.options.lead, this.liveAgentIds());
    this.landed = pass.landed;
    for (const merged of pass.merged) {
      this.outcome.merges += 1;
      this.emit({ kind: 'merge', task: merged.task.id, detail: `merged ${merged.branch} ("${merged.task.title}") into ${git.base} (${merged.commit.slice(0, 10)})` });
    }
    for (const conflict of pass.conflicts) {
      this.outcome.conflicts.push({ task: conflict.task.id, branch: conflict.branch, files: conflict.files });
      this.emit({
        kind: 'conflict',
        task: conflict.conflictTaskId,
        detail: `merging ${conflict.branch} ("${conflict.task.title}") conflicts in ${conflict.files.join(', ')}: task ${conflict.conflictTaskId} resolves it`,
      });
    }
    return pass.waiting + pass.conflicts.length;
  }

  /** Starts the planner when there is none; a reason when planning has failed for good. */
  private async plan(state: TeamState): Promise<string | null> {
    if (this.workers.some((worker) => worker.kind === 'planner' && !worker.retired)) return null;
    const tried = state.snapshot.agents.filter((agent) => agent.role === 'planner').length;
    const attempts = this.options.plannerAttempts ?? 2;
    if (tried >= attempts) return `${tried} planner session(s) ended without creating a task`;
    if (this.countLive(this.workers, state) >= this.capOf(state)) return null;
    await this.launch(state, 'planner', 'planner');
    return null;
  }

  /**
   * Launches a worker per spawn directive's task that is ready now (a codex exec worker ends its
   * turn when it finds no ready work, so the runtime does not start one ahead of its work; it
   * starts in seconds once the work is ready), never past the caps: the slots workers hold
   * (countLive) stay within min(team cap with Codex's, --max-workers).
   */
  private async launchWanted(state: TeamState, decision: RebalanceDecision): Promise<void> {
    // Sessions that keep ending without work (Codex cannot reach its model, say) are not retried forever.
    if (this.emptySessions >= Math.max(3, 2 * this.capOf(state))) return;
    let room = this.capOf(state) - this.countLive(this.workers, state);
    for (const directive of decision.spawn) {
      let wanted = Math.min(directive.count, this.readyOf(state, directive).length);
      while (wanted > 0 && room > 0) {
        if (!(await this.launch(state, directive.role, 'worker', directive))) break;
        wanted -= 1;
        room -= 1;
      }
    }
  }

  /** The directive's tasks that are ready now, most urgent first. */
  private readyOf(state: TeamState, directive: SpawnDirective): Task[] {
    const byId = new Map(state.snapshot.tasks.map((task) => [task.id, task] as const));
    return directive.task_ids.flatMap((id) => {
      const task = byId.get(id);
      return task?.status === 'ready' ? [task] : [];
    });
  }

  /**
   * The task for a worktree worker of a spawn directive, in the directive's order (most urgent
   * first): ready, not given to a live worker yet, and every dependency's work merged, so its
   * worktree starts from a base that has it.
   */
  private taskFor(state: TeamState, directive: SpawnDirective): Task | undefined {
    const given = new Set(this.workers.filter((worker) => !worker.retired && worker.taskId !== null).map((worker) => worker.taskId));
    return this.readyOf(state, directive).find((task) => !given.has(task.id) && task.depends_on.every((dep) => this.landed.has(dep)));
  }

  /** Spawns an agent (its join ticket goes into the prompt) and launches its codex exec; a worker's for a spawn directive. */
  private async launch(state: TeamState, role: string, kind: 'planner' | 'worker', directive?: SpawnDirective): Promise<boolean> {
    const git = kind === 'worker' ? this.options.worktrees : null;
    const task = git === null || directive === undefined ? undefined : this.taskFor(state, directive);
    if (git !== null && task === undefined) return false;
    this.nameSeq = Math.max(this.nameSeq, state.snapshot.agents.length) + 1;
    const name = `${role}-${this.nameSeq}`;
    let spawned;
    try {
      spawned = await this.options.lead.call('team_spawn', { name, role });
    } catch (error) {
      if (isTeamError(error) && ['LIMIT_EXCEEDED', 'CONFLICT', 'DENIED', 'BUSY', 'TEAM_FINALIZED'].includes(error.code)) {
        this.emit({ kind: 'refused', agent: name, role, detail: `team_spawn refused: ${error.code}: ${error.message}` });
        return false;
      }
      throw error;
    }
    const context: PromptContext = {
      serverName: this.options.serverName,
      teamName: state.snapshot.team.name,
      objective: state.snapshot.team.objective,
      agentName: name,
      role,
      joinTicket: spawned.join_ticket,
    };
    let cwd = this.options.workdir;
    let prompt = kind === 'planner' ? plannerPrompt(context) : workerPrompt(context);
    if (git !== null && task !== undefined) {
      const conflicting = conflictBranchOf(task);
      cwd = conflicting === null ? await git.add(name) : await git.addForConflict(name, conflicting);
      prompt = worktreeWorkerPrompt(context, task, git.branchOf(name));
    }
    const process = this.options.launcher.launch({ prompt, cwd, logPath: join(this.options.logDir, `${name}.log`) });
    const worker: WorkerRecord = {
      agentId: spawned.agent.id,
      name,
      role,
      kind,
      process,
      launchedAt: Date.now(),
      stopping: null,
      taskId: task?.id ?? null,
      exit: null,
      retired: false,
    };
    this.workers.push(worker);
    this.outcome.launched += 1;
    void process.exited.then((exit) => this.exited(worker, exit));
    this.emit({
      kind: kind === 'planner' ? 'plan' : 'launch',
      agent: name,
      role,
      pid: process.pid,
      ...(task === undefined ? {} : { task: task.id }),
      detail: `${name} started (pid ${process.pid}, agent ${spawned.agent.id})${task === undefined ? '' : ` for "${task.title}" in ${cwd}`}`,
    });
    return true;
  }

  private exited(worker: WorkerRecord, exit: WorkerExit): void {
    const stopped = worker.stopping;
    worker.exit = { at: exit.at, rule: stopped?.rule ?? RUNTIME_RULES.exited, reason: stopped?.reason ?? `${worker.name}: ${describeExit(exit)}` };
    this.outcome.exits += 1;
    this.emit({ kind: 'exit', agent: worker.name, pid: worker.process?.pid ?? 0, rule: worker.exit.rule, detail: `${worker.name}: ${describeExit(exit)}` });
    this.wake?.();
  }

  /** Whether the run is over: every task done, or nothing left that could make progress. */
  private endOf(state: TeamState, waitingMerges: number): { status: RunStatus; reason: string } | null {
    const tasks = state.snapshot.tasks;
    const giveUpAfter = Math.max(3, 2 * this.capOf(state));
    if (this.emptySessions >= giveUpAfter && this.active().length === 0) {
      return {
        status: 'incomplete',
        reason: `${this.emptySessions} worker sessions in a row ended without claiming a task (see their logs in ${this.options.logDir})`,
      };
    }
    const live = this.workers.filter((worker) => !worker.retired || (worker.process?.alive() ?? false)).length;
    if (live > 0 || waitingMerges > 0) return null;
    if (tasks.length > 0 && tasks.every((task) => task.status === 'done')) return { status: 'done', reason: `all ${tasks.length} tasks are done` };
    const moving = tasks.filter((task) => task.status === 'ready' || task.status === 'in_progress').length;
    if (moving === 0 || this.active().length === 0) {
      const open = tasks.filter((task) => !TERMINAL_TASK_STATUSES.includes(task.status));
      const failed = tasks.filter((task) => task.status === 'failed');
      if (moving > 0 && this.previous !== null && this.previous.spawn.length > 0) return null;
      const unmet = this.previous?.unmet.map((work) => `${work.task_ids.length} ${work.role} task(s): ${work.reason}`) ?? [];
      return {
        status: 'incomplete',
        reason:
          `${failed.length} task(s) failed and ${open.length} cannot progress` +
          (moving > 0 ? ` (${moving} ready, but the rebalancing controller spawns no worker: ${[...unmet, ...(this.previous?.reasons ?? [])].join('; ')})` : ''),
      };
    }
    return null;
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, this.options.tickMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  /** Ctrl-C: every worker is stopped and retired with the reason; the team stays for --resume. */
  private async interrupt(): Promise<RunOutcome> {
    const reason = 'codex-team run was interrupted (SIGINT): the operator stopped the run; resume it with codex-team run --resume';
    for (const worker of this.workers) if (worker.exit === null && !worker.retired) this.end(worker, 'SIGTERM', RUNTIME_RULES.interrupted, reason);
    await Promise.all(this.workers.map((worker) => worker.process?.exited));
    const state = await this.retireEnded(await this.read());
    return this.finish(state, 'interrupted', reason);
  }

  private async finish(state: TeamState, status: RunStatus, reason: string): Promise<RunOutcome> {
    for (const worker of this.workers) if (worker.process?.alive() === true) this.end(worker, 'SIGTERM', RUNTIME_RULES.interrupted, `the run ended: ${reason}`);
    await Promise.all(this.workers.map((worker) => worker.process?.exited));
    state = await this.retireEnded(await this.read());
    const count = (status: Task['status']): number => state.snapshot.tasks.filter((task) => task.status === status).length;
    if (status === 'done' && state.snapshot.team.state === 'active') {
      await this.options.lead.call('team_finalize', {
        summary: `codex-team run: ${reason}; ${this.outcome.launched} worker session(s), ${this.outcome.reclaims.length} recovered, ${this.outcome.merges} merge(s)`,
      });
    }
    const total = state.snapshot.tasks.length;
    return {
      ...this.outcome,
      status,
      reason,
      tasks: { total, done: count('done'), failed: count('failed'), cancelled: count('cancelled'), open: total - count('done') - count('failed') - count('cancelled') },
      elapsedMs: Date.now() - this.started,
    };
  }
}

import type { Message, TeamId, ToolOutput } from '@codex-team/contracts';
import type { RecoveryResult, RecoveryScope, RecoveryStep, RecoveryTeamView, RecoveryView, TeamStore } from '@codex-team/store';
import { decideRecovery, type RetireRequest } from './decide-recovery';
import { rebalanceSettingsOf, type RecoveryPolicy } from './recovery-policy';

/** The part of a pino logger recovery uses (pino's Logger fits). */
export interface RecoveryLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** What a step did, as the audit trail, team_recover and `codex-team recover` name it. */
export function recoveryActionOf(step: RecoveryStep): { action: RecoveryAction['action']; subject_id: string } {
  switch (step.kind) {
    case 'reclaim_task':
      return { action: 'task.recover', subject_id: step.taskId };
    case 'mark_agent_lost':
      return { action: 'agent.lost', subject_id: step.agentId };
    case 'retire_agent':
      return { action: 'agent.retire', subject_id: step.agentId };
    case 'finalize_team':
      return { action: 'team.finalize', subject_id: step.teamId };
    case 'expire_mode':
      return { action: 'mode.expire', subject_id: step.teamId };
    case 'checkpoint_team':
      return { action: 'team.checkpoint', subject_id: step.teamId };
    case 'report_lead_lost':
      return { action: 'team.lead_lost', subject_id: step.teamId };
  }
}

type RecoveryAction = ToolOutput<'team_recover'>['actions'][number];

/**
 * The RecoveryAction hooks of a process (mcp-server runs them): asked about the decided steps
 * before they are applied, outside any transaction, and told about the applied ones after. The
 * store's compare-and-set still re-checks every step it applies, so a slow hook only delays it.
 */
export interface RecoveryHooks {
  /** The steps the Pre hooks let through (a blocked step is skipped this sweep; the next sweep asks again). */
  before(steps: readonly RecoveryStep[], view: RecoveryView): Promise<RecoveryStep[]>;
  /** The Post hooks of the applied steps; never fails the sweep. */
  after(result: RecoveryResult, view: RecoveryView): Promise<void>;
}

export interface SweepReport extends RecoveryResult {
  /** The store's time of the view the steps were decided on. */
  now: number;
  /** Claims in flight and agents the decision looked at. */
  considered: { teams: number; claims: number; agents: number };
  /** The rebalancing decisions of the active teams in scope: how many were new enough to record, and the notices sent. */
  rebalanced: { teams: number; recorded: number; notices: Message[] };
}

/** What one sweep is asked to do besides deciding recovery. */
export interface SweepOptions {
  /** Teammates a supervisor saw end (codex-team run): retired in the same plan. @default none */
  retire?: readonly RetireRequest[];
  /**
   * Whether this sweep takes the team's rebalancing decision, given the team as the view saw it
   * (its audit head) and the store's time of the view.
   * @default every team, every sweep
   */
  rebalanceDue?: (team: Pick<RecoveryTeamView, 'teamId' | 'stateHead'>, now: number) => boolean;
}

/**
 * How often at most a timer sweep of one process takes a team's rebalancing decision. A decision
 * reads the team's whole DAG (several ms at 1,000 open tasks) and every server process of a team
 * sweeps: at short sweep intervals (tests sweep every 250 ms) deciding on every tick took the CPU
 * the agents it decides about needed. Explicit sweeps (team_recover, team_resume, `codex-team
 * recover`, the managed runtime) always decide; the lead's team_status only reads the decision.
 */
export const TIMER_REBALANCE_EVERY_MS = 1_000;

/**
 * How often at most a timer sweep of one process decides a team whose state has not changed since
 * its last decision (the same audit head): only time moves such a decision (the hysteresis, the
 * silence of an agent, work expected within a horizon), and every rule of time it has counts in
 * tens of seconds.
 */
export const QUIET_REBALANCE_EVERY_MS = 5_000;

/**
 * Rebalances each team (TeamStore.rebalance with notices: the sweep is how a change of directives
 * reaches the lead unasked, once). A team whose decision fails is logged and left to a later sweep.
 */
async function rebalanceTeams(
  store: TeamStore,
  view: RecoveryView,
  policy: RecoveryPolicy,
  due: (team: RecoveryTeamView) => boolean,
  logger?: RecoveryLogger,
): Promise<SweepReport['rebalanced']> {
  const report: SweepReport['rebalanced'] = { teams: 0, recorded: 0, notices: [] };
  for (const team of view.teams) {
    if (!due(team)) continue;
    const { teamId } = team;
    try {
      const outcome = await store.rebalance(teamId as TeamId, { notify: true, settings: rebalanceSettingsOf(policy) });
      report.teams += 1;
      if (outcome.recorded) report.recorded += 1;
      if (outcome.notice !== null) report.notices.push(outcome.notice);
    } catch (error) {
      logger?.warn({ err: error, team_id: teamId }, 'rebalancing failed; a later sweep decides again');
    }
  }
  return report;
}

/**
 * One sweep, the only periodic sweep of a process: read one view, decide (decideRecovery: leases,
 * lost and idle teammates, idle teams, mode lapses, checkpoints due), and apply the steps in one
 * store transaction;
 * then take each active team's rebalancing decision (TeamStore.rebalance), recorded and announced
 * to its lead only when it changed. Nothing is written when nothing is due, so quiet sweeps never
 * take the write lock. Each applied step and decision is logged with the rule that decided it;
 * steps another sweep applied first are skipped, and a change another sweep recorded first is not
 * recorded or announced again.
 */
export async function runRecoverySweep(
  store: TeamStore,
  policy: RecoveryPolicy,
  scope: RecoveryScope = {},
  logger?: RecoveryLogger,
  hooks?: RecoveryHooks,
  options: SweepOptions = {},
): Promise<SweepReport> {
  const view = await store.recoveryView(scope);
  const retire = options.retire ?? [];
  const rebalanceDue = options.rebalanceDue;
  const due = rebalanceDue === undefined ? () => true : (team: RecoveryTeamView) => rebalanceDue(team, view.now);
  const considered = {
    teams: view.teams.length,
    claims: view.teams.reduce((sum, team) => sum + team.claims.length, 0),
    agents: view.teams.reduce((sum, team) => sum + team.agents.length, 0),
  };
  const decided = decideRecovery(view, policy, retire);
  const steps = hooks === undefined || decided.length === 0 ? decided : await hooks.before(decided, view);
  if (steps.length === 0) {
    return { now: view.now, considered, applied: [], skipped: [], notices: [], rebalanced: await rebalanceTeams(store, view, policy, due, logger) };
  }
  const result = await store.applyRecovery({ steps });
  if (hooks !== undefined && result.applied.length > 0) await hooks.after(result, view);
  for (const { step, outcome } of result.applied) {
    logger?.info(
      {
        rule: step.rule,
        team_id: step.teamId,
        subject_id: recoveryActionOf(step).subject_id,
        expected: step.expect,
        outcome,
        now: view.now,
      },
      `recovery: ${step.reason}`,
    );
  }
  if (result.skipped.length > 0) {
    logger?.info({ skipped: result.skipped.length, considered }, 'recovery: steps skipped, their rows changed since the decision');
  }
  // After recovery: a claim taken back or an agent lost changes what the controller sees.
  return { now: view.now, considered, ...result, rebalanced: await rebalanceTeams(store, view, policy, due, logger) };
}

/**
 * Whether a timer sweep decides a team again, after `last` (this process's last decision of it, if
 * any): never within TIMER_REBALANCE_EVERY_MS, and while the team's audit head has not moved, only
 * every QUIET_REBALANCE_EVERY_MS.
 */
export function timerRebalanceDue(last: { at: number; head: number } | undefined, head: number, now: number): boolean {
  if (last === undefined) return true;
  const since = now - last.at;
  return since >= TIMER_REBALANCE_EVERY_MS && (head !== last.head || since >= QUIET_REBALANCE_EVERY_MS);
}

/**
 * Sweeps of one process, one at a time: a timer tick while a sweep runs is dropped, an explicit
 * sweep (team_recover, team_resume) waits for the running one and then runs. Across processes the
 * store's write transaction and its compare-and-set steps keep concurrent sweeps from doing any
 * step twice.
 */
export class RecoverySweeper {
  private running: Promise<unknown> = Promise.resolve();
  /** Sweeps started and not finished yet (running or queued). */
  private pending = 0;
  /** This process's last rebalancing decision per team: the store's time, and the team's audit head then. */
  private readonly rebalanced = new Map<string, { at: number; head: number }>();

  constructor(
    private readonly store: TeamStore,
    private readonly policy: RecoveryPolicy,
    private readonly logger?: RecoveryLogger,
    private readonly hooks?: RecoveryHooks,
  ) {}

  /** Runs a sweep after any sweep of this process that is still running. */
  sweep(scope: RecoveryScope = {}): Promise<SweepReport> {
    return this.queue(scope, (team, now) => this.noteRebalanced(team, now));
  }

  private queue(scope: RecoveryScope, rebalanceDue: NonNullable<SweepOptions['rebalanceDue']>): Promise<SweepReport> {
    this.pending += 1;
    const next = this.running
      .then(() => runRecoverySweep(this.store, this.policy, scope, this.logger, this.hooks, { rebalanceDue }))
      .finally(() => {
        this.pending -= 1;
      });
    this.running = next.catch(() => undefined);
    return next;
  }

  /** Settles once every sweep started so far has finished (before closing the store). */
  async settled(): Promise<void> {
    await this.running;
  }

  /** A timer's sweep: skipped (null) while another sweep of this process runs; never rejects. */
  async tick(): Promise<SweepReport | null> {
    if (this.pending > 0) return null;
    return this.settle(
      this.queue({}, (team, now) => timerRebalanceDue(this.rebalanced.get(team.teamId), team.stateHead, now) && this.noteRebalanced(team, now)),
      {},
    );
  }

  private noteRebalanced(team: Pick<RecoveryTeamView, 'teamId' | 'stateHead'>, now: number): true {
    this.rebalanced.set(team.teamId, { at: now, head: team.stateHead });
    return true;
  }

  /**
   * The process's one sweep timer: a sweep every `policy.sweepEveryMs` (none when 0) until the
   * returned stop is called; the timer never keeps the process alive. Stopping waits for a sweep
   * in progress.
   */
  start(): () => Promise<void> {
    const timer = this.policy.sweepEveryMs > 0 ? setInterval(() => void this.tick(), this.policy.sweepEveryMs).unref() : null;
    return async () => {
      if (timer !== null) clearInterval(timer);
      await this.settled();
    };
  }

  /** A sweep whose failure (e.g. BUSY) is logged and answered with null instead of rejecting. */
  async trySweep(scope: RecoveryScope = {}): Promise<SweepReport | null> {
    return this.settle(this.sweep(scope), scope);
  }

  private async settle(sweep: Promise<SweepReport>, scope: RecoveryScope): Promise<SweepReport | null> {
    try {
      return await sweep;
    } catch (error) {
      this.logger?.warn({ err: error, team_id: scope.teamId ?? null }, 'recovery sweep failed; a later sweep tries again');
      return null;
    }
  }
}

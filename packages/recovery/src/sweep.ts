import type { ToolOutput } from '@codex-team/contracts';
import type { RecoveryResult, RecoveryScope, RecoveryStep, RecoveryView, TeamStore } from '@codex-team/store';
import { decideRecovery } from './decide-recovery';
import type { RecoveryPolicy } from './recovery-policy';

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
}

/**
 * One sweep, the only liveness sweep of a process: read one view, decide (decideRecovery: leases,
 * lost and idle teammates, idle teams, mode lapses, checkpoints due), and apply the steps in one
 * store transaction.
 * Nothing is written when nothing is due, so quiet sweeps never take the write lock. Each applied
 * step is logged with the rule that decided it; steps another sweep applied first are skipped.
 */
export async function runRecoverySweep(
  store: TeamStore,
  policy: RecoveryPolicy,
  scope: RecoveryScope = {},
  logger?: RecoveryLogger,
  hooks?: RecoveryHooks,
): Promise<SweepReport> {
  const view = await store.recoveryView(scope);
  const considered = {
    teams: view.teams.length,
    claims: view.teams.reduce((sum, team) => sum + team.claims.length, 0),
    agents: view.teams.reduce((sum, team) => sum + team.agents.length, 0),
  };
  const decided = decideRecovery(view, policy);
  const steps = hooks === undefined || decided.length === 0 ? decided : await hooks.before(decided, view);
  if (steps.length === 0) return { now: view.now, considered, applied: [], skipped: [], notices: [] };
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
  return { now: view.now, considered, ...result };
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

  constructor(
    private readonly store: TeamStore,
    private readonly policy: RecoveryPolicy,
    private readonly logger?: RecoveryLogger,
    private readonly hooks?: RecoveryHooks,
  ) {}

  /** Runs a sweep after any sweep of this process that is still running. */
  sweep(scope: RecoveryScope = {}): Promise<SweepReport> {
    this.pending += 1;
    const next = this.running
      .then(() => runRecoverySweep(this.store, this.policy, scope, this.logger, this.hooks))
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
    return this.trySweep();
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
    try {
      return await this.sweep(scope);
    } catch (error) {
      this.logger?.warn({ err: error, team_id: scope.teamId ?? null }, 'recovery sweep failed; a later sweep tries again');
      return null;
    }
  }
}

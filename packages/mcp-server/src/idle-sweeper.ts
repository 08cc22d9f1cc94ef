import type { TeamId } from '@codex-team/contracts';
import type { SweepResult, TeamStore } from '@codex-team/store';
import type { Logger } from 'pino';

/** How often a server process sweeps its team for idleness. */
export const IDLE_SWEEP_INTERVAL_MS = 30_000;

/**
 * Runs the idle sweep of the teams it is given, on the store's (the server's) clock: agents idle
 * past their profile's timeout are marked or retired, a team idle past its timeout is finalized.
 * The decisions are the team policy's, made inside the store's transaction; this only schedules
 * them and logs what happened. A failed sweep is logged and tried again next time.
 */
export class IdleSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly store: TeamStore,
    private readonly logger: Logger,
    /** The teams to sweep now (a stdio server: the team its session is bound to, if any). */
    private readonly teams: () => readonly TeamId[],
  ) {}

  /** One sweep of every team; resolves with what it did per team. Never rejects. */
  async sweepOnce(): Promise<Map<TeamId, SweepResult>> {
    const results = new Map<TeamId, SweepResult>();
    for (const teamId of this.teams()) {
      try {
        const result = await this.store.sweepIdle(teamId);
        results.set(teamId, result);
        for (const step of result.agents) {
          this.logger.info({ team_id: teamId, agent_id: step.agent_id, outcome: step.action, reason: step.reason }, 'idle sweep');
        }
        if (result.finalized) this.logger.info({ team_id: teamId, outcome: 'finalized' }, 'idle sweep');
      } catch (error) {
        this.logger.warn({ err: error, team_id: teamId }, 'idle sweep failed; trying again next time');
      }
    }
    return results;
  }

  /** Sweeps every `intervalMs` until stopped; the timer never keeps the process alive. */
  start(intervalMs: number = IDLE_SWEEP_INTERVAL_MS): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      this.running ??= this.sweepOnce().finally(() => {
        this.running = null;
      });
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}

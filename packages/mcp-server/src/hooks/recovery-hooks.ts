import { isTeamError, type HookEventName, type HookInput } from '@codex-team/contracts';
import { auditedRun, type HookEngine, type HookOutcome, type HookRegistry } from '@codex-team/hooks';
import { recoveryActionOf, type RecoveryHooks } from '@codex-team/recovery';
import { notCountedAgainstBusyDeadline, type RecoveryResult, type RecoveryStep, type RecoveryTeamView, type RecoveryView, type TeamStore } from '@codex-team/store';
import type { Logger } from 'pino';

/** The agent a step is about: the one it marks or retires, or the holder of the claim it takes back. */
function agentOf(step: RecoveryStep, team: RecoveryTeamView | undefined): { id: string; name: string; role: string } | null {
  const id = step.kind === 'reclaim_task' ? step.expect.ownerAgentId : step.kind === 'retire_agent' || step.kind === 'mark_agent_lost' ? step.agentId : null;
  const agent = id === null ? undefined : team?.agents.find((candidate) => candidate.id === id);
  return agent === undefined ? null : { id: agent.id, name: agent.name, role: agent.role };
}

/**
 * The RecoveryAction hooks of this process's sweeps: each decided step is put to the Pre hooks of
 * its team (outside any transaction), a blocked step is skipped for this sweep and audited as
 * `hook.block` (the next sweep asks again), and the Post hooks hear of every applied step. A team
 * with no such hook costs nothing.
 */
export class RecoveryHookGate implements RecoveryHooks {
  constructor(
    private readonly registry: HookRegistry,
    private readonly engine: HookEngine,
    private readonly store: TeamStore,
    private readonly logger: Logger,
  ) {}

  async before(steps: readonly RecoveryStep[], view: RecoveryView): Promise<RecoveryStep[]> {
    const verdicts = await Promise.all(
      steps.map(async (step) => {
        const outcome = await this.run('PreRecoveryAction', step, view, null);
        if (outcome?.decision !== 'block') return step;
        try {
          await this.store.recordHookBlock({ teamId: step.teamId, agentId: null, tool: 'recovery', subjectId: recoveryActionOf(step).subject_id, outcome });
        } catch (error) {
          // recordHookBlock answers with the block itself once recorded; anything else is logged.
          if (!isTeamError(error) || error.code !== 'HOOK_BLOCKED') this.logger.warn({ err: error, rule: step.rule }, 'could not audit a blocked recovery step');
        }
        return null;
      }),
    );
    return verdicts.filter((step): step is RecoveryStep => step !== null);
  }

  async after(result: RecoveryResult, view: RecoveryView): Promise<void> {
    await Promise.all(result.applied.map(({ step, outcome }) => this.run('PostRecoveryAction', step, view, { outcome })));
  }

  private async run(event: HookEventName, step: RecoveryStep, view: RecoveryView, output: Record<string, unknown> | null): Promise<HookOutcome | null> {
    const team = view.teams.find((candidate) => candidate.teamId === step.teamId);
    const agent = agentOf(step, team);
    const hooks = this.registry.hooksFor(event, team?.settings ?? null, agent?.role ?? null);
    if (hooks.length === 0) return null;
    const action = recoveryActionOf(step);
    const input: HookInput = {
      hook_event_name: event,
      tool: null,
      team:
        team === undefined
          ? null
          : { id: team.teamId, name: team.name, profile: team.profile, mode: team.mode.current, ...(team.parent === null ? {} : { parent_team_id: team.parent.teamId }) },
      agent,
      task: null,
      input: { kind: step.kind, action: action.action, subject_id: action.subject_id, rule: step.rule, reason: step.reason },
      output,
    };
    try {
      // A hook's own time is not time spent waiting for the store (see notCountedAgainstBusyDeadline).
      const outcome = await notCountedAgainstBusyDeadline(() => this.engine.run(event, hooks, input));
      this.logger.info({ event, team_id: step.teamId, rule: step.rule, decision: outcome.decision, runs: outcome.runs.map(auditedRun) }, `hooks ran for ${event}`);
      return outcome;
    } catch (error) {
      this.logger.warn({ err: error, event, rule: step.rule }, 'recovery hooks failed');
      return null;
    }
  }
}

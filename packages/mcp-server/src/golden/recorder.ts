import type { ErrorBody, TeamId } from '@codex-team/contracts';
import type { InProcessSession, InProcessTeam } from '../testing/in-process-team';
import { errorBodyOf } from '../testing/tool-caller';
import { BASELINE_ACTIONS, Normalizer } from './normalize';

/**
 * A refusal as the fixtures freeze it: the stable code and its details. The message is prose for
 * the model and may be reworded without changing behaviour.
 */
function errorOutcome(body: ErrorBody): Record<string, unknown> {
  return body.details === undefined ? { code: body.code } : { code: body.code, details: body.details };
}

/** What a golden fixture holds: each step of a flow and the team's audit trail at its end. */
export interface GoldenDocument {
  flow: string;
  steps: unknown[];
  audit: unknown[];
}

/**
 * Drives one baseline flow through real MCP sessions and records every call as it went: who
 * called which tool with what, and the output or the error body. The clock moves one second
 * before each call so every time in the record is distinct and meaningful.
 */
export class FlowRecorder {
  private readonly steps: { who: string; tool?: string; args?: unknown; result: unknown }[] = [];
  private readonly normalizer: Normalizer;
  private readonly names = new Map<InProcessSession, string>();

  constructor(readonly team: InProcessTeam) {
    this.normalizer = new Normalizer(team.clock.now());
  }

  /** Names a session in the record (`lead`, `ann`, ...). */
  as(session: InProcessSession, name: string): InProcessSession {
    this.names.set(session, name);
    return session;
  }

  /** One tool call, recorded; returns the output (or `{ error }`) for the flow to use. */
  async call<T = Record<string, unknown>>(session: InProcessSession, tool: string, args: Record<string, unknown> = {}): Promise<T> {
    this.team.clock.advance(1_000);
    const raw = await session.caller.call(tool, args);
    const result = raw.isError === true ? { error: errorOutcome(errorBodyOf(tool, raw)) } : raw.structuredContent;
    this.steps.push({ who: this.names.get(session) ?? 'unnamed', tool, args, result });
    return result as T;
  }

  /**
   * Moves the clock and runs the process's sweep, recording what it did to the idle teammates and
   * teams of the flow, per team: retirements, and whether the team was finalized.
   */
  async sweepAfter(ms: number): Promise<void> {
    this.team.clock.advance(ms);
    const report = await this.team.sweeper.sweep();
    const result: Record<string, { agents: { agent_id: string; action: string; reason: string }[]; finalized: boolean }> = {};
    for (const teamId of this.team.teamIds) result[teamId] = { agents: [], finalized: false };
    for (const { step } of report.applied) {
      const entry = result[step.teamId];
      if (entry === undefined) continue;
      if (step.kind === 'retire_agent') entry.agents.push({ agent_id: step.agentId, action: 'retire', reason: step.reason });
      if (step.kind === 'finalize_team') entry.finalized = true;
    }
    this.steps.push({ who: 'idle-sweep', result });
  }

  /** The normalised document: steps, then the team's baseline audit trail. */
  async document(flow: string, teamId: TeamId): Promise<GoldenDocument> {
    const events = (await this.team.store.listAuditEvents(teamId, { limit: 10_000 })).filter((e) => BASELINE_ACTIONS.has(e.action));
    return {
      flow,
      steps: this.normalizer.value(this.steps) as unknown[],
      audit: this.normalizer.value(events) as unknown[],
    };
  }
}

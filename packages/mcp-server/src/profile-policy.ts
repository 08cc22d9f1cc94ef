import { TeamError, type Profile, type Team, type UsageSample } from '@codex-team/contracts';
import {
  assertBudgetAllows,
  chargeUsage,
  decideModeGate,
  decideModeTransition,
  earlyStopVerdict,
  effectiveThreadCap,
  idleVerdict,
  teamIdleVerdict,
  type CodexThreadCap,
  type ProfileCatalog,
} from '@codex-team/policy-engine';
import type {
  AdmissionFacts,
  ModeChangeDecision,
  ModeChangeFacts,
  ModeGateFacts,
  SweepFacts,
  SweepPlan,
  TeamPolicy,
  ThreadCapVerdict,
  UsageCharge,
} from '@codex-team/store';
import type { Logger } from 'pino';

/**
 * The team policy every store of a server process consults: the team's current profile, looked up
 * by name in the catalog on every decision (so a switch made by any process applies to the next
 * decision), decided by the pure policy engine, and logged with its inputs, rule and outcome.
 */
export class ProfilePolicy implements TeamPolicy {
  constructor(
    private readonly profiles: ProfileCatalog,
    private readonly logger: Logger,
    /** Codex's own thread cap, when `codex-team install` told this server (`--codex-thread-cap`). */
    private readonly codex?: CodexThreadCap,
  ) {}

  /** The team's current profile; NOT_FOUND when no profile directory of this process has it. */
  profileOf(team: Pick<Team, 'profile'>): Profile {
    return this.profiles.find(team.profile).profile;
  }

  threadCap(team: Team): ThreadCapVerdict {
    const { cap, reason } = effectiveThreadCap({ profile: this.profileOf(team), maxThreads: team.max_threads, codex: this.codex });
    return { cap, reason };
  }

  admit(facts: AdmissionFacts): void {
    const profile = this.profileOf(facts.team);
    const inputs = { action: facts.action, used_tokens: facts.usedTokens, hard_tokens: profile.budget.hard_tokens };
    try {
      assertBudgetAllows(profile, facts.usedTokens, facts.action);
    } catch (error) {
      this.decided(facts.team, 'budget.hard_tokens', inputs, 'deny', error instanceof Error ? error.message : String(error));
      throw error;
    }
    // Once every task is finished there is nothing to claim anyway; the refusal matters when the
    // lead declared consensus with work still open.
    if (facts.action !== 'claim' || facts.consensusAt === null) return;
    const stop = earlyStopVerdict(profile, facts.tasksByStatus, facts.consensusAt);
    if (stop.verdict === 'stop') {
      this.decided(facts.team, stop.rule, { ...inputs, tasks_by_status: facts.tasksByStatus, consensus_at: facts.consensusAt }, 'deny', stop.reason);
      throw new TeamError('CONFLICT', `the team is ready to finalize, so no new claims: ${stop.reason}`, {
        rule: stop.rule,
        reason: stop.reason,
      });
    }
  }

  charge(team: Team, usedTokens: number, sample: UsageSample): UsageCharge {
    const profile = this.profileOf(team);
    const charge = chargeUsage(profile, usedTokens, sample);
    const crossed = charge.crossed === null ? '' : `; crossed the ${charge.crossed} budget`;
    const reason = `charged ${charge.charged_tokens} tokens${crossed}: ${charge.budget.reason}`;
    if (charge.crossed !== null) {
      this.decided(team, `budget.${charge.crossed}_tokens`, { used_tokens: charge.used_tokens, charged: charge.charged_tokens }, charge.budget.state, reason);
    }
    return { tokens: charge.charged_tokens, reason, crossed: charge.crossed };
  }

  sweep(facts: SweepFacts): SweepPlan {
    const profile = this.profileOf(facts.team);
    const plan: SweepPlan = { agents: [], finalizeTeam: null };
    for (const { agent, lastActivityAt, idleSince } of facts.agents) {
      // An invited agent that never joined has not been seen at all: its idle clock runs from its spawn.
      const neverSeen = agent.joined_at === null && agent.last_seen_at === null;
      const verdict = idleVerdict({
        profile,
        now: facts.now,
        lastSeenAt: neverSeen ? null : lastActivityAt,
        createdAt: Date.parse(agent.created_at),
      });
      const action =
        verdict.verdict === 'retire' ? 'retire' : verdict.verdict === 'idle' ? (idleSince === null ? 'idle' : null) : idleSince !== null ? 'active' : null;
      if (action === null) continue;
      plan.agents.push({ agentId: agent.id, action, rule: verdict.rule, reason: verdict.reason });
      this.decided(facts.team, verdict.rule, { agent_id: agent.id, idle_ms: verdict.idle_ms }, action, verdict.reason);
    }
    const team = teamIdleVerdict({ profile, now: facts.now, lastActivityAt: facts.lastActivityAt });
    if (team.verdict === 'idle') {
      plan.finalizeTeam = { rule: team.rule, reason: team.reason };
      this.decided(facts.team, team.rule, { idle_ms: team.idle_ms }, 'finalize', team.reason);
    }
    return plan;
  }

  changeMode(facts: ModeChangeFacts): ModeChangeDecision {
    const from = facts.team.mode;
    const decision = decideModeTransition({ from, to: facts.to, ttlMs: facts.ttlMs, leadHeldTaskIds: facts.leadHeldTaskIds });
    const inputs = { from: from.current, to: facts.to, ttl_ms: facts.ttlMs ?? null, lead_held: facts.leadHeldTaskIds.length };
    this.decided(facts.team, decision.rule, inputs, decision.decision, decision.reason);
    if (decision.decision === 'deny') {
      throw new TeamError('CONFLICT', `cannot change the mode from ${from.current} to ${facts.to}: ${decision.reason}`, {
        rule: decision.rule,
        from: from.current,
        to: facts.to,
      });
    }
    return { rule: decision.rule, because: decision.reason };
  }

  gateMode(facts: ModeGateFacts): void {
    const mode = facts.team.mode.current;
    const decision = decideModeGate(mode, facts);
    if (decision.decision === 'allow') return;
    this.decided(facts.team, decision.rule, { mode, tool: facts.tool, lead: facts.callerIsLead }, 'deny', decision.reason);
    throw new TeamError('DENIED', `${facts.tool} refused in ${mode} mode: ${decision.reason}`, { rule: decision.rule, mode });
  }

  private decided(team: Pick<Team, 'id' | 'profile'>, rule: string, inputs: Record<string, unknown>, outcome: string, reason: string): void {
    this.logger.info({ team_id: team.id, profile: team.profile, rule, inputs, outcome, reason }, 'policy decision');
  }
}

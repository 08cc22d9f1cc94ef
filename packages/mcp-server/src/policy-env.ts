import { DEFAULTS, isTeamError, type Profile, type Team, type TeamError, type ToolName } from '@codex-team/contracts';
import type { CodexThreadCap, ProfileCatalog } from '@codex-team/policy-engine';
import type { Actor, TeamStore } from '@codex-team/store';
import type { Logger } from 'pino';

/** The key `codex-team install` registers the server under unless told otherwise. */
export const DEFAULT_CODEX_SERVER_KEY = 'team';

/**
 * What handlers know of policy: the profiles of this process and the `--lease-ms` override. The
 * team's profile is looked up on every call (the team row is read fresh by each call's binding
 * check), so a switch by any process applies from the next call on.
 */
export class PolicyEnv {
  constructor(
    readonly profiles: ProfileCatalog,
    /** When set (`--lease-ms`), every claim's lease has this length whatever the profile says. */
    readonly leaseOverrideMs: number | undefined,
    /** Codex's own thread cap (`--codex-thread-cap`), which caps spawn hints; undefined: unknown. */
    readonly codexThreadCap?: CodexThreadCap,
    /** The key Codex registered this server under (`install --name`): the model sees `mcp__<key>`. */
    readonly codexServerKey: string = DEFAULT_CODEX_SERVER_KEY,
  ) {}

  /** The team's current profile; NOT_FOUND when this process cannot load it. */
  profileOf(team: Pick<Team, 'profile'>): Profile {
    return this.profiles.find(team.profile).profile;
  }

  /** The profile a new team gets: the named one, else the default. */
  profileNamed(name: string | undefined): Profile {
    return this.profiles.find(name ?? DEFAULTS.profile).profile;
  }

  /** The lease of a claim made now: the override, else the team profile's lease.length_ms. */
  leaseMsFor(team: Pick<Team, 'profile'>): number {
    return this.leaseOverrideMs ?? this.profileOf(team).lease.length_ms;
  }
}

/** The rule a policy refusal names in its details, if the error is one. */
export function refusalRule(error: unknown): string | null {
  if (!isTeamError(error)) return null;
  const rule = error.details?.['rule'];
  return typeof rule === 'string' ? rule : null;
}

export interface RefusalContext {
  store: TeamStore;
  logger: Logger;
  actor: Actor;
}

/**
 * Runs a call and, when the team's policy refuses it (a TeamError naming its `rule`: budget,
 * early stop, message size), records the refusal as a `policy.deny` audit event before the error
 * goes back to the caller. The refused operation itself changed nothing; recording the denial is
 * best effort and never hides the refusal.
 */
export async function auditingRefusals<T>(
  ctx: RefusalContext,
  tool: ToolName,
  subjectId: string | null,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const rule = refusalRule(error);
    if (rule !== null) await recordRefusal(ctx, tool, subjectId, rule, error as TeamError);
    throw error;
  }
}

async function recordRefusal(ctx: RefusalContext, tool: ToolName, subjectId: string | null, rule: string, error: TeamError): Promise<void> {
  const message = error.toBody().message;
  try {
    await ctx.store.recordDecision(ctx.actor.teamId, {
      actorAgentId: ctx.actor.agentId,
      action: 'policy.deny',
      decision: 'deny',
      subjectId,
      reason: `${rule}: ${message}`,
      data: { rule, tool, code: error.code },
    });
  } catch (failure) {
    ctx.logger.warn({ err: failure, tool, rule, team_id: ctx.actor.teamId }, 'could not audit a policy refusal');
  }
  ctx.logger.info({ tool, rule, outcome: 'deny', code: error.code, agent_id: ctx.actor.agentId, team_id: ctx.actor.teamId, reason: message }, 'policy decision');
}

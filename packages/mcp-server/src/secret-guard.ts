import { DEFAULTS, TeamError, type ErrorBody, type Team, type ToolContract } from '@codex-team/contracts';
import { redactDeep } from '@codex-team/policy-engine';
import type { Logger } from 'pino';
import type { PolicyEnv } from './policy-env';

/** Input fields that hold codex-team's own tickets: hashed before storage, never redacted away. */
const TICKET_FIELDS = ['ticket'];

/** Answer fields the server itself minted for the caller: its tickets, and the instruction quoting one. */
const MINTED_FIELDS = ['join_ticket', 'resume_ticket', 'lead_ticket', 'spawn_instruction'];

/**
 * Where the one redaction engine of the policy engine meets tool calls, for every tool in one
 * place. On the way in it masks secrets in a call's arguments before any handler sees them, so
 * nothing an agent sends (message bodies, artifact contents, task texts, results, idempotency keys)
 * is stored with a secret in it. On the way out it masks the answer again (what an older engine
 * let into the store) and every error. Both follow the team's profile: `guardrails.redact_secrets:
 * false` lets the team store and read back secrets as sent; errors are masked whatever the profile.
 * A secret in a field that must be a plain name (team, agent, artifact or key names, roles) cannot
 * be masked into a valid name: such a call is refused with INVALID_INPUT instead.
 */
export class SecretGuard {
  constructor(
    private readonly policy: PolicyEnv,
    private readonly logger: Logger,
  ) {}

  /** The redacted arguments, parsed again with the tool's schema. `team` is null before binding. */
  redact(contract: ToolContract, input: unknown, team: Pick<Team, 'id' | 'profile'> | null): unknown {
    if (!this.enabledFor(team?.profile ?? requestedProfile(input))) return input;
    const { value, count, kinds } = redactDeep(input, TICKET_FIELDS);
    if (count === 0) return input;
    this.logger.info({ tool: contract.name, team_id: team?.id ?? null, redacted: count, kinds }, 'secrets masked in tool input');
    const reparsed = contract.input.safeParse(value);
    if (!reparsed.success) {
      const fields = [...new Set(reparsed.error.issues.map((issue) => issue.path.map(String).join('.')))];
      throw new TeamError(
        'INVALID_INPUT',
        `${fields.join(', ')} holds what looks like a secret (${kinds.join(', ')}); names, keys and roles cannot hold secrets`,
        { fields, kinds },
      );
    }
    return reparsed.data;
  }

  /**
   * A tool's answer as it leaves the server, secrets masked unless the team's profile (`profile`,
   * null when the answer names no team) turns redaction off.
   */
  maskAnswer(contract: ToolContract, output: Record<string, unknown>, profile: string | null): Record<string, unknown> {
    if (!this.enabledFor(profile ?? DEFAULTS.profile)) return output;
    const { value, count, kinds } = redactDeep(output, MINTED_FIELDS);
    if (count === 0) return output;
    this.logger.warn({ tool: contract.name, redacted: count, kinds }, 'secrets masked in a tool answer (stored before redaction caught them)');
    return value;
  }

  /** An error as it leaves the server: its message and details masked, whatever the profile. */
  maskError(body: ErrorBody): ErrorBody {
    return redactDeep(body).value;
  }

  private enabledFor(profile: string): boolean {
    try {
      return this.policy.profileNamed(profile).guardrails.redact_secrets;
    } catch {
      // An unknown profile is refused by the handler; until then the safe answer is to redact.
      return true;
    }
  }
}

/** The profile a binding call (team_start) asks for, else the default one. */
function requestedProfile(input: unknown): string {
  const requested = typeof input === 'object' && input !== null ? (input as { profile?: unknown }).profile : undefined;
  return typeof requested === 'string' ? requested : DEFAULTS.profile;
}

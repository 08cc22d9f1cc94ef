import { DEFAULTS, TeamError, type Team, type ToolContract } from '@codex-team/contracts';
import { redactDeep } from '@codex-team/policy-engine';
import type { Logger } from 'pino';
import type { PolicyEnv } from './policy-env';

/** Input fields that hold codex-team's own tickets: hashed before storage, never redacted away. */
const TICKET_FIELDS = ['ticket'];

/**
 * Masks secrets in a call's arguments before any handler sees them, so nothing an agent sends
 * (message bodies, artifact contents, task texts, results) is stored with a secret in it. It runs
 * for every tool in one place, with the one redactor of the policy engine, unless the team's
 * profile turns `guardrails.redact_secrets` off. A secret in a field that must be a plain name
 * (team, agent, artifact or key names, roles) cannot be masked into a valid name: such a call is
 * refused with INVALID_INPUT instead.
 */
export class InputGuard {
  constructor(
    private readonly policy: PolicyEnv,
    private readonly logger: Logger,
  ) {}

  /** The redacted arguments, parsed again with the tool's schema. `team` is null before binding. */
  redact(contract: ToolContract, input: unknown, team: Pick<Team, 'id' | 'profile'> | null): unknown {
    if (!this.enabledFor(team, input)) return input;
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

  private enabledFor(team: Pick<Team, 'profile'> | null, input: unknown): boolean {
    let name: string | undefined = team?.profile;
    if (team === null && typeof input === 'object' && input !== null) {
      const requested = (input as { profile?: unknown }).profile;
      name = typeof requested === 'string' ? requested : DEFAULTS.profile;
    }
    try {
      return this.policy.profileNamed(name).guardrails.redact_secrets;
    } catch {
      // An unknown profile is refused by the handler; until then the safe answer is to redact.
      return true;
    }
  }
}

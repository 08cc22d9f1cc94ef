import { DEFAULTS, type Profile, type Team } from '@codex-team/contracts';
import type { CodexThreadCap, ProfileCatalog } from '@codex-team/policy-engine';

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
    /**
     * Codex's own thread cap (`--codex-thread-cap`), which caps spawn hints; undefined: unknown.
     * The store, opened with the same cap, enforces it.
     */
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

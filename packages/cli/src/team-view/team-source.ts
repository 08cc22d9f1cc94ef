import { existsSync } from 'node:fs';
import { RandomIdGenerator, TeamError, systemClock, type AuditEvent, type Profile, type Team, type TeamSnapshot } from '@codex-team/contracts';
import { ProfileCatalog, defaultUserProfilesDir, findBuiltinProfilesDir, redactDeep } from '@codex-team/policy-engine';
import { openSqliteTeamStore, type SqliteTeamStore } from '@codex-team/store';
import { resolve } from 'node:path';
import type { CliIo } from '../cli-io';
import { resolveDbPath } from '../codex/codex-paths';
import { stringOption, type OptionValues, type OptionsConfig } from '../commands/command';

/** The CLI is a process edge: it reads the wall clock. */

/** Options every team-reading command takes. */
export const TEAM_SOURCE_OPTIONS: OptionsConfig = {
  db: { type: 'string' },
  'profiles-dir': { type: 'string' },
  json: { type: 'boolean' },
};

/** Help lines for TEAM_SOURCE_OPTIONS. */
export const TEAM_SOURCE_DETAILS: readonly string[] = [
  'TEAM             a team id or name (default: the newest active team, else the newest team)',
  '--db PATH        store file (default: $CODEX_TEAM_DB, else $CODEX_TEAM_HOME/team.db, else ~/.codex-team/team.db)',
  '--profiles-dir DIR  your own profiles (default: $CODEX_TEAM_HOME/profiles, else ~/.codex-team/profiles)',
  '--json           print JSON instead of text',
];

/** One team as the operator commands read it: a consistent snapshot, its trail and its profile. */
export interface TeamView {
  snapshot: TeamSnapshot;
  events: AuditEvent[];
  /** The team's profile, or null when this machine has no profile of that name. */
  profile: Profile | null;
  now: number;
}

/**
 * The store and profiles an operator command reads. The store is opened like a server opens it
 * (so an old file is migrated), but a missing file is NOT_FOUND rather than created.
 */
export class TeamSource {
  private constructor(
    readonly store: SqliteTeamStore,
    readonly dbPath: string,
    private readonly profiles: ProfileCatalog,
  ) {}

  static async open(values: OptionValues, io: CliIo): Promise<TeamSource> {
    const dbPath = resolveDbPath(stringOption(values, 'db'), io);
    if (!existsSync(dbPath)) throw new TeamError('NOT_FOUND', `no store at ${dbPath} (give --db, or start a team first)`);
    // Operator commands only read: the id generator is never asked for an id.
    const store = await openSqliteTeamStore({ path: dbPath, clock: systemClock, ids: new RandomIdGenerator() });
    const flag = stringOption(values, 'profiles-dir');
    const userDir = flag === undefined ? defaultUserProfilesDir(io.env, io.homeDir) : resolve(io.cwd, flag);
    const { catalog } = ProfileCatalog.loadOrBuiltin({ builtinDir: findBuiltinProfilesDir(__dirname), userDir });
    return new TeamSource(store, dbPath, catalog);
  }

  /** The team named by `ref` (id, then name), or the newest active team, else the newest team. */
  async team(ref: string | undefined): Promise<Team> {
    const teams = await this.store.listTeams();
    if (ref === undefined) {
      const chosen = teams.find((team) => team.state === 'active') ?? teams[0];
      if (chosen === undefined) throw new TeamError('NOT_FOUND', `no team in ${this.dbPath} yet`);
      return chosen;
    }
    const byId = teams.find((team) => team.id === ref);
    if (byId !== undefined) return byId;
    const named = teams.filter((team) => team.name === ref);
    if (named.length === 1 && named[0] !== undefined) return named[0];
    if (named.length > 1) {
      throw new TeamError('CONFLICT', `${named.length} teams are named "${ref}": give one of their ids (${named.map((t) => t.id).join(', ')})`);
    }
    throw new TeamError('NOT_FOUND', `no team with id or name "${ref}" in ${this.dbPath}`);
  }

  /**
   * Everything about one team, read now, as the operator may see it: secrets masked by the one
   * redaction engine in every text, whatever the team's profile let into the store. Every command
   * that prints reads this.
   */
  async view(ref: string | undefined): Promise<TeamView> {
    const view = await this.rawView(ref);
    return { ...view, snapshot: redactDeep(view.snapshot).value, events: redactDeep(view.events).value };
  }

  /** The team exactly as stored, secrets and all: for checks that print no text (replay --verify). */
  async rawView(ref: string | undefined): Promise<TeamView> {
    const team = await this.team(ref);
    const snapshot = await this.store.readTeam(team.id);
    const events = await this.allEvents(team.id);
    let profile: Profile | null = null;
    try {
      profile = this.profiles.find(snapshot.team.profile).profile;
    } catch {
      profile = null;
    }
    return { snapshot, events, profile, now: systemClock.now() };
  }

  async allEvents(teamId: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    for (;;) {
      const page = await this.store.listAuditEvents(teamId, { afterSeq: events.at(-1)?.seq ?? 0, limit: 5_000 });
      events.push(...page);
      if (page.length < 5_000) return events;
    }
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** Runs `work` with an open source and always closes it. */
export async function withTeamSource<T>(values: OptionValues, io: CliIo, work: (source: TeamSource) => Promise<T>): Promise<T> {
  const source = await TeamSource.open(values, io);
  try {
    return await work(source);
  } finally {
    await source.close();
  }
}

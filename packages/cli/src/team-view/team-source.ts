import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { TeamError, systemClock, type AuditEvent, type Profile, type Team, type TeamSnapshot } from '@codex-team/contracts';
import type { TreeNode, TreeThreads } from '@codex-team/hierarchy';
import { ProfileCatalog, defaultUserProfilesDir, findBuiltinProfilesDir, redactDeep } from '@codex-team/policy-engine';
import { startedFromDir, type StartedFrom } from '@codex-team/mcp-server';
import type { TeamStoreReader } from '@codex-team/store';
import type { CliIo } from '../cli-io';
import { stringOption, type OptionValues, type OptionsConfig } from '../commands/command';
import { STORE_OPTION_DETAIL, openStoreReader, resolveOperatorStore, type OperatorStore } from './store-engine';

/** The CLI is a process edge: it reads the wall clock. */

/** Options every team-reading command takes. */
export const TEAM_SOURCE_OPTIONS: OptionsConfig = {
  db: { type: 'string' },
  'profiles-dir': { type: 'string' },
  json: { type: 'boolean' },
};

/** Help lines for TEAM_SOURCE_OPTIONS. */
export const TEAM_SOURCE_DETAILS: readonly string[] = [
  'TEAM             a team id or name (default: the newest active team started from this directory,',
  '                 else from its git repository, else the newest active team, else the newest team)',
  STORE_OPTION_DETAIL,
  '--profiles-dir DIR  your own profiles (default: $CODEX_TEAM_HOME/profiles, else ~/.codex-team/profiles)',
  '--json           print JSON instead of text',
  'The store is opened read-only: nothing is written to it, and it is never migrated or created.',
];

/** One team as the operator commands read it: a consistent snapshot, its trail and its profile. */
export interface TeamView {
  snapshot: TeamSnapshot;
  events: AuditEvent[];
  /** Every team of the team's tree (just itself for a team without parent or children). */
  tree: TreeNode[];
  /** The team's thread slots as its tree holds them (what caps its lead's spawn hints). */
  threads: TreeThreads;
  /** The team's profile, or null when this machine has no profile of that name. */
  profile: Profile | null;
  now: number;
}

/**
 * The team `ref` names among `teams` (newest first): by id, then by name; with no `ref`, the
 * newest active team started from `here` (its directory, else its repository), else the newest
 * active team, else the newest team. NOT_FOUND for no match, CONFLICT when several teams
 * share the name (their ids are listed).
 */
export function resolveTeam(teams: readonly Team[], ref: string | undefined, shown: string, here?: StartedFrom): Team {
  if (ref === undefined) {
    const chosen = (here === undefined ? undefined : teamOfHere(teams, here)) ?? teams.find((team) => team.state === 'active') ?? teams[0];
    if (chosen === undefined) throw new TeamError('NOT_FOUND', `no team in ${shown} yet`);
    return chosen;
  }
  const byId = teams.find((team) => team.id === ref);
  if (byId !== undefined) return byId;
  const named = teams.filter((team) => team.name === ref);
  if (named.length === 1 && named[0] !== undefined) return named[0];
  if (named.length > 1) {
    throw new TeamError('CONFLICT', `${named.length} teams are named "${ref}": give one of their ids (${named.map((t) => t.id).join(', ')})`);
  }
  throw new TeamError('NOT_FOUND', `no team with id or name "${ref}" in ${shown}`);
}

/**
 * The newest active team started from `here`: from this very directory, else from the same git
 * repository; undefined when none was.
 */
function teamOfHere(teams: readonly Team[], here: StartedFrom): Team | undefined {
  const active = teams.filter((team) => team.state === 'active');
  return active.find((team) => team.cwd === here.cwd) ?? (here.repo === null ? undefined : active.find((team) => team.repo === here.repo));
}

/** What identifies the store file's content at rest: a change means a copy read earlier is stale. */
function fileStamp(path: string): string {
  const stamp = (file: string): string => {
    try {
      const stats = statSync(file);
      return `${stats.size}:${stats.mtimeMs}:${stats.ino}`;
    } catch {
      return '-';
    }
  };
  return `${stamp(path)}|${stamp(`${path}-wal`)}`;
}

/**
 * The store and profiles an operator command reads. The store is opened read-only: it is never
 * written or migrated, and a file that is not a codex-team store is refused untouched.
 */
export class TeamSource {
  private constructor(
    private reader: TeamStoreReader,
    /** The store read; print only its `shown` form (a URL's password masked). */
    readonly location: OperatorStore,
    private readonly profiles: ProfileCatalog,
    private stamp: string,
    private readonly here: StartedFrom,
  ) {}

  static async open(values: OptionValues, io: CliIo): Promise<TeamSource> {
    const location = resolveOperatorStore(stringOption(values, 'db'), io);
    const flag = stringOption(values, 'profiles-dir');
    const userDir = flag === undefined ? defaultUserProfilesDir(io.env, io.homeDir) : resolve(io.cwd, flag);
    const { catalog } = ProfileCatalog.loadOrBuiltin({ builtinDir: findBuiltinProfilesDir(__dirname), userDir });
    const stamp = location.engine === 'sqlite' ? fileStamp(location.location) : '';
    const reader = await openStoreReader(location, catalog);
    return new TeamSource(reader, location, catalog, stamp, startedFromDir(io.cwd));
  }

  /** The read-only store. */
  get store(): TeamStoreReader {
    return this.reader;
  }

  /**
   * For views that keep reading (watch, ui): a store read from a copy (a SQLite file at rest when
   * opened) is opened again once its file changed, so later commits are seen. A live store (a file
   * read in place, or PostgreSQL) sees them anyway.
   */
  async refresh(): Promise<void> {
    if (this.reader.live) return;
    const stamp = fileStamp(this.location.location);
    if (stamp === this.stamp) return;
    const next = await openStoreReader(this.location, this.profiles);
    await this.reader.close();
    this.reader = next;
    this.stamp = stamp;
  }

  /** Every team, newest first. */
  teams(): Promise<Team[]> {
    return this.reader.listTeams();
  }

  /** The team named by `ref` (id, then name), or the newest active team, else the newest team. */
  async team(ref: string | undefined): Promise<Team> {
    return resolveTeam(await this.reader.listTeams(), ref, this.location.shown, this.here);
  }

  /**
   * Everything about one team, read now, as the operator may see it: secrets masked by the one
   * redaction engine in every text, whatever the team's profile let into the store. Every command
   * that prints reads this.
   */
  async view(ref: string | undefined): Promise<TeamView> {
    return maskedView(await this.rawView(ref));
  }

  /** The team exactly as stored, secrets and all: for checks that print no text (replay --verify). */
  async rawView(ref: string | undefined): Promise<TeamView> {
    const team = await this.team(ref);
    const snapshot = await this.reader.readTeam(team.id);
    const events = await this.allEvents(team.id);
    const tree = await this.reader.readTree(team.id);
    const threads = await this.reader.readTreeThreads(team.id);
    let profile: Profile | null = null;
    try {
      profile = this.profiles.find(snapshot.team.profile).profile;
    } catch {
      profile = null;
    }
    return { snapshot, events, tree, threads, profile, now: systemClock.now() };
  }

  async allEvents(teamId: Team['id']): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    for (;;) {
      const page = await this.reader.listAuditEvents(teamId, { afterSeq: events.at(-1)?.seq ?? 0, limit: 5_000 });
      events.push(...page);
      if (page.length < 5_000) return events;
    }
  }

  close(): Promise<void> {
    return this.reader.close();
  }
}

/** A team's view as it may be printed: secrets masked by the one redaction engine in every text. */
export function maskedView(view: TeamView): TeamView {
  return { ...view, snapshot: redactDeep(view.snapshot).value, events: redactDeep(view.events).value };
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

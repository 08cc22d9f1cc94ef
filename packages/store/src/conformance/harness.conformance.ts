import {
  TeamError,
  isTeamError,
  type AuditEvent,
  type ErrorCode,
  type IdGenerator,
  type IdPrefix,
  type Profile,
  type Team,
  type ToolInput,
} from '@codex-team/contracts';
import type { FakeClock } from '@codex-team/contracts/testing';
import { ProfileCatalog, type CallPermission, type CodexThreadCap } from '@codex-team/policy-engine';
import type { Actor, SessionBinding, TeamStore } from '../team-store';

export const LEASE = { leaseMs: 60_000 } as const;

/** A permission answer for a claim allowing `allowed` of its two kinds (own_role, unassigned). */
export function claimPermission(allowed: ('own_role' | 'unassigned')[]): CallPermission {
  const decide = (action: string) => {
    const yes = allowed.includes(action as 'own_role');
    const rule = `suite.${yes ? 'allow' : 'deny'}(team_task_next:${action})`;
    return { decision: yes ? ('allow' as const) : ('deny' as const), rule, reason: rule, tool: 'team_task_next', action, profile: 'suite', matched: [rule] };
  };
  const decisions = ['own_role', 'unassigned'].map(decide);
  const first = decisions.find((d) => d.decision === 'allow') ?? (decisions[0] as ReturnType<typeof decide>);
  return { ...first, allowed, decisions };
}

/** What a suite may open a store with besides the profiles: the options every adapter takes. */
export interface ConformanceStoreOptions {
  /** Codex's own thread cap, which the store applies beside the profile's (codexThreadCap). */
  codexThreadCap?: CodexThreadCap;
}

/** How a suite gets a fresh store, opened with `profiles` and `options`; every test gets its own. */
export type MakeStore = (clock: FakeClock, ids: IdGenerator, profiles: ProfileCatalog, options: ConformanceStoreOptions) => Promise<TeamStore>;

/** The shipped profile `name`, changed by `change`, under a new name. */
function variant(base: Profile, name: string, change: Partial<Profile>): Profile {
  return { ...base, ...change, name };
}

/**
 * The profiles the suite opens stores with: the shipped ones (default, fast, deep) and a few that
 * make one rule bite early: `capped` (one teammate), `broke` (a hard budget of 100 tokens), `quiet`
 * (no idle sweep, no early stop), `busy-cap` (one claim and two turns per agent).
 */
export function conformanceProfiles(): ProfileCatalog {
  const shipped = ProfileCatalog.shipped().profiles;
  const base = shipped.get('default');
  if (base === undefined) throw new Error('no shipped default profile');
  const extra = [
    variant(base.profile, 'capped', { threads: { default: 1, hard_cap: 1 } }),
    variant(base.profile, 'broke', { budget: { soft_tokens: 50, hard_tokens: 100 } }),
    variant(base.profile, 'quiet', { guardrails: { ...base.profile.guardrails, idle_sweep: false, early_stop: false } }),
    variant(base.profile, 'busy-cap', { caps: { claims: 1, turns: 2 } }),
  ];
  return ProfileCatalog.of(new Map([...shipped, ...extra.map((profile) => [profile.name, { ...base, profile }] as const)]));
}

export interface ConformanceHooks {
  /**
   * A raw fingerprint of everything the adapter stores (for SQLite: a digest of every table).
   * When given, refused calls are also checked against it, not only against what the port shows.
   */
  snapshot?: (store: TeamStore) => unknown;
}

/**
 * Ids whose order is the reverse of creation, so a suite proves lists follow creation order rather
 * than id order (production ids are random).
 */
export class ReverseIdGenerator implements IdGenerator {
  private counter = 0;
  next(prefix: IdPrefix): string {
    this.counter += 1;
    // Base 26 in letters only: they sort in ASCII order, the digits of base32 would not.
    let n = 26 ** 6 - this.counter;
    let suffix = '';
    for (let i = 0; i < 8; i += 1) {
      suffix = String.fromCharCode(97 + (n % 26)) + suffix;
      n = Math.floor(n / 26);
    }
    return `${prefix}_${suffix}`;
  }
}

export interface TeamHandle {
  team: Team;
  lead: Actor;
  binding: SessionBinding;
  resumeHash: string;
}

export interface MemberHandle {
  actor: Actor;
  binding: SessionBinding;
  agentId: string;
  joinHash: string;
  resumeHash: string;
}

export type NewTaskInput = Partial<ToolInput<'team_task_create'>['tasks'][number]> & { title: string };

export function newTasks(tasks: NewTaskInput[]): ToolInput<'team_task_create'> {
  return { tasks: tasks.map((task) => ({ description: '', priority: 0, depends_on: [], ...task })) };
}

export function send(to: string, body: string, extra: Partial<ToolInput<'team_send'>> = {}): ToolInput<'team_send'> {
  return { to, body, artifact_refs: [], ...extra };
}

export function complete(
  taskId: string,
  fence: number,
  extra: Partial<ToolInput<'team_task_complete'>> = {},
): ToolInput<'team_task_complete'> {
  return { task_id: taskId, fence, outcome: 'done', result: 'checked by the suite', artifact_ids: [], ...extra };
}

export function publish(
  name: string,
  content: string,
  extra: Partial<ToolInput<'team_artifact_publish'>> = {},
): ToolInput<'team_artifact_publish'> {
  return { name, content, media_type: 'text/plain', plan: false, ...extra };
}

/** The rejection of `promise` as a TeamError with `code` (fails the test otherwise). */
export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<TeamError> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error) {
    if (!isTeamError(error)) throw error;
    expect({ code: error.code, message: error.message }).toEqual({ code, message: expect.any(String) });
    return error;
  }
  throw new Error(`expected ${code}, but the call succeeded with ${JSON.stringify(outcome)}`);
}

/** One store with a fake clock, and the teams a test made in it. */
export class Fixture {
  private tickets = 0;
  private readonly teams: TeamHandle[] = [];

  constructor(
    readonly store: TeamStore,
    readonly clock: FakeClock,
    private readonly hooks: ConformanceHooks,
  ) {}

  ticket(kind: 'join' | 'resume'): string {
    this.tickets += 1;
    return `${kind}-hash-${this.tickets}`;
  }

  async startTeam(options: { name?: string; maxThreads?: number; profile?: string } = {}): Promise<TeamHandle> {
    const resumeHash = this.ticket('resume');
    const bound = await this.store.createTeam({
      name: options.name ?? `team-${this.teams.length + 1}`,
      objective: 'conformance',
      ...(options.maxThreads === undefined ? {} : { maxThreads: options.maxThreads }),
      profile: options.profile ?? 'default',
      leadName: 'lead',
      resumeTicketHash: resumeHash,
    });
    const lead = { teamId: bound.team.id, agentId: bound.agent.id };
    const handle = { team: bound.team, lead, binding: { ...lead, epoch: bound.epoch }, resumeHash };
    this.teams.push(handle);
    return handle;
  }

  /** Spawns and joins a teammate. */
  async addMember(team: TeamHandle, name: string, role = 'implementer'): Promise<MemberHandle> {
    const joinHash = this.ticket('join');
    await this.store.spawnAgent(team.lead, { name, role, joinTicketHash: joinHash });
    const resumeHash = this.ticket('resume');
    const bound = await this.store.joinAgent({ joinTicketHash: joinHash, resumeTicketHash: resumeHash });
    const actor = { teamId: bound.team.id, agentId: bound.agent.id };
    return { actor, binding: { ...actor, epoch: bound.epoch }, agentId: bound.agent.id, joinHash, resumeHash };
  }

  /**
   * Starts a child team of `by`'s team (or of `by.inTeam`) taking over `tasks`. Its lead is played
   * by the caller unless `ticket` (then an invited lead joins with it, in a session of its own).
   * The handle's `lead` is the child's lead agent acting in its own team; `ticket: 'invited'`
   * leaves that lead invited (nobody joined yet).
   */
  async startChild(
    by: Actor,
    tasks: string[],
    options: { tokens?: number; ticket?: boolean | 'invited' } = {},
  ): Promise<TeamHandle & { joinHash: string | null }> {
    const joinHash = options.ticket === undefined || options.ticket === false ? null : this.ticket('join');
    const started = await this.store.startChild(by, {
      tasks,
      ...(options.tokens === undefined ? {} : { tokens: options.tokens }),
      ...(joinHash === null ? {} : { leadTicketHash: joinHash }),
    });
    let lead: Actor = { teamId: started.team.id, agentId: started.lead.id };
    let epoch = 1;
    let resumeHash = '';
    if (joinHash !== null && options.ticket !== 'invited') {
      resumeHash = this.ticket('resume');
      const bound = await this.store.joinAgent({ joinTicketHash: joinHash, resumeTicketHash: resumeHash });
      lead = { teamId: bound.team.id, agentId: bound.agent.id };
      epoch = bound.epoch;
    }
    const handle = { team: started.team, lead, binding: { ...lead, epoch }, resumeHash, joinHash };
    this.teams.push(handle);
    return handle;
  }

  async createTask(actor: Actor, task: NewTaskInput): Promise<string> {
    const created = await this.store.createTasks(actor, newTasks([task]));
    const id = created.tasks[0]?.id;
    if (id === undefined) throw new Error('createTasks returned no task');
    return id;
  }

  async audit(teamId: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    for (;;) {
      const page = await this.store.listAuditEvents(teamId, { afterSeq: events[events.length - 1]?.seq ?? 0, limit: 500 });
      events.push(...page);
      if (page.length < 500) return events;
    }
  }

  async actions(teamId: string): Promise<string[]> {
    return (await this.audit(teamId)).map((event) => event.action);
  }

  /** Everything the port shows about every team of the test, plus the adapter's raw fingerprint. */
  async snapshot(): Promise<unknown> {
    const views = [];
    for (const team of this.teams) {
      const status = await this.store.getStatus(team.lead).catch((error: unknown) => String(error));
      const tasks = await this.store.listTasks(team.lead, { limit: 500 }).catch((error: unknown) => String(error));
      const artifacts = await this.store.listArtifacts(team.lead, {}).catch((error: unknown) => String(error));
      views.push({ status, tasks, artifacts, audit: await this.audit(team.team.id) });
    }
    return { views, raw: this.hooks.snapshot?.(this.store) ?? null };
  }

  /** The call is refused with `code` and the store is exactly as before. */
  async expectRefused(code: ErrorCode, call: () => Promise<unknown>): Promise<TeamError> {
    const before = await this.snapshot();
    const error = await expectCode(call(), code);
    expect(await this.snapshot()).toEqual(before);
    return error;
  }

  /**
   * The call is refused with `code` by a team policy rule: the store is as before but for one
   * `policy.deny` event naming the rule, written in the refused call's own transaction.
   */
  async expectPolicyRefused(code: ErrorCode, rule: string, call: () => Promise<unknown>): Promise<TeamError> {
    const before = await this.auditLengths();
    const error = await expectCode(call(), code);
    expect(error.refusal).toMatchObject({ kind: 'policy', rule });
    const after = await this.auditLengths();
    const added: AuditEvent[] = [];
    for (const team of this.teams) added.push(...(await this.audit(team.team.id)).slice(before.get(team.team.id) ?? 0));
    expect(added.map((event) => [event.action, event.decision, event.data['rule'], event.data['code']])).toEqual([['policy.deny', 'deny', rule, code]]);
    expect([...after.values()].reduce((a, b) => a + b, 0)).toBe([...before.values()].reduce((a, b) => a + b, 0) + 1);
    return error;
  }

  /**
   * The call is blocked by a hook or quality gate (HOOK_BLOCKED, refusal kind hook, its rule):
   * the store is as before but for one `hook.block` event carrying each hook's run.
   */
  async expectHookBlocked(rule: string, call: () => Promise<unknown>): Promise<{ error: TeamError; event: AuditEvent }> {
    const before = await this.auditLengths();
    const tasksBefore = await this.allTasks();
    const error = await expectCode(call(), 'HOOK_BLOCKED');
    expect(error.refusal).toMatchObject({ kind: 'hook', rule });
    const added: AuditEvent[] = [];
    for (const team of this.teams) added.push(...(await this.audit(team.team.id)).slice(before.get(team.team.id) ?? 0));
    expect(added.map((event) => [event.action, event.decision, event.data['rule']])).toEqual([['hook.block', 'deny', rule]]);
    expect(await this.allTasks()).toEqual(tasksBefore);
    return { error, event: added[0] as AuditEvent };
  }

  private async allTasks(): Promise<unknown[]> {
    const all: unknown[] = [];
    for (const team of this.teams) all.push(await this.store.listTasks(team.lead, { limit: 500 }).catch((error: unknown) => String(error)));
    return all;
  }

  private async auditLengths(): Promise<Map<string, number>> {
    const lengths = new Map<string, number>();
    for (const team of this.teams) lengths.set(team.team.id, (await this.audit(team.team.id)).length);
    return lengths;
  }

  /** The call succeeds and changes nothing (reads). */
  async expectNoChange<T>(call: () => Promise<T>): Promise<T> {
    const before = await this.snapshot();
    const result = await call();
    expect(await this.snapshot()).toEqual(before);
    return result;
  }
}

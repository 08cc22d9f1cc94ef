import {
  FakeClock,
  TeamError,
  isTeamError,
  type AuditEvent,
  type ErrorCode,
  type IdGenerator,
  type IdPrefix,
  type Team,
  type ToolInput,
  type UsageSample,
} from '@codex-team/contracts';
import {
  OPEN_POLICY,
  type AdmissionFacts,
  type ModeChangeDecision,
  type ModeChangeFacts,
  type ModeGateFacts,
  type SweepFacts,
  type SweepPlan,
  type TeamPolicy,
  type ThreadCapVerdict,
  type UsageCharge,
} from '../team-policy';
import type { Actor, SessionBinding, TeamStore } from '../team-store';

export const LEASE = { leaseMs: 60_000 } as const;

/** How a suite gets a fresh store; every test gets its own. */
export type MakeStore = (clock: FakeClock, ids: IdGenerator, policy: TeamPolicy) => Promise<TeamStore>;

/**
 * A TeamPolicy the suite steers and watches. Untouched it behaves like OPEN_POLICY, so the rules
 * that do not concern policy see the contract limits only. Profiles outside `known` are NOT_FOUND.
 */
export class ScriptedPolicy implements TeamPolicy {
  known = new Set(['default', 'fast', 'deep']);
  caps: Record<string, number> = {};
  /** Spawns and claims are refused once the team has used this many tokens. */
  hardTokens = Number.POSITIVE_INFINITY;
  /** Claims are refused once the lead has declared consensus. */
  stopClaimsOnConsensus = false;
  plan: (facts: SweepFacts) => SweepPlan = () => ({ agents: [], finalizeTeam: null });
  readonly admissions: AdmissionFacts[] = [];
  readonly sweeps: SweepFacts[] = [];

  private know(profile: string): void {
    if (!this.known.has(profile)) throw new TeamError('NOT_FOUND', `unknown profile "${profile}"`);
  }

  threadCap(team: Team): ThreadCapVerdict {
    this.know(team.profile);
    const cap = this.caps[team.profile] ?? 6;
    return { cap, reason: `profile ${team.profile} caps the team at ${cap}` };
  }

  admit(facts: AdmissionFacts): void {
    this.know(facts.team.profile);
    this.admissions.push(facts);
    if (facts.usedTokens >= this.hardTokens) {
      throw new TeamError('LIMIT_EXCEEDED', `budget spent: no new ${facts.action}`, { rule: 'budget.hard_tokens' });
    }
    if (this.stopClaimsOnConsensus && facts.action === 'claim' && facts.consensusAt !== null) {
      throw new TeamError('CONFLICT', 'ready to finalize: no new claims', { rule: 'guardrails.early_stop' });
    }
  }

  charge(_team: Team, usedTokens: number, sample: UsageSample): UsageCharge {
    const tokens = sample.input_tokens + sample.output_tokens;
    return { tokens, reason: `charged ${tokens}; ${usedTokens + tokens} used` };
  }

  sweep(facts: SweepFacts): SweepPlan {
    this.sweeps.push(facts);
    return this.plan(facts);
  }

  /** Which gated calls the mode refuses; untouched, none (like OPEN_POLICY). */
  refuseInMode: (facts: ModeGateFacts) => boolean = () => false;
  readonly gateChecks: ModeGateFacts[] = [];

  changeMode(facts: ModeChangeFacts): ModeChangeDecision {
    return OPEN_POLICY.changeMode(facts);
  }

  gateMode(facts: ModeGateFacts): void {
    this.gateChecks.push(facts);
    if (this.refuseInMode(facts)) {
      throw new TeamError('DENIED', `the team's ${facts.team.mode.current} mode refuses ${facts.tool}`, { rule: 'suite.mode' });
    }
  }
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
    readonly policy: ScriptedPolicy = new ScriptedPolicy(),
  ) {}

  ticket(kind: 'join' | 'resume'): string {
    this.tickets += 1;
    return `${kind}-hash-${this.tickets}`;
  }

  async startTeam(options: { name?: string; maxThreads?: number } = {}): Promise<TeamHandle> {
    const resumeHash = this.ticket('resume');
    const bound = await this.store.createTeam({
      name: options.name ?? `team-${this.teams.length + 1}`,
      objective: 'conformance',
      maxThreads: options.maxThreads ?? 6,
      profile: 'default',
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

  /** The call succeeds and changes nothing (reads). */
  async expectNoChange<T>(call: () => Promise<T>): Promise<T> {
    const before = await this.snapshot();
    const result = await call();
    expect(await this.snapshot()).toEqual(before);
    return result;
  }
}

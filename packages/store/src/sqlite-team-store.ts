import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { sqliteDatabase } from './sqlite/native-sqlite';
import type {
  Agent,
  Artifact,
  AuditEvent,
  AuthzDecision,
  CheckpointRef,
  Clock,
  IdGenerator,
  PlanReview,
  Team,
  TeamId,
  TeamModeState,
  Task,
  TeamSnapshot,
  ToolInput,
  ToolOutput,
} from '@codex-team/contracts';
import { ProfileCatalog, type CodexThreadCap } from '@codex-team/policy-engine';
import { defaultMigrationsDir, migrate, readMigrations } from './migrations';
import * as agents from './sqlite/agent-ops';
import * as artifacts from './sqlite/artifact-ops';
import { listAudit } from './sqlite/audit';
import * as briefs from './sqlite/brief-ops';
import * as checkpoints from './sqlite/checkpoint-ops';
import * as decisions from './sqlite/authz-ops';
import * as claims from './sqlite/claim-ops';
import { DecisionQueue } from './sqlite/decision-queue';
import * as heartbeats from './sqlite/heartbeat-ops';
import * as messages from './sqlite/message-ops';
import * as modes from './sqlite/mode-ops';
import * as policy from './sqlite/policy-ops';
import * as recovery from './sqlite/recovery-ops';
import * as snapshots from './sqlite/snapshot-ops';
import * as tasks from './sqlite/task-ops';
import * as teams from './sqlite/team-ops';
import { DEFAULT_BUSY_RETRY, Sql, TransactionRunner, withBusyRetry, type AppliedDecision, type BusyRetryOptions } from './sqlite/transaction';
import type {
  Actor,
  ArtifactContent,
  AuditQuery,
  BoundAgent,
  BriefFacts,
  CallAuthorization,
  CheckpointOptions,
  CheckpointResult,
  ClaimOptions,
  CodexThreadAgent,
  CreateTeamInput,
  CreatedTasks,
  AuthzDecisionInput,
  AuthzDecisionQuery,
  DecisionEntry,
  FinalizedTeam,
  HeartbeatRequest,
  InboxPage,
  JoinAgentInput,
  LeaseOptions,
  ModeChangeResult,
  NextClaim,
  PlanReviewInput,
  ProfileSwitch,
  RecoveryPlan,
  RecoveryResult,
  RecoveryScope,
  RecoveryView,
  RestartAgentInput,
  SentMessage,
  SessionBinding,
  SetModeInput,
  SetProfileInput,
  SpawnAgentInput,
  StoredCheckpoint,
  TaskChange,
  TaskClaim,
  TaskCompletion,
  TaskPage,
  TeamStatusBase,
  TeamStore,
} from './team-store';

export type { BusyRetryOptions } from './sqlite/transaction';

/** The part of a pino logger the store logs its decisions through (pino's Logger fits). */
export interface DecisionLogger {
  info(fields: Record<string, unknown>, message: string): void;
}

export interface SqliteTeamStoreOptions {
  /** The database file; its directory is created when missing. `:memory:` works for one process. */
  path: string;
  clock: Clock;
  ids: IdGenerator;
  /** How long to wait out other writers before answering BUSY. @default 6 attempts, 20-1000 ms apart */
  busyRetry?: Partial<BusyRetryOptions>;
  /**
   * How long SQLite itself waits for the write lock before a retry, in milliseconds.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /** Where the numbered SQL migrations are; tests point it elsewhere. @default the package's migrations/ */
  migrationsDir?: string;
  /**
   * The policy profiles teams run under, by name: every operation applies its team's profile
   * (thread cap, budget, early stop, modes, message size) inside its own transaction, looked up on
   * each decision so a switch by any process applies at once. Pass the server's catalog (built-in
   * plus the user's profiles) so the store and the server's handlers read the same profiles.
   * @default ProfileCatalog.shipped(): the profiles shipped with codex-team
   */
  profiles?: ProfileCatalog;
  /**
   * Codex's own limit on the teammates a lead may run at once, as `codex-team install` read it
   * from the user's Codex config. Every thread check of the store applies it beside the profile's
   * cap and the team's max_threads (a LIMIT_EXCEEDED it causes names it), and a new team's default
   * max_threads is lowered to it. @default unknown: the profile's cap and max_threads alone
   */
  codexThreadCap?: CodexThreadCap;
  /**
   * Where every decision the store applies is logged, with its inputs, rule and outcome (JSON to
   * stderr in the server). @default none
   */
  logger?: DecisionLogger;
}

/**
 * The TeamStore on one SQLite file shared by every MCP server process of the machine. Each method
 * is one synchronous better-sqlite3 transaction (writes: BEGIN IMMEDIATE) holding its checks, its
 * writes and its audit event; the async surface only waits between busy retries.
 */
export class SqliteTeamStore implements TeamStore {
  private readonly decisionQueue: DecisionQueue;

  /** @internal Use openSqliteTeamStore, which configures and migrates the database first. */
  constructor(
    private readonly db: Database.Database,
    private readonly tx: TransactionRunner,
    now: () => number,
  ) {
    this.decisionQueue = new DecisionQueue(tx, now);
  }

  createTeam(input: CreateTeamInput): Promise<BoundAgent> {
    return this.tx.write((op) => teams.createTeam(op, input), withDecision(input.authorization));
  }

  spawnAgent(actor: Actor, input: SpawnAgentInput): Promise<Agent> {
    return this.tx.write((op) => agents.spawnAgent(op, actor, input), withDecision(actor.authorization));
  }

  joinAgent(input: JoinAgentInput): Promise<BoundAgent> {
    return this.tx.write((op) => agents.joinAgent(op, input), withDecision(input.authorization));
  }

  resumeAgent(resumeTicketHash: string, authorization?: CallAuthorization, codexThreadId?: string): Promise<BoundAgent> {
    return this.tx.write((op) => agents.resumeAgent(op, resumeTicketHash, codexThreadId), withDecision(authorization));
  }

  findAgentByCodexThread(codexThreadId: string): Promise<CodexThreadAgent | null> {
    return this.tx.read((op) => agents.findAgentByCodexThread(op, codexThreadId));
  }

  verifyBinding(binding: SessionBinding): Promise<BoundAgent> {
    // Every operation re-checks its caller inside its own transaction, so this check needs no
    // snapshot of its own (see readUnsnapshotted).
    return this.tx.readUnsnapshotted((op) => agents.verifyBinding(op, binding));
  }

  disconnectAgent(binding: SessionBinding, reason: string): Promise<void> {
    return this.tx.write((op) => agents.disconnectAgent(op, binding, reason));
  }

  heartbeatAgent(
    binding: SessionBinding,
    request: HeartbeatRequest,
    options: LeaseOptions,
  ): Promise<ToolOutput<'team_heartbeat'>> {
    return this.tx.write((op) => heartbeats.heartbeatAgent(op, binding, request, options), withDecision(request.authorization));
  }

  recoveryView(scope: RecoveryScope): Promise<RecoveryView> {
    return this.tx.read((op) => recovery.recoveryView(op, scope));
  }

  applyRecovery(plan: RecoveryPlan): Promise<RecoveryResult> {
    return this.tx.write((op) => recovery.applyRecovery(op, plan));
  }

  readBrief(actor: Actor): Promise<BriefFacts> {
    return this.tx.read((op) => briefs.readBrief(op, actor));
  }

  checkpointTeam(teamId: TeamId, options: CheckpointOptions = {}): Promise<CheckpointResult | null> {
    return this.tx.write((op) => checkpoints.checkpointTeam(op, teamId, options), withDecision(options.actor?.authorization));
  }

  listCheckpoints(teamId: TeamId): Promise<CheckpointRef[]> {
    return this.tx.read((op) => checkpoints.listCheckpoints(op, teamId));
  }

  readCheckpoint(teamId: TeamId, number?: number): Promise<StoredCheckpoint | null> {
    return this.tx.read((op) => checkpoints.readCheckpoint(op, teamId, number));
  }

  restartAgent(actor: Actor, input: RestartAgentInput): Promise<Agent> {
    return this.tx.write((op) => agents.restartAgent(op, actor, input), withDecision(actor.authorization));
  }

  getStatus(actor: Actor): Promise<TeamStatusBase> {
    return this.tx.read((op) => teams.getStatus(op, actor));
  }

  finalizeTeam(actor: Actor, input: ToolInput<'team_finalize'>): Promise<FinalizedTeam> {
    return this.tx.write((op) => teams.finalizeTeam(op, actor, input), withDecision(actor.authorization));
  }

  createTasks(actor: Actor, input: ToolInput<'team_task_create'>): Promise<CreatedTasks> {
    return this.tx.write((op) => tasks.createTasks(op, actor, input), withDecision(actor.authorization));
  }

  listTasks(actor: Actor, input: ToolInput<'team_task_list'>): Promise<TaskPage> {
    return this.tx.read((op) => tasks.listTasks(op, actor, input));
  }

  claimNextTask(actor: Actor, options: ClaimOptions): Promise<NextClaim> {
    return this.tx.write((op) => claims.claimNextTask(op, actor, options), withDecision(actor.authorization));
  }

  claimTask(
    actor: Actor,
    input: { task_id: string },
    options: ClaimOptions,
  ): Promise<TaskClaim> {
    return this.tx.write((op) => claims.claimTask(op, actor, input, options), withDecision(actor.authorization));
  }

  updateTask(
    actor: Actor,
    input: ToolInput<'team_task_update'>,
    options: LeaseOptions,
  ): Promise<TaskChange> {
    return this.tx.write((op) => tasks.updateTask(op, actor, input, options), withDecision(actor.authorization));
  }

  completeTask(actor: Actor, input: ToolInput<'team_task_complete'>): Promise<TaskCompletion> {
    const { usage } = input;
    return this.tx.write((op) => claims.completeTask(op, actor, input), {
      ...withDecision(actor.authorization),
      ...(usage === undefined ? {} : { standing: (op) => void policy.chargeUsage(op, actor, usage, input.task_id) }),
    });
  }

  releaseTask(actor: Actor, input: ToolInput<'team_task_release'>): Promise<{ task: Task }> {
    return this.tx.write((op) => claims.releaseTask(op, actor, input), withDecision(actor.authorization));
  }

  sendMessage(actor: Actor, input: ToolInput<'team_send'>): Promise<SentMessage> {
    return this.tx.write((op) => messages.sendMessage(op, actor, input), withDecision(actor.authorization));
  }

  readInbox(actor: Actor, input: ToolInput<'team_inbox'>): Promise<InboxPage> {
    // Acking and charging usage are writes; a plain read stays a read so it never waits for the write lock.
    const { usage } = input;
    if (input.ack.length === 0 && usage === undefined) return this.tx.read((op) => messages.readInbox(op, actor, input));
    return this.tx.write((op) => messages.readInbox(op, actor, input), {
      ...withDecision(actor.authorization),
      ...(usage === undefined ? {} : { standing: (op) => void policy.chargeUsage(op, actor, usage, null) }),
    });
  }

  publishArtifact(actor: Actor, input: ToolInput<'team_artifact_publish'>): Promise<Artifact> {
    return this.tx.write((op) => artifacts.publishArtifact(op, actor, input), withDecision(actor.authorization));
  }

  readArtifact(actor: Actor, input: ToolInput<'team_artifact_read'>): Promise<ArtifactContent> {
    return this.tx.read((op) => artifacts.readArtifact(op, actor, input));
  }

  listArtifacts(actor: Actor, input: ToolInput<'team_artifact_list'>): Promise<Artifact[]> {
    return this.tx.read((op) => artifacts.listArtifacts(op, actor, input));
  }

  setProfile(actor: Actor, input: SetProfileInput): Promise<ProfileSwitch> {
    return this.tx.write((op) => policy.setProfile(op, actor, input), withDecision(actor.authorization));
  }

  async recordDecision(teamId: TeamId, entry: DecisionEntry, options: { unlessSameAsLast?: boolean } = {}): Promise<boolean> {
    // The lead's every team_status asks to record its fanout decision, which rarely changes: look
    // in a read snapshot first so an unchanged decision never takes the write lock. The write
    // checks again inside its own transaction, so a decision changed meanwhile is still recorded.
    if (options.unlessSameAsLast === true && (await this.tx.read((op) => policy.sameAsLastDecision(op, teamId, entry)))) {
      return false;
    }
    return this.tx.write((op) => policy.recordDecision(op, teamId, entry, options));
  }

  listTeams(): Promise<Team[]> {
    return this.tx.read((op) => snapshots.listTeams(op));
  }

  readTeam(teamId: TeamId): Promise<TeamSnapshot> {
    return this.tx.read((op) => snapshots.readTeam(op, teamId));
  }

  /** Up to `limit` events (default 1,000, at most 10,000) after `afterSeq`, in commit order. */
  listAuditEvents(teamId: TeamId, query: AuditQuery = {}): Promise<AuditEvent[]> {
    return this.tx.read((op) => listAudit(op, teamId, query));
  }

  /**
   * A decision recorded on its own changed no state, so it is committed without waiting for the
   * disk (see TransactionRunner.write): a read costs no fsync. It survives any process crash.
   */
  recordAuthzDecision(input: AuthzDecisionInput): Promise<AuthzDecision> {
    return this.tx.write((op) => decisions.recordDecision(op, input), { sync: 'normal' });
  }

  queueAuthzDecision(input: AuthzDecisionInput): void {
    this.decisionQueue.add(input);
  }

  /** Up to `limit` decisions (default 1,000, at most 10,000) after `afterSeq`, in commit order. */
  async listAuthzDecisions(query: AuthzDecisionQuery): Promise<AuthzDecision[]> {
    await this.decisionQueue.flush();
    return this.tx.read((op) => decisions.listDecisions(op, query));
  }

  setMode(actor: Actor, input: SetModeInput): Promise<ModeChangeResult> {
    return this.tx.write((op) => modes.setMode(op, actor, input), withDecision(actor.authorization));
  }

  readMode(actor: Actor): Promise<TeamModeState> {
    return this.tx.read((op) => modes.readMode(op, actor));
  }

  submitPlan(actor: Actor, artifactId: string): Promise<PlanReview> {
    return this.tx.write((op) => modes.submitPlan(op, actor, artifactId), withDecision(actor.authorization));
  }

  reviewPlan(actor: Actor, input: PlanReviewInput): Promise<PlanReview> {
    return this.tx.write((op) => modes.reviewPlan(op, actor, input), withDecision(actor.authorization));
  }

  /** Writes the queued decisions, then closes the file; the file is closed even when that fails. */
  async close(): Promise<void> {
    if (!this.db.open) return;
    try {
      await this.decisionQueue.flush();
    } finally {
      this.db.close();
    }
  }
}

/**
 * Opens (creating when missing) the store file, sets WAL, synchronous=FULL, foreign keys and the
 * busy timeout, and applies pending migrations. Throws TeamError `SCHEMA_MISMATCH` when the file
 * was written by a newer or different schema, `BUSY` when other processes keep it locked.
 */
export async function openSqliteTeamStore(options: SqliteTeamStoreOptions): Promise<SqliteTeamStore> {
  const retry: BusyRetryOptions = { ...DEFAULT_BUSY_RETRY, ...options.busyRetry };
  const migrations = readMigrations(options.migrationsDir ?? defaultMigrationsDir());
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  // `timeout` is SQLite's busy_timeout: how long a statement waits for a lock before SQLITE_BUSY.
  const db = new (sqliteDatabase())(options.path, { timeout: options.busyTimeoutMs ?? 5_000 });
  try {
    await withBusyRetry(() => {
      // Switching to WAL needs a moment of exclusive access: another process opening the same
      // fresh file at once can make it busy, hence inside the retry.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrate(db, migrations, options.clock.now());
    }, retry);
  } catch (error) {
    db.close();
    throw error;
  }
  const now = (): number => options.clock.now();
  const logger = options.logger;
  const log = (decision: AppliedDecision): void => {
    logger?.info(
      { team_id: decision.teamId, profile: decision.profile, rule: decision.rule, inputs: decision.inputs, outcome: decision.outcome, reason: decision.reason },
      'policy decision',
    );
  };
  const profiles = options.profiles ?? ProfileCatalog.shipped();
  const tx = new TransactionRunner(new Sql(db), now, options.ids, retry, profiles, options.codexThreadCap, log, decisions.recordCallDecision);
  return new SqliteTeamStore(db, tx, now);
}

/** The write options of a call that carries its allow decision into the operation's transaction. */
function withDecision(authorization: CallAuthorization | undefined): { authorization?: CallAuthorization } {
  return authorization === undefined ? {} : { authorization };
}

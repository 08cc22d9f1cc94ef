import { readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { TeamError } from '@codex-team/contracts';
import type {
  Agent,
  Artifact,
  AuditEvent,
  AuthzDecision,
  CheckpointRef,
  Clock,
  IdGenerator,
  PlanReview,
  Task,
  Team,
  TeamId,
  TeamModeState,
  TeamSnapshot,
  ToolInput,
  ToolName,
  ToolOutput,
} from '@codex-team/contracts';
import type { TreeNode, TreeThreads } from '@codex-team/hierarchy';
import { ProfileCatalog, type CodexThreadCap } from '@codex-team/policy-engine';
import type { RebalanceInput, RebalanceSettings } from '@codex-team/scheduler';
import { checkAppliedMigrations, defaultMigrationsDir, migrate, readAppliedMigrations, readMigrations, type Migration } from './migrations';
import * as agents from './sqlite/agent-ops';
import * as artifacts from './sqlite/artifact-ops';
import { listAudit } from './sqlite/audit';
import * as briefs from './sqlite/brief-ops';
import * as checkpoints from './sqlite/checkpoint-ops';
import { findTeam, treeThreadsOf } from './sqlite/access';
import * as decisions from './sqlite/authz-ops';
import * as claims from './sqlite/claim-ops';
import { DecisionQueue } from './sqlite/decision-queue';
import * as heartbeats from './sqlite/heartbeat-ops';
import * as hooks from './sqlite/hook-ops';
import * as messages from './sqlite/message-ops';
import * as modes from './sqlite/mode-ops';
import * as measured from './sqlite/measured-usage-ops';
import * as operator from './sqlite/operator-ops';
import * as policy from './sqlite/policy-ops';
import * as rebalancing from './sqlite/rebalance-ops';
import * as recovery from './sqlite/recovery-ops';
import * as snapshots from './sqlite/snapshot-ops';
import * as tasks from './sqlite/task-ops';
import * as teams from './sqlite/team-ops';
import { sqliteDatabase } from './sqlite/native-sqlite';
import { openDatabase } from './sqlite/open-database';
import { openFailure } from './sqlite/open-failure';
import * as tree from './sqlite/tree-ops';
import { subtreeIds, treeNodes } from './sqlite/tree-rows';
import {
  DEFAULT_BUSY_RETRY,
  DEFAULT_BUSY_SLICE_MS,
  SqliteSql,
  TransactionRunner,
  withBusyRetry,
  type AppliedDecision,
  type BusyRetryOptions,
  type Transactions,
  type WriteOptions,
} from './sqlite/transaction';
import { isPostgresUrl, redactStoreLocation } from './store-location';
import { StoreIdentity, inspectStoreFile, isBlankDatabase, isCodexTeamStore, notAStore, writeAheadLog } from './store-file';
import { ClaimRankCache } from './sqlite/claim-ranks';
import { warmClaimRanks } from './sqlite/scheduling-facts';
import type {
  Actor,
  ArtifactContent,
  AuditQuery,
  BoundAgent,
  BriefFacts,
  CallAuthorization,
  CheckpointOptions,
  CheckpointResult,
  CallScope,
  ChildTeam,
  ClaimOptions,
  CodexThreadAgent,
  CreateTeamInput,
  CreatedTasks,
  AuthzDecisionInput,
  AuthzDecisionQuery,
  DecisionEntry,
  FinalizedTeam,
  MeasuredUsageInput,
  MeasuredUsageResult,
  HeartbeatRequest,
  InboxPage,
  HookBlock,
  JoinAgentInput,
  LeaseOptions,
  ModeChangeResult,
  NextClaim,
  PlanReviewInput,
  ProfileSwitch,
  RebalanceOptions,
  RebalanceOutcome,
  RecordedRebalance,
  RecoveryPlan,
  RecoveryResult,
  RecoveryScope,
  RecoveryView,
  RestartAgentInput,
  ResumeAgentInput,
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
  StartChildInput,
  OperatorSendInput,
  OperatorSent,
  PrunedTeams,
  TeamStatusBase,
  TeamStore,
  TicketHolder,
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
  /**
   * How long one call waits out other writers before answering BUSY (nothing changed), and how it
   * paces its attempts. @default a 20 s deadline, attempts 5-100 ms apart (DEFAULT_BUSY_RETRY)
   */
  busyRetry?: Partial<BusyRetryOptions>;
  /**
   * How long SQLite itself blocks the process waiting for a lock in one attempt (busy_timeout), in
   * milliseconds; between attempts the call waits asynchronously, so other calls go on. Keep it
   * short: a long slice stalls every other call of the process.
   * @default 500 (DEFAULT_BUSY_SLICE_MS)
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
  /**
   * Whether claims rank by critical path (CLAIM_ORDER). False claims the first claimable task by
   * priority, then creation, ranking nothing: claim order as it was before critical-path ranking,
   * the baseline `codex-team bench --only claim-cost` measures the ranking's cost against.
   * @default true
   */
  rankClaims?: boolean;
}

/** The connection a store closes: a better-sqlite3 database, or PostgreSQL's blocking bridge. */
export interface StoreConnection {
  readonly open: boolean;
  close(): void;
}

/**
 * The TeamStore on one SQLite file shared by every MCP server process of the machine. Each method
 * is one synchronous better-sqlite3 transaction (writes: BEGIN IMMEDIATE) holding its checks, its
 * writes and its audit event; the async surface only waits between busy retries. The same class
 * runs the same operations on PostgreSQL (openPostgresTeamStore): only the connection and the
 * transactions differ.
 */
export class SqliteTeamStore implements TeamStore {
  private readonly decisionQueue: DecisionQueue;

  /** @internal Use openSqliteTeamStore (or openPostgresTeamStore), which configure and migrate the database first. */
  constructor(
    private readonly db: StoreConnection,
    private readonly tx: Transactions,
    now: () => number,
    /** The claim ranks its transactions keep (the same instance), to warm them before a claim; null: none. */
    private readonly claimRanks: ClaimRankCache | null = null,
  ) {
    this.decisionQueue = new DecisionQueue(tx, now);
  }

  createTeam(input: CreateTeamInput): Promise<BoundAgent> {
    return this.tx.write((op) => teams.createTeam(op, input), withDecision(input.authorization));
  }

  spawnAgent(actor: Actor, input: SpawnAgentInput): Promise<Agent> {
    return this.tx.write((op) => agents.spawnAgent(op, actor, input), forActor(actor, 'spawnAgent'));
  }

  startChild(actor: Actor, input: StartChildInput): Promise<ChildTeam> {
    return this.tx.write((op) => tree.startChild(op, actor, input), forActor(actor, 'startChild'));
  }

  takeOverChild(actor: Actor): Promise<ChildTeam> {
    return this.tx.write((op) => tree.takeOverChild(op, actor), forActor(actor, 'takeOverChild'));
  }

  readTree(teamId: TeamId): Promise<TreeNode[]> {
    return this.tx.read((op) => {
      const root = op.sql.value<string>('SELECT root_team_id FROM teams WHERE id = ?', teamId);
      if (root === undefined) throw new TeamError('NOT_FOUND', `no team ${teamId}`);
      return treeNodes(op, subtreeIds(op, root));
    });
  }

  readTreeThreads(teamId: TeamId): Promise<TreeThreads> {
    return this.tx.read((op) => {
      const team = findTeam(op, teamId);
      if (team === undefined) throw new TeamError('NOT_FOUND', `no team ${teamId}`);
      return treeThreadsOf(op, team);
    });
  }

  joinAgent(input: JoinAgentInput): Promise<BoundAgent> {
    return this.tx.write((op) => agents.joinAgent(op, input), withDecision(input.authorization));
  }

  resumeAgent(input: ResumeAgentInput): Promise<BoundAgent> {
    return this.tx.write((op) => agents.resumeAgent(op, input), withDecision(input.authorization));
  }

  reissueLeadTicket(teamId: TeamId, resumeTicketHash: string, reason: string): Promise<Agent> {
    return this.tx.write((op) => agents.reissueLeadTicket(op, teamId, resumeTicketHash, reason));
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
    return this.tx.write((op) => heartbeats.heartbeatAgent(op, binding, request, options), {
      ...withDecision(request.authorization),
      ...(request.bestEffort === true ? { waitForLock: false } : {}),
    });
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
    return this.tx.write((op) => agents.restartAgent(op, actor, input), forActor(actor, 'restartAgent'));
  }

  getStatus(actor: Actor): Promise<TeamStatusBase> {
    return this.tx.read((op) => teams.getStatus(op, actor));
  }

  finalizeTeam(actor: Actor, input: ToolInput<'team_finalize'>): Promise<FinalizedTeam> {
    return this.tx.write((op) => teams.finalizeTeam(op, actor, input), forActor(actor, 'finalizeTeam'));
  }

  recordMeasuredUsage(input: MeasuredUsageInput): Promise<MeasuredUsageResult> {
    return this.tx.write((op) => measured.recordMeasuredUsage(op, input));
  }

  operatorClose(teamId: TeamId, input: { cancel: boolean; force: boolean; reason: string }): Promise<FinalizedTeam> {
    return this.tx.write((op) => operator.operatorClose(op, teamId, input));
  }

  operatorSend(teamId: TeamId, input: OperatorSendInput): Promise<OperatorSent> {
    return this.tx.write((op) => operator.operatorSend(op, teamId, input));
  }

  pruneTeams(input: { finalizedBefore: number; dryRun: boolean }): Promise<PrunedTeams> {
    return this.tx.write((op) => operator.pruneTeams(op, input));
  }

  /** One artifact version with its content, for the operator (by id; `version` of the same artifact). */
  readArtifactContent(artifactId: string, version?: number): Promise<{ artifact: Artifact; content: string }> {
    return this.tx.read((op) => operator.operatorArtifact(op, artifactId, version));
  }

  /** The Codex thread an agent was last bound from, or null. */
  readAgentCodexThread(agentId: string): Promise<string | null> {
    return this.tx.read((op) => operator.agentCodexThread(op, agentId));
  }

  createTasks(actor: Actor, input: ToolInput<'team_task_create'>): Promise<CreatedTasks> {
    return this.tx.write((op) => tasks.createTasks(op, actor, input), forActor(actor, 'createTasks'));
  }

  listTasks(actor: Actor, input: ToolInput<'team_task_list'>): Promise<TaskPage> {
    return this.tx.read((op) => tasks.listTasks(op, actor, input));
  }

  async claimNextTask(actor: Actor, options: ClaimOptions): Promise<NextClaim> {
    // Only where ranks are kept up (work waits on work): a flat backlog's claim needs no extra read.
    if (this.claimRanks?.worthWarming(actor.teamId) === true) await this.tx.read((op) => warmClaimRanks(op, actor.teamId));
    return this.tx.write((op) => claims.claimNextTask(op, actor, options), { ...forActor(actor, 'claimNextTask'), claimBy: actor.agentId });
  }

  claimTask(
    actor: Actor,
    input: { task_id: string },
    options: ClaimOptions,
  ): Promise<TaskClaim> {
    return this.tx.write((op) => claims.claimTask(op, actor, input, options), { ...forActor(actor, 'claimTask'), claimBy: actor.agentId });
  }

  updateTask(
    actor: Actor,
    input: ToolInput<'team_task_update'>,
    options: LeaseOptions,
  ): Promise<TaskChange> {
    return this.tx.write((op) => tasks.updateTask(op, actor, input, options), forActor(actor, 'updateTask'));
  }

  completeTask(actor: Actor, input: ToolInput<'team_task_complete'>): Promise<TaskCompletion> {
    const { usage } = input;
    return this.tx.write((op) => claims.completeTask(op, actor, input), {
      ...forActor(actor, 'completeTask'),
      ...(usage === undefined ? {} : { standing: (op) => void policy.chargeUsage(op, actor, usage, input.task_id, 'team_task_complete') }),
    });
  }

  releaseTask(actor: Actor, input: ToolInput<'team_task_release'>): Promise<{ task: Task }> {
    return this.tx.write((op) => claims.releaseTask(op, actor, input), forActor(actor, 'releaseTask'));
  }

  sendMessage(actor: Actor, input: ToolInput<'team_send'>): Promise<SentMessage> {
    return this.tx.write((op) => messages.sendMessage(op, actor, input), forActor(actor, 'sendMessage'));
  }

  readInbox(actor: Actor, input: ToolInput<'team_inbox'>): Promise<InboxPage> {
    // Acking and charging usage are writes; a plain read stays a read so it never waits for the write lock.
    const { usage } = input;
    if (input.ack.length === 0 && usage === undefined) return this.tx.read((op) => messages.readInbox(op, actor, input));
    return this.tx.write((op) => messages.readInbox(op, actor, input), {
      ...forActor(actor, 'readInbox'),
      ...(usage === undefined ? {} : { standing: (op) => void policy.chargeUsage(op, actor, usage, null, 'team_inbox') }),
    });
  }

  publishArtifact(actor: Actor, input: ToolInput<'team_artifact_publish'>): Promise<Artifact> {
    return this.tx.write((op) => artifacts.publishArtifact(op, actor, input), forActor(actor, 'publishArtifact'));
  }

  readArtifact(actor: Actor, input: ToolInput<'team_artifact_read'>): Promise<ArtifactContent> {
    return this.tx.read((op) => artifacts.readArtifact(op, actor, input));
  }

  listArtifacts(actor: Actor, input: ToolInput<'team_artifact_list'>): Promise<Artifact[]> {
    return this.tx.read((op) => artifacts.listArtifacts(op, actor, input));
  }

  setProfile(actor: Actor, input: SetProfileInput): Promise<ProfileSwitch> {
    return this.tx.write((op) => policy.setProfile(op, actor, input), forActor(actor, 'setProfile'));
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

  async rebalance(teamId: TeamId, options: RebalanceOptions): Promise<RebalanceOutcome> {
    // The sweep of every process asks, and the decision rarely changes: decide in a read snapshot
    // first, so an unchanged decision never takes the write lock. The write checks the read's
    // basis on its own facts (the team's state head and the decision on record): unchanged, it
    // records the read's decision without reading the DAG again under the lock; changed, it
    // decides again. So two processes record one change once.
    const { basis, ...read } = await this.tx.read((op) => rebalancing.rebalanceTeam(op, teamId, options));
    if (!read.changed) return read;
    const { basis: _written, ...written } = await this.tx.write((op) => rebalancing.rebalanceTeam(op, teamId, options, basis));
    return written;
  }

  rebalanceOnRecord(teamId: TeamId): Promise<RecordedRebalance | null> {
    return this.tx.read((op) => {
      if (findTeam(op, teamId) === undefined) throw new TeamError('NOT_FOUND', `no team ${teamId}`, { team_id: teamId });
      const last = rebalancing.lastRecordedDecision(op, teamId);
      return last === null ? null : { decision: last.decision, decided_at: last.at, directives_since: last.directivesSince };
    });
  }

  rebalanceInput(teamId: TeamId, settings: Partial<RebalanceSettings> = {}): Promise<RebalanceInput> {
    return this.tx.read((op) => {
      const team = findTeam(op, teamId);
      if (team === undefined) throw new TeamError('NOT_FOUND', `no team ${teamId}`, { team_id: teamId });
      return rebalancing.rebalanceInput(op, team, settings);
    });
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
    return this.tx.write((op) => modes.setMode(op, actor, input), forActor(actor, 'setMode'));
  }

  readMode(actor: Actor): Promise<TeamModeState> {
    return this.tx.read((op) => modes.readMode(op, actor));
  }

  submitPlan(actor: Actor, artifactId: string): Promise<PlanReview> {
    return this.tx.write((op) => modes.submitPlan(op, actor, artifactId), forActor(actor, 'submitPlan'));
  }

  reviewPlan(actor: Actor, input: PlanReviewInput): Promise<PlanReview> {
    return this.tx.write((op) => modes.reviewPlan(op, actor, input), forActor(actor, 'reviewPlan'));
  }

  recordHookBlock(block: HookBlock): Promise<never> {
    return this.tx.write((op) => hooks.recordHookBlock(op, block), withDecision(block.authorization));
  }

  readTask(actor: Actor, taskId: string): Promise<Task> {
    return this.tx.read((op) => hooks.readTask(op, actor, taskId));
  }

  callScope(actor: Actor, tool: ToolName): Promise<CallScope | null> {
    return this.tx.read((op) => hooks.callScope(op, actor, tool));
  }

  findTicketHolder(kind: 'join' | 'resume', ticketHash: string): Promise<TicketHolder | null> {
    return this.tx.read((op) => hooks.findTicketHolder(op, kind, ticketHash));
  }

  /** Whether its connection is still usable: a PostgreSQL connection that failed stays closed. */
  get open(): boolean {
    return this.db.open;
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
 * was written by a newer or different schema, `NOT_A_STORE` (leaving it untouched) when it is a
 * folder, not SQLite, or another application's database, `FILE_ACCESS` when it cannot be created
 * or written, `BUSY` when other processes keep it locked.
 */
export async function openSqliteTeamStore(options: SqliteTeamStoreOptions): Promise<SqliteTeamStore> {
  requireFilePath(options.path);
  const retry: BusyRetryOptions = { ...DEFAULT_BUSY_RETRY, ...options.busyRetry };
  const migrations = readMigrations(options.migrationsDir ?? defaultMigrationsDir());
  const db = await openDatabase(
    options.path,
    {
      busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_BUSY_SLICE_MS,
      busyRetry: retry,
      createFolders: true,
      // Look before the first write: another application's database is refused untouched.
      guard: (opened) => {
        if (options.path !== ':memory:' && !isBlankDatabase(opened) && !isCodexTeamStore(opened, migrations)) throw notAStore(options.path);
      },
    },
    (opened) => migrate(opened, migrations, options.clock.now()),
  );
  const now = (): number => options.clock.now();
  const log = decisionLog(options.logger);
  const profiles = options.profiles ?? ProfileCatalog.shipped();
  let identity: StoreIdentity | null = null;
  try {
    identity = options.path === ':memory:' ? null : StoreIdentity.capture(options.path);
  } catch (error) {
    db.close();
    throw error;
  }
  const claimRanks = (options.rankClaims ?? true) ? new ClaimRankCache() : null;
  const tx = new TransactionRunner(new SqliteSql(db), now, options.ids, retry, profiles, options.codexThreadCap, log, decisions.recordCallDecision, claimRanks, identity);
  return new SqliteTeamStore(db, tx, now, claimRanks);
}

/** Logs each decision the store applies to `logger`, with its inputs, rule and outcome. */
export function decisionLog(logger: DecisionLogger | undefined): (decision: AppliedDecision) => void {
  return (decision) => {
    logger?.info(
      { team_id: decision.teamId, profile: decision.profile, rule: decision.rule, inputs: decision.inputs, outcome: decision.outcome, reason: decision.reason },
      'policy decision',
    );
  };
}

/** A PostgreSQL URL given where a SQLite file is opened is refused, never made into folders named after it. */
function requireFilePath(path: string): void {
  if (isPostgresUrl(path)) {
    throw new TeamError('INVALID_INPUT', `${redactStoreLocation(path)} is a PostgreSQL database: this opens SQLite store files only (the servers and the operator's verbs take postgres:// URLs)`);
  }
}

/**
 * The write options of an actor's call of `operation`: its team (on PostgreSQL, whose tree lock the
 * write takes), what the call is (for PostgreSQL's read-ahead) and its allow decision, which the
 * operation's transaction records.
 */
function forActor(actor: Actor, operation: string): Pick<WriteOptions, 'team' | 'readAheadKey' | 'authorization'> {
  const call = [operation, actor.teamId, actor.agentId, actor.inTeam ?? '', actor.renewHeartbeat === true ? 'renew' : ''].join(' ');
  return { team: actor.teamId, readAheadKey: call, ...withDecision(actor.authorization) };
}

/** The write options of a call that carries its allow decision into the operation's transaction. */
function withDecision(authorization: CallAuthorization | undefined): { authorization?: CallAuthorization } {
  return authorization === undefined ? {} : { authorization };
}

/** The reads an operator's inspection needs: what a store opened read-only offers. */
export type TeamStoreReader = Pick<
  SqliteTeamStore,
  'listTeams' | 'readTeam' | 'readTree' | 'readTreeThreads' | 'listAuditEvents' | 'listAuthzDecisions' | 'listCheckpoints' | 'readCheckpoint' | 'readArtifactContent' | 'readAgentCodexThread' | 'close'
> & {
  /**
   * Whether reads see commits as other processes make them (the file is read in place), or a
   * copy taken at open (the store had no write-ahead log, so no process was writing it).
   */
  readonly live: boolean;
  /** The schema version of the file (a copy read from an older file is upgraded in memory only). */
  readonly schemaVersion: number;
};

export interface ReadOnlyStoreOptions {
  /** An existing store file. */
  path: string;
  clock: Clock;
  /** @default DEFAULT_BUSY_RETRY: a 20 s deadline */
  busyRetry?: Partial<BusyRetryOptions>;
  /** @default 500 (DEFAULT_BUSY_SLICE_MS) */
  busyTimeoutMs?: number;
  /** @default the package's migrations/ */
  migrationsDir?: string;
  /** The profiles its snapshots' hints are read with. @default ProfileCatalog.shipped() */
  profiles?: ProfileCatalog;
}

/** An in-memory copy of a database image, in rollback mode (memory databases have no WAL). */
function memoryCopy(image: Buffer): Database.Database {
  // Bytes 18 and 19 are the file format's write and read versions: 2 means WAL, 1 rollback.
  image[18] = 1;
  image[19] = 1;
  return new (sqliteDatabase())(image);
}

/**
 * Opens a store for inspection without ever writing the file or creating files beside it: a
 * store with a write-ahead log (processes have it open) is read in place through a read-only
 * connection; one without is read from a copy in memory. An older schema is upgraded in that copy
 * only. Refuses, leaving every byte as it was: a missing file with `NOT_FOUND`; a folder, a file
 * that is not SQLite and another application's database with `NOT_A_STORE`; a newer schema with
 * `SCHEMA_MISMATCH`; an unreadable file with `FILE_ACCESS`. Any write through it fails.
 */
export async function openSqliteTeamStoreReadOnly(options: ReadOnlyStoreOptions): Promise<TeamStoreReader> {
  requireFilePath(options.path);
  const retry: BusyRetryOptions = { ...DEFAULT_BUSY_RETRY, ...options.busyRetry };
  const migrations = readMigrations(options.migrationsDir ?? defaultMigrationsDir());
  const { path } = options;
  const file = inspectStoreFile(path);
  if (file.kind === 'missing') throw new TeamError('NOT_FOUND', `no store at ${path}`, { path });
  if (file.kind === 'empty') throw new TeamError('NOT_A_STORE', `${path} is an empty file, not a codex-team store`, { path });
  let db: Database.Database;
  let live = false;
  try {
    const wal = writeAheadLog(path);
    if (wal !== 'absent') {
      try {
        db = new (sqliteDatabase())(path, { readonly: true, fileMustExist: true, timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_SLICE_MS });
        live = true;
      } catch (error) {
        // A read-only connection needs the log's shared-memory file; where it cannot have it, a
        // log without commits means the main file is the whole store.
        if (wal === 'holds-commits') throw error;
      }
    }
    db ??= memoryCopy(readFileSync(path));
  } catch (error) {
    throw openFailure(path, error, 'read');
  }
  let schemaVersion = 0;
  try {
    const opened = db;
    ({ db, schemaVersion } = await withBusyRetry(() => upgradeForReading(opened, migrations, path, options.clock.now()), retry));
    if (db.memory) live = false;
  } catch (error) {
    db.close();
    throw openFailure(path, error, 'read');
  }
  // Belt and braces: a write through this store fails rather than land in a copy and vanish.
  db.pragma('query_only = ON');
  const now = (): number => options.clock.now();
  // No write runs through it: no ids are asked for and no decision is applied or recorded.
  const tx = new TransactionRunner(new SqliteSql(db), now, { next: () => '' }, retry, options.profiles ?? ProfileCatalog.shipped(), undefined, () => undefined, decisions.recordCallDecision, null);
  const store: TeamStoreReader = Object.assign(new SqliteTeamStore(db, tx, now), { live, schemaVersion });
  return store;
}

/**
 * Checks that `db` is a codex-team store this code can read and returns a database to read it
 * from: `db` itself when its schema is current, else an in-memory copy brought up to date.
 */
function upgradeForReading(
  db: Database.Database,
  migrations: readonly Migration[],
  path: string,
  now: number,
): { db: Database.Database; schemaVersion: number } {
  if (!isCodexTeamStore(db, migrations)) throw notAStore(path);
  const { version, pending } = checkAppliedMigrations(readAppliedMigrations(db), migrations);
  if (pending.length === 0) return { db, schemaVersion: version };
  const copy = db.memory ? db : memoryCopy(db.serialize());
  try {
    migrate(copy, migrations, now);
  } catch (error) {
    if (copy !== db) copy.close();
    throw error;
  }
  if (copy !== db) db.close();
  return { db: copy, schemaVersion: version };
}
